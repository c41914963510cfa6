"""How the defaults were chosen: paired differences to classical training, per seed.

    python -m benchmarks.defaults --only digits --seeds 10
    python -m benchmarks.defaults --suite boosting-libs --only "digits / CatBoost" \\
        --settings rounds --seeds 5     # why CatBoost trains in at most 10 rounds

For every task of the ``full`` suite picked by ``--only`` and every seed, the
same inner model is trained classically and with each Learn2Mix setting
below; the table gives the mean difference to classical (in points) with its
standard error over seeds (paired, so the seed-to-seed spread of the data
cancels). The issue's acceptance rule for the defaults: accuracy within 1
point of classical while balanced accuracy and worst-class recall improve.
Results go to the "defaults-<task>" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import numpy as np

from . import run, suites
from .report import write_section
from .strategies import STRATEGIES, _wrapped

SETTINGS = {
    "default": {},
    "validation, shrinkage 0.7": dict(loss_source="validation"),
    "train, shrinkage 0.7": dict(loss_source="train", validation_fraction=None),
    "paper (train, shrinkage 0)": dict(
        loss_source="train", validation_fraction=None, shrinkage=0.0, min_weight=0.0
    ),
    "validation, shrinkage 0": dict(loss_source="validation", shrinkage=0.0, min_weight=0.0),
}
# Round size for a backend that restarts part of the model every round (CatBoost):
# a frozen mixture isolates the cost of the rounds themselves.
ROUNDS = {
    "frozen mixture, 50 rounds": dict(mixing_rate=1e-6, n_rounds=50),
    "frozen mixture, 10 rounds": dict(mixing_rate=1e-6, n_rounds=10),
    "learn2mix, 50 rounds": dict(n_rounds=50),
    "default": {},
}
SETTING_GROUPS = {"defaults": SETTINGS, "rounds": ROUNDS}
METRICS = ["accuracy", "balanced_accuracy", "worst_class_recall"]


def paired_table(rows, settings=SETTINGS):
    base = {r["seed"]: r for r in rows if r["strategy"] == "classical"}
    lines = [
        "| setting | " + " | ".join(f"{m} (points)" for m in METRICS) + " | meets the rule |",
        "|---" * (len(METRICS) + 2) + "|",
    ]
    for name in settings:
        picked = [r for r in rows if r["strategy"] == name]
        cells, means = [], {}
        for metric in METRICS:
            diff = 100 * np.array([r[metric] - base[r["seed"]][metric] for r in picked])
            se = diff.std(ddof=1) / np.sqrt(diff.size) if diff.size > 1 else float("nan")
            means[metric] = diff.mean()
            cells.append(f"{diff.mean():+.2f} ± {se:.2f}")
        ok = (
            means["accuracy"] >= -1
            and means["balanced_accuracy"] > 0
            and means["worst_class_recall"] > 0
        )
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {'yes' if ok else 'no'} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", required=True, help="substring of a suite's task name")
    parser.add_argument("--suite", choices=sorted(suites.SUITES), default="full")
    parser.add_argument("--settings", choices=sorted(SETTING_GROUPS), default="defaults")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--out", default="benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    settings = SETTING_GROUPS[args.settings]
    for name, params in settings.items():
        STRATEGIES[name] = _wrapped(**params)
    tasks = [
        t
        for t in suites.SUITES[args.suite]["tasks"]
        if args.only.lower() in t["name"].lower() and t["kind"] == "classification"
    ]
    if not tasks:
        parser.error(f"no classification task of the {args.suite} suite matches {args.only!r}")
    for task in tasks:
        task = dict(task, strategies=["classical", *settings])
        rows, _, _ = run.run_task(task, list(range(args.seeds)), lambda line: print(line))
        body = (
            f"Command: `python -m benchmarks.defaults {shlex.join(argv or sys.argv[1:])}`; "
            f"{task['description']} Mean difference to classical training over "
            f"{args.seeds} seeds ± standard error (paired by seed). The rule: accuracy "
            "within 1 point, balanced accuracy and worst-class recall up.\n\n"
            + paired_table(rows, settings)
            + "\n"
        )
        print(body)
        key = "defaults-" + task["name"].split(" / ")[-1] + "-" + args.only.split(" / ")[0]
        if args.settings != "defaults":
            key += "-" + args.settings
        write_section(Path(args.out), key, f"Defaults: {task['name']}", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
