"""Group labels: encoding, lookup, and the rules that pair them with validation data."""

from __future__ import annotations

import numpy as np

from .._warnings import warn_user


def encode_groups(groups, n_samples: int, *, input_name: str = "groups"):
    """Sorted unique labels and integer codes of a ``groups`` vector."""
    if groups is None:
        raise ValueError(f"{input_name} is None.")
    values = np.asarray(groups)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values.ravel()
    if values.ndim != 1:
        raise ValueError(
            f"{input_name} must be 1-D (one label per sample); got shape {values.shape}."
        )
    if values.shape[0] != n_samples:
        raise ValueError(
            f"{input_name} has {values.shape[0]} entries but X has {n_samples} samples; "
            f"pass one group label per sample."
        )
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise ValueError(f"{input_name} contains NaN; give every sample a group label.")
    if values.dtype.kind == "O":
        if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in values):
            raise ValueError(
                f"{input_name} contains missing values; give every sample a group label."
            )
    try:
        labels, codes = np.unique(values, return_inverse=True)
    except TypeError as exc:
        raise TypeError(
            f"{input_name} labels must be mutually comparable (all numbers or all "
            f"strings); got {exc}."
        ) from None
    return labels, codes.reshape(-1).astype(np.intp)


def codes_for(labels: np.ndarray, values, *, input_name: str) -> np.ndarray:
    """Codes of ``values`` in an existing sorted label set; error on unknowns."""
    what = "class" if input_name.startswith("y") else "group"
    values = np.asarray(values)
    codes = np.searchsorted(labels, values)
    codes = np.clip(codes, 0, len(labels) - 1)
    # as objects: labels of another kind (strings against numbers) compare element by
    # element on every numpy (older ones answered one scalar, with a FutureWarning)
    unknown = labels[codes].astype(object) != values.astype(object)
    if np.any(unknown):
        raise ValueError(
            f"{input_name} contains labels not seen in the training data: "
            f"{np.unique(values[unknown]).tolist()[:10]}. Every {what} of the validation "
            "rows must also appear among the training rows."
        )
    return codes.astype(np.intp)


NO_VALIDATION_DATA = (
    "loss_source='validation' needs validation data: set validation_fraction, pass "
    "X_val and y_val to fit, or use loss_source='train'."
)


def check_validation_pairing(X_val, y_val, groups, groups_val, *, target_without_groups=False):
    """Fit's validation arguments go together; the same rules in memory and on Dask.

    ``target_without_groups``: MixMin's target data may belong to no group, so
    ``groups`` without ``groups_val`` is allowed.
    """
    if (X_val is None) != (y_val is None):
        raise ValueError("Pass both X_val and y_val, or neither.")
    if X_val is None:
        return
    if groups is None and groups_val is not None:
        raise ValueError(
            "fit got groups_val but no groups: pass the group of every training "
            "sample too, or leave groups_val out (then the groups are the classes, or "
            "the target bins of a regressor)."
        )
    if groups is not None and groups_val is None and not target_without_groups:
        raise ValueError(
            "fit got groups but no groups_val: pass the group of every validation "
            "sample too (or, for mixer='mixmin', X_val and y_val alone as the target "
            "data)."
        )


def warn_missing_validation_groups(labels, val_counts, *, explicit=False) -> None:
    """Warn about groups without validation rows (``val_counts``: rows per group)."""
    present = np.asarray(val_counts) > 0
    if present.all():
        return
    missing = np.asarray(labels)[~present].tolist()
    if explicit:
        cause = "no samples in the validation set you passed (X_val / groups_val)"
        fix = "add samples of these groups to X_val to measure them on held-out data"
    else:
        cause = "no validation samples (too few samples for validation_fraction)"
        fix = (
            "raise validation_fraction, or pass X_val and y_val holding every group, "
            "to measure them on held-out data"
        )
    warn_user(
        f"Groups {missing[:10]} have {cause}. Their mixture follows their training "
        f"loss instead; {fix}.",
        UserWarning,
    )


def check_groups_have_weight(labels, group_weight) -> None:
    """Every group needs training samples with positive weight to be mixed."""
    empty = np.asarray(group_weight) <= 0
    if empty.any():
        raise ValueError(
            f"Groups {np.asarray(labels)[empty].tolist()[:10]} have no training "
            "samples with positive sample_weight; a group cannot be mixed without "
            "data. Drop those samples or give them positive weight."
        )
