"""Exponentiated-gradient mixers (Group DRO, DoReMi) and a bounded group loss (a
Lagrangian on per-group loss constraints)."""

from __future__ import annotations

from numbers import Real

import numpy as np

from .._compat.sklearn import Interval, StrOptions, validate_params
from ._base import BOUND_CONSTRAINTS, BOUND_DOCS, BaseMixer, pooled_loss


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


#: where the exponentiated-gradient mixers start
START_OPTIONS = {"natural", "uniform"}


def initial_mixture(start_from: str, shares: np.ndarray) -> np.ndarray:
    """``"natural"``: the groups' shares (a zero step is then the plain model);
    ``"uniform"``: equal weights (the papers' start)."""
    return shares.copy() if start_from == "natural" else np.full_like(shares, 1.0 / shares.size)


_START_DOC = """start_from : {"natural", "uniform"}, default="natural"
        Where the mixture starts: the natural shares (so ``step_size=0``
        trains the plain model, and a grid over ``step_size`` includes it) or
        equal group weights (the paper's start)."""


class GroupDRO(BaseMixer):
    __doc__ = f"""Online Group DRO: exponentiated weights on the groups' losses.

    ``q_g <- q_g * exp(step_size * (L_g + C / sqrt(n_g)) / L_pooled)``, then
    normalised and kept within the bounds. Weight flows to the worst group.
    The losses are divided by the pooled loss ``L_pooled`` so that one step
    size serves every loss scale (log loss, squared error in any unit); ``C``
    (the generalization adjustment of Sagawa et al.) favours small groups,
    whose *training* loss is optimistic.

    Parameters
    ----------
    step_size : float >= 0, default=0.1
        ``eta`` per round, on losses relative to the pooled loss: a group
        twice as hard as the average gains ``exp(step_size)`` relative weight
        per round. 0 keeps the start mixture. Useful range: 0.03-0.3 (about
        20 rounds per fit); above 1 the mixture lands on the bounds within a
        few rounds.
    generalization_adjustment : float >= 0, default=0.0
        ``C``, added as ``C / sqrt(n_g)`` to each group's loss (``n_g``: its
        training rows). Sagawa et al. tune it in 0-5 for training losses;
        with validation losses, ``pooled_rows`` is the correction that fits.
    {_START_DOC}
    {BOUND_DOCS}

    References
    ----------
    .. [1] S. Sagawa, P. W. Koh, T. B. Hashimoto, P. Liang. "Distributionally
       Robust Neural Networks for Group Shifts", ICLR 2020.

    Examples
    --------
    >>> from sklearn_l2m.mixers import GroupDRO
    >>> mixer = GroupDRO(step_size=1.0, start_from="uniform", pooled_rows=0)
    >>> mixer.start([50, 50])
    array([0.5, 0.5])
    >>> mixer.update([0.5, 1.5]).round(3)  # pooled loss 1: exponents 0.5, 1.5
    array([0.269, 0.731])
    """

    _parameter_constraints: dict = {
        "step_size": [Interval(Real, 0, None, closed="left")],
        "generalization_adjustment": [Interval(Real, 0, None, closed="left")],
        "start_from": [StrOptions(START_OPTIONS)],
        **BOUND_CONSTRAINTS,
    }

    def __init__(
        self,
        step_size: float = 0.1,
        generalization_adjustment: float = 0.0,
        *,
        start_from: str = "natural",
        min_weight: float = 0.1,
        max_weight: float | None = 5.0,
        pooled_rows: float = 10.0,
    ):
        self.step_size = step_size
        self.generalization_adjustment = generalization_adjustment
        self.start_from = start_from
        self.min_weight = min_weight
        self.max_weight = max_weight
        self.pooled_rows = pooled_rows

    @property
    def moves(self) -> bool:
        return self.step_size > 0

    def start(self, group_sizes, *, groups=None, loss_sizes=None):
        validate_params(self)
        return super().start(group_sizes, groups=groups, loss_sizes=loss_sizes)

    def _initial(self, shares):
        return initial_mixture(self.start_from, shares)

    def _step(self, losses):
        if self.step_size == 0:  # no step (and no 0 * inf)
            return self.mixture_
        adjusted = losses + self.generalization_adjustment / np.sqrt(self.group_sizes_)
        scale = pooled_loss(adjusted, self.loss_sizes_)
        if not np.isfinite(scale) or scale <= 0:  # nothing measured, or all perfect
            return self.mixture_
        return exponentiated_step(self.mixture_, self.step_size * adjusted / scale)


class DoReMi(BaseMixer):
    __doc__ = f"""Exponentiated weights on the *excess* loss over a reference, smoothed.

    ``a' = a * exp(step_size * max(L_g - L_ref_g, 0))``, then
    ``a = (1 - smoothing) * a' / sum(a') + smoothing / G``. Groups that are
    already as good as the reference stop gaining weight, which makes the rule
    robust to groups that are simply noisy (high but irreducible loss).

    Parameters
    ----------
    step_size : float >= 0, default=1.0
        ``eta``. 0 keeps the start mixture.
    smoothing : float in [0, 1], default=1e-3
        Mass mixed in from the uniform mixture every round.
    reference : "first" or array-like of shape (n_groups,), default="first"
        The reference losses: the first round's losses, or given values
        (e.g. a reference model's per-group losses).
    {_START_DOC}
    {BOUND_DOCS}

    References
    ----------
    .. [1] S. M. Xie et al. "DoReMi: Optimizing Data Mixtures Speeds Up
       Language Model Pretraining", NeurIPS 2023.

    Examples
    --------
    >>> from sklearn_l2m.mixers import DoReMi
    >>> mixer = DoReMi(reference=[0.5, 0.5], smoothing=0.0, pooled_rows=0)
    >>> mixer.start([1, 1])
    array([0.5, 0.5])
    >>> mixer.update([0.5, 1.5]).round(3)
    array([0.269, 0.731])
    """

    _parameter_constraints: dict = {
        "step_size": [Interval(Real, 0, None, closed="left")],
        "smoothing": [Interval(Real, 0, 1, closed="both")],
        "reference": [StrOptions({"first"}), "array-like"],
        "start_from": [StrOptions(START_OPTIONS)],
        **BOUND_CONSTRAINTS,
    }

    def __init__(
        self,
        step_size: float = 1.0,
        smoothing: float = 1e-3,
        reference="first",
        *,
        start_from: str = "natural",
        min_weight: float = 0.1,
        max_weight: float | None = 5.0,
        pooled_rows: float = 10.0,
    ):
        self.step_size = step_size
        self.smoothing = smoothing
        self.reference = reference
        self.start_from = start_from
        self.min_weight = min_weight
        self.max_weight = max_weight
        self.pooled_rows = pooled_rows

    @property
    def moves(self) -> bool:
        return self.step_size > 0

    def start(self, group_sizes, *, groups=None, loss_sizes=None):
        validate_params(self)
        alpha = super().start(group_sizes, groups=groups, loss_sizes=loss_sizes)
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
        return initial_mixture(self.start_from, shares)

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
