"""The MixMin bioassay protocol on MoleculeACE: each target assay in turn is the target.

    python -m benchmarks bioassay --targets 6 [--inner xgboost|lightgbm|catboost]

For target t, every strategy trains one classifier of the ``--inner`` library
(XGBoost by default; active: Ki or EC50 <= 100 nM) and is scored by average
precision on t's test split:

* ``target-only``: t's training rows alone;
* ``natural``: all assays' training rows pooled, unweighted;
* ``balanced``: pooled, every assay with the same total weight;
* ``learn2mix``: pooled, assays as groups, the library's defaults;
* ``mixmin``: pooled, source weights from MixMin with t as the target
  (its validation rows, 20% of its training rows, are the target data).
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
from sklearn.metrics import average_precision_score
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m.datasets import load_moleculeace
from sklearn_l2m.mixers import MixMin

from ..common import OUT_OPTION, suite_parser
from ..models import make_model
from ..report import RESULTS as RESULTS_PAGE
from ..report import write_section

XGB = dict(n_estimators=100, max_depth=6, learning_rate=0.1)
LGBM = dict(n_estimators=100, num_leaves=63)
CATBOOST = dict(iterations=100, depth=6)
#: --inner choice -> (settings shown in the report, model factory)
INNER = {
    "xgboost": (XGB, lambda seed: make_model("xgboost", seed, budget=100, **_but_budget(XGB))),
    "lightgbm": (LGBM, lambda seed: make_model("lightgbm", seed, budget=100, num_leaves=63)),
    "catboost": (CATBOOST, lambda seed: make_model("catboost", seed, budget=100, depth=6)),
}


def _but_budget(settings):
    return {k: v for k, v in settings.items() if k != "n_estimators"}


def evaluate(data, target, seed=0, inner="xgboost"):
    """Average precision on the target's test split for every strategy, and fit times."""
    test = data.groups_test == target
    X_te, y_te = data.X_test[test], data.y_test[test]
    own = data.groups_train == target
    X, y, g = data.X_train, data.y_train, data.groups_train
    results = {}
    _xgb = INNER[inner][1]

    def score(name, fit):
        began = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = fit()
        seconds = time.perf_counter() - began
        results[name] = (average_precision_score(y_te, model.predict_proba(X_te)[:, 1]), seconds)
        return model

    score("target-only", lambda: _xgb(seed).fit(X[own], y[own]))
    score("natural", lambda: _xgb(seed).fit(X, y))
    score(
        "balanced", lambda: _xgb(seed).fit(X, y, sample_weight=compute_sample_weight("balanced", g))
    )
    score(
        "learn2mix", lambda: Learn2MixClassifier(_xgb(seed), random_state=seed).fit(X, y, groups=g)
    )
    mixmin = score(
        "mixmin",
        lambda: Learn2MixClassifier(
            _xgb(seed), mixer=MixMin(target=target), validation_fraction=0.2, random_state=seed
        ).fit(X, y, groups=g),
    )
    extra = mixmin.mixer_.search_time_ / mixmin.train_time_
    return results, extra, float(mixmin.mixture_[list(mixmin.groups_).index(target)])


def main(argv=None):
    parser = suite_parser(__doc__, OUT_OPTION, out=RESULTS_PAGE)
    parser.add_argument("--targets", type=int, default=6, help="number of assays (pooled)")
    parser.add_argument("--inner", choices=sorted(INNER), default="xgboost")
    args = parser.parse_args(argv)
    data = load_moleculeace("classification")
    assays = sorted(set(data.groups_train))[: args.targets]
    keep_tr, keep_te = np.isin(data.groups_train, assays), np.isin(data.groups_test, assays)
    for part, keep in (("train", keep_tr), ("test", keep_te)):
        for key in ("X", "y", "groups"):
            data[f"{key}_{part}"] = data[f"{key}_{part}"][keep]
    names = ["target-only", "natural", "balanced", "learn2mix", "mixmin"]
    lines = [
        "| target assay | " + " | ".join(names) + " | MixMin weight on target "
        "| MixMin search / final fit |",
        "|---" * (len(names) + 3) + "|",
    ]
    all_scores = {n: [] for n in names}
    for assay in assays:
        results, extra, own_weight = evaluate(data, assay, inner=args.inner)
        for n in names:
            all_scores[n].append(results[n][0])
        lines.append(
            f"| {assay} | "
            + " | ".join(f"{results[n][0]:.3f}" for n in names)
            + f" | {own_weight:.2f} | {extra:.2f} |"
        )
        print(lines[-1], flush=True)
    lines.append(
        "| **mean** | " + " | ".join(f"**{np.mean(all_scores[n]):.3f}**" for n in names) + " | | |"
    )
    command = "python -m benchmarks bioassay " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    body = (
        f"Command: `{command}`. {__doc__.split(chr(10), 3)[3].strip()}\n\n"
        f"Average precision on each target's test split ({len(assays)} assays pooled; "
        f"{args.inner} {INNER[args.inner][0]}).\n\n" + "\n".join(lines) + "\n"
    )
    print("\n".join(lines))
    suffix = "" if args.inner == "xgboost" else f"-{args.inner}"
    write_section(
        args.out,
        f"bioassay{suffix}",
        f"Bioassay source mixing (MoleculeACE, MixMin protocol){suffix.replace('-', ', ')}",
        body,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
