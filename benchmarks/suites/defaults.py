"""How the defaults are chosen: paired differences to classical training, per seed.

    python -m benchmarks defaults --only digits --seeds 5
    python -m benchmarks defaults --seeds 5          # every long-tailed task (issue 16)
    python -m benchmarks defaults --suite boosting-libs --only "digits / CatBoost" \\
        --settings rounds --seeds 5     # why CatBoost trains in at most 10 rounds
    python -m benchmarks defaults --only "digits" --settings signal --seeds 10
                                        # why small data trains on every row
    python -m benchmarks defaults --settings refit --seeds 5   # refit=True: cost and gain
    python -m benchmarks defaults --settings start --seeds 5   # where the mixture starts

For every picked task and every seed, the same inner model is trained
classically, with the simple baselines (balanced weights; post-hoc logit
adjustment, which is the classical fit under a uniform decision prior) and
with each Learn2Mix setting; ``static_final`` retrains with the mixture a
setting ended at, fixed from the start. Every fit is scored under three
decision priors, without retraining: ``mixture`` (as trained), ``natural``
(the training class shares) and ``uniform``. The tables give the mean
difference to classical training (in points) with its standard error over
seeds: paired, so the seed-to-seed spread of the data cancels.

``natural accuracy`` is the accuracy on data distributed like the training
set (class recalls weighted by the training class shares): the digits,
MNIST-1D and Fashion-MNIST test splits are balanced, so their plain accuracy
is a balanced accuracy.

The targets of a default (issue 16), checked per task:

* balanced accuracy at least +2 points over classical;
* at least as good as its own ``static_final`` (balanced accuracy);
* under the uniform prior, a higher balanced accuracy than logit-adjusted
  classical;
* natural accuracy within 1 point of classical.

Results go to the "defaults-<task>" sections of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import shlex
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import balanced_accuracy_score
from sklearn.preprocessing import LabelEncoder

from sklearn_l2m.metrics import adjust_to_prior
from sklearn_l2m.mixers import Learn2Mix
from sklearn_l2m.model_selection import paired_difference

from ..common import ONLY_OPTION, OUT_OPTION, SEEDS_OPTION, suite_parser
from ..report import RESULTS as RESULTS_PAGE
from ..report import write_section
from ..strategies import STRATEGIES, _wrapped, class_recalls, natural_accuracy, static_final
from . import tasks as suites

#: Learn2Mix settings compared; the first is the library's default.
SETTINGS = {
    "learn2mix (default)": {},
    "learn2mix (shrinkage 0.3)": dict(mixer=Learn2Mix(shrinkage=0.3)),
    "learn2mix (paper rule)": dict(
        mixer=Learn2Mix(shrinkage=0.0, min_weight=0.0, max_weight=None, pooled_rows=0.0)
    ),
}
# Round size for a backend that restarts part of the model every round (CatBoost):
# a frozen mixture isolates the cost of the rounds themselves.
ROUNDS = {
    "frozen mixture, 50 rounds": dict(mixer=Learn2Mix(mixing_rate=1e-6), n_rounds=50),
    "frozen mixture, 10 rounds": dict(mixer=Learn2Mix(mixing_rate=1e-6), n_rounds=10),
    "learn2mix, 50 rounds": dict(n_rounds=50),
    "learn2mix (default)": {},
}
# Which losses drive the mixture on small data (the ``loss_source="auto"`` rule)
SIGNAL = {
    "learn2mix (default)": {},
    "validation losses (10% held out)": dict(loss_source="validation"),
    "training losses (nothing held out)": dict(loss_source="train", validation_fraction=None),
}
# No data thrown away: the adaptive run replayed on every row (issue 16, item 1)
REFIT = {
    "learn2mix (default)": {},
    "learn2mix + refit": dict(refit=True),
}


def _start_balance(value):
    return dict(mixer=Learn2Mix(start_balance=value))


# Where the mixture starts (issue 16, item 2: early rounds at the natural mixture)
START = {
    "learn2mix (default)": {},
    "start halfway to balanced": _start_balance(0.5),
    "start balanced": _start_balance(1.0),
}
SETTING_GROUPS = {
    "defaults": SETTINGS,
    "rounds": ROUNDS,
    "signal": SIGNAL,
    "refit": REFIT,
    "start": START,
}
PRIORS = ("mixture", "natural", "uniform")
METRICS = ["natural_accuracy", "balanced_accuracy", "worst_class_recall"]
# the long-tailed classification tasks every default must serve
TASKS = [
    suites.DIGITS,
    suites.DIGITS_XGB,
    suites.WINE,
    suites.WINE_XGB,
    suites.MNIST1D,
    suites.FASHION,
    suites.HIV,
]


def static_name(setting: str) -> str:
    return f"static_final of {setting}"


def _trained_prior(name, model, natural):
    """The class prior a fitted model predicts under (what a decision prior divides by)."""
    if hasattr(model, "training_prior_"):
        return model.training_prior_
    if name == "balanced":
        return np.full(natural.size, 1.0 / natural.size)
    return natural


def score_under_priors(name, model, X_te, y_te, labels, natural):
    """Scores of one fit under every decision prior (no retraining)."""
    proba = np.asarray(model.predict_proba(X_te))
    trained = _trained_prior(name, model, natural)
    priors = {"mixture": None, "natural": natural, "uniform": np.full(labels.size, 1 / labels.size)}
    scores = {}
    for prior_name, prior in priors.items():
        p = proba if prior is None else adjust_to_prior(proba, prior, trained)
        pred = p.argmax(axis=1)
        scores[prior_name] = {
            "natural_accuracy": natural_accuracy(y_te, pred, labels, natural),
            "balanced_accuracy": balanced_accuracy_score(y_te, pred),
            "worst_class_recall": class_recalls(y_te, pred, labels).min(),
        }
    return scores


def fit_all(task, seed, settings, log):
    """One seed of one task: every strategy fitted once, scored under every prior."""
    data = task.load(seed)
    encoder = LabelEncoder().fit(data.y_train)
    y_tr, y_te = encoder.transform(data.y_train), encoder.transform(data.y_test)
    labels = np.arange(len(encoder.classes_))
    natural = np.bincount(y_tr, minlength=labels.size) / y_tr.size
    plan = [(name, STRATEGIES[name], None) for name in ("classical", "balanced")]
    twins = {}  # a refit ends at the same mixture as its adaptive run: one static_final
    for setting, params in settings.items():
        plan.append((setting, _wrapped(**params), None))
        twin = repr(sorted((k, v) for k, v in params.items() if k != "refit"))
        if twin in twins:
            plan.append((static_name(setting), None, twins[twin]))
        else:
            twins[twin] = static_name(setting)
            plan.append((static_name(setting), static_final(**params), setting))
    rows, fitted = [], {}
    for name, strategy, source in plan:
        if strategy is None:  # the twin's rows under this name
            rows += [{**r, "strategy": name} for r in rows if r["strategy"] == source]
            continue
        inner = task.inner(seed, data.X_test, y_te)
        began = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            extra = {} if source is None else {"adaptive": fitted[source]}
            model = strategy(inner, data.X_train, y_tr, None, seed, True, **extra)
        fit_time = time.perf_counter() - began
        fitted[name] = model
        for prior, scores in score_under_priors(
            name, model, data.X_test, y_te, labels, natural
        ).items():
            rows.append(
                {"strategy": name, "prior": prior, "seed": seed, "fit_time_s": fit_time, **scores}
            )
        line = scores_line(rows[-3:])
        signal = getattr(model, "loss_source_", "")
        log(f"  {task.name:<30} seed {seed} {name:<42} {fit_time:6.1f} s {signal:>10} {line}")
    return rows


def scores_line(rows):
    return " ".join(
        f"{r['prior'][:3]}: acc {r['natural_accuracy']:.3f} bal {r['balanced_accuracy']:.3f}"
        for r in rows
    )


def paired(rows, strategy, prior, metric, base=("classical", "mixture")):
    """Mean paired difference (points) to ``base`` and its standard error, by seed
    (the library's :func:`~sklearn_l2m.model_selection.paired_difference`)."""
    ref = {r["seed"]: r[metric] for r in rows if (r["strategy"], r["prior"]) == base}
    mine = {r["seed"]: r[metric] for r in rows if (r["strategy"], r["prior"]) == (strategy, prior)}
    seeds = sorted(set(ref) & set(mine))
    d = paired_difference([100 * mine[s] for s in seeds], [100 * ref[s] for s in seeds])
    return d["mean"], d["se"]


def paired_table(rows):
    """Every strategy under every prior, as differences to classical."""
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))
    absolute = {
        m: np.mean([r[m] for r in rows if (r["strategy"], r["prior"]) == ("classical", "mixture")])
        for m in METRICS
    }
    lines = [
        "| strategy | decision prior | "
        + " | ".join(f"{m.replace('_', ' ')} (points)" for m in METRICS)
        + " |",
        "|---" * (len(METRICS) + 2) + "|",
        "| classical (absolute) | mixture | "
        + " | ".join(f"{100 * absolute[m]:.2f}" for m in METRICS)
        + " |",
    ]
    for name in strategies:
        for prior in PRIORS:
            present = any((r["strategy"], r["prior"]) == (name, prior) for r in rows)
            if (name, prior) == ("classical", "mixture") or not present:
                continue
            cells = ["{:+.2f} ± {:.2f}".format(*paired(rows, name, prior, m)) for m in METRICS]
            label = (
                "logit-adjusted classical" if (name, prior) == ("classical", "uniform") else name
            )
            lines.append(f"| {label} | {prior} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def target_checks(rows, settings):
    """The issue's four targets for every setting, under its own decision prior."""
    lines = [
        "| setting | balanced acc. vs classical (>= +2) | vs its static_final (>= 0) "
        "| uniform prior vs logit-adjusted classical (> 0) | natural acc. (>= -1) | met |",
        "|---|---|---|---|---|---|",
    ]
    for setting in settings:
        gain, gain_se = paired(rows, setting, "mixture", "balanced_accuracy")
        static, static_se = paired(
            rows, setting, "mixture", "balanced_accuracy", base=(static_name(setting), "mixture")
        )
        uniform, uniform_se = paired(
            rows, setting, "uniform", "balanced_accuracy", base=("classical", "uniform")
        )
        acc, acc_se = paired(rows, setting, "mixture", "natural_accuracy")
        met = [gain >= 2, static >= 0, uniform > 0, acc >= -1]
        lines.append(
            f"| {setting} | {gain:+.2f} ± {gain_se:.2f} | {static:+.2f} ± {static_se:.2f} "
            f"| {uniform:+.2f} ± {uniform_se:.2f} | {acc:+.2f} ± {acc_se:.2f} "
            f"| {sum(met)} of 4 |"
        )
    return "\n".join(lines)


def vs_first_setting(rows, settings):
    """Every other setting against the first (the default), paired by seed, with
    its cost: what a setting adds over the default, and at what price."""
    first, *others = list(settings)
    lines = [
        f"| setting | balanced acc. vs {first} | natural acc. vs {first} | fit time ratio |",
        "|---|---|---|---|",
    ]
    base = (first, "mixture")
    for setting in others:
        cells = [
            "{:+.2f} ± {:.2f}".format(*paired(rows, setting, "mixture", metric, base=base))
            for metric in ("balanced_accuracy", "natural_accuracy")
        ]
        times = {
            name: {r["seed"]: r["fit_time_s"] for r in rows if r["strategy"] == name}
            for name in (first, setting)
        }
        ratio = np.mean([times[setting][s] / times[first][s] for s in times[first]])
        lines.append(f"| {setting} | " + " | ".join(cells) + f" | {ratio:.2f} |")
    return "\n".join(lines)


#: the title of each study's section beside the task's name (titles never repeat)
STUDY_TITLES = {
    "signal": "validation or training losses",
    "start": "where the mixture starts",
    "refit": "refit=True",
    "rounds": "number of rounds",
}


def section_key(task_name: str, settings_name: str) -> str:
    family = task_name.split(" / ")[-1]
    data = task_name.split(" / ")[0].replace("long-tailed ", "").replace("tiny-class ", "")
    key = f"defaults-{family}-{data}".replace(" ", "-")
    return key if settings_name == "defaults" else f"{key}-{settings_name}"


def main(argv=None):
    parser = suite_parser(
        __doc__, SEEDS_OPTION, ONLY_OPTION, OUT_OPTION, seeds=5, only="", out=RESULTS_PAGE
    )
    parser.add_argument("--suite", choices=["defaults", *sorted(suites.SUITES)], default="defaults")
    parser.add_argument("--settings", choices=sorted(SETTING_GROUPS), default="defaults")
    args = parser.parse_args(argv)
    settings = SETTING_GROUPS[args.settings]
    pool = TASKS if args.suite == "defaults" else suites.SUITES[args.suite]["tasks"]
    tasks = [t for t in pool if args.only.lower() in t.name.lower() and t.kind == "classification"]
    if not tasks:
        parser.error(f"no classification task of {args.suite!r} matches {args.only!r}")
    command = shlex.join(argv if argv is not None else sys.argv[1:])
    for task in tasks:
        began = time.perf_counter()
        rows = []
        for seed in range(args.seeds):
            rows += fit_all(task, seed, settings, lambda line: print(line, flush=True))
        body = (
            f"Command: `python -m benchmarks defaults {command}`; {task.description} "
            f"Mean difference to classical training over {args.seeds} seeds ± standard "
            "error (paired by seed), in points; the first row is classical's own score. "
            "Every fit is scored under three decision priors without retraining "
            "(`mixture`: as trained; `natural`: the training class shares; `uniform`); "
            "classical under the uniform prior is post-hoc logit adjustment. Natural "
            "accuracy: class recalls weighted by the training class shares.\n\n"
            + paired_table(rows)
            + "\n\nThe targets of issue 16, each setting under its own (`mixture`) prior:\n\n"
            + target_checks(rows, settings)
            + "\n\nEach setting against the default, paired by seed (points; fit time "
            "ratio: mean over seeds, indicative on a shared machine):\n\n"
            + vs_first_setting(rows, settings)
            + f"\n\nTotal time: {time.perf_counter() - began:.0f} s.\n"
        )
        print(body, flush=True)
        key = section_key(task.name, args.settings)
        study = "" if args.settings == "defaults" else f" ({STUDY_TITLES[args.settings]})"
        write_section(Path(args.out), key, f"Defaults: {task.name}{study}", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
