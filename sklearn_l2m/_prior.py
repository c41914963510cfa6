"""The decision prior: predict under a class prior other than the training mixture.

A classifier trained on a mixture ``alpha`` estimates ``p_alpha(y | x)``, the
posterior under the class shares that mixture gave the training data. Bayes'
rule turns it into the posterior under any other prior ``q`` without
retraining (logit adjustment, Menon et al. 2021):

    p_q(y | x)  proportional to  p_alpha(y | x) * q(y) / p_alpha(y)

This module computes the class shares a fit trained under and applies the
correction; the estimator decides when.
"""

from __future__ import annotations

import numpy as np

PRIOR_NAMES = ("mixture", "natural", "uniform")


def class_shares_by_group(codes, y, weight, n_groups: int, n_classes: int) -> np.ndarray:
    """``M[g, c]``: the (weighted) share of class ``c`` among the rows of group ``g``.

    A mixture ``alpha`` over groups gives the class prior ``alpha @ M``. When
    the groups are the classes, ``M`` is the identity.
    """
    joint = np.bincount(
        np.asarray(codes) * n_classes + np.asarray(y),
        weights=weight,
        minlength=n_groups * n_classes,
    )
    return class_shares_from_joint(joint, n_groups, n_classes)


def class_shares_from_joint(joint, n_groups: int, n_classes: int) -> np.ndarray:
    """Row-normalised ``(group, class)`` weight totals, flat in ``group * n_classes + class``."""
    joint = np.asarray(joint, dtype=np.float64).reshape(n_groups, n_classes)
    totals = joint.sum(axis=1, keepdims=True)
    return np.divide(joint, totals, out=np.zeros_like(joint), where=totals > 0)


def prior_under_mixtures(mixtures, shares_by_group) -> np.ndarray:
    """Class prior of the training data, averaged over the mixtures in force.

    ``mixtures`` holds one row per round (the mixture that round trained
    under); every round trains the same number of steps, so each counts
    equally.
    """
    prior = np.atleast_2d(mixtures).mean(axis=0) @ shares_by_group
    return prior / prior.sum()


def resolve_decision_prior(value, classes, natural_prior) -> np.ndarray | None:
    """The decision prior as an array over ``classes``; None for ``"mixture"``.

    ``value`` is ``"mixture"`` (no correction), ``"natural"`` (the class
    shares of the training data), ``"uniform"``, a dict ``{class: weight}``
    naming every class, or an array in ``classes`` order. Weights are
    normalised to sum to 1.
    """
    n_classes = len(classes)
    if isinstance(value, str):
        if value == "mixture":
            return None
        if value == "natural":
            return np.asarray(natural_prior, dtype=np.float64)
        if value == "uniform":
            return np.full(n_classes, 1.0 / n_classes)
        raise ValueError(
            f"decision_prior={value!r} is not one of {list(PRIOR_NAMES)}, a dict "
            "{class: weight} or an array of one weight per class."
        )
    if isinstance(value, dict):
        unknown = [key for key in value if key not in set(classes.tolist())]
        missing = [c for c in classes.tolist() if c not in value]
        if unknown or missing:
            raise ValueError(
                f"decision_prior must give a weight to every class of the training "
                f"data {classes.tolist()}; unknown keys: {unknown}, missing classes: "
                f"{missing}."
            )
        prior = np.array([value[c] for c in classes.tolist()], dtype=np.float64)
    else:
        prior = np.asarray(value, dtype=np.float64).ravel()
        if prior.size != n_classes:
            raise ValueError(
                f"decision_prior has {prior.size} entries but the training data has "
                f"{n_classes} classes {classes.tolist()}; pass one weight per class, "
                "in classes_ order, or a dict {class: weight}."
            )
    if not np.all(np.isfinite(prior)) or np.any(prior < 0) or prior.sum() <= 0:
        raise ValueError(
            f"decision_prior must hold finite, non-negative weights with a positive "
            f"sum; got {prior.tolist()}."
        )
    return prior / prior.sum()


def prior_ratio(decision_prior, training_prior) -> np.ndarray:
    """Per-class factor ``q_c / t_c`` on the probabilities; 0 for a class the model
    never trained on (nothing to correct)."""
    decision_prior = np.asarray(decision_prior, dtype=np.float64)
    return np.divide(
        decision_prior,
        training_prior,
        out=np.zeros_like(decision_prior),
        where=np.asarray(training_prior) > 0,
    )


def adjust_proba(proba, ratio):
    """``proba * ratio`` renormalised per row; numpy or dask arrays alike."""
    adjusted = proba * ratio
    return adjusted / adjusted.sum(axis=1, keepdims=True)
