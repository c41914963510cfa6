"""Bounded group loss: a Lagrangian on per-group loss constraints, in one run."""

from __future__ import annotations

from numbers import Real

import numpy as np

from .._compat.sklearn_params import Interval, validate_params
from ._base import BOUND_CONSTRAINTS, BOUND_DOCS, BaseMixer, pooled_loss


class BoundedGroupLoss(BaseMixer):
    __doc__ = f"""Every group's loss at most a bound, in one training run.

    The constrained problem ``min L(h)`` subject to ``L_g(h) <= upper_bound``
    for every group (fairlearn's ``BoundedGroupLoss`` moment) has the
    Lagrangian ``L(h) + sum_g lambda_g (L_g(h) - upper_bound)``, whose
    minimiser in ``h`` is the model trained on the mixture
    ``alpha = (pi + lambda) / (1 + sum(lambda))``. fairlearn's reduction
    refits the model for every ``lambda``; here the multipliers move by
    projected gradient ascent at every round end of one run,
    ``lambda_g <- max(0, lambda_g + step_size * (L_g / upper_bound - 1))``,
    so groups over the bound gain weight until they meet it, and groups
    under it give their extra weight back. The result is one model with
    probabilities (not a randomized ensemble of classifiers).

    Parameters
    ----------
    upper_bound : float > 0 or None, default=None
        The bound on every group's mean loss (log loss for classifiers,
        squared error for regressors). None: the pooled loss of each round,
        so every group is asked to do at least as well as the average.
    step_size : float >= 0, default=0.5
        Ascent step of the multipliers, on losses relative to the bound. 0 is
        the plain model (every multiplier stays 0).
    {BOUND_DOCS}

    Attributes
    ----------
    multipliers_ : ndarray of shape (n_groups,)
        The Lagrange multipliers ``lambda`` after the last update.

    References
    ----------
    .. [1] A. Agarwal, M. Dudik, Z. S. Wu. "Fair Regression: Quantitative
       Definitions and Reduction-based Algorithms", ICML 2019.

    Examples
    --------
    >>> from sklearn_l2m.mixers import BoundedGroupLoss
    >>> mixer = BoundedGroupLoss(upper_bound=1.0, step_size=1.0, pooled_rows=0)
    >>> mixer.start([80, 20])
    array([0.8, 0.2])
    >>> mixer.update([0.5, 2.0])  # group 1 is over the bound: lambda = [0, 1]
    array([0.4, 0.6])
    """

    _parameter_constraints: dict = {
        "upper_bound": [Interval(Real, 0, None, closed="neither"), None],
        "step_size": [Interval(Real, 0, None, closed="left")],
        **BOUND_CONSTRAINTS,
    }

    def __init__(
        self,
        upper_bound: float | None = None,
        step_size: float = 0.5,
        *,
        min_weight: float = 0.1,
        max_weight: float | None = 5.0,
        pooled_rows: float = 10.0,
    ):
        self.upper_bound = upper_bound
        self.step_size = step_size
        self.min_weight = min_weight
        self.max_weight = max_weight
        self.pooled_rows = pooled_rows

    @property
    def moves(self) -> bool:
        return self.step_size > 0

    def start(self, group_sizes, *, groups=None, loss_sizes=None):
        validate_params(self)
        alpha = super().start(group_sizes, groups=groups, loss_sizes=loss_sizes)
        self.multipliers_ = np.zeros(alpha.size)
        return alpha

    def _step(self, losses):
        bound = self.upper_bound
        if bound is None:
            bound = pooled_loss(losses, self.loss_sizes_)
        known = np.isfinite(losses)
        if not np.isfinite(bound) or bound <= 0 or not known.any():
            return self.mixture_
        excess = losses[known] / bound - 1.0
        self.multipliers_[known] = np.maximum(
            0.0, self.multipliers_[known] + self.step_size * excess
        )
        natural = self.group_sizes_ / self.group_sizes_.sum()
        return (natural + self.multipliers_) / (1.0 + self.multipliers_.sum())
