"""The broad suite: many real imbalanced sets, four model families, paired seeds.

    python -m benchmarks broad              # everything (about an hour, 2 cores)
    python -m benchmarks broad --report-only            # the tables again from rows.csv
    python -m benchmarks broad --only glass --models hgb --seeds 2

Every (set, seed) is one job: it trains each strategy with each inner model on
the same split and appends one row per fit to ``rows.csv``, so an interrupted
run resumes where it stopped (``--resume``). The report compares strategies by
paired differences over seeds on each set: a *win* when the mean difference
is above twice its standard error, a *loss* when below minus twice it, a *tie*
otherwise; and the median over sets of the mean paired difference. Two
references: ``classical`` (the model alone) and the best simple baseline of
that set and metric (the best mean of classical, balanced, effective-number
weights, logit adjustment and SMOTE: chosen after the fact, so a strict
reference).
"""

from __future__ import annotations

import csv
import os
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
from sklearn.preprocessing import LabelEncoder

from sklearn_l2m.model_selection import paired_difference

from ..common import (
    JOBS_OPTION,
    ONLY_OPTION,
    OUT_OPTION,
    REPORT_ONLY_OPTION,
    SEEDS_OPTION,
    classification_scores,
    suite_parser,
    versions,
)
from ..data.broad import CLASS_SETS, GROUP_SETS, load_digits_set, loader
from ..models import make_model
from ..report import write_section
from ..strategies import STRATEGIES

OUT = Path("benchmarks/results/broad")
SIMPLE_BASELINES = ["classical", "balanced", "effective_number", "logit_adjusted", "smote"]
LEARN2MIX = [
    "learn2mix",
    "learn2mix_uniform",
    "learn2mix_natural",
    "learn2mix_start_balance",
    "static_final",
]
PER_MODEL = [*SIMPLE_BASELINES, *LEARN2MIX]
ENSEMBLES = ["balanced_random_forest", "balanced_bagging", "easy_ensemble", "rusboost"]
#: (metric, higher is better)
METRICS = [
    ("balanced_accuracy", True),
    ("natural_accuracy", True),
    ("macro_f1", True),
    ("worst_class_recall", True),
    ("log_loss", False),
]
GROUP_METRICS = [("worst_group_accuracy", True), ("worst_group_log_loss", False)]


def _family(family, budget, **params):
    """(seed, n_in, n_out) -> the family's model; one thread a model (jobs run in parallel)."""
    return partial(make_model, family, budget=budget, n_jobs=1, **params)


#: inner model families: each trained by every strategy of PER_MODEL at one budget
MODELS = {
    "hgb": ("HistGradientBoosting, 100 iterations", _family("hgb", 100)),
    "xgboost": ("XGBoost, 100 trees of depth 4", _family("xgboost", 100, max_depth=4)),
    "lightgbm": ("LightGBM, 100 trees", _family("lightgbm", 100)),
    "mlp": (
        "skorch MLP, 2 x 64 hidden, Adam 1e-3, batch 64, 20 epochs",
        _family("mlp", 20, hidden=64, batch_size=64, lr=1e-3),
    ),
}


def tasks():
    """name -> (loader(seed), grouped, description)."""
    out = {s.name: (loader(s), bool(s.groups), f"{s.what}; {s.source}") for s in CLASS_SETS}
    out["long-tailed digits"] = (
        load_digits_set,
        False,
        "scikit-learn digits cut to 1:50 (balanced test split); scikit-learn, BSD-3",
    )
    for s in GROUP_SETS:
        out[s.name] = (loader(s), True, f"{s.what}; {s.source}")
    return out


def _group_scores(model, X, y, groups):
    from sklearn.metrics import log_loss

    pred, proba = model.predict(X), model.predict_proba(X)
    accuracy, losses = [], []
    for g in np.unique(groups):
        rows = groups == g
        accuracy.append(np.mean(pred[rows] == y[rows]))
        losses.append(log_loss(y[rows], proba[rows], labels=np.arange(proba.shape[1])))
    return {"worst_group_accuracy": min(accuracy), "worst_group_log_loss": max(losses)}


def run_job(task_name, seed, models, only=None):
    """Every strategy x model on one (set, seed); returns one row per fit."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    load, grouped, _ = tasks()[task_name]
    data = load(seed)
    encoder = LabelEncoder().fit(data.y_train)
    y_tr, y_te = encoder.transform(data.y_train), encoder.transform(data.y_test)
    labels = np.arange(len(encoder.classes_))
    prior = np.bincount(y_tr, minlength=len(labels)) / len(y_tr)
    X_tr, X_te = data.X_train, data.X_test
    groups = data.get("groups_train") if grouped else None
    plan = [(m, s) for m in models for s in PER_MODEL + (["group_dro"] if grouped else [])]
    plan += [("imblearn", s) for s in ENSEMBLES]
    if only:  # a later pass adding strategies to rows.csv
        plan = [(m, s) for m in models for s in only if s != "group_dro" or grouped]
    rows, adaptive = [], {}
    for model_name, strategy in plan:
        make = MODELS.get(model_name, MODELS["hgb"])[1]
        inner = make(seed, X_tr.shape[1], len(labels))
        began, error, scores = time.perf_counter(), "", {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if strategy == "static_final":  # the same run's learn2mix end point, fixed
                    fit = STRATEGIES[strategy](
                        inner, X_tr, y_tr, groups, seed, True, adaptive=adaptive[model_name]
                    )
                else:
                    fit = STRATEGIES[strategy](inner, X_tr, y_tr, groups, seed, True)
                elapsed = time.perf_counter() - began
                scores = classification_scores(fit, X_te, y_te, labels, prior)
                if grouped:
                    scores.update(_group_scores(fit, X_te, y_te, data.groups_test))
        except Exception as failed:  # recorded and reported (e.g. RUSBoost on tiny classes)
            elapsed, error = time.perf_counter() - began, f"{type(failed).__name__}: {failed}"
        if strategy == "learn2mix" and not error:
            adaptive[model_name] = fit
        rows.append(
            {"set": task_name, "model": model_name, "strategy": strategy, "seed": seed,
             **{k: float(v) for k, v in scores.items()}, "fit_time_s": elapsed,
             "error": error[:200]}
        )  # fmt: skip
    return rows


# -- the report -------------------------------------------------------------------


def read_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["seed"] = int(r["seed"])
        for key in list(r):
            if key not in ("set", "model", "strategy", "seed", "error"):
                r[key] = float(r[key]) if r[key] not in ("", None) else np.nan
    return rows


def _by(rows, model, strategy, metric):
    """{set: {seed: value}} for one model and strategy."""
    out = {}
    for r in rows:
        if r["strategy"] == strategy and r["model"] in (model, "imblearn"):
            if not np.isnan(r.get(metric, np.nan)):
                out.setdefault(r["set"], {})[r["seed"]] = r[metric]
    return out


#: the library's verdicts as the tables' wins, ties and losses
OUTCOME = {"better": "win", "worse": "loss"}


def paired(a: dict, b: dict, higher: bool):
    """The library's ``paired_difference`` of a - b over their common seeds, signed
    so that positive is better; one seed is a tie (no error bar)."""
    seeds = sorted(set(a) & set(b))
    return paired_difference([a[s] for s in seeds], [b[s] for s in seeds], greater_is_better=higher)


def best_baseline(rows, model, metric, higher, set_name):
    """The simple baseline with the best mean on this set and metric."""
    means = {}
    for name in SIMPLE_BASELINES:
        values = _by(rows, model, name, metric).get(set_name)
        if values:
            means[name] = np.mean(list(values.values()))
    pick = max if higher else min
    return pick(means, key=means.get) if means else None


def against(rows, model, strategy, metric, higher, reference="classical"):
    """Per set: (mean paired difference, SE, outcome) of strategy against reference
    (a strategy name, or "best" for the best simple baseline)."""
    mine = _by(rows, model, strategy, metric)
    out = {}
    for set_name, values in mine.items():
        ref = reference
        if reference == "best":
            ref = best_baseline(rows, model, metric, higher, set_name)
        other = _by(rows, model, ref, metric).get(set_name) if ref else None
        if not other or ref == strategy:
            continue
        d = paired(values, other, higher)
        out[set_name] = (d["mean"], d["se"], OUTCOME.get(d["verdict"], "tie"))
    return out


def tally(per_set):
    outcomes = [o for _, _, o in per_set.values()]
    median = np.median([m for m, _, _ in per_set.values()]) if per_set else np.nan
    return outcomes.count("win"), outcomes.count("tie"), outcomes.count("loss"), median


def _strategies_of(rows, model):
    names = [s for s in PER_MODEL + ["group_dro"] if any(
        r["strategy"] == s and r["model"] == model for r in rows)]  # fmt: skip
    return names + [s for s in ENSEMBLES if any(r["strategy"] == s for r in rows)]


def wtl_tables(rows, metrics=METRICS):
    """Markdown: per metric, strategies x models, 'W/T/L vs classical | vs best,
    median difference'."""
    models = [m for m in MODELS if any(r["model"] == m for r in rows)]
    out = []
    for metric, higher in metrics:
        sign = "higher" if higher else "lower"
        head = f"**{metric}** ({sign} is better; cells: wins/ties/losses against classical"
        head += " · against the best simple baseline; median paired difference against"
        head += " classical, signed so that positive is better)\n\n"
        head += "| strategy | " + " | ".join(models) + " |\n|---" + "|---" * len(models) + "|\n"
        lines = []
        for strategy in dict.fromkeys(s for m in models for s in _strategies_of(rows, m)):
            cells = []
            for model in models:
                vs_classical = against(rows, model, strategy, metric, higher)
                if strategy == "classical" or not vs_classical:
                    cells.append("")
                    continue
                w, t, l_, med = tally(vs_classical)
                wb, tb, lb, _ = tally(against(rows, model, strategy, metric, higher, "best"))
                cells.append(f"{w}/{t}/{l_} · {wb}/{tb}/{lb}, {med:+.3f}")
            lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
        out.append(head + "\n".join(lines) + "\n")
    return "\n".join(out)


def targets(rows, strategy="learn2mix"):
    """The issue-30 targets for ``strategy`` per model family: natural accuracy never
    more than 1 point below classical, balanced accuracy above classical on at least
    80% of the sets and never below by more than 2 SE, no collapse on tiny classes
    (worst-class recall never more than 0.10 below classical's)."""
    lines = []
    for model in [m for m in MODELS if any(r["model"] == m for r in rows)]:
        nat = against(rows, model, strategy, "natural_accuracy", True)
        bal = against(rows, model, strategy, "balanced_accuracy", True)
        worst = against(rows, model, strategy, "worst_class_recall", True)
        if not bal:
            continue
        nat_worst = min(nat.items(), key=lambda kv: kv[1][0])
        above = sum(m > 0 for m, _, _ in bal.values())
        below_2se = [s for s, (m, se, _) in bal.items() if m < -2 * se]
        collapse = [s for s, (m, _, _) in worst.items() if m < -0.10]
        lines.append({
            "model": model,
            "natural_ok": nat_worst[1][0] >= -0.01,
            "natural_worst": f"{nat_worst[1][0]:+.3f} ({nat_worst[0]})",
            "balanced_above": f"{above}/{len(bal)}",
            "balanced_ok": above >= 0.8 * len(bal) and not below_2se,
            "balanced_below_2se": ", ".join(below_2se) or "none",
            "collapse": ", ".join(collapse) or "none",
        })  # fmt: skip
    return lines


def targets_table(rows, strategies=("learn2mix",)):
    head = (
        "| strategy | model | natural acc: worst set vs classical (target ≥ -0.010) | "
        "balanced acc above classical (target ≥ 80%) | balanced acc below by > 2 SE | "
        "worst-class recall > 0.10 below classical |\n|---|---|---|---|---|---|\n"
    )
    lines = []
    for strategy in strategies:
        for t in targets(rows, strategy):
            ok = lambda flag: "met" if flag else "**not met**"  # noqa: E731
            lines.append(
                f"| {strategy} | {t['model']} | {t['natural_worst']}: {ok(t['natural_ok'])} | "
                f"{t['balanced_above']}: {ok(t['balanced_ok'])} | {t['balanced_below_2se']} | "
                f"{t['collapse']} |"
            )
    return head + "\n".join(lines) + "\n"


#: the guide's goals: (what the user wants, metric, higher is better)
GOALS = [
    ("natural accuracy", "natural_accuracy", True),
    ("balanced accuracy", "balanced_accuracy", True),
    ("worst-class recall", "worst_class_recall", True),
    ("macro-F1", "macro_f1", True),
    ("calibrated probabilities (log loss)", "log_loss", False),
    ("worst-group accuracy (grouped tasks)", "worst_group_accuracy", True),
]


def _score(rows, model, strategy, metric, higher):
    w, t, l_, median = tally(against(rows, model, strategy, metric, higher))
    return (w - l_, median), f"{w}/{t}/{l_}, {median:+.3f}"


def guide_table(rows):
    """Per goal and model family: the measured best strategy (most wins minus losses
    against classical over the sets, then the median difference; classical itself
    when nothing wins more than it loses) and the default learn2mix beside it."""
    models = [m for m in MODELS if any(r["model"] == m for r in rows)]
    lines = [
        "| goal | inner model | best measured: wins/ties/losses vs classical, median "
        'difference | learn2mix at defaults | learn2mix, `decision_prior="uniform"` |',
        "|---|---|---|---|---|",
    ]
    for goal, metric, higher in GOALS:
        for model in models:
            names = [s for s in _strategies_of(rows, model) if s != "classical"]
            scored = {s: _score(rows, model, s, metric, higher) for s in names}
            scored = {s: v for s, v in scored.items() if not np.isnan(v[0][1])}
            if not scored:
                continue
            best = max(scored, key=lambda s: scored[s][0])
            pick = f"`{best}` ({scored[best][1]})" if scored[best][0][0] > 0 else "`classical`"
            cells = [scored.get(s, (None, ""))[1] for s in ("learn2mix", "learn2mix_uniform")]
            lines.append(f"| {goal} | {model} | {pick} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def means_table(rows, metric="balanced_accuracy"):
    """Per set and model: the mean over seeds of a few strategies (for the guide)."""
    show = ["classical", "balanced", "logit_adjusted", "learn2mix", "learn2mix_uniform",
            "learn2mix_start_balance", "balanced_random_forest"]  # fmt: skip
    models = [m for m in MODELS if any(r["model"] == m for r in rows)]
    sets = list(dict.fromkeys(r["set"] for r in rows))
    head = "| set | model | " + " | ".join(show) + " |\n|---|---|" + "---|" * len(show) + "\n"
    lines = []
    for set_name in sets:
        for model in models:
            cells = []
            for s in show:
                v = _by(rows, model, s, metric).get(set_name)
                cells.append(f"{np.mean(list(v.values())):.3f}" if v else "")
            if any(cells):
                lines.append(f"| {set_name} | {model} | " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n"


def report(rows, command, elapsed=None):
    sets = list(dict.fromkeys(r["set"] for r in rows))
    seeds = sorted({r["seed"] for r in rows})
    grouped = [s for s, (_, g, _) in tasks().items() if g and s in sets]
    described = "\n".join(f"- **{s}**: {tasks()[s][2]}" for s in sets)
    models = "\n".join(f"- `{k}`: {v[0]}" for k, v in MODELS.items())
    parts = [
        f"Command: `{command}`. {len(sets)} real sets ({len(grouped)} of them grouped), "
        f"{len(seeds)} paired seeds (each seed is its own stratified 70/30 split; the "
        "test part keeps the natural class distribution, except long-tailed digits).\n",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + "\n",
        "How to read: for each strategy and inner model, the wins / ties / losses over "
        "the sets against `classical` and against the best simple baseline of that set "
        "(a win when the mean paired difference over seeds exceeds twice its standard "
        "error), then the median over sets of the mean difference against classical. "
        "imbalanced-learn's ensembles bring their own trees; their cells are the same "
        "fits compared against each family's classical model.\n",
        "### What to use, by goal\n\n" + guide_table(rows),
        "### Targets of the default (issue 30)\n\n" + targets_table(
            rows, ("learn2mix", "learn2mix_start_balance", "learn2mix_uniform")),
        "### Wins, ties and losses\n\n" + wtl_tables(rows),
    ]  # fmt: skip
    if grouped:
        grouped_rows = [r for r in rows if r["set"] in grouped]
        parts.append(
            f"### Grouped tasks ({', '.join(grouped)})\n\n"
            + wtl_tables(grouped_rows, GROUP_METRICS)
        )
    parts += [
        "### Balanced accuracy per set (mean over seeds)\n\n" + means_table(rows),
        "### Natural accuracy per set (mean over seeds)\n\n"
        + means_table(rows, "natural_accuracy"),
        f"### Sets\n\n{described}\n\nInner models:\n\n{models}\n",
    ]
    failed = {}
    for r in rows:
        if r.get("error"):
            key = (r["strategy"], r["model"], r["set"], r["error"])
            failed.setdefault(key, []).append(r["seed"])
    if failed:
        parts.append("Fits that failed (left out of the comparisons):\n\n" + "\n".join(
            f"- {s} ({m}) on {n}, seeds {seeds}: {e}" for (s, m, n, e), seeds in failed.items()
        ) + "\n")  # fmt: skip
    if elapsed is not None:
        parts.append(f"Total time: {elapsed / 60:.0f} min.\n")
    return "\n".join(parts)


FIELDS = ["set", "model", "strategy", "seed", "accuracy", "natural_accuracy",
          "balanced_accuracy", "worst_class_recall", "macro_f1", "log_loss",
          "worst_group_accuracy", "worst_group_log_loss", "fit_time_s", "error"]  # fmt: skip


def _write_rows(path, rows, fresh=False):
    new = fresh or not path.exists()
    with open(path, "w" if fresh else "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, restval="")
        if new:
            writer.writeheader()
        writer.writerows(rows)


def main(argv=None):
    parser = suite_parser(
        __doc__,
        SEEDS_OPTION,
        ONLY_OPTION,
        JOBS_OPTION,
        OUT_OPTION,
        REPORT_ONLY_OPTION,
        seeds=5,
        out=OUT,
    )
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated")
    parser.add_argument("--results", default="benchmarks/RESULTS.md", help="report file")
    parser.add_argument("--guide", default="docs/broad_guide.md", help="the guide's table")
    parser.add_argument("--resume", action="store_true", help="keep rows.csv, run the rest")
    parser.add_argument(
        "--add", default=None, help="comma-separated strategies to add to rows.csv (a later pass)"
    )
    parser.add_argument(
        "--redo", action="store_true", help="run the --only sets' --models fits again, replacing"
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "rows.csv"
    given = " ".join(argv if argv is not None else sys.argv[1:])
    command = f"python -m benchmarks broad {given}".strip()
    if given in ("", "--report-only"):
        command = "python -m benchmarks broad"
    models = [m for m in args.models.split(",") if m]
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {sorted(MODELS)}")
    began = time.perf_counter()
    if not args.report_only:
        names = [n for n in tasks() if not args.only or args.only in n]
        done, added = set(), [a for a in (args.add or "").split(",") if a]
        if args.redo and path.exists():  # drop those fits; keep every other row
            kept = [r for r in read_rows(path) if not (
                r["model"] in models and (not args.only or args.only in r["set"]))]  # fmt: skip
            _write_rows(path, kept, fresh=True)
            ran = {r["strategy"] for r in kept}
            added = [s for s in [*PER_MODEL, "group_dro"] if s in ran]
        elif (args.resume or added) and path.exists():
            old = read_rows(path)
            done = {(r["set"], r["seed"]) for r in old if not added or r["strategy"] in added}
        elif path.exists():
            path.unlink()
        jobs = [(n, s) for s in range(args.seeds) for n in names if (n, s) not in done]
        print(f"{len(jobs)} (set, seed) jobs on {args.jobs} processes", flush=True)
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
            delayed(run_job)(n, s, models, added) for n, s in jobs
        )
        for k, rows in enumerate(results, 1):
            _write_rows(path, rows)
            print(f"[{k}/{len(jobs)}] {rows[0]['set']} seed {rows[0]['seed']} "
                  f"({time.perf_counter() - began:.0f} s)", flush=True)  # fmt: skip
    rows = read_rows(path)
    text = report(rows, command, None if args.report_only else time.perf_counter() - began)
    print(targets_table(rows, ("learn2mix", "learn2mix_start_balance", "learn2mix_uniform")))
    write_section(Path(args.results), "suite-broad", "Suite `broad`", text)
    if args.guide:  # the table the configuration guide includes (docs/choosing.md)
        Path(args.guide).write_text(
            f"<!-- written by {command}; do not edit -->\n\n{guide_table(rows)}"
        )
    print(f"Wrote {args.results} (rows: {path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
