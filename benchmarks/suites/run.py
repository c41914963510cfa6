"""Benchmark runner: strategies x data sets x inner models x seeds, at equal budget.

    python -m benchmarks demo      # make demo: about a minute, one table
    python -m benchmarks quick     # three tasks, every strategy
    python -m benchmarks full      # the record in benchmarks/RESULTS.md
    python -m benchmarks paper     # the paper's Fashion-MNIST row (benchmarks/suites/paper.py)
    python -m benchmarks broad     # 24 real sets, 4 models, 5 seeds (benchmarks.suites.broad)

Writes a Markdown report (tables of mean +- std over seeds, the command and
the versions) and PNG plots (test metric vs trees / epochs, mixture over
rounds) to the output folder, and prints the tables.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    balanced_accuracy_score,
)
from sklearn.preprocessing import LabelEncoder

from sklearn_l2m.model_selection import N_STANDARD_ERRORS as N_SE
from sklearn_l2m.model_selection import paired_difference

from ..common import (
    ONLY_OPTION,
    OUT_OPTION,
    SEEDS_OPTION,
    classification_scores,
    suite_parser,
    versions,
)
from ..models import make_model
from ..report import write_section
from ..strategies import STRATEGIES
from .tasks import SUITES

CLASSIFICATION_METRICS = [
    "accuracy",
    "natural_accuracy",
    "balanced_accuracy",
    "worst_class_recall",
    "macro_f1",
    "log_loss",
    "fit_time_s",
]
REGRESSION_METRICS = ["rmse", "worst_group_rmse", "mean_group_rmse", "fit_time_s"]


def _inner_of(model):
    return getattr(model, "estimator_", model)


def regression_scores(model, X, y, groups):
    pred = np.asarray(model.predict(X)).ravel()
    per_group = np.array(
        [np.sqrt(np.mean((pred[groups == g] - y[groups == g]) ** 2)) for g in np.unique(groups)]
    )
    return {
        "rmse": float(np.sqrt(np.mean((pred - y) ** 2))),
        "worst_group_rmse": per_group.max(),
        "mean_group_rmse": per_group.mean(),
    }


def staged_balanced_accuracy(model, X, y):
    """Test balanced accuracy after each tree (boosting) or epoch (nets)."""
    inner = _inner_of(model)
    if hasattr(inner, "staged_predict"):  # HistGradientBoosting
        return [balanced_accuracy_score(y, p) for p in inner.staged_predict(X)]
    if hasattr(inner, "get_booster"):  # XGBoost
        n = inner.get_booster().num_boosted_rounds()
        steps = np.unique(np.linspace(1, n, min(n, 25)).astype(int))
        return {
            int(k): balanced_accuracy_score(y, inner.predict(X, iteration_range=(0, int(k))))
            for k in steps
        }
    curve = getattr(inner, "history", None)
    if curve is not None and "test_pred" in curve[0]:
        return [balanced_accuracy_score(y, row["test_pred"]) for row in curve]
    return None


def run_task(task, seeds, log=None):
    rows, curves, mixtures = [], {}, {}
    for seed in seeds:
        data = task.load(seed)
        is_classifier = task.kind != "regression"
        X_tr, X_te, y_tr, y_te = data.X_train, data.X_test, data.y_train, data.y_test
        if is_classifier:
            encoder = LabelEncoder().fit(y_tr)
            y_tr, y_te = encoder.transform(y_tr), encoder.transform(y_te)
            labels = np.arange(len(encoder.classes_))
            train_prior = np.bincount(y_tr, minlength=len(labels)) / len(y_tr)
        groups = data.get("groups_train") if task.use_groups else None
        for name in task.strategies:
            inner = task.inner(seed, X_te, y_te)
            began = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = STRATEGIES[name](inner, X_tr, y_tr, groups, seed, is_classifier)
            fit_time = time.perf_counter() - began
            if is_classifier:
                scores = classification_scores(model, X_te, y_te, labels, train_prior)
            else:
                scores = regression_scores(model, X_te, y_te, data.groups_test)
            scores["fit_time_s"] = fit_time
            rows.append({"strategy": name, "seed": seed, **scores})
            if log is not None:
                log(
                    f"  {task.name:<28} seed {seed} {name:<16} "
                    + " ".join(f"{k}={v:.4f}" for k, v in scores.items())
                )
            if seed == seeds[0] and is_classifier:
                curve = staged_balanced_accuracy(model, X_te, y_te)
                if curve is not None:
                    curves[name] = curve
                if hasattr(model, "mixture_history_"):  # legends name the classes
                    labels_of = encoder.classes_[np.asarray(model.groups_, dtype=int)]
                    mixtures[name] = (model.mixture_history_, [str(c) for c in labels_of])
    return rows, curves, mixtures


def steps_to_reach_classical(curves):
    """For each strategy: the first step whose test balanced accuracy reaches classical's
    final value (seed 0 curves), or None if it never does."""
    if "classical" not in curves:
        return {}

    def as_pairs(curve):
        if isinstance(curve, dict):
            return list(curve.items())
        return list(enumerate(curve, start=1))

    target = as_pairs(curves["classical"])[-1][1]
    reached = {}
    for name, curve in curves.items():
        pairs = as_pairs(curve)
        hit = next((step for step, value in pairs if value >= target), None)
        reached[name] = (hit, pairs[-1][0])
    return reached


def markdown_table(rows, metrics, baseline="classical"):
    """Per strategy: mean ± std over seeds, and the paired difference to ``baseline``
    (the library's :func:`~sklearn_l2m.model_selection.paired_difference`, by seed)."""
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))
    by = {n: {r["seed"]: r for r in rows if r["strategy"] == n} for n in strategies}
    head = "| strategy | " + " | ".join(metrics) + " |\n"
    head += "|---" * (len(metrics) + 1) + "|\n"
    lines = []
    for name in strategies:
        cells = []
        for m in metrics:
            values = [r[m] for r in by[name].values()]
            cell = f"{np.mean(values):.4f} ± {np.std(values):.4f}"
            if baseline in by and name != baseline and m != "fit_time_s":
                seeds = sorted(set(by[name]) & set(by[baseline]))
                d = paired_difference(
                    [by[name][s][m] for s in seeds], [by[baseline][s][m] for s in seeds]
                )
                cell += f" ({d['mean']:+.4f} ± {d['se']:.4f})"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n"


def plot_task(task, curves, mixtures, out_dir):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written = []
    slug = task.name.replace(" ", "_").replace("/", "-")
    out_dir = out_dir / "figures"
    out_dir.mkdir(parents=True, exist_ok=True)
    if curves:
        fig, ax = plt.subplots(figsize=(6, 4))
        for name, curve in curves.items():
            if isinstance(curve, dict):
                ax.plot(list(curve), list(curve.values()), label=name)
            else:
                ax.plot(np.arange(1, len(curve) + 1), curve, label=name)
        from matplotlib.ticker import MaxNLocator

        ax.set_xlabel(task.step_name)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("test balanced accuracy")
        ax.set_title(task.name)
        ax.legend(title="strategy", fontsize="small")
        path = out_dir / f"{slug}_curve.png"
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    if "learn2mix" in mixtures:
        from sklearn_l2m.plotting import plot_mixture_history

        history, classes = mixtures["learn2mix"]
        ax = plot_mixture_history(history, labels=classes)
        ax.set_title(f"{task.name}: learn2mix mixture per round")
        path = out_dir / f"{slug}_mixture.png"
        ax.figure.tight_layout()
        ax.figure.savefig(path, dpi=110)
        plt.close(ax.figure)
        written.append(path)
    return written


#: the compact table's columns: (metric, header, higher is better)
COMPACT = [
    ("balanced_accuracy", "bal. acc", True),
    ("natural_accuracy", "nat. acc", True),
    ("worst_class_recall", "worst rec", True),
    ("log_loss", "log loss", False),
    ("fit_time_s", "fit s", False),
]


def mean_se(rows, name, metric):
    values = np.array([r[metric] for r in rows if r["strategy"] == name], dtype=float)
    se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return values.mean(), se


def compact_table(task_rows: dict) -> str:
    """One table for the suite: per task and strategy, mean ± SE over seeds; ``*``
    marks the best mean of each column within a task."""
    header = f"{'task / strategy':<34}" + "".join(f"{h:>17}" for _, h, _ in COMPACT)
    lines = [header, "-" * len(header)]
    for task_name, rows in task_rows.items():
        names = list(dict.fromkeys(r["strategy"] for r in rows))
        stats = {n: [mean_se(rows, n, m) for m, _, _ in COMPACT] for n in names}
        best = [
            (max if higher else min)(names, key=lambda n, i=i: stats[n][i][0])
            for i, (_, _, higher) in enumerate(COMPACT)
        ]
        lines.append(task_name)
        for name in names:
            cells = []
            for i, (metric, _, _) in enumerate(COMPACT):
                mean, se = stats[name][i]
                mark = "*" if best[i] == name and metric != "fit_time_s" else " "
                cells.append(f"{mean:8.3f} ±{se:6.3f}{mark}")
            lines.append(f"  {name:<32}" + "".join(f"{c:>17}" for c in cells))
    return "\n".join(lines)


def summary_figure(task_rows: dict, mixtures: dict, path: Path):
    """One figure: balanced accuracy (mean ± SE) per strategy and task, and the
    default learn2mix mixture of the first task over its rounds, by class."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    from sklearn_l2m.plotting import plot_mixture_history

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    width = 0.8 / max(len(task_rows), 1)
    lowest = 1.0
    for k, (task_name, rows) in enumerate(task_rows.items()):
        names = list(dict.fromkeys(r["strategy"] for r in rows))
        stats = [mean_se(rows, n, "balanced_accuracy") for n in names]
        lowest = min(lowest, *(m - e for m, e in stats))
        ys = np.arange(len(names)) + k * width
        left.barh(ys, [m for m, _ in stats], width, xerr=[e for _, e in stats], label=task_name)
        left.set_yticks(np.arange(len(names)) + width * (len(task_rows) - 1) / 2, names)
    left.set_xlim(max(0.0, lowest - 0.05), None)
    left.set_xlabel("test balanced accuracy (mean ± SE over seeds)")
    left.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, 1.16), ncol=2)
    first = next(iter(mixtures.items()), None)
    if first is not None:
        task_name, (history, classes) = first
        plot_mixture_history(history, labels=classes, ax=right)
        right.get_legend().set_title("class")
        right.set_title(f"{task_name}: learn2mix mixture by class", fontsize="medium")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def grouped_demo(seeds) -> str:
    """One grouped task through the library's compare: breast cancer, three bands of
    tumour size as the groups, XGBoost; worst-group accuracy against the plain model."""
    import warnings

    from sklearn.datasets import load_breast_cancer

    from sklearn_l2m import Learn2MixClassifier
    from sklearn_l2m.model_selection import compare

    X, y = load_breast_cancer(return_X_y=True)
    band = np.digitize(X[:, 0], np.quantile(X[:, 0], [0.2, 0.8]))
    groups = np.array(["small", "middle", "large"])[band]
    xgb = make_model("xgboost", budget=100, max_depth=4, n_jobs=1)
    candidates = {
        "learn2mix by group": Learn2MixClassifier(xgb),
        "group DRO": Learn2MixClassifier(xgb, mixer="group_dro"),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(
            candidates, X, y, groups=groups, reference=xgb, scoring="accuracy", seeds=seeds
        )
    table = result.table[result.table["score"] == "worst-group accuracy"]
    lines = [
        f"\nGroups: breast cancer by tumour size (3 bands), XGBoost, {len(seeds)} paired seeds; "
        f"worst-group accuracy, plain {table['reference_mean'].iloc[0]:.3f}:"
    ]
    for row in table.itertuples(index=False):
        lines.append(
            f"  {row.candidate:18s} {row.difference:+.4f} ± {N_SE * row.se:.4f} (2 SE) "
            f"-> {row.verdict}; fit time x{row.fit_time_ratio:.2f}"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = suite_parser(__doc__, SEEDS_OPTION, ONLY_OPTION, OUT_OPTION)  # --out: a folder
    parser.add_argument("--suite", choices=sorted(SUITES), default="quick")
    parser.add_argument(
        "--verbose", action="store_true", help="print every seed's scores and each task's table"
    )
    args = parser.parse_args(argv)
    suite = SUITES[args.suite]
    tasks = [t for t in suite["tasks"] if not args.only or args.only in t.name]
    seeds = list(range(args.seeds if args.seeds else suite["seeds"]))
    out_dir = Path(args.out or suite["out"])
    out_dir.mkdir(parents=True, exist_ok=True)
    command = "python -m benchmarks.suites.run " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )

    report = [
        f"Benchmark results of suite `{args.suite}`.\n",
        f"Command: `{command}` ({len(seeds)} seeds; mean ± std over seeds; "
        "in brackets: the paired difference to `classical` (the inner model alone on all "
        "training rows, same budget) ± its standard error, by seed). `fit_time_s` is "
        "indicative only (other jobs may have shared the machine); controlled timings are "
        "in the overhead sections.\n",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + "\n",
    ]
    began = time.perf_counter()
    verbose = lambda line: print(line, flush=True)  # noqa: E731
    task_rows, first_mixtures = {}, {}
    for task in tasks:
        print(f"== {task.name}", flush=True)
        rows, curves, mixtures = run_task(task, seeds, verbose if args.verbose else None)
        metrics = REGRESSION_METRICS if task.kind == "regression" else CLASSIFICATION_METRICS
        table = markdown_table(rows, metrics)
        if args.verbose or task.kind == "regression":
            print(table, flush=True)
        else:
            task_rows[task.name] = rows
            if "learn2mix" in mixtures:
                first_mixtures.setdefault(task.name, mixtures["learn2mix"])
        report.append(f"### {task.name}\n\n{task.description}\n\n{table}")
        reached = steps_to_reach_classical(curves)
        if reached:
            step = task.step_name
            target = "; ".join(
                f"{name}: {'never' if hit is None else hit} of {total}"
                for name, (hit, total) in reached.items()
            )
            line = (
                f"{step.capitalize()} to reach classical's final test balanced accuracy "
                f"(seed 0): {target}.\n"
            )
            if args.verbose:
                print(line, flush=True)
            report.append(line)
        if not suite.get("summary_figure"):
            for path in plot_task(task, curves, mixtures, out_dir):
                report.append(f"![{path.stem}](figures/{path.name})\n")
    if task_rows:
        compact = compact_table(task_rows)
        print(
            f"\n{len(seeds)} seeds; mean ± SE; * best of the column within a task "
            "(--verbose: every seed)\n" + compact,
            flush=True,
        )
        report.append(f"Summary (mean ± SE over seeds):\n\n```\n{compact}\n```\n")
    if suite.get("grouped_task"):
        text = grouped_demo(seeds)
        print(text, flush=True)
        report.append(text)
    if suite.get("summary_figure"):
        path = summary_figure(task_rows, first_mixtures, out_dir / "figures" / "summary.png")
        if path is not None:
            report.append(f"![summary](figures/{path.name})\n")
            print(f"Figure: {path}")
    report.append(f"\nTotal time: {time.perf_counter() - began:.0f} s.\n")
    path = out_dir / "RESULTS.md"
    key = f"suite-{args.suite}" + (f"-{args.only}" if args.only else "")
    write_section(
        path,
        key,
        f"Suite `{args.suite}`" + (f" ({args.only})" if args.only else ""),
        "\n".join(report),
    )
    print(f"Wrote {path} and plots in {out_dir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
