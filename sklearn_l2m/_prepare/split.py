"""The held-out validation split: a stratified share of every class or group."""

from __future__ import annotations

import numpy as np


def stratified_holdout(strata: np.ndarray, fraction, rng, weight=None) -> np.ndarray:
    """Boolean mask of validation rows: ``fraction`` of every stratum, rounded.

    ``fraction`` is one float, or one per row (the same within a stratum).

    Only rows with positive ``weight`` are held out, and every stratum keeps
    at least one of them for training, so no class or group loses its
    training weight; rows of weight 0 stay in training, where they count for
    nothing (so adding or removing them changes neither part). A stratum too
    small for a validation row gets none (the controller then measures that
    group on its training rows and warns).
    """
    positive = np.ones(strata.shape[0], dtype=bool) if weight is None else weight > 0
    mask = np.zeros(strata.shape[0], dtype=bool)
    candidates = np.flatnonzero(positive)
    order = candidates[np.argsort(strata[candidates], kind="stable")]
    bounds = np.flatnonzero(np.diff(strata[order])) + 1
    per_row = np.ndim(fraction) > 0
    for members in np.split(order, bounds):
        share = fraction[members[0]] if per_row and members.size else fraction
        n_val = min(int(np.floor(share * members.size + 0.5)), members.size - 1)
        if n_val > 0:
            mask[rng.choice(members, size=n_val, replace=False)] = True
    return mask
