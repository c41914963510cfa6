"""The grouped suite: real tasks with sources, sites or demographic groups.

    python -m benchmarks grouped                          # everything (2 processes)
    python -m benchmarks grouped --only churn --models xgboost --seeds 2
    python -m benchmarks grouped --report-only            # the section again from the files
    python -m benchmarks grouped --rerun "worst-group stopping" --models xgboost
                                                          # one strategy again, merged

Every (task, model family) is one call of the library's own
:func:`sklearn_l2m.model_selection.compare`: paired repeated splits (75 / 25,
stratified by group and class), every strategy against the plain model (the
inner model alone, fitted on every training row), worst-group accuracy and
worst-group log loss beside the overall figures, fit time and the number of
fits. Each call writes its scores and its table under ``results/grouped/``
(an interrupted run resumes where it stopped); the report is made from those
files only, so it never goes stale.

Strategies (:func:`candidates`): equal group weights, learn2mix by group,
Group DRO (the library's default with its small-group pooling and its
ceiling, and without either: the textbook rule), bounded group loss, the
plain model stopped by its worst group's validation loss, JTT (train twice,
errors up-weighted 5x), and, on binary tasks, fairlearn's ``ThresholdOptimizer``
(tree models) and ``ExponentiatedGradient(BoundedGroupLoss)`` (XGBoost only:
it refits the model 15 to 100 times, 86 s a fit of HGB on 1,470 rows).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

from sklearn_l2m import EarlyStopping, Learn2MixClassifier
from sklearn_l2m.mixers import GroupDRO
from sklearn_l2m.model_selection import N_STANDARD_ERRORS, compare

from ..common import (
    JOBS_OPTION,
    ONLY_OPTION,
    OUT_OPTION,
    REPORT_ONLY_OPTION,
    SEEDS_OPTION,
    suite_parser,
    versions,
)
from ..data.grouped import MAX_ROWS, MIN_GROUP_ROWS, TASKS, load_grouped
from ..group_methods import JTT, FairlearnBoundedGroupLoss, FairlearnThresholdOptimizer
from ..report import write_section
from .broad import MODELS

OUT = Path("benchmarks/results/grouped")
SEEDS = 5
#: the table's scores: (column of compare's table, higher is better)
SCORES = ["worst-group accuracy", "worst-group log_loss", "accuracy"]
#: the strategy a user gets with Learn2MixClassifier(model).fit(X, y, groups=g)
DEFAULT = "learn2mix"
#: what a collapse is: worst-group accuracy this far below the plain model
COLLAPSE = 0.05
#: the outside baselines (their cost is reported beside the library's)
FAIRLEARN = ["fairlearn EG (bounded group loss)", "fairlearn ThresholdOptimizer"]


def candidates(inner, binary: bool, family: str) -> dict:
    """name -> estimator, every one built around a fresh copy of ``inner``."""
    from sklearn.base import clone

    def l2m(**params):
        return Learn2MixClassifier(clone(inner), **params)

    out = {
        "equal group weights": l2m(mixer="balanced"),
        "learn2mix": l2m(),
        # the same with a quarter of the default's round ends (100 trees: 5 of 20
        # trees, not 20 of 5): the lever on small fits, where each round end shows
        "learn2mix (5 rounds)": l2m(n_rounds=5),
        "group DRO": l2m(mixer="group_dro"),
        "group DRO, no small-group correction": l2m(mixer=GroupDRO(pooled_rows=0, max_weight=None)),
        "bounded group loss": l2m(mixer="bounded_group_loss"),
        "worst-group stopping": l2m(
            mixer="natural", early_stopping=EarlyStopping(monitor="worst_group")
        ),
        # the same selection over the whole budget: a patience longer than the run
        "worst-group selection (no stop)": l2m(
            mixer="natural",
            early_stopping=EarlyStopping(monitor="worst_group", n_iter_no_change=1000),
        ),
        "JTT": JTT(clone(inner)),
    }
    if binary and family != "mlp":
        out[FAIRLEARN[1]] = FairlearnThresholdOptimizer(clone(inner))
    if binary and family == "xgboost":  # the reduction refits 15 to 100 times: one family
        out[FAIRLEARN[0]] = FairlearnBoundedGroupLoss(clone(inner))
    return out


#: every strategy's name, in the suite's order (the fairlearn baselines last)
STRATEGIES = [
    "equal group weights", "learn2mix", "learn2mix (5 rounds)", "group DRO",
    "group DRO, no small-group correction", "bounded group loss", "worst-group stopping",
    "worst-group selection (no stop)", "JTT",
    *reversed(FAIRLEARN),
]  # fmt: skip


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")


def _one_core():
    """Every job on one core (a net's scores depend on torch's thread count)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)


def _compare_job(task_name: str, family: str, seeds: int, keep=None):
    """compare() over one task and model family: every strategy, or those in ``keep``."""
    _one_core()
    import warnings

    task = next(t for t in TASKS if t.name == task_name)
    data = load_grouped(task)
    labels, y = np.unique(data.y, return_inverse=True)  # XGBoost and the net take codes
    n_classes = len(labels)
    inner = MODELS[family][1](0, data.X.shape[1], n_classes)
    chosen = candidates(inner, n_classes == 2, family)
    if keep is not None:
        chosen = {name: model for name, model in chosen.items() if name in keep}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the small-group warnings are the point here
        return compare(
            chosen,
            data.X,
            y.astype(np.int64),
            groups=data.groups,
            reference=inner,
            seeds=seeds,
            scoring=["accuracy", "log_loss"],
        )


def run_job(task_name: str, family: str, seeds: int, out: Path) -> float:
    """One compare() call; writes ``scores`` and ``table`` CSVs; returns seconds."""
    began = time.perf_counter()
    result = _compare_job(task_name, family, seeds)
    seconds = time.perf_counter() - began
    stem = out / f"{_slug(task_name)}__{family}"
    result.scores.assign(task=task_name, model=family).to_csv(f"{stem}.scores.csv", index=False)
    table = result.table.assign(task=task_name, model=family, seconds=seconds)
    table.to_csv(f"{stem}.table.csv", index=False)
    return seconds


def rerun_job(task_name: str, family: str, seeds: int, out: Path, strategies: list) -> float:
    """Run ``strategies`` of one job again (after a change to them) and merge them
    into its files. The plain model is fitted again beside them and must score
    exactly as before (the splits and seeds are the same); the new fit times are
    scaled by the first run's plain fit time over the new one, seed by seed, so
    that the ratios stay against the plain fits of the first run."""
    import pandas as pd

    from sklearn_l2m.model_selection import Comparison

    stem = out / f"{_slug(task_name)}__{family}"
    old = pd.read_csv(f"{stem}.scores.csv")
    reference = old["estimator"].iloc[0]  # compare writes the reference's rows first
    began = time.perf_counter()
    new = _compare_job(task_name, family, seeds, keep=strategies).scores
    chosen = [name for name in dict.fromkeys(new["estimator"]) if name != reference]
    score_columns = [c for c in old.columns if "accuracy" in c or "log_loss" in c]
    old_ref = old[old["estimator"] == reference].set_index("seed")
    new_ref = new[new["estimator"] == reference].set_index("seed")
    if not np.allclose(old_ref[score_columns], new_ref[score_columns], rtol=0, atol=1e-9):
        raise RuntimeError(f"{task_name} / {family}: the plain model no longer scores as before")
    scale = old_ref["fit_time"] / new_ref["fit_time"]
    fresh = new[new["estimator"].isin(chosen)].copy()
    fresh["fit_time"] = fresh["fit_time"] * fresh["seed"].map(scale)
    fresh = fresh.assign(task=task_name, model=family)
    previous = pd.read_csv(f"{stem}.table.csv")
    names = [*dict.fromkeys([*previous["candidate"], *chosen])]
    names.sort(key=lambda n: STRATEGIES.index(n) if n in STRATEGIES else len(STRATEGIES))
    order = {name: i for i, name in enumerate([reference, *names])}
    scores = pd.concat([old[~old["estimator"].isin(chosen)], fresh], ignore_index=True)
    scores = scores.sort_values(["seed", "estimator"], key=lambda c: c.map(order) if
                                c.name == "estimator" else c, kind="stable")  # fmt: skip
    scores.to_csv(f"{stem}.scores.csv", index=False)
    # every strategy against the plain model, by seed, in the order of ``scores``
    table = Comparison.from_scores(scores, reference, ["accuracy", "log_loss"]).table
    before = previous["rerun"].fillna(False).astype(bool) if "rerun" in previous else None
    reran = set(chosen) | (set() if before is None else set(previous.loc[before, "candidate"]))
    table = table.assign(task=task_name, model=family, seconds=previous["seconds"].iloc[0],
                         rerun=table["candidate"].isin(reran))  # fmt: skip
    table.to_csv(f"{stem}.table.csv", index=False)
    return time.perf_counter() - began


# -- the report -------------------------------------------------------------------


def read_tables(out: Path):
    import pandas as pd

    files = sorted(out.glob("*.table.csv"))
    if not files:
        raise SystemExit(f"No results under {out}/: run python -m benchmarks grouped first.")
    return pd.concat([pd.read_csv(f) for f in files], ignore_index=True)


def _outcomes(rows) -> str:
    wins = int((rows["verdict"] == "better").sum())
    losses = int((rows["verdict"] == "worse").sum())
    return f"{wins} / {len(rows) - wins - losses} / {losses}"


def summary_table(table, family: str) -> str:
    """One row per strategy: wins / ties / losses and median differences over the tasks."""
    own = table[table["model"] == family]
    strategies = list(dict.fromkeys(own["candidate"]))
    head = (
        "| strategy | worst-group acc. W / T / L | median | lowest | "
        "worst-group log loss W / T / L | median | accuracy W / T / L | median | "
        "fit time (median ratio) | fits |\n|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for name in strategies:
        rows = own[own["candidate"] == name]
        acc = rows[rows["score"] == "worst-group accuracy"]
        loss = rows[rows["score"] == "worst-group log_loss"]
        overall = rows[rows["score"] == "accuracy"]
        lines.append(
            f"| {name} ({len(acc)} tasks) | {_outcomes(acc)} | {acc['difference'].median():+.4f} | "
            f"{acc['difference'].min():+.4f} | {_outcomes(loss)} | "
            f"{loss['difference'].median():+.4f} | {_outcomes(overall)} | "
            f"{overall['difference'].median():+.4f} | x{acc['fit_time_ratio'].median():.2f} | "
            f"{acc['n_fits'].median():.0f} |"
        )
    return head + "\n".join(lines) + "\n"


def targets_table(table, strategy: str = DEFAULT) -> str:
    """The issue's four targets for one strategy, per model family: met or not."""
    head = (
        "| model | no collapse (lowest difference >= -0.05) | never worse beyond 2 SE | "
        "better on >= 1/3 of the tasks | fit time <= 1.2x |\n|---|---|---|---|---|\n"
    )
    lines = []
    for family in dict.fromkeys(table["model"]):
        rows = table[
            (table["model"] == family)
            & (table["candidate"] == strategy)
            & (table["score"] == "worst-group accuracy")
        ]
        if rows.empty:
            continue
        lowest = rows["difference"].min()
        losses = int((rows["verdict"] == "worse").sum())
        wins = int((rows["verdict"] == "better").sum())
        ratio = rows["fit_time_ratio"].median()

        def mark(ok):
            return "met" if ok else "**not met**"

        lines.append(
            f"| {family} | {mark(lowest >= -COLLAPSE)} ({lowest:+.3f}) | "
            f"{mark(losses == 0)} ({losses} of {len(rows)} worse) | "
            f"{mark(wins >= len(rows) / 3)} ({wins} of {len(rows)}) | "
            f"{mark(ratio <= 1.2)} (x{ratio:.2f}) |"
        )
    return head + "\n".join(lines) + "\n"


def task_table(table, family: str) -> str:
    """Worst-group accuracy per task: the plain model's mean, each strategy's difference."""
    own = table[(table["model"] == family) & (table["score"] == "worst-group accuracy")]
    strategies = list(dict.fromkeys(own["candidate"]))
    short = {s: s.replace("fairlearn ", "fl. ").replace(", no small-group correction", " raw")
             for s in strategies}  # fmt: skip
    head = "| task | plain | " + " | ".join(short[s] for s in strategies) + " |\n"
    head += "|---|---|" + "---|" * len(strategies) + "\n"
    lines = []
    for task, rows in own.groupby("task", sort=False):
        cells = []
        for s in strategies:
            row = rows[rows["candidate"] == s]
            if row.empty:
                cells.append("")
                continue
            row = row.iloc[0]
            mark = {"better": " +", "worse": " -"}.get(row["verdict"], "")
            cells.append(f"{row['difference']:+.3f}{mark}")
        plain = rows["reference_mean"].iloc[0]
        lines.append(f"| {task} | {plain:.3f} | " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n"


def figure(table, path: Path):
    """Worst-group accuracy differences to the plain model, one box per strategy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = table[table["score"] == "worst-group accuracy"]
    families = list(dict.fromkeys(rows["model"]))
    strategies = list(dict.fromkeys(rows["candidate"]))
    fig, axes = plt.subplots(1, len(families), figsize=(3.2 * len(families), 4.5), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, family in zip(axes, families):
        own = rows[rows["model"] == family]
        data = [own[own["candidate"] == s]["difference"].to_numpy() for s in strategies]
        try:
            ax.boxplot(data, orientation="horizontal")
        except (TypeError, AttributeError):  # matplotlib < 3.9
            ax.boxplot(data, vert=False)
        ax.set_yticks(np.arange(1, len(strategies) + 1), strategies)
        ax.axvline(0.0, color="0.5", lw=1)
        ax.set_title(family)
        ax.set_xlabel("worst-group accuracy − plain")
    axes[0].invert_yaxis()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def report(table, command: str, seeds: int, elapsed=None) -> str:
    n_tasks = table["task"].nunique()
    families = list(dict.fromkeys(table["model"]))
    parts = [
        f"Command: `{command}`. {n_tasks} real grouped tasks (below), {seeds} paired seeds "
        f"each (75 / 25 splits stratified by group and class), every strategy against the "
        f"plain model (the inner model alone on every training row) through "
        f"`sklearn_l2m.model_selection.compare`. W / T / L: tasks where the mean paired "
        f"difference is above / within / below {N_STANDARD_ERRORS:g} standard errors; "
        f"median / lowest: of the mean differences over tasks (log loss: positive is "
        f"lower, i.e. better). Fit time: the median over tasks of the strategy's mean fit "
        f"time over the plain model's, on one core each (two jobs shared the machine). "
        f"Tables of more than {MAX_ROWS} rows were subsampled once; groups of fewer than "
        f"{MIN_GROUP_ROWS} rows merged.\n",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + "\n",
        f"### Targets for the default for groups (`{DEFAULT}`)\n\n" + targets_table(table),
    ]
    for strategy in ("group DRO", "worst-group stopping", "equal group weights"):
        parts.append(f"Same targets for `{strategy}`:\n\n" + targets_table(table, strategy))
    for family in families:
        parts.append(f"### {MODELS[family][0]}\n\n" + summary_table(table, family))
    for family in families:
        parts.append(
            f"### Worst-group accuracy per task, {family} (difference to plain; "
            f"+ / -: beyond 2 SE)\n\n" + task_table(table, family)
        )
    parts.append("### The tasks\n\n" + "\n".join(f"- **{t.name}**: {t.what}; {t.source}"
                                                   for t in TASKS) + "\n")  # fmt: skip
    parts.append("![grouped](figures/grouped.png)\n")
    if "rerun" in table and table["rerun"].fillna(False).astype(bool).any():
        rerun = table[table["rerun"].fillna(False).astype(bool)]
        parts.append(
            "Run again or added with `--rerun` after the first run: "
            + "; ".join(
                f"{c} with {', '.join(sorted(r['model'].unique()))}"
                for c, r in rerun.groupby("candidate")
            )  # fmt: skip
            + ". The plain model was fitted again beside them and scored exactly as in "
            "the first run; their fit times are scaled to the first run's plain fits, "
            "seed by seed.\n"
        )
    if elapsed is not None:
        parts.append(f"Total time: {elapsed / 60:.0f} min.\n")
    return "\n".join(parts)


def main(argv=None):
    parser = suite_parser(
        __doc__, SEEDS_OPTION, ONLY_OPTION, JOBS_OPTION, OUT_OPTION, REPORT_ONLY_OPTION,
        seeds=SEEDS, out=OUT,
    )  # fmt: skip
    parser.add_argument("--models", default="hgb,xgboost,lightgbm,mlp")
    parser.add_argument("--fresh", action="store_true", help="rerun jobs that have results")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument(
        "--rerun", default=None,
        help="comma-separated strategies to run again and merge into the existing results",
    )  # fmt: skip
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    families = args.models.split(",")
    unknown = sorted(set(families) - set(MODELS))
    if unknown:
        parser.error(f"unknown model families {unknown}; choose from {sorted(MODELS)}")
    command = "python -m benchmarks grouped " + " ".join(argv if argv is not None else sys.argv[1:])
    began = time.perf_counter()
    if not args.report_only:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        work, extra, label = run_job, (), ""
        if args.rerun:
            strategies = args.rerun.split(",")
            known = set(read_tables(out)["candidate"]) | set(STRATEGIES)
            if set(strategies) - known:
                parser.error(f"--rerun: no strategy {sorted(set(strategies) - known)} in the "
                             f"results; choose from {sorted(known)}")  # fmt: skip
            work, extra, label = rerun_job, (strategies,), " (rerun)"

        def wanted(t, f) -> bool:
            done = (out / f"{_slug(t.name)}__{f}.table.csv").exists()
            return (not args.only or args.only in t.name) and (
                done if args.rerun else args.fresh or not done
            )

        jobs = [(t.name, f) for f in families for t in TASKS if wanted(t, f)]
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(work, n, f, args.seeds, out, *extra): (n, f) for n, f in jobs}
            for future in as_completed(futures):
                name, family = futures[future]
                try:
                    seconds = future.result()
                    print(f"{family:9s} {name:45s} {seconds:6.0f} s{label}", flush=True)
                except Exception as failed:  # reported, the other jobs go on
                    print(f"{family:9s} {name:45s} FAILED {type(failed).__name__}: {failed}")
    table = read_tables(out)
    for family in dict.fromkeys(table["model"]):
        print(f"\n{MODELS[family][0]}\n" + summary_table(table, family))
    print(targets_table(table))
    if not args.no_write:
        figure(table, Path("benchmarks/figures/grouped.png"))
        elapsed = None if args.report_only else time.perf_counter() - began
        write_section(
            Path("benchmarks/RESULTS.md"),
            "suite-grouped",
            "Groups: the grouped suite",
            report(table, command, args.seeds, elapsed),
        )
        print("Wrote benchmarks/RESULTS.md (section suite-grouped), benchmarks/figures/grouped.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
