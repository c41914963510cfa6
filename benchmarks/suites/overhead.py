"""Overhead of Learn2Mix over the plain inner model, same budget, paired runs.

    python -m benchmarks overhead                  # XGBoost and skorch, 5 pairs each
    python -m benchmarks overhead --family xgboost --pairs 5
    python -m benchmarks overhead --family sklearn --pairs 3   # HGB, forests, GB
    python -m benchmarks overhead --family budget --pairs 3    # cost vs budget (+ plot)
    python -m benchmarks overhead --family rows --pairs 2      # cost vs rows
    python -m benchmarks overhead --family memory --pairs 1    # 1M rows, four boosters
    python -m benchmarks overhead --family small --pairs 5 --repeats 5  # tables <= 4k rows
    python -m benchmarks overhead --family memory-xgboost --pairs 1  # XGBoost's own share
    python -m benchmarks overhead --stages catboost            # CatBoost's memory by stage
    python -m benchmarks overhead --where xgboost "telecom churn by state"  # a small fit, profiled
    python -m benchmarks overhead --family fallback --pairs 3  # private hooks off

Every fit runs in a fresh subprocess; the memory measured is the peak
resident memory the fit adds on top of the loaded data (the kernel's peak-RSS
mark is reset just before the fit). With ``--repeats R`` a process fits once
untimed, then R times timed (their median): on fits of hundredths of a second
the first fit's imports and set-up would otherwise be most of what is measured.
A and B alternate to spread machine noise evenly; the report gives the median
ratio of wall time and of fit memory (B / A). Results go to the
"overhead-<family>" section of benchmarks/RESULTS.md.

Designs compared against plain XGBoost (same ``n_estimators``):
* ``learn2mix``: this library (one boosting run, weights set in a callback);
* ``restart``: the naive continuation design, one ``fit(xgb_model=...)`` per
  round with new weights (rebuilds the DMatrix and copies the booster).
Against plain skorch (same epochs, batch size and model): ``reweight`` and
``resample``. Against plain scikit-learn ensembles (HistGradientBoosting,
RandomForest, GradientBoosting at the same ``max_iter`` / ``n_estimators``):
``learn2mix``, which grows the ensemble by warm start and evaluates only the
new members each round.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from ..common import OUT_OPTION, PAIRS_OPTION, suite_parser
from ..models import make_model
from ..report import RESULTS as RESULTS_PAGE
from ..report import write_section

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


def _grouped(dataset):
    """A real table of the grouped suite (at most 4,000 rows): X, encoded y, groups."""
    from sklearn.preprocessing import LabelEncoder

    from ..data.grouped import TASKS, load_grouped

    name = dataset.removeprefix("grouped:")
    data = load_grouped(next(t for t in TASKS if t.name == name))
    return data.X, LabelEncoder().fit_transform(data.y), data.groups


def _load(dataset):
    from sklearn.preprocessing import LabelEncoder

    if dataset.startswith("grouped:"):
        return _grouped(dataset)[:2]

    if dataset.startswith("synthetic"):  # "synthetic" (200,000 rows) or "synthetic-100k"
        size = dataset.partition("-")[2].lower()
        n = int(float(size[:-1]) * {"k": 1e3, "m": 1e6}[size[-1]]) if size else 200_000
        X, y = _synthetic(n=n)
        return X.astype(np.float32), y
    if dataset == "digits":
        from sklearn.datasets import load_digits

        return load_digits(return_X_y=True)
    if dataset == "small40k":  # a small net's workload: 40,000 x 40, 6 classes
        from sklearn.datasets import make_classification

        X, y = make_classification(
            40_000,
            40,
            n_informative=20,
            n_classes=6,
            weights=[0.4, 0.2, 0.15, 0.1, 0.1, 0.05],
            random_state=0,
        )
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


def _public_api(design):
    """``design="public-api"``: every private hook off (the fallbacks a future
    upstream release without them would get); else nothing changes."""
    import contextlib
    import os
    import warnings

    @contextlib.contextmanager
    def public_api_only():  # the documented switch (docs/versions.rst)
        before = os.environ.get("SKLEARN_L2M_PUBLIC_API_ONLY")
        os.environ["SKLEARN_L2M_PUBLIC_API_ONLY"] = "1"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the one-time FallbackWarning
                yield
        finally:
            if before is None:
                del os.environ["SKLEARN_L2M_PUBLIC_API_ONLY"]
            else:
                os.environ["SKLEARN_L2M_PUBLIC_API_ONLY"] = before

    return public_api_only() if design == "public-api" else contextlib.nullcontext()


#: the design "learn2mix, 5 rounds": the default with a quarter of its round ends at 100
#: trees (the lever on small fits; its quality: the grouped suite's "learn2mix (5 rounds)")
FEWER_ROUNDS = "learn2mix, 5 rounds"


def _rounds(design) -> dict:
    return {"n_rounds": 5} if design == FEWER_ROUNDS else {}


def _xgb_fit(design, X, y, n_jobs, budget=None, dataset=None, groups=None):
    from sklearn_l2m import Learn2MixClassifier

    settings = {k: v for k, v in XGB_PARAMS.items() if k != "n_estimators"}
    budget = budget or XGB_PARAMS["n_estimators"]

    def xgb(steps=budget):
        return make_model("xgboost", 0, budget=steps, n_jobs=n_jobs, **settings)

    if design == "plain":
        return xgb().fit(X, y)
    if design == "plain+eval":  # what XGBoost itself holds for a held-out part it evaluates
        held_out = np.random.RandomState(0).rand(len(y)) < 0.1  # learn2mix's default share
        return xgb().fit(X, y, eval_set=[(X[held_out], y[held_out])], verbose=False)
    if design in ("learn2mix", "public-api", FEWER_ROUNDS):
        with _public_api(design):
            model = Learn2MixClassifier(xgb(), random_state=0, **_rounds(design))
            return model.fit(X, y, groups=groups)
    if design == "restart":  # the naive design: one continued fit per round
        # learn2mix's auto horizon depends on the budget alone: read it off a tiny fit
        probe = Learn2MixClassifier(xgb(), random_state=0)
        few = np.union1d(np.arange(min(200, len(y))), np.unique(y, return_index=True)[1])
        probe.fit(X[few], y[few])
        per_round = probe.steps_per_round_
        weights = np.ones(len(y))
        model = None
        for r in range(probe.n_rounds_):  # the same rounds as learn2mix's
            booster = None if model is None else model.get_booster()
            steps = min(per_round, budget - r * per_round)
            model = xgb(steps)
            model.fit(X, y, sample_weight=weights, xgb_model=booster)
            weights = weights * np.random.RandomState(0).uniform(0.9, 1.1, len(y))
        return model
    raise ValueError(design)


def _sklearn_fit(family):
    def fit(design, X, y, n_jobs, budget, dataset=None, groups=None):
        from sklearn_l2m import Learn2MixClassifier

        model = make_model(family, 0, budget=budget, n_jobs=n_jobs)
        if design == "plain":
            return model.fit(X, y)
        with _public_api(design):
            mixed = Learn2MixClassifier(model, random_state=0, **_rounds(design))
            return mixed.fit(X, y, groups=groups)

    return fit


#: batch size of the MLP per data set (default 128)
SKORCH_BATCH = {"small40k": 256}


def _skorch_fit(design, X, y, n_jobs, budget=None, dataset=None, groups=None):
    import torch

    from sklearn_l2m import Learn2MixClassifier

    from ..nets import mlp_classifier

    torch.set_num_threads(n_jobs)
    batch = SKORCH_BATCH.get(dataset, 128)
    net = mlp_classifier(X.shape[1], int(y.max()) + 1, epochs=EPOCHS, batch_size=batch)
    if design == "plain":
        torch.manual_seed(0)
        return net.fit(X, y)
    return Learn2MixClassifier(net, mixing_mode=design, random_state=0).fit(X, y, groups=groups)


def _lightgbm_fit(design, X, y, n_jobs, budget=None, dataset=None, groups=None):
    from sklearn_l2m import Learn2MixClassifier

    model = make_model("lightgbm", 0, budget=budget, n_jobs=n_jobs)
    if design == "plain":
        return model.fit(X, y)
    mixed = Learn2MixClassifier(model, random_state=0, **_rounds(design))
    return mixed.fit(X, y, groups=groups)


def _catboost_fit(design, X, y, n_jobs, budget=None, dataset=None, groups=None):
    from sklearn_l2m import Learn2MixClassifier

    model = make_model("catboost", 0, budget=budget, n_jobs=n_jobs)
    if design == "plain":
        return model.fit(X, y)
    return Learn2MixClassifier(model, random_state=0).fit(X, y, groups=groups)


def _status_mb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return float("nan")


FITS = {
    "xgboost": _xgb_fit,
    "skorch": _skorch_fit,
    "lightgbm": _lightgbm_fit,
    "catboost": _catboost_fit,
    "hgb": _sklearn_fit("hgb"),
    "rf": _sklearn_fit("rf"),
    "gb": _sklearn_fit("gb"),
}
#: what each family's budget counts
BUDGET_UNIT = {
    "xgboost": "trees",
    "lightgbm": "trees",
    "catboost": "trees",
    "hgb": "iterations",
    "rf": "trees",
    "gb": "stages",
}


def worker(family, design, dataset, n_jobs, budget=None, repeats=1):
    """Timed fits; prints their median wall time and the peak memory they added (Linux).

    ``repeats`` > 1: one untimed fit first (imports, first-call set-up), then
    ``repeats`` timed ones: the steady cost of a fit, as in a grid search.
    """
    if dataset.startswith("grouped:"):  # a real grouped table: read once, with its groups
        X, y, groups = _grouped(dataset)
    else:
        (X, y), groups = _load(dataset), None
    fit = FITS[family]
    if repeats > 1:
        fit(design, X, y, n_jobs, budget, dataset=dataset, groups=groups)
    try:  # reset the peak-RSS mark, so the peak below is the fit's, not the loading's
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        before = _status_mb("VmRSS:")
    except OSError:  # not Linux: the whole process's peak
        before = 0.0
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fit(design, X, y, n_jobs, budget, dataset=dataset, groups=groups)
        times.append(time.perf_counter() - began)
    peak = (
        _status_mb("VmHWM:")
        if before
        else (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    )
    print(json.dumps({"seconds": float(np.median(times)), "peak_mb": peak - before}))


def _run(family, design, dataset, n_jobs, budget, repeats=1):
    env = {**os.environ, "OMP_NUM_THREADS": str(n_jobs)}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.suites.overhead",
            "--worker",
            family,
            design,
            dataset,
            str(n_jobs),
            str(budget or 0),
            str(repeats),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(family, dataset, designs, pairs, n_jobs, log, budget=None, repeats=1):
    """Median B/A ratios; each pair runs A then B (B then A on odd pairs)."""
    ratios = {d: {"seconds": [], "peak_mb": [], "added_s": []} for d in designs}
    absolute = {d: [] for d in ["plain", *designs]}
    for i in range(pairs):
        for design in designs:
            order = ["plain", design] if i % 2 == 0 else [design, "plain"]
            result = {name: _run(family, name, dataset, n_jobs, budget, repeats) for name in order}
            for key in ("seconds", "peak_mb"):
                ratios[design][key].append(result[design][key] / result["plain"][key])
            ratios[design]["added_s"].append(result[design]["seconds"] - result["plain"]["seconds"])
            absolute["plain"].append(result["plain"])
            absolute[design].append(result[design])
            log(f"  {family}/{dataset} pair {i}: {design} {result[design]} plain {result['plain']}")
    return ratios, absolute


#: the grouped suite's tables of the "small" family: rows, groups and classes differ
SMALL_TABLES = (
    "labour participation by nationality",  # 872 rows, 2 groups
    "attrition by department",  # 1,470 rows, 3 groups
    "mortgage denial by race",  # 2,380 rows, 2 groups
    "HPC jobs by protocol",  # 4,000 rows, 14 groups, 4 classes
    "telecom churn by state",  # 4,000 rows, 51 groups
)
#: family -> rows of (model family, data set, budget or None for the default, designs)
PLANS = {
    "xgboost": [
        ("xgboost", "synthetic", None, ["learn2mix", "restart"]),
        ("xgboost", "hiv", None, ["learn2mix", "restart"]),
    ],
    "skorch": [
        ("skorch", "mnist1d", None, ["reweight", "resample"]),
        ("skorch", "fashion", None, ["reweight", "resample"]),
    ],
    # a small net, where Python work per batch is visible (128 hidden, batch 256)
    "skorch-small": [("skorch", "small40k", None, ["reweight", "resample"])],
    # scikit-learn ensembles: the default inner model (HGB) at two budgets on
    # real data, the large synthetic set, forests and classic gradient boosting
    "sklearn": [
        ("hgb", "synthetic", 200, ["learn2mix"]),
        ("hgb", "digits", 200, ["learn2mix"]),
        ("hgb", "digits", 1000, ["learn2mix"]),
        ("hgb", "mnist1d", 200, ["learn2mix"]),
        ("hgb", "mnist1d", 1000, ["learn2mix"]),
        ("rf", "mnist1d", 300, ["learn2mix"]),
        ("gb", "digits", 200, ["learn2mix"]),
    ],
    # LightGBM (one run, weights changed in a callback) and CatBoost (continued
    # round by round): real data at two budgets, and 100k synthetic rows
    "boosting-libs": [
        *[("lightgbm", "mnist1d", b, ["learn2mix"]) for b in (100, 1000)],
        ("lightgbm", "synthetic-100k", 100, ["learn2mix"]),
        ("lightgbm", "hiv", 100, ["learn2mix"]),
        *[("catboost", "mnist1d", b, ["learn2mix"]) for b in (100, 1000)],
        ("catboost", "synthetic-100k", 100, ["learn2mix"]),
    ],
    # small real tables with groups (the grouped suite's, 872 to 4,000 rows), where a
    # fit takes a fraction of a second and fixed costs per round show: mixing by group
    "small": [
        (family, f"grouped:{task}", 100, ["learn2mix", FEWER_ROUNDS])
        for task in SMALL_TABLES
        for family in ("xgboost", "lightgbm", "hgb")
    ],
    # cost against the budget, one data set, three families (plotted)
    "budget": [
        *[("hgb", "mnist1d", b, ["learn2mix"]) for b in (50, 200, 1000)],
        *[("rf", "mnist1d", b, ["learn2mix"]) for b in (30, 100, 300)],
        *[("xgboost", "mnist1d", b, ["learn2mix"]) for b in (50, 200, 1000)],
    ],
    # what an upstream release without the private hooks would cost: every fast
    # path off (sklearn_l2m/_compat/), against the default fit and the plain model
    "fallback": [
        ("hgb", "digits", 200, ["learn2mix", "public-api"]),
        ("hgb", "mnist1d", 200, ["learn2mix", "public-api"]),
        ("gb", "digits", 200, ["learn2mix", "public-api"]),
        ("xgboost", "mnist1d", None, ["learn2mix", "public-api"]),
        ("xgboost", "synthetic-100k", None, ["learn2mix", "public-api"]),
    ],
    # issue 32's memory targets: 1M rows x 50 features, 10 classes, the default hold-out
    "memory": [
        (family, "synthetic-1m", 20, ["learn2mix"])
        for family in ("xgboost", "lightgbm", "hgb", "catboost")
    ],
    # issue 44's account of XGBoost's memory at 1M x 50: learn2mix against plain XGBoost
    # with and without an evaluated held-out part of the same share (10%)
    "memory-xgboost": [("xgboost", "synthetic-1m", 20, ["learn2mix", "plain+eval"])],
    # cost against the number of rows (synthetic, 10 classes, 50 features)
    # up to 4M rows for XGBoost and LightGBM, 2M for HGB and CatBoost (plotted)
    "rows": [
        *[
            (f, f"synthetic-{n}", 10, ["learn2mix"])
            for f in ("xgboost", "lightgbm")
            for n in ("250k", "1m", "4m")
        ],
        *[
            (f, f"synthetic-{n}", 10, ["learn2mix"])
            for f in ("hgb", "catboost")
            for n in ("250k", "1m", "2m")
        ],
    ],  # fmt: skip
}
PLANS["all"] = PLANS["xgboost"] + PLANS["skorch"]


def _plot_budget(rows, path):
    """Time ratio against the budget, one line per model family."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    for family in dict.fromkeys(r["family"] for r in rows):
        mine = [r for r in rows if r["family"] == family]
        ax.plot(
            [r["budget"] for r in mine],
            [r["time"] for r in mine],
            marker="o",
            label=f"{family} ({BUDGET_UNIT[family]})",
        )
    ax.axhline(1.0, color="grey", lw=0.8)
    ax.axhline(1.1, color="grey", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_xlabel("budget (log scale)")
    ax.set_ylabel("time ratio to the plain model")
    ax.set_title(f"Cost vs budget ({rows[0]['dataset']})")
    ax.legend(title="inner model (budget unit)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _rows_of(dataset: str) -> float:
    size = dataset.partition("-")[2].lower()
    return float(size[:-1]) * {"k": 1e3, "m": 1e6}[size[-1]]


def _plot_rows(rows, path):
    """Time and memory ratio against the number of rows, one line per family."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True)
    for family in dict.fromkeys(r["family"] for r in rows):
        mine = [r for r in rows if r["family"] == family]
        n = [_rows_of(r["dataset"]) for r in mine]
        for ax, key in zip(axes, ("time", "memory")):
            ax.plot(n, [r[key] for r in mine], marker="o", label=family)
    for ax, what in zip(axes, ("time", "peak fit memory")):
        ax.axhline(1.0, color="grey", lw=0.8)
        ax.axhline(1.1, color="grey", lw=0.8, ls="--")
        ax.set_xscale("log")
        ticks = sorted({_rows_of(r["dataset"]) for r in rows})
        ax.set_xticks(ticks, [f"{t / 1e6:g}M" if t >= 1e6 else f"{t / 1e3:g}k" for t in ticks])
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel("training rows (50 features, 10 classes; log scale)")
        ax.set_ylabel(f"{what} ratio to the plain model")
        ax.set_title(f"Learn2Mix / plain: {what}")
    axes[0].legend(title="inner model")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def stages(family="catboost", dataset="synthetic-1m", budget=20):
    """Resident memory after each stage of one CatBoost Learn2Mix fit, above the loaded
    data: where the peak is reached (pool, quantization, learning-rate probe, rounds)."""
    from sklearn_l2m.backends import _catboost

    if family != "catboost":
        raise ValueError("--stages measures the CatBoost backend's stages only")
    X, y = _load(dataset)
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    base = _status_mb("VmRSS:")
    backend = _catboost.CatBoostBackend

    def traced(name):
        method = getattr(backend, name)

        def run(self, *args, **kwargs):
            out = method(self, *args, **kwargs)
            rss, peak = _status_mb("VmRSS:") - base, _status_mb("VmHWM:") - base
            print(f"after {name:<15} resident {rss:7.0f} MB   peak {peak:7.0f} MB", flush=True)
            return out

        setattr(backend, name, run)

    for name in ("_pool", "_quantized", "_learning_rate", "_fit_round"):
        traced(name)
    _catboost_fit("learn2mix", X, y, 2, budget)
    print(f"learn2mix fit: peak {_status_mb('VmHWM:') - base:7.0f} MB", flush=True)
    plain = _run(family, "plain", dataset, 2, budget)  # a fresh process, as the fit above
    print(f"plain fit:     peak {plain['peak_mb']:7.0f} MB", flush=True)


def where_time_goes(family="xgboost", table="labour participation by nationality", fits=20):
    """One warm process, one small grouped table: the plain fit's and learn2mix's
    median wall time (unprofiled), then the library's own functions that take the
    most of a learn2mix fit under cProfile (cumulative ms per fit; the profiler's own
    cost inflates Python-heavy code, so read the list as where, not as how much)."""
    import cProfile
    import pstats

    X, y, groups = _grouped(f"grouped:{table}")
    fit = FITS[family]
    seconds = {"plain": [], "learn2mix": []}
    for design in [*seconds] * 2:  # warm both paths: imports, first-call set-up
        fit(design, X, y, 1, 100, groups=groups)
    for _ in range(fits):
        for design, times in seconds.items():
            began = time.perf_counter()
            fit(design, X, y, 1, 100, groups=groups)
            times.append(time.perf_counter() - began)
    medians = {d: 1e3 * float(np.median(t)) for d, t in seconds.items()}
    print(f"{family} on {table}, 100 trees, one thread, {fits} warm fits each (medians): "
          f"plain {medians['plain']:.1f} ms, learn2mix {medians['learn2mix']:.1f} ms")  # fmt: skip
    profile = cProfile.Profile()
    profile.runcall(lambda: [fit("learn2mix", X, y, 1, 100, groups=groups) for _ in range(fits)])
    own = [
        (stat[3] / fits * 1e3, stat[0] / fits, f"{path.split('sklearn_l2m/')[-1]}:{name}")
        for (path, _, name), stat in pstats.Stats(profile).stats.items()
        if "sklearn_l2m" in path
    ]
    print("profiled learn2mix fit: the library's functions by cumulative ms per fit (calls)")
    for ms, calls, where in sorted(own, reverse=True)[:25]:
        print(f"{ms:8.2f} ms {calls:7.1f}x  {where}")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--stages":
        stages(*argv[1:2])
        return 0
    if argv and argv[0] == "--where":  # --where [family [table [fits]]]
        where_time_goes(*argv[1:3], *[int(n) for n in argv[3:4]])
        return 0
    if argv and argv[0] == "--worker":
        worker(argv[1], argv[2], argv[3], int(argv[4]), int(argv[5]) or None, int(argv[6]))
        return 0
    parser = suite_parser(__doc__, PAIRS_OPTION, OUT_OPTION, pairs=5, out=RESULTS_PAGE)
    parser.add_argument("--family", choices=sorted(PLANS), default="all")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="timed fits per process after one untimed fit (default 1: one cold fit)",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    each = (
        "each fit in a fresh process"
        if args.repeats == 1
        else f"each process fits once untimed, then {args.repeats} timed fits (their median)"
    )
    lines = [
        f"Command: `python -m benchmarks overhead {' '.join(argv)}`; {args.pairs} paired runs "
        f"per row, alternating A/B, {each}, with {args.n_jobs} threads. "
        "Ratios are B / A with A the plain inner model at the same budget (XGBoost: "
        f"{XGB_PARAMS}; skorch: MLP 128-128, Adam, batch 128 (256 on small40k), {EPOCHS} "
        "epochs, `train_split=None`; "
        "HistGradientBoosting `early_stopping=False`; RandomForest and GradientBoosting "
        "(depth 3) at scikit-learn defaults otherwise; LightGBM and CatBoost at their "
        "defaults (31 leaves; depth 6 and CatBoost's own learning rate) with the budget as "
        "`n_estimators` / `iterations`). Learn2Mix at its defaults. Targets: "
        "XGBoost time <= 1.05, scikit-learn and skorch time <= 1.10, memory <= 1.2.\n",
        "| inner model | data | budget | design | median time ratio | median fit-memory ratio "
        "| plain fit: median s, MB | added per fit: median ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = []
    for family, dataset, budget, designs in PLANS[args.family]:
        print(f"== {family} on {dataset}, budget {budget or 'default'}", flush=True)
        ratios, absolute = measure(
            family,
            dataset,
            designs,
            args.pairs,
            args.n_jobs,
            lambda s: print(s, flush=True),
            budget=budget,
            repeats=args.repeats,
        )
        plain_s = np.median([r["seconds"] for r in absolute["plain"]])
        plain_mb = np.median([r["peak_mb"] for r in absolute["plain"]])
        for design in designs:
            t = np.median(ratios[design]["seconds"])
            m = np.median(ratios[design]["peak_mb"])
            added_ms = 1e3 * np.median(ratios[design]["added_s"])
            shown = f"{budget} {BUDGET_UNIT[family]}" if budget else "default"
            row = (
                f"| {family} | {dataset} | {shown} | {design} | {t:.3f} | {m:.3f} "
                f"| {plain_s:.2f} s, {plain_mb:.0f} MB | {added_ms:.0f} |"
            )
            print(row, flush=True)
            lines.append(row)
            rows.append(dict(family=family, dataset=dataset, budget=budget, time=t, memory=m))
    if args.family == "rows":
        figure = Path(args.out).parent / "figures" / "overhead_rows.png"
        _plot_rows(rows, figure)
        lines.append(f"\n![cost vs rows](figures/{figure.name})\n")
    if args.family == "budget":
        figure = Path(args.out).parent / "figures" / "overhead_budget.png"
        _plot_budget(rows, figure)
        lines.append(f"\n![cost vs budget](figures/{figure.name})\n")
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
