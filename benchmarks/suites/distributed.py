"""Distributed (xgboost.dask) vs single-machine Learn2Mix fits on the same data.

    python -m benchmarks distributed --pairs 7
    python -m benchmarks distributed --profile hiv   # where one fit spends its time
    python -m benchmarks distributed --large synthetic-10m   # 10M rows, plain vs learn2mix
    python -m benchmarks distributed --predict-cost          # a worker's round-end predict

Four designs, each fit in a fresh process, same trees, same total threads:

* ``single-plain`` / ``single-l2m``: XGBClassifier, and Learn2MixClassifier around
  it, with ``n_jobs=2`` on one machine;
* ``dask-plain`` / ``dask-l2m``: DaskXGBClassifier, and Learn2MixClassifier around
  it, on a LocalCluster of 2 worker processes x 1 thread.

For the Dask designs the data is persisted on the workers before the clock
starts (as it would be on a real cluster); the cluster start-up is not
timed. The first fit on a fresh cluster pays the workers' imports; the same
fit is then timed again on the warm cluster (as every later fit would be).
Memory is the peak resident memory added by the first fit, summed over the
client and the workers (each process's peak-RSS mark is reset just before
the fit; Linux). Results go to the "distributed" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from ..common import OUT_OPTION, PAIRS_OPTION, suite_parser
from ..report import RESULTS as RESULTS_PAGE
from ..report import write_section
from .overhead import XGB_PARAMS, _load, _status_mb

DESIGNS = ["single-plain", "single-l2m", "dask-plain", "dask-l2m"]


def _reset_peak() -> float:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    return _status_mb("VmRSS:")


def _added_peak(before: float) -> float:
    return _status_mb("VmHWM:") - before


@contextlib.contextmanager
def _cluster_holding(X, y):
    """A fresh LocalCluster (2 worker processes x 1 thread) with X and y persisted
    on its workers (4 row chunks): the client and the two dask arrays."""
    import dask.array as da
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        chunk = -(-len(y) // 4)
        dX = da.from_array(X, chunks=(chunk, -1)).persist()
        dy = da.from_array(y, chunks=chunk).persist()
        distributed.wait([dX, dy])
        yield client, dX, dy


#: ``--large``: plain xgboost.dask against Learn2Mix around it only, fewer trees, one
#: fit each (10M rows x 50 features: 2 GB of float32 on the workers, again on the client)
LARGE_PARAMS = {**XGB_PARAMS, "n_estimators": 10}


def worker(design, dataset, large=False):
    from xgboost import XGBClassifier

    from sklearn_l2m import Learn2MixClassifier

    params = LARGE_PARAMS if large else XGB_PARAMS
    X, y = _load(dataset)
    if design.startswith("single"):
        inner = XGBClassifier(**params, n_jobs=2)
        model = inner if design == "single-plain" else Learn2MixClassifier(inner, random_state=0)
        before = _reset_peak()
        began = time.perf_counter()
        model.fit(X, y)
        print(json.dumps({"seconds": time.perf_counter() - began, "peak_mb": _added_peak(before)}))
        return
    from sklearn.base import clone
    from xgboost.dask import DaskXGBClassifier

    with _cluster_holding(X, y) as (client, dX, dy):
        del X, y
        inner = DaskXGBClassifier(**params)
        model = inner if design == "dask-plain" else Learn2MixClassifier(inner, random_state=0)
        worker_before = client.run(_reset_peak)
        before = _reset_peak()
        began = time.perf_counter()
        model.fit(dX, dy)
        seconds = time.perf_counter() - began
        client_mb = _added_peak(before)
        workers_mb = sum(client.run(_status_mb, "VmHWM:")[w] - b for w, b in worker_before.items())
        peak = client_mb + workers_mb
        if large:  # one fit: at this size the workers' imports are noise
            split = {"client_mb": client_mb, "workers_mb": workers_mb}
            print(json.dumps({"seconds": seconds, "peak_mb": peak, **split}))
            return
        # the same fit again on the now warm cluster (workers have imported
        # everything once): what every fit after the first costs
        began = time.perf_counter()
        clone(model).fit(dX, dy)
        warm = time.perf_counter() - began
        print(json.dumps({"seconds": seconds, "peak_mb": peak, "warm_seconds": warm}))


def _time_round_ends():
    """On a worker: accumulate the time spent in the mixture callback's round ends."""
    from sklearn_l2m.backends import _xgboost_dask

    original = _xgboost_dask._DaskRoundEnds.after_iteration
    spent = _xgboost_dask.__dict__.setdefault("ROUND_END_SECONDS", [0.0])

    def timed(self, model, epoch, evals_log):
        began = time.perf_counter()
        try:
            return original(self, model, epoch, evals_log)
        finally:
            spent[0] += time.perf_counter() - began

    _xgboost_dask._DaskRoundEnds.after_iteration = timed


def _round_end_seconds():
    from sklearn_l2m.backends import _xgboost_dask

    return _xgboost_dask.ROUND_END_SECONDS[0]


def profile(dataset):
    """Where a Learn2Mix fit on xgboost.dask spends its time beyond plain training:
    the client-side preparation, the whole training run, and the round-end
    callbacks on every worker (fresh cluster, data persisted first)."""
    from xgboost.dask import DaskXGBClassifier

    import sklearn_l2m._base as base
    from sklearn_l2m import Learn2MixClassifier

    X, y = _load(dataset)
    spent = {}
    prepare = base.prepare_dask_data

    def timed_prepare(*args, **kwargs):
        began = time.perf_counter()
        try:
            return prepare(*args, **kwargs)
        finally:
            spent["prepare_s"] = time.perf_counter() - began

    base.prepare_dask_data = timed_prepare
    with _cluster_holding(X, y) as (client, dX, dy):
        client.run(_time_round_ends)
        model = Learn2MixClassifier(DaskXGBClassifier(**XGB_PARAMS), random_state=0)
        began = time.perf_counter()
        model.fit(dX, dy)
        spent["fit_s"] = time.perf_counter() - began
        spent["train_s"] = model.train_time_
        spent["round_ends_s_per_worker"] = sorted(client.run(_round_end_seconds).values())
        spent["rounds"] = model.n_rounds_
    print(json.dumps(spent))


def _run(design, dataset, large=False):
    env = {**os.environ, "OMP_NUM_THREADS": "2"}
    extra = ["--large"] if large else []
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.suites.distributed",
            "--worker",
            design,
            dataset,
            *extra,
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _ratio(runs, a, b, key):
    return float(np.median([x[key] / y[key] for x, y in zip(runs[a], runs[b])]))


def _quartiles(runs, a, b, key):
    ratios = [x[key] / y[key] for x, y in zip(runs[a], runs[b])]
    return np.percentile(ratios, [25, 75])


def _table_row(dataset, runs):
    ratios = [
        _ratio(runs, "dask-l2m", base, key)
        for base in ("single-l2m", "dask-plain")
        for key in ("seconds", "peak_mb")
    ]
    low, high = _quartiles(runs, "dask-l2m", "dask-plain", "seconds")
    warm = _ratio(runs, "dask-l2m", "dask-plain", "warm_seconds")
    medians = [
        (np.median([r["seconds"] for r in runs[d]]), np.median([r["peak_mb"] for r in runs[d]]))
        for d in DESIGNS
    ]
    return (
        f"| {dataset} "
        + "".join(f"| {r:.3f} " for r in ratios)
        + f"| {low:.3f} - {high:.3f} | {warm:.3f} "
        + "".join(f"| {s:.2f} s, {m:.0f} MB " for s, m in medians)
        + "|"
    )


def large_fit(dataset, out="benchmarks/RESULTS.md"):
    """Plain xgboost.dask against Learn2Mix around it on data too large to hold
    twice comfortably: one fit each, fresh cluster, time and memory."""
    runs = {d: _run(d, dataset, large=True) for d in ("dask-plain", "dask-l2m")}
    for design, run in runs.items():
        print(f"  {dataset} {design}: {run}", flush=True)
    plain, l2m = runs["dask-plain"], runs["dask-l2m"]
    body = (
        f"Command: `python -m benchmarks distributed --large {dataset}`; one fit each in a "
        f"fresh process and a fresh LocalCluster (2 worker processes x 1 thread), XGBoost "
        f"{LARGE_PARAMS}, data persisted on the workers before the clock starts. Memory: "
        "peak resident memory added by the fit, client + workers (the data itself, about "
        "2 GB on the workers and 2 GB on the client, is not counted).\n\n"
        "| data | dask-plain: s, MB | dask-l2m: s, MB | time ratio | memory ratio "
        "| memory added: client / workers, plain vs l2m |\n"
        "|---|---|---|---|---|---|\n"
        f"| {dataset} | {plain['seconds']:.0f} s, {plain['peak_mb']:.0f} MB "
        f"| {l2m['seconds']:.0f} s, {l2m['peak_mb']:.0f} MB "
        f"| {l2m['seconds'] / plain['seconds']:.3f} | {l2m['peak_mb'] / plain['peak_mb']:.3f} "
        f"| {plain['client_mb']:.0f} / {plain['workers_mb']:.0f} MB vs "
        f"{l2m['client_mb']:.0f} / {l2m['workers_mb']:.0f} MB |\n"
    )
    print(body)
    write_section(Path(out), "distributed-large", "Distributed fit at 10M rows", body)
    return 0


def predict_cost(dataset="synthetic-1m"):
    """What one round end of the distributed backend allocates on a worker to read
    the held-out rows' losses: XGBoost returns the cached margins of *every* row of
    the local training matrix (``predict(dtrain, output_margin=True)``). Resident
    memory added by that call, on one machine, per million rows."""
    import xgboost

    X, y = _load(dataset)
    dtrain = xgboost.QuantileDMatrix(X, y, nthread=2)
    del X
    params = {"max_depth": 4, "objective": "multi:softprob", "num_class": int(y.max()) + 1}
    booster = xgboost.train({**params, "nthread": 2}, dtrain, num_boost_round=2)
    millions = len(y) / 1e6
    for call in ("first", "later"):  # the first also creates XGBoost's output buffer
        before = _reset_peak()
        margins = booster.predict(dtrain, output_margin=True)
        added = _added_peak(before)
        print(
            f"{dataset}, {call} call: predict(dtrain) returns {margins.nbytes / 2**20:.0f} MB "
            f"of margins; resident memory +{added:.0f} MB at its peak ({added / millions:.0f} "
            f"MB per million rows of {margins.shape[1]} classes)",
            flush=True,
        )
        del margins


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--predict-cost":
        predict_cost(argv[1] if len(argv) > 1 else "synthetic-1m")
        return 0
    if argv and argv[0] == "--worker":
        worker(argv[1], argv[2], large="--large" in argv)
        return 0
    if argv and argv[0] == "--large":
        return large_fit(argv[1] if len(argv) > 1 else "synthetic-10m")
    if argv and argv[0] == "--profile":
        profile(argv[1] if len(argv) > 1 else "hiv")
        return 0
    parser = suite_parser(__doc__, PAIRS_OPTION, OUT_OPTION, pairs=3, out=RESULTS_PAGE)
    parser.add_argument("--datasets", nargs="+", default=["synthetic", "hiv"])
    args = parser.parse_args(argv)
    rows = []
    for dataset in args.datasets:
        runs = {d: [] for d in DESIGNS}
        for i in range(args.pairs):
            order = DESIGNS if i % 2 == 0 else DESIGNS[::-1]  # spread drift evenly
            for design in order:
                runs[design].append(_run(design, dataset))
                print(f"  {dataset} pair {i} {design}: {runs[design][-1]}", flush=True)
        rows.append(_table_row(dataset, runs))
    body = (
        f"Command: `python -m benchmarks distributed --pairs {args.pairs}`; each fit in a fresh "
        "process; XGBoost "
        f"{XGB_PARAMS}; single machine: `n_jobs=2`; Dask: LocalCluster, 2 worker processes x 1 "
        "thread, data persisted on the workers before the clock starts. Memory: peak resident "
        "memory added by the fit, client + workers. Ratios are medians over pairs, with the "
        "quartiles of the pairs' time ratios to plain xgboost.dask; *warm*: the same fit "
        "again on the same cluster, once its workers have imported everything.\n\n"
        "| data | time dask-l2m / single-l2m | memory dask-l2m / single-l2m "
        "| time dask-l2m / dask-plain | memory dask-l2m / dask-plain "
        "| time dask-l2m / dask-plain: quartiles | time dask-l2m / dask-plain: warm "
        + "".join(f"| {d}: median " for d in DESIGNS)
        + "|\n"
        + "|---" * (7 + len(DESIGNS))
        + "|\n"
        + "\n".join(rows)
        + "\n"
    )
    print(body)
    write_section(
        Path(args.out), "distributed", "Distributed fit (xgboost.dask) vs one machine", body
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
