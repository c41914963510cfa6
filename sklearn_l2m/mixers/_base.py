"""The Mixer base: a point on the simplex, moved by per-group losses.

A mixer knows nothing about models. ``start`` receives the groups' natural
shares and returns ``alpha_0``; ``update`` receives one loss per group and
returns the next ``alpha``. The base class owns what every strategy shares:
input checks, the treatment of missing / infinite / huge losses, and the
floor that keeps every group alive.
"""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator

from .._compat.sklearn_params import Interval


def apply_bounds(alpha, floor, ceiling=None) -> np.ndarray:
    """Closest point of ``alpha``'s ray on the simplex with ``floor <= alpha <= ceiling``.

    Groups outside their bounds are pinned to them; the remaining mass is
    shared by the free groups in proportion to their current weights. Repeats
    until every group is inside its bounds (at most ``2 * n_groups`` passes).
    ``floor.sum()`` must be at most 1 and ``ceiling.sum()`` at least 1.

    Examples
    --------
    >>> from sklearn_l2m.mixers import apply_bounds
    >>> apply_bounds([0.98, 0.01, 0.01], [0.0, 0.1, 0.2]).round(3)
    array([0.7, 0.1, 0.2])
    >>> apply_bounds([0.1, 0.1, 0.8], 0.0, [1.0, 1.0, 0.5]).round(3)
    array([0.25, 0.25, 0.5 ])
    """
    alpha = np.asarray(alpha, dtype=np.float64).copy()
    floor = np.broadcast_to(np.asarray(floor, dtype=np.float64), alpha.shape)
    ceiling = (
        np.full(alpha.shape, np.inf)
        if ceiling is None
        else np.broadcast_to(np.asarray(ceiling, dtype=np.float64), alpha.shape)
    )
    alpha /= alpha.sum()
    if not (np.any(floor > 0) or np.any(np.isfinite(ceiling))):
        return alpha
    pinned = np.zeros(alpha.shape, dtype=bool)
    for _ in range(2 * alpha.size):
        low, high = (alpha < floor) & ~pinned, (alpha > ceiling) & ~pinned
        if not (low.any() or high.any()):
            break
        # pin the side that is further off first, so that the mass freed (or
        # taken) by one side cannot push the other side's groups out of bounds
        side = low if (floor - alpha)[low].sum() >= (alpha - ceiling)[high].sum() else high
        alpha[side] = np.where(low, floor, ceiling)[side]
        pinned |= side
        free_mass = 1.0 - alpha[pinned].sum()
        rest = alpha[~pinned]
        if rest.size == 0:
            break
        total = rest.sum()
        alpha[~pinned] = rest / total * free_mass if total > 0 else free_mass / rest.size
    return alpha


def apply_floor(alpha, floor) -> np.ndarray:
    """:func:`apply_bounds` with a floor alone.

    Examples
    --------
    >>> from sklearn_l2m.mixers import apply_floor
    >>> apply_floor([0.98, 0.01, 0.01], [0.0, 0.1, 0.2]).round(3)
    array([0.7, 0.1, 0.2])
    """
    return apply_bounds(alpha, floor)


def loss_shares(group_losses: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``L / sum(L)`` made safe for every loss vector a model can produce.

    * NaN means "no information" for that group: it keeps its current share
      ``alpha_g`` and the other groups share the rest by their losses.
    * ``inf`` losses take all the observed mass, shared equally.
    * Huge finite losses (1e300) are scaled before summing, so no overflow.
    * All-zero observed losses carry no signal: observed groups keep alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_l2m.mixers import loss_shares
    >>> loss_shares([1.0, 3.0, np.nan], [0.4, 0.4, 0.2])
    array([0.2, 0.6, 0.2])
    """
    losses = np.asarray(group_losses, dtype=np.float64)
    alpha = np.asarray(alpha, dtype=np.float64)
    known = ~np.isnan(losses)
    shares = alpha.copy()
    if not known.any():
        return shares
    mass = alpha[known].sum()
    observed = losses[known]
    infinite = np.isposinf(observed)
    if infinite.any():
        part = infinite.astype(np.float64)
    else:
        top = observed.max()
        if top <= 0:
            return shares
        part = observed / top
    shares[known] = mass * part / part.sum()
    return shares


def check_group_losses(group_losses, n_groups: int) -> np.ndarray:
    """Validate a loss vector handed to ``Mixer.update``."""
    losses = np.asarray(group_losses, dtype=np.float64).reshape(-1)
    if losses.shape != (n_groups,):
        raise ValueError(
            f"Expected one loss per group ({n_groups}), got an array of shape "
            f"{np.shape(group_losses)}."
        )
    if np.any(losses[~np.isnan(losses)] < 0):
        raise ValueError(
            "Group losses must be non-negative (a loss, not a score); got "
            f"{losses.tolist()}. If the model reports a score, pass its negation "
            "shifted to be >= 0."
        )
    return losses


def pooled_loss(losses, sizes) -> float:
    """The size-weighted mean of the finite group losses (NaN if none), computed
    on losses scaled by their largest value, so that huge losses cannot overflow.

    Examples
    --------
    >>> from sklearn_l2m.mixers._base import pooled_loss
    >>> pooled_loss([1.0, 3.0, float("nan")], [3.0, 1.0, 5.0])
    1.5
    """
    losses = np.asarray(losses, dtype=np.float64)
    sizes = np.asarray(sizes, dtype=np.float64)
    known = np.isfinite(losses) & (sizes > 0)
    if not known.any():
        return np.nan
    top = np.max(np.abs(losses[known]))
    if top == 0:
        return 0.0
    share = sizes[known] / sizes[known].sum()
    return float(share @ (losses[known] / top) * top)


def pool_group_losses(losses: np.ndarray, sizes: np.ndarray, pooled_rows: float) -> np.ndarray:
    """Shrink each group's mean loss toward the pooled loss by the group's size.

    ``L_g <- (n_g * L_g + k * L_pooled) / (n_g + k)`` with ``k = pooled_rows``
    and ``L_pooled = sum(n_g L_g) / sum(n_g)`` over the measured groups: the
    posterior mean of a group's loss under a prior worth ``k`` rows at the
    pooled loss. A group measured on a handful of rows keeps little of its
    own (noisy) loss; a group of thousands keeps almost all of it. NaN (not
    measured) and infinite losses are left as they are.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_l2m.mixers._base import pool_group_losses
    >>> pool_group_losses(np.array([1.0, 3.0]), np.array([990.0, 10.0]), 10.0).round(3)
    array([1.  , 2.01])
    """
    losses = np.asarray(losses, dtype=np.float64)
    sizes = np.asarray(sizes, dtype=np.float64)
    known = np.isfinite(losses)
    pooled = pooled_loss(losses, sizes)
    if pooled_rows <= 0 or not np.isfinite(pooled):
        return losses
    own = sizes[known] / (sizes[known] + pooled_rows)  # each group's weight on its own loss
    out = losses.copy()
    out[known] = own * losses[known] + (1.0 - own) * pooled
    return out


class BaseMixer(BaseEstimator):
    """Base class of all mixing strategies.

    Subclasses implement ``_initial(shares)`` and ``_step(losses)`` and may use
    ``self.mixture_`` (the current point) and ``self.group_sizes_``. The base
    class validates inputs, pools the losses of small groups
    (:attr:`pooled_rows`) and keeps every returned mixture within the bounds
    :attr:`min_weight` and :attr:`max_weight` set relative to the natural
    shares. Adaptive mixers take the three as constructor parameters (so they
    tune as ``mixer__max_weight``); the base class declares their neutral
    values.

    Attributes
    ----------
    mixture_ : ndarray of shape (n_groups,)
        The current mixture, after ``start`` and every ``update``.
    group_sizes_ : ndarray of shape (n_groups,)
        Natural (weighted) group sizes given to ``start``.
    loss_sizes_ : ndarray of shape (n_groups,)
        Rows behind each group's loss (validation rows, or training weight).
    floor_, ceiling_ : ndarray of shape (n_groups,)
        Lower and upper bounds of each group's mixture weight.

    Examples
    --------
    A new strategy is one small class: here, all weight moves to the worst group.

    >>> import numpy as np
    >>> from sklearn_l2m.mixers import BaseMixer
    >>> class WorstGroup(BaseMixer):
    ...     min_weight = 0.3  # every group keeps 30% of its natural weight
    ...     def _step(self, losses):
    ...         return np.eye(losses.size)[np.nanargmax(losses)]
    >>> mixer = WorstGroup()
    >>> mixer.start([1, 1, 1])
    array([0.33333333, 0.33333333, 0.33333333])
    >>> mixer.update([0.2, 0.9, 0.4])
    array([0.1, 0.8, 0.1])
    """

    #: whether the mixture changes during training (False: fixed once at start)
    adaptive = True
    #: whether the mixture is searched before training by :meth:`search` (MixMin)
    offline = False
    #: whether :meth:`update` reads the losses (False: a schedule known in
    #: advance, so backends skip measuring them)
    reads_losses = True
    #: floor on every group's multiplier ``alpha_g / pi_g`` (0: none)
    min_weight: float = 0.0
    #: ceiling on every group's multiplier ``alpha_g / pi_g`` (None: none)
    max_weight: float | None = None
    #: rows of pooled loss mixed into each group's mean loss (0: none); see
    #: :func:`pool_group_losses`
    pooled_rows: float = 0.0

    #: offline mixers (:attr:`offline` True) also declare ``proxy`` (None: the inner
    #: model) and ``proxy_budget`` (its share of the budget), and implement
    #: ``target_rows(data) -> (rows, weights)`` and ``find_mixture(predictions,
    #: y_target, weight_target, *, is_classifier, proxy_seconds)``: the training run
    #: trains one proxy per group and hands their target predictions over
    proxy = None
    proxy_budget: float = 1.0

    def target_rows(self, data):
        """Offline mixers: the validation rows that are the target, and their weights."""
        raise NotImplementedError(f"{type(self).__name__} is not an offline mixer.")

    def find_mixture(
        self, predictions, y_target, weight_target, *, is_classifier, proxy_seconds=0.0
    ) -> np.ndarray:
        """Offline mixers: the mixture, from each group's proxy predictions of the target."""
        raise NotImplementedError(f"{type(self).__name__} is not an offline mixer.")

    @property
    def target_without_groups(self) -> bool:
        """Whether an explicit validation set is target data that needs no groups."""
        return False

    #: whether this mixer needs the groups passed to fit (a target among the sources):
    #: without them the groups are the classes or a regressor's target bins
    needs_groups = False

    #: whether this mixer needs held-out rows whatever the estimator's loss source
    #: says (an offline search, a target's loss): ``loss_source="auto"`` then holds
    #: them out even when the smallest group is small
    needs_validation = False

    def reads_groups(self, group_labels) -> np.ndarray | None:
        """The groups whose losses :meth:`update` reads (a boolean mask; None: all).

        Groups it does not read are neither held out nor measured, and the
        early-stopping objective is the validation loss of the groups it reads.
        """
        return None

    def validation_shares(self, group_labels, group_counts, fraction) -> np.ndarray | None:
        """The share of each group's rows to hold out, given the estimator's
        ``validation_fraction``; None: hold out nothing (the mixer has warned why)."""
        return np.full(len(group_labels), fraction, dtype=np.float64)

    def training_shares(self, group_labels) -> np.ndarray | None:
        """The share of each group's training rows that the run deciding the mixtures
        trains on (the final model replays them on every row: ``refit=True``);
        None: every row."""
        return None

    @property
    def moves(self) -> bool:
        """Whether this mixer, as configured, can move the mixture (e.g. a rate > 0).

        A mixer that cannot move needs no losses, so nothing is held out for
        them. Subclasses with a step size return False when it is 0.
        """
        return self.adaptive

    def start(self, group_sizes, *, groups=None, loss_sizes=None) -> np.ndarray:
        """Reset the state for a new fit and return ``alpha_0``.

        Parameters
        ----------
        group_sizes : array-like of shape (n_groups,)
            Number (or total sample weight) of training samples per group.
        groups : array-like of shape (n_groups,), default=None
            Group labels, used by mixers configured per label.
        loss_sizes : array-like of shape (n_groups,), default=None
            Rows behind each group's loss (the validation rows per group),
            for :attr:`pooled_rows`. None: ``group_sizes``.
        """
        sizes = np.asarray(group_sizes, dtype=np.float64).reshape(-1)
        if sizes.size == 0 or np.any(sizes <= 0) or not np.all(np.isfinite(sizes)):
            raise ValueError(f"group_sizes must be positive and finite, got {sizes.tolist()}.")
        natural = sizes / sizes.sum()
        self.group_sizes_ = sizes
        self.loss_sizes_ = (
            sizes if loss_sizes is None else np.asarray(loss_sizes, dtype=np.float64).reshape(-1)
        )
        self.floor_ = self.min_weight * natural
        self.ceiling_ = None if self.max_weight is None else self.max_weight * natural
        self.groups_ = None if groups is None else np.asarray(groups)
        self.mixture_ = self._bounded(self._initial(natural))
        return self.mixture_.copy()

    def _bounded(self, alpha) -> np.ndarray:
        return apply_bounds(alpha, self.floor_, self.ceiling_)

    def update(self, group_losses) -> np.ndarray:
        """Move the mixture given one (mean) loss per group; return the new one."""
        if not hasattr(self, "mixture_"):
            raise RuntimeError(f"Call {type(self).__name__}.start() before update().")
        # NaN (no loss measured for a group this round) is allowed: see loss_shares
        losses = check_group_losses(group_losses, self.mixture_.size)
        if self.moves:
            pooled = pool_group_losses(losses, self.loss_sizes_, self.pooled_rows)
            new = np.asarray(self._step(pooled), dtype=np.float64)
            if not np.all(np.isfinite(new)) or new.sum() <= 0:
                # A strategy's arithmetic broke down; never hand out a NaN mixture.
                warnings.warn(
                    f"{type(self).__name__} produced a non-finite mixture from losses "
                    f"{losses.tolist()}; the previous mixture is kept.",
                    RuntimeWarning,
                    stacklevel=2,
                )
                new = self.mixture_
            self.mixture_ = self._bounded(np.clip(new, 0.0, None))
        return self.mixture_.copy()

    def _initial(self, shares: np.ndarray) -> np.ndarray:
        return shares

    def _step(self, losses: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


#: constraints of the bounds and the pooling that adaptive mixers take as parameters
BOUND_CONSTRAINTS: dict = {
    "min_weight": [Interval(Real, 0, 1, closed="left")],
    "max_weight": [Interval(Real, 1, None, closed="left"), None],
    "pooled_rows": [Interval(Real, 0, None, closed="left")],
}

#: the bounds' and the pooling's docs, shared by every adaptive mixer's docstring
BOUND_DOCS = """min_weight : float in [0, 1), default=0.1
        Floor on every group's multiplier ``alpha_g / pi_g``: no group ever
        counts less than ``min_weight`` of its natural weight, so none is
        starved.
    max_weight : float >= 1 or None, default=5.0
        Ceiling on every group's multiplier ``alpha_g / pi_g``: no group
        counts more than ``max_weight`` times its natural weight, so a tiny
        or mislabelled group cannot take over the training data. None: no
        ceiling.
    pooled_rows : float >= 0, default=10.0
        Small-group correction: each group's mean loss is shrunk toward the
        pooled loss as if ``pooled_rows`` rows at the pooled loss were added
        to the rows that measured it (``pool_group_losses``). A group
        measured on 5 rows keeps a third of its own loss, one measured on
        1,000 rows 99%. 0: the raw per-group means."""
