"""Per-sample losses and their per-group aggregation.

Backends hand predictions (or per-sample losses they already have) to the
controller; this module turns them into one mean loss per group with
``np.bincount``, so the cost is one pass over the evaluated samples.
"""

from __future__ import annotations

import numpy as np

# Probabilities are clipped here before the log: a confident wrong answer
# costs -log(1e-15) ~ 34.5, never inf.
_PROBA_EPS = 1e-15


def log_loss_per_sample(y_encoded: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Negative log-likelihood of the true class, one value per sample.

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Class indices in ``0 .. n_classes - 1``.
    proba : ndarray of shape (n_samples, n_classes)
        Predicted class probabilities, columns in encoded order.
    """
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim == 1:  # binary models that return P(class 1) only
        proba = np.column_stack([1.0 - proba, proba])
    p_true = proba[np.arange(len(y_encoded)), y_encoded]
    return -np.log(np.clip(p_true, _PROBA_EPS, 1.0))


def squared_error_per_sample(y: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Squared error, one value per sample (multi-output predictions are averaged)."""
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    if diff.ndim > 1:
        return np.mean(diff**2, axis=tuple(range(1, diff.ndim)))
    return diff**2


def zero_one_per_sample(y: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Misclassification indicator, for classifiers without ``predict_proba``."""
    return (np.asarray(y_pred) != np.asarray(y)).astype(np.float64)


def per_sample_loss(y, output, *, is_classifier: bool, hard: bool = False) -> np.ndarray:
    """The loss of a model's ``output`` on every sample: the log loss of class
    probabilities, the 0-1 loss of hard class predictions (``hard``), or the
    squared error of a regressor."""
    if not is_classifier:
        return squared_error_per_sample(y, output)
    if hard:
        return zero_one_per_sample(y, output)
    return log_loss_per_sample(np.asarray(y, dtype=np.intp), output)


#: rows per piece in :func:`per_sample_loss_in_chunks`
LOSS_CHUNK_ROWS = 1 << 13


def per_sample_loss_in_chunks(y, raw, link, *, is_classifier: bool, rows=None) -> np.ndarray:
    """:func:`per_sample_loss` of ``link(raw[rows])`` (all rows of ``raw`` when
    ``rows`` is None), computed on pieces of rows.

    ``raw`` is a boosted model's raw scores; its float64 probabilities for all
    rows at once (and the link's temporaries) would be several times its size
    at every round end, which is when a fit's memory peaks. ``y`` belongs to
    the selected rows.
    """
    y = np.asarray(y)
    losses = np.empty(y.shape[0], dtype=np.float64)
    for start in range(0, y.shape[0], LOSS_CHUNK_ROWS):
        part = slice(start, start + LOSS_CHUNK_ROWS)
        chunk = raw[part] if rows is None else raw[rows[part]]
        output = link(np.asarray(chunk, dtype=np.float64))
        losses[part] = per_sample_loss(y[part], output, is_classifier=is_classifier)
    return losses


def group_sums(
    sample_loss: np.ndarray,
    group_codes: np.ndarray,
    n_groups: int,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted loss sums and weight sums per group (for running averages)."""
    if sample_weight is None:
        weight_sum = np.bincount(group_codes, minlength=n_groups).astype(np.float64)
        loss_sum = np.bincount(group_codes, weights=sample_loss, minlength=n_groups)
    else:
        weight_sum = np.bincount(group_codes, weights=sample_weight, minlength=n_groups)
        loss_sum = np.bincount(group_codes, weights=sample_loss * sample_weight, minlength=n_groups)
    return loss_sum, weight_sum


def means_from_sums(loss_sum: np.ndarray, weight_sum: np.ndarray) -> np.ndarray:
    """``loss_sum / weight_sum`` per group; NaN where a group has no weight."""
    loss_sum = np.asarray(loss_sum, dtype=np.float64)
    weight_sum = np.asarray(weight_sum, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = loss_sum / weight_sum
    means[weight_sum <= 0] = np.nan
    return means
