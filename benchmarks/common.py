"""What every suite shares: its command-line options, the classification scores and
the versions stamp.

Imported by every suite (no suite imports another's internals).
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, log_loss

from .strategies import class_recalls, natural_accuracy


def classification_scores(model, X, y, labels, train_prior):
    pred = model.predict(X)
    proba = model.predict_proba(X)
    return {
        "accuracy": accuracy_score(y, pred),
        "natural_accuracy": natural_accuracy(y, pred, labels, train_prior),
        "balanced_accuracy": balanced_accuracy_score(y, pred),
        "worst_class_recall": class_recalls(y, pred, labels).min(),
        "macro_f1": f1_score(y, pred, average="macro"),
        "log_loss": log_loss(y, proba, labels=labels),
    }


def versions():
    import sklearn

    out = {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
    }
    for name in ("xgboost", "lightgbm", "catboost", "torch", "skorch"):
        try:
            out[name] = __import__(name).__version__
        except ImportError:
            pass
    out["machine"] = f"{platform.machine()}, {__import__('os').cpu_count()} cores"
    return out


def _option(*flags, **kwargs) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(*flags, **kwargs)
    return parent


#: the options suites share (argparse parents): one spelling, type and help each
SEEDS_OPTION = _option("--seeds", type=int, help="paired seeds")
OUT_OPTION = _option("--out", type=Path, help="where the suite writes")
ONLY_OPTION = _option("--only", default=None, help="the tasks whose name contains this")
JOBS_OPTION = _option("--jobs", type=int, default=2, help="processes in parallel")
PAIRS_OPTION = _option("--pairs", type=int, help="paired A/B runs per row, in fresh processes")
REPORT_ONLY_OPTION = _option(
    "--report-only", action="store_true", help="write the report from the rows measured so far"
)


def suite_parser(doc: str, *shared, **defaults) -> argparse.ArgumentParser:
    """The parser of one suite: its docstring's first line, the ``shared`` options
    (:data:`SEEDS_OPTION`, :data:`OUT_OPTION`, ...) with the suite's own ``defaults``."""
    parser = argparse.ArgumentParser(
        description=doc.splitlines()[0],
        parents=list(shared),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.set_defaults(**defaults)
    return parser
