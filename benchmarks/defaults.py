"""How the defaults were chosen: paired differences to classical training, per seed.

    python -m benchmarks.defaults --only digits --seeds 10

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
METRICS = ["accuracy", "balanced_accuracy", "worst_class_recall"]


def paired_table(rows):
    base = {r["seed"]: r for r in rows if r["strategy"] == "classical"}
    lines = [
        "| setting | " + " | ".join(f"{m} (points)" for m in METRICS) + " | meets the rule |",
        "|---" * (len(METRICS) + 2) + "|",
    ]
    for name in SETTINGS:
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
    parser.add_argument("--only", required=True, help="substring of a full-suite task name")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--out", default="benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    for name, params in SETTINGS.items():
        STRATEGIES[name] = _wrapped(**params)
    tasks = [
        t
        for t in suites.SUITES["full"]["tasks"]
        if args.only.lower() in t["name"].lower() and t["kind"] == "classification"
    ]
    if not tasks:
        parser.error(f"no classification task of the full suite matches {args.only!r}")
    for task in tasks:
        task = dict(task, strategies=["classical", *SETTINGS])
        rows, _, _ = run.run_task(task, list(range(args.seeds)), lambda line: print(line))
        body = (
            f"Command: `python -m benchmarks.defaults --only {args.only} --seeds {args.seeds}`; "
            f"{task['description']} Mean difference to classical training over "
            f"{args.seeds} seeds ± standard error (paired by seed). The rule: accuracy "
            "within 1 point, balanced accuracy and worst-class recall up.\n\n"
            + paired_table(rows)
            + "\n"
        )
        print(body)
        key = "defaults-" + task["name"].split(" / ")[-1] + "-" + args.only
        write_section(Path(args.out), key, f"Defaults: {task['name']}", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
