"""The Mixer base: a point on the simplex, moved by per-group losses.

A mixer knows nothing about models. ``start`` receives the groups' natural
shares and returns ``alpha_0``; ``update`` receives one loss per group and
returns the next ``alpha``. The base class owns what every strategy shares:
input checks, the treatment of missing / infinite / huge losses, and the
floor that keeps every group alive.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator


def apply_floor(alpha: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Smallest change of ``alpha`` (on the simplex) that keeps ``alpha >= floor``.

    Groups below their floor are set to it; the remaining mass is shared by the
    other groups in proportion to their current weights. Repeats until no group
    is below its floor (at most ``n_groups`` passes). ``floor.sum()`` must be
    at most 1.

    Examples
    --------
    >>> from sklearn_l2m.mixers import apply_floor
    >>> apply_floor([0.98, 0.01, 0.01], [0.0, 0.1, 0.2]).round(3)
    array([0.7, 0.1, 0.2])
    """
    alpha = np.asarray(alpha, dtype=np.float64).copy()
    floor = np.broadcast_to(np.asarray(floor, dtype=np.float64), alpha.shape)
    alpha /= alpha.sum()
    if not np.any(floor > 0):
        return alpha
    pinned = np.zeros(alpha.shape, dtype=bool)
    for _ in range(alpha.size):
        low = (alpha < floor) & ~pinned
        if not low.any():
            break
        pinned |= low
        alpha[pinned] = floor[pinned]
        free_mass = 1.0 - floor[pinned].sum()
        rest = alpha[~pinned]
        if rest.size == 0:
            break
        total = rest.sum()
        alpha[~pinned] = rest / total * free_mass if total > 0 else free_mass / rest.size
    return alpha


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


class BaseMixer(BaseEstimator):
    """Base class of all mixing strategies.

    Subclasses implement ``_initial(shares)`` and ``_step(losses)`` and may use
    ``self.mixture_`` (the current point) and ``self.group_sizes_``. The base
    class validates inputs and applies the floor to every returned mixture.

    Attributes
    ----------
    mixture_ : ndarray of shape (n_groups,)
        The current mixture, after ``start`` and every ``update``.
    group_sizes_ : ndarray of shape (n_groups,)
        Natural (weighted) group sizes given to ``start``.
    floor_ : ndarray of shape (n_groups,)
        Lower bound of each group's mixture weight.

    Examples
    --------
    A new strategy is one small class: here, all weight moves to the worst group.

    >>> import numpy as np
    >>> from sklearn_l2m.mixers import BaseMixer
    >>> class WorstGroup(BaseMixer):
    ...     def _step(self, losses):
    ...         return np.eye(losses.size)[np.nanargmax(losses)]
    >>> mixer = WorstGroup()
    >>> mixer.start([1, 1, 1], floor=0.1)
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

    def search(self, backend, data, controller) -> np.ndarray:
        """Offline mixers: find the mixture before training and install it.

        Called once, before the inner model's training run, when
        :attr:`offline` is True; must set ``controller.mixture`` and return it.
        """
        raise NotImplementedError(f"{type(self).__name__} is not an offline mixer.")

    @property
    def target_without_groups(self) -> bool:
        """Whether an explicit validation set is target data that needs no groups."""
        return False

    @property
    def moves(self) -> bool:
        """Whether this mixer, as configured, can move the mixture (e.g. a rate > 0).

        A mixer that cannot move needs no losses, so nothing is held out for
        them. Subclasses with a step size return False when it is 0.
        """
        return self.adaptive

    def start(self, group_sizes, *, floor=0.0, groups=None) -> np.ndarray:
        """Reset the state for a new fit and return ``alpha_0``.

        Parameters
        ----------
        group_sizes : array-like of shape (n_groups,)
            Number (or total sample weight) of training samples per group.
        floor : float or array-like of shape (n_groups,), default=0.0
            Lower bound of each group's weight; must sum to less than 1.
        groups : array-like of shape (n_groups,), default=None
            Group labels, used by mixers configured per label.
        """
        sizes = np.asarray(group_sizes, dtype=np.float64).reshape(-1)
        if sizes.size == 0 or np.any(sizes <= 0) or not np.all(np.isfinite(sizes)):
            raise ValueError(f"group_sizes must be positive and finite, got {sizes.tolist()}.")
        floor = np.broadcast_to(np.asarray(floor, dtype=np.float64), sizes.shape).copy()
        if np.any(floor < 0) or floor.sum() >= 1:
            raise ValueError(
                f"The mixture floor must be >= 0 and sum to less than 1; got a sum "
                f"of {floor.sum():.4g}. Lower min_weight."
            )
        self.group_sizes_ = sizes
        self.floor_ = floor
        self.groups_ = None if groups is None else np.asarray(groups)
        self.mixture_ = apply_floor(self._initial(sizes / sizes.sum()), floor)
        return self.mixture_.copy()

    def update(self, group_losses) -> np.ndarray:
        """Move the mixture given one (mean) loss per group; return the new one."""
        if not hasattr(self, "mixture_"):
            raise RuntimeError(f"Call {type(self).__name__}.start() before update().")
        # NaN (no loss measured for a group this round) is allowed: see loss_shares
        losses = check_group_losses(group_losses, self.mixture_.size)
        if self.moves:
            new = np.asarray(self._step(losses), dtype=np.float64)
            if not np.all(np.isfinite(new)) or new.sum() <= 0:
                # A strategy's arithmetic broke down; never hand out a NaN mixture.
                warnings.warn(
                    f"{type(self).__name__} produced a non-finite mixture from losses "
                    f"{losses.tolist()}; the previous mixture is kept.",
                    RuntimeWarning,
                    stacklevel=2,
                )
                new = self.mixture_
            self.mixture_ = apply_floor(np.clip(new, 0.0, None), self.floor_)
        return self.mixture_.copy()

    def _initial(self, shares: np.ndarray) -> np.ndarray:
        return shares

    def _step(self, losses: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError
