"""Overhead of Learn2Mix over the plain inner model, same budget, paired runs.

    python -m benchmarks.overhead                  # XGBoost and skorch, 5 pairs each
    python -m benchmarks.overhead --family xgboost --pairs 5

Every fit runs in a fresh subprocess; the memory measured is the peak
resident memory the fit adds on top of the loaded data (the kernel's peak-RSS
mark is reset just before the fit). A and B alternate to spread machine noise
evenly; the report gives the median ratio of wall time and of fit memory
(B / A). Results go to the "overhead-<family>" section of benchmarks/RESULTS.md.

Designs compared against plain XGBoost (same ``n_estimators``):
* ``learn2mix``: this library (one boosting run, weights set in a callback);
* ``restart``: the naive continuation design, one ``fit(xgb_model=...)`` per
  round with new weights (rebuilds the DMatrix and copies the booster).
Against plain skorch (same epochs, batch size and model): ``reweight`` and
``resample``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from .report import write_section

EPOCHS = 5
XGB_PARAMS = dict(n_estimators=50, max_depth=4, learning_rate=0.1, tree_method="hist")


def _synthetic(n=200_000, d=50, k=10, seed=0):
    from sklearn.datasets import make_classification

    weights = 0.5 ** np.arange(k)
    return make_classification(
        n_samples=n,
        n_features=d,
        n_informative=30,
        n_classes=k,
        weights=weights / weights.sum(),
        random_state=seed,
    )


def _load(dataset):
    from sklearn.preprocessing import LabelEncoder

    if dataset == "synthetic":
        X, y = _synthetic()
        return X.astype(np.float32), y
    from sklearn_l2m.datasets import load_fashion_mnist, load_hiv, load_mnist1d

    if dataset == "hiv":
        data = load_hiv()
        return data.X_train, LabelEncoder().fit_transform(data.y_train)
    if dataset == "mnist1d":
        data = load_mnist1d()
        return data.X_train, data.y_train
    if dataset == "fashion":
        data = load_fashion_mnist()
        return data.X_train, data.y_train
    raise ValueError(dataset)


def _xgb_fit(design, X, y, n_jobs):
    from xgboost import XGBClassifier

    from sklearn_l2m import Learn2MixClassifier

    if design == "plain":
        return XGBClassifier(**XGB_PARAMS, n_jobs=n_jobs).fit(X, y)
    if design == "learn2mix":
        return Learn2MixClassifier(XGBClassifier(**XGB_PARAMS, n_jobs=n_jobs), random_state=0).fit(
            X, y
        )
    if design == "restart":  # the naive design: one continued fit per round
        from sklearn_l2m._schedule import plan_rounds

        plan = plan_rounds(
            n_rounds="auto",
            steps_per_round="auto",
            budget=XGB_PARAMS["n_estimators"],
            stochastic=False,
        )
        weights = np.ones(len(y))
        model = None
        for r in range(plan.n_rounds):  # the same rounds as learn2mix's auto horizon
            booster = None if model is None else model.get_booster()
            params = {**XGB_PARAMS, "n_estimators": plan.steps(r)}
            model = XGBClassifier(**params, n_jobs=n_jobs)
            model.fit(X, y, sample_weight=weights, xgb_model=booster)
            weights = weights * np.random.RandomState(0).uniform(0.9, 1.1, len(y))
        return model
    raise ValueError(design)


def _skorch_fit(design, X, y, n_jobs):
    import torch

    from sklearn_l2m import Learn2MixClassifier

    from .nets import mlp_classifier

    torch.set_num_threads(n_jobs)
    net = mlp_classifier(X.shape[1], int(y.max()) + 1, epochs=EPOCHS, batch_size=128)
    if design == "plain":
        torch.manual_seed(0)
        return net.fit(X, y)
    return Learn2MixClassifier(net, mixing_mode=design, random_state=0).fit(X, y)


def _status_mb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return float("nan")


def worker(family, design, dataset, n_jobs):
    """One fit; prints its wall time and the peak memory the fit added (Linux)."""
    X, y = _load(dataset)
    fit = _xgb_fit if family == "xgboost" else _skorch_fit
    try:  # reset the peak-RSS mark, so the peak below is the fit's, not the loading's
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        before = _status_mb("VmRSS:")
    except OSError:  # not Linux: the whole process's peak
        before = 0.0
    began = time.perf_counter()
    fit(design, X, y, n_jobs)
    seconds = time.perf_counter() - began
    peak = (
        _status_mb("VmHWM:")
        if before
        else (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    )
    print(json.dumps({"seconds": seconds, "peak_mb": peak - before}))


def _run(family, design, dataset, n_jobs):
    env = {**os.environ, "OMP_NUM_THREADS": str(n_jobs)}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.overhead",
            "--worker",
            family,
            design,
            dataset,
            str(n_jobs),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(family, dataset, designs, pairs, n_jobs, log):
    """Median B/A ratios; each pair runs A then B (B then A on odd pairs)."""
    ratios = {d: {"seconds": [], "peak_mb": []} for d in designs}
    absolute = {d: [] for d in ["plain", *designs]}
    for i in range(pairs):
        for design in designs:
            order = ["plain", design] if i % 2 == 0 else [design, "plain"]
            result = {name: _run(family, name, dataset, n_jobs) for name in order}
            for key in ("seconds", "peak_mb"):
                ratios[design][key].append(result[design][key] / result["plain"][key])
            absolute["plain"].append(result["plain"])
            absolute[design].append(result[design])
            log(f"  {family}/{dataset} pair {i}: {design} {result[design]} plain {result['plain']}")
    return ratios, absolute


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        worker(argv[1], argv[2], argv[3], int(argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=["xgboost", "skorch", "all"], default="all")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", default="benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    plan = []
    if args.family in ("xgboost", "all"):
        plan += [
            ("xgboost", "synthetic", ["learn2mix", "restart"]),
            ("xgboost", "hiv", ["learn2mix", "restart"]),
        ]
    if args.family in ("skorch", "all"):
        plan += [
            ("skorch", "mnist1d", ["reweight", "resample"]),
            ("skorch", "fashion", ["reweight", "resample"]),
        ]
    lines = [
        f"Command: `python -m benchmarks.overhead {' '.join(argv)}`; {args.pairs} paired runs "
        f"per row, alternating A/B, each fit in a fresh process with {args.n_jobs} threads. "
        "Ratios are B / A with A the plain inner model at the same budget (XGBoost: "
        f"{XGB_PARAMS}; skorch: MLP 128-128, Adam, batch 128, {EPOCHS} epochs). Targets: XGBoost "
        "time <= 1.05 and memory <= 1.2; skorch time <= 1.10.\n",
        "| inner model | data | design | median time ratio | median fit-memory ratio "
        "| plain fit: median s, MB |",
        "|---|---|---|---|---|---|",
    ]
    for family, dataset, designs in plan:
        print(f"== {family} on {dataset}", flush=True)
        ratios, absolute = measure(
            family, dataset, designs, args.pairs, args.n_jobs, lambda s: print(s, flush=True)
        )
        plain_s = np.median([r["seconds"] for r in absolute["plain"]])
        plain_mb = np.median([r["peak_mb"] for r in absolute["plain"]])
        for design in designs:
            t = np.median(ratios[design]["seconds"])
            m = np.median(ratios[design]["peak_mb"])
            row = (
                f"| {family} | {dataset} | {design} | {t:.3f} | {m:.3f} "
                f"| {plain_s:.2f} s, {plain_mb:.0f} MB |"
            )
            print(row, flush=True)
            lines.append(row)
    text = "\n".join(lines) + "\n"
    write_section(
        Path(args.out),
        f"overhead-{args.family}",
        f"Overhead (time and memory): {args.family}",
        text,
    )
    print(f"Wrote the overhead section of {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
