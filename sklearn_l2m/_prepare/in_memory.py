"""Preparing in-memory data for one fit: checks, encoding, groups, the held-out part.

The distributed twin is :func:`sklearn_l2m._prepare.dask_data.prepare_dask_data`; both take
the loss-source rule of :mod:`sklearn_l2m._prepare.loss_source`. Nothing here reads the
estimator: what preparation needs from it arrives in a :class:`Task`, the same for both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._warnings import warn_user
from .checks import check_target, check_weights, index_dtype, n_rows
from .groups import (
    NO_VALIDATION_DATA,
    check_groups_have_weight,
    check_validation_pairing,
    codes_for,
    encode_groups,
)
from .split import stratified_holdout
from .training_data import TrainingData


def _no_check(X, input_name):
    return X


def _no_record(X, reset):
    """Distributed data: the estimator records the features after preparation."""


@dataclass
class Task:
    """What preparing a fit's data needs from the estimator, in memory or on Dask.

    Nothing else of the estimator is read. ``choose_signal(counts,
    explicit_validation=...)`` is the loss-source rule (:mod:`sklearn_l2m._prepare.loss_source`);
    ``split_seed`` seeds the held-out part.

    In memory: ``target`` is a :class:`~sklearn_l2m._prepare.target.ClassTarget` or
    :class:`~sklearn_l2m._prepare.target.BinnedTarget` (it keeps the encoding it finds),
    ``check_X(X, input_name)`` the inner model's input check,
    ``record_features(X, reset)`` the estimator's feature-count check and
    ``cast(X)`` the cast to the dtype the model computes in. On Dask,
    ``n_target_bins`` gives a regressor's groups without ``groups``.
    """

    is_classifier: bool
    validation_fraction: float | None = None
    split_seed: int = 0
    choose_signal: Callable | None = None
    estimator_name: str = "Learn2Mix"
    target: object = None
    check_X: Callable = _no_check
    record_features: Callable = _no_record
    cast: Callable = staticmethod(lambda X: X)
    n_target_bins: int = 0
    #: MixMin's target data may belong to no group
    target_may_lack_groups: bool = False
    #: ``(group_labels, group_counts, fraction) -> shares``: each group's share of
    #: rows to hold out (the mixer's ``validation_shares``; None: ``fraction`` each)
    validation_shares: Callable | None = None


@dataclass
class CheckedData:
    """The training rows after their checks, with the target and groups encoded."""

    X: object
    y: np.ndarray
    weight: np.ndarray
    group_labels: np.ndarray
    codes: np.ndarray


def check_training_data(X, y, groups, sample_weight, task: Task) -> CheckedData:
    """Checked input, encoded target, weights, group labels and per-row group codes."""
    X = task.check_X(X, "X")
    n_samples = n_rows(X)
    if y is None:
        raise ValueError(
            f"{task.estimator_name} requires y to be passed, but the target y is None."
        )
    y = check_target(y)
    if y.shape[0] != n_samples:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: X has "
            f"{n_samples}, y has {y.shape[0]}; pass one target per sample."
        )
    task.record_features(X, True)
    y_encoded = task.target.encode(y)
    weight = check_weights(sample_weight, X)
    if groups is None:
        group_labels, codes = task.target.default_groups(y_encoded)
    else:
        group_labels, codes = encode_groups(groups, n_samples)
    task.target.check_weights(y_encoded, weight)
    check_groups_have_weight(
        group_labels, np.bincount(codes, weights=weight, minlength=len(group_labels))
    )
    return CheckedData(X, y_encoded, weight, group_labels, codes)


def hold_out(checked: CheckedData, groups, validation, task: Task):
    """The training data with its validation part, and the loss source that drives
    the mixture (``"train"`` when no validation part can be had).

    ``validation`` is fit's ``(X_val, y_val, groups_val, sample_weight_val)``.
    """
    X_val, _, groups_val, _ = validation
    # MixMin's target data may belong to no source (no groups_val)
    without_groups = (
        task.target_may_lack_groups and groups is not None and X_val is not None
    ) and groups_val is None
    counts = np.bincount(checked.codes, minlength=len(checked.group_labels))
    loss_source, fraction = task.choose_signal(counts, explicit_validation=X_val is not None)
    shares = None
    if fraction is not None and X_val is None and task.validation_shares is not None:
        shares = task.validation_shares(checked.group_labels, counts, fraction)
        if shares is None:  # the mixer found too few rows to hold out (it warned)
            fraction, loss_source = None, "train"
    data = _validation_part(
        checked, groups, validation, task, fraction, without_groups, shares=shares
    )
    if without_groups:
        loss_source = "train"  # the target has no groups to measure
    if loss_source == "validation" and not data.has_validation:
        if X_val is None and fraction is None:
            raise ValueError(NO_VALIDATION_DATA)
        warn_user(
            "Too few samples to hold out a validation part; the mixture "
            "follows training losses instead (loss_source='train').",
            UserWarning,
        )
        loss_source = "train"
    return data, loss_source


def _validation_part(checked, groups, validation, task, fraction, without_groups, shares=None):
    """Encode an explicit validation set, or hold out a stratified part of ``X``."""
    X, y, weight, codes = task.cast(checked.X), checked.y, checked.weight, checked.codes
    n_classes = task.target.n_classes
    common = dict(
        n_groups=len(checked.group_labels), n_classes=n_classes, group_labels=checked.group_labels
    )
    X_val, y_val = validation[:2]
    if X_val is not None or y_val is not None:
        X_val, y_val, codes_val, weight_val = _explicit_validation(
            validation, checked.group_labels, groups, task, without_groups
        )
        return TrainingData(
            X,
            y,
            weight,
            codes,
            X_val=X_val,
            y_val=y_val,
            weight_val=weight_val,
            codes_val=codes_val,
            **common,
        )
    if fraction is None:
        return TrainingData(X, y, weight, codes, **common)
    strata = codes
    if n_classes is not None and groups is not None:
        strata = codes * n_classes + y  # keep every (group, class) in training
    # one share per row: its group's (the strata nest inside the groups)
    row_fraction = fraction if shares is None else np.asarray(shares)[codes]
    val_mask = stratified_holdout(
        strata, row_fraction, np.random.RandomState(task.split_seed), weight=weight
    )
    return TrainingData(
        X,
        y,
        weight,
        codes,
        train_rows=np.flatnonzero(~val_mask).astype(index_dtype(len(y)), copy=False),
        val_rows=np.flatnonzero(val_mask).astype(index_dtype(len(y)), copy=False),
        **common,
    )


def _explicit_validation(validation, group_labels, groups, task, without_groups):
    """Check and encode ``X_val, y_val, groups_val, sample_weight_val``."""
    X_val, y_val, groups_val, sample_weight_val = validation
    check_validation_pairing(X_val, y_val, groups, groups_val, target_without_groups=without_groups)
    X_val = task.cast(task.check_X(X_val, "X_val"))
    task.record_features(X_val, False)
    y_val = check_target(y_val, input_name="y_val")
    n_val = n_rows(X_val)
    if y_val.shape[0] != n_val:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: X_val "
            f"has {n_val}, y_val has {y_val.shape[0]}."
        )
    y_val = task.target.encode_val(y_val)
    if groups is not None and groups_val is None and without_groups:
        # target data outside every source: one pseudo-group for the objective;
        # the search uses all of it (MixMin(target=None))
        codes_val = np.zeros(n_val, dtype=np.intp)
    elif groups is not None:
        gv = np.asarray(groups_val)
        if gv.shape[0] != n_val:
            raise ValueError(f"groups_val has {gv.shape[0]} entries but X_val has {n_val} samples.")
        codes_val = codes_for(group_labels, gv, input_name="groups_val")
    else:
        codes_val = task.target.default_groups_val(y_val)
    weight_val = check_weights(sample_weight_val, X_val, input_name="sample_weight_val")
    return X_val, y_val, codes_val, weight_val
