"""One entry point for every benchmark suite: ``python -m benchmarks SUITE [options]``.

    python -m benchmarks                    # the suites, what each measures, its command
    python -m benchmarks grouped --seeds 5  # options after the name go to the suite
    python -m benchmarks report             # RESULTS.md re-sorted by topic

Each suite is a row of :data:`SUITES` (data, not code): the module that runs
it, the arguments it starts with, and what it measures. Every suite replaces
its own keyed section of ``benchmarks/RESULTS.md`` (:mod:`benchmarks.report`),
the one committed copy, so no section is hand-kept, stale or repeated.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Suite:
    module: str
    what: str
    args: tuple = field(default=())

    def command(self) -> str:
        return " ".join(["python -m", self.module, *self.args])


#: every suite: name -> where it runs and what it measures
SUITES = {
    "demo": Suite(
        "benchmarks.suites.run",
        "the README's demo: long-tailed digits and wine, 5 seeds (~1 min)",
        ("--suite", "demo"),
    ),
    "quick": Suite(
        "benchmarks.suites.run", "digits and MNIST-1D, three families", ("--suite", "quick")
    ),
    "full": Suite(
        "benchmarks.suites.run",
        "every project task (digits, wine, MNIST-1D, Fashion-MNIST, HIV)",
        ("--suite", "full"),
    ),
    "boosting-libs": Suite(
        "benchmarks.suites.run",
        "LightGBM and CatBoost on digits and HIV",
        ("--suite", "boosting-libs"),
    ),
    "regression-nets": Suite(
        "benchmarks.suites.run", "grouped regression with nets", ("--suite", "regression-nets")
    ),
    "paper": Suite("benchmarks.suites.paper", "the Learn2Mix paper's Fashion-MNIST row"),
    "broad": Suite(
        "benchmarks.suites.broad", "21 real imbalanced sets x 4 families: what helps with classes"
    ),
    "grouped": Suite(
        "benchmarks.suites.grouped",
        "20 real grouped tasks x 4 families: what helps the worst group, beside fairlearn",
    ),
    "defaults": Suite(
        "benchmarks.suites.defaults", "how each default was chosen", ("--seeds", "5")
    ),
    "bioassay": Suite("benchmarks.suites.bioassay", "MixMin on MoleculeACE's assays"),
    "transfer": Suite(
        "benchmarks.suites.transfer",
        "one target with few labels, many sources: TargetMix against the baselines",
    ),
    "overhead": Suite("benchmarks.suites.overhead", "time and memory against the plain model"),
    "distributed": Suite("benchmarks.suites.distributed", "xgboost.dask against one machine"),
    "gpu": Suite("benchmarks.suites.gpu", "XGBoost and skorch on a GPU (--device cpu: dry run)"),
}


def listing() -> str:
    width = max(map(len, SUITES))
    lines = ["python -m benchmarks SUITE [options]   (options go to the suite)\n"]
    lines += [f"  {name:{width}s}  {s.what}\n  {'':{width}s}  = {s.command()}"
              for name, s in SUITES.items()]  # fmt: skip
    lines.append(f"  {'report':{width}s}  benchmarks/RESULTS.md re-sorted by topic")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "list"):
        print(listing())
        return 0
    name, rest = argv[0], argv[1:]
    if name == "report":
        from .report import RESULTS, rebuild

        rebuild(RESULTS)
        print(f"Wrote {RESULTS}, its sections sorted by topic")
        return 0
    if name not in SUITES:
        print(f"Unknown suite {name!r}.\n\n{listing()}", file=sys.stderr)
        return 2
    suite = SUITES[name]
    return importlib.import_module(suite.module).main([*suite.args, *rest]) or 0


if __name__ == "__main__":
    sys.exit(main())
