"""A model of the target's rows that starts from the sources' model's output.

:class:`~sklearn_l2m.transfer.TargetBlend`'s ``continued`` member: what continued
boosting (or fine-tuning) reaches, without refitting on the pool. The sources'
model is fixed; a second model learns only what the target adds to it:

* a regressor: fitted to the residuals ``y - sources(X)``, predicts
  ``sources(X) + model(X)``; for a booster at squared loss this is exactly
  boosting continued on the target's rows, for any other regressor a learned
  correction;
* a binary classifier: fitted from the sources' log-odds as its base margin
  (XGBoost's ``base_margin``, LightGBM's ``init_score``), so its trees add to
  the sources' log-odds rather than start from the prior.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import is_classifier

from ._common import _fit, class_codes


def _margin_api(model) -> str | None:
    """How ``model`` takes a base margin: "xgboost", "lightgbm" or None."""
    module = type(model).__module__
    if module.startswith("xgboost"):
        return "xgboost"
    if module.startswith("lightgbm"):
        return "lightgbm"
    return None


def check_continuable(model, n_classes: int | None) -> None:
    """A clear error where ``model`` cannot start from the sources' output."""
    if not is_classifier(model):
        return
    if _margin_api(model) is None:
        raise ValueError(
            f"continued=True with a classifier needs an inner model that starts from a "
            f"base margin (XGBoost's base_margin, LightGBM's init_score); "
            f"{type(model).__name__} takes none. Use continued=False, or one of those models."
        )
    if n_classes != 2:
        raise ValueError(
            f"continued=True with a classifier needs two classes; y has {n_classes}. "
            "Use continued=False for more classes."
        )


def _log_odds(proba_positive: np.ndarray) -> np.ndarray:
    p = np.clip(proba_positive, 1e-7, 1 - 1e-7)
    return np.log(p) - np.log1p(-p)


def fit_continued(model, X, y, sample_weight, start: np.ndarray):
    """``model`` fitted on top of ``start`` (the sources' prediction; for a
    classifier their probability of the second class), or None where the rows
    hold one class (nothing to learn beyond the sources)."""
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    if not is_classifier(model):
        return _fit(model, X, np.asarray(y, dtype=np.float64) - start, sample_weight)
    labels, codes = class_codes(y)  # XGBoost takes codes only; read as P(second class)
    if labels.size < 2:
        return None
    key = "base_margin" if _margin_api(model) == "xgboost" else "init_score"
    return model.fit(X, codes, **{key: _log_odds(start)}, **kwargs)


def continued_output(model, X, start: np.ndarray) -> np.ndarray:
    """The continued model's prediction (a regressor) or probability of the second
    class (a classifier) on rows whose sources' output is ``start``."""
    if model is None:
        return start
    if not is_classifier(model):
        return start + np.asarray(model.predict(X), dtype=np.float64).reshape(-1)
    margin = _log_odds(start)
    if _margin_api(model) == "xgboost":
        return np.asarray(model.predict_proba(X, base_margin=margin))[:, 1]
    raw = np.asarray(model.predict(X, raw_score=True), dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-(raw + margin)))
