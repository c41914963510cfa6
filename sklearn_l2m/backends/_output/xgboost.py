"""An XGBoost booster's per-row loss on a matrix, from its cached predictions."""

from __future__ import annotations

import numpy as np

from ..._training.losses import per_sample_loss_in_chunks
from .links import identity, sigmoid, softmax


def booster_sample_loss(booster, dmatrix, y, is_classifier: bool, rows=None) -> np.ndarray:
    """Per-sample loss from the booster's (cached, incremental) predictions.

    ``rows``: only these rows of the matrix (``y`` is then theirs). The matrices
    are the run's own (built from the training data's columns), so XGBoost's
    check of their feature names, a third of a small matrix's predict, is skipped.
    """
    if not is_classifier:
        link, raw = identity, booster.predict(dmatrix, validate_features=False)
    else:
        raw = booster.predict(dmatrix, output_margin=True, validate_features=False)
        link = softmax if raw.ndim == 2 and raw.shape[1] > 1 else sigmoid
        raw = raw if link is softmax else raw.reshape(-1)
    return per_sample_loss_in_chunks(y, raw, link, is_classifier=is_classifier, rows=rows)
