"""Exponentiated-gradient mixers: Group DRO and DoReMi's excess-loss variant."""

from __future__ import annotations

from numbers import Real

import numpy as np

from .._compat import Interval, StrOptions, validate_params
from ._base import BaseMixer


def exponentiated_step(q: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """``q * exp(exponent)`` normalised, in log space.

    Groups whose exponent is NaN (no loss measured) keep their weight; the others
    share the rest. An infinite exponent takes all of that mass.
    """
    known = ~np.isnan(exponent)
    new = q.copy()
    if not known.any():
        return new
    mass = q[known].sum()
    exp_known = exponent[known]
    if np.isposinf(exp_known).any():
        part = np.isposinf(exp_known).astype(np.float64)
    else:
        with np.errstate(divide="ignore"):
            logits = np.log(q[known]) + exp_known
        logits -= logits.max()
        part = np.exp(logits)
    new[known] = mass * part / part.sum()
    return new


class GroupDRO(BaseMixer):
    """Online Group DRO: exponentiated weights on the groups' losses.

    ``q_g <- q_g * exp(step_size * (L_g + C / sqrt(n_g)))``, then normalised
    (and floored). Weight flows quickly to the worst group; ``C`` (the
    generalization adjustment) favours small groups, whose loss estimate is
    optimistic. The mixture starts uniform, as in the paper.

    Parameters
    ----------
    step_size : float >= 0, default=0.01
        ``eta``. 0 keeps the uniform mixture.
    generalization_adjustment : float >= 0, default=0.0
        ``C``, added as ``C / sqrt(n_g)`` to each group's loss.

    References
    ----------
    .. [1] S. Sagawa, P. W. Koh, T. B. Hashimoto, P. Liang. "Distributionally
       Robust Neural Networks for Group Shifts", ICLR 2020.

    Examples
    --------
    >>> from sklearn_l2m.mixers import GroupDRO
    >>> mixer = GroupDRO(step_size=1.0)
    >>> mixer.start([50, 50])
    array([0.5, 0.5])
    >>> mixer.update([0.0, 1.0]).round(3)
    array([0.269, 0.731])
    """

    _parameter_constraints: dict = {
        "step_size": [Interval(Real, 0, None, closed="left")],
        "generalization_adjustment": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, step_size: float = 0.01, generalization_adjustment: float = 0.0):
        self.step_size = step_size
        self.generalization_adjustment = generalization_adjustment

    @property
    def moves(self) -> bool:
        return self.step_size > 0

    def start(self, group_sizes, *, floor=0.0, groups=None):
        validate_params(self)
        return super().start(group_sizes, floor=floor, groups=groups)

    def _initial(self, shares):
        return np.full_like(shares, 1.0 / shares.size)

    def _step(self, losses):
        if self.step_size == 0:  # no step (and no 0 * inf)
            return self.mixture_
        adjusted = losses + self.generalization_adjustment / np.sqrt(self.group_sizes_)
        return exponentiated_step(self.mixture_, self.step_size * adjusted)


class DoReMi(BaseMixer):
    """Exponentiated weights on the *excess* loss over a reference, smoothed.

    ``a' = a * exp(step_size * max(L_g - L_ref_g, 0))``, then
    ``a = (1 - smoothing) * a' / sum(a') + smoothing / G``. Groups that are
    already as good as the reference stop gaining weight, which makes the rule
    robust to groups that are simply noisy (high but irreducible loss).

    Parameters
    ----------
    step_size : float >= 0, default=1.0
        ``eta``.
    smoothing : float in [0, 1], default=1e-3
        Mass mixed in from the uniform mixture every round.
    reference : "first" or array-like of shape (n_groups,), default="first"
        The reference losses: the first round's losses, or given values
        (e.g. a reference model's per-group losses).

    References
    ----------
    .. [1] S. M. Xie et al. "DoReMi: Optimizing Data Mixtures Speeds Up
       Language Model Pretraining", NeurIPS 2023.

    Examples
    --------
    >>> from sklearn_l2m.mixers import DoReMi
    >>> mixer = DoReMi(reference=[0.5, 0.5], smoothing=0.0)
    >>> mixer.start([1, 1])
    array([0.5, 0.5])
    >>> mixer.update([0.5, 1.5]).round(3)
    array([0.269, 0.731])
    """

    _parameter_constraints: dict = {
        "step_size": [Interval(Real, 0, None, closed="left")],
        "smoothing": [Interval(Real, 0, 1, closed="both")],
        "reference": [StrOptions({"first"}), "array-like"],
    }

    def __init__(self, step_size: float = 1.0, smoothing: float = 1e-3, reference="first"):
        self.step_size = step_size
        self.smoothing = smoothing
        self.reference = reference

    @property
    def moves(self) -> bool:
        return self.step_size > 0

    def start(self, group_sizes, *, floor=0.0, groups=None):
        validate_params(self)
        alpha = super().start(group_sizes, floor=floor, groups=groups)
        if isinstance(self.reference, str):
            self.reference_losses_ = None
        else:
            ref = np.asarray(self.reference, dtype=np.float64).reshape(-1)
            if ref.shape != alpha.shape or not np.all(np.isfinite(ref)):
                raise ValueError(
                    f"reference must hold one finite loss per group ({alpha.size}); "
                    f"got {np.shape(self.reference)}."
                )
            self.reference_losses_ = ref
        return alpha

    def _initial(self, shares):
        return np.full_like(shares, 1.0 / shares.size)

    def _step(self, losses):
        if self.reference_losses_ is None:
            # The first measured losses become the reference; no move this round.
            self.reference_losses_ = np.where(np.isnan(losses), np.inf, losses)
            return self.mixture_
        with np.errstate(invalid="ignore"):
            excess = np.maximum(losses - self.reference_losses_, 0.0)
        excess[np.isnan(losses)] = np.nan
        if self.step_size == 0:
            return self.mixture_
        moved = exponentiated_step(self.mixture_, self.step_size * excess)
        return (1 - self.smoothing) * moved + self.smoothing / moved.size
