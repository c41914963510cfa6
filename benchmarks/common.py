"""What every suite shares: the classification scores and the versions stamp.

Imported by :mod:`benchmarks.run` and :mod:`benchmarks.broad` (neither imports
the other's internals).
"""

from __future__ import annotations

import platform

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
