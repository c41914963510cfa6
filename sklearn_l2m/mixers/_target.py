"""TargetMix: the mixture for one target group, from the pool toward the target."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from .._compat.sklearn_params import Interval, validate_params
from .._warnings import warn_user
from ._base import BaseMixer

#: fewer held-out target rows than this cannot tell one round from the next
MIN_TARGET_VALIDATION_ROWS = 20


def target_index(target, group_labels) -> int:
    """The position of ``target`` among the groups, or a clear error."""
    labels = np.asarray(group_labels).tolist()
    if target is None:
        raise ValueError(
            "TargetMix needs target=<group label>: the group (assay, site, year) to "
            f"train the model for; groups are {labels}."
        )
    if target not in labels:
        raise ValueError(
            f"TargetMix target {target!r} has no rows: it is not among the groups "
            f"{labels}. Pass groups=... to fit with one label per row, and a target "
            "that is one of them."
        )
    if len(labels) < 2:
        raise ValueError(
            f"TargetMix target {target!r} is the only group: there are no other "
            "sources to mix in. Fit the inner model on its own, or pass groups that "
            "name the sources too."
        )
    return labels.index(target)


class TargetMix(BaseMixer):
    """Train for one target group: from the pooled sources toward the target.

    The experiment of MixMin [1]_: one target (an assay, a site, a year) with
    few labelled rows, many related sources with plenty. The run starts on the
    pool, the target's rows counting ``start_weight`` times a source row's,
    and watches the target's
    validation loss alone (only the target's rows are held out; every source
    row trains). Whenever that loss has not improved for ``patience`` rounds,
    the sources have stopped helping, and the target's rows count ``step``
    times more than before (relative to the sources' rows, which keep their
    mutual proportions): a schedule from the pool toward the target, in
    geometric steps, each taken when the target's loss says so. With
    ``step=inf`` the first plateau switches to the target alone: continued
    boosting (or fine-tuning) on the target from the model the pool trained.
    ``start_weight=1, step=1`` is natural pooling.

    With fewer than 20 held-out target rows (``held_out`` of the target's
    rows) the target's loss cannot tell one round from the next: nothing is
    held out, the model trains on the natural pool, and a warning says so.

    Pair it with early stopping (the monitored loss is the target's) and
    ``refit=True``, which replays the schedule on every row, the held-out
    target rows included: ``Learn2MixRegressor(model, mixer=TargetMix("A"),
    early_stopping=True, refit=True)``.

    Parameters
    ----------
    target : group label
        The group to train for; one of the labels passed as ``groups``.
    start_weight : float >= 1, default=1.0
        The target rows' weight against a source row's in the first round.
    step : float >= 1, default=3.0
        Factor on the target rows' weight (against the sources') at each
        plateau; ``inf``: to the target alone at once; 1: the natural pool.
    patience : int >= 1, default=1
        Rounds without improvement of the target's loss before a move.
    tol : float >= 0, default=0.0
        Relative improvement of the target's loss that counts as progress.
    held_out : float in (0, 1), default=0.25
        Share of the target's rows held out to measure it (the estimator's
        ``validation_fraction`` is not used: the sources are not measured).

    Attributes
    ----------
    target_weight_ : float
        The target rows' weight relative to a source row's (1: the pool).
    switch_rounds_ : list of int
        The rounds after which the mixture moved.
    fallback_ : bool
        Whether the fit trained on the natural pool for want of target rows.

    References
    ----------
    .. [1] A. Thudi, E. Rovers, Y. Ruan, T. Thrush, C. J. Maddison. "MixMin:
       Finding Data Mixtures via Convex Minimization", ICML 2025.

    Examples
    --------
    >>> from sklearn_l2m.mixers import TargetMix
    >>> mixer = TargetMix("t")
    >>> mixer.start([60, 30, 10], groups=["a", "b", "t"])
    array([0.6, 0.3, 0.1])
    >>> mixer.update([float("nan"), float("nan"), 1.0])  # the first loss: progress
    array([0.6, 0.3, 0.1])
    >>> mixer.update([float("nan"), float("nan"), 1.2]).round(3)  # worse: x3
    array([0.5 , 0.25, 0.25])
    """

    _parameter_constraints: dict = {
        "target": "no_validation",
        "start_weight": [Interval(Real, 1, None, closed="left")],
        "step": [Interval(Real, 1, np.inf, closed="both")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "held_out": [Interval(Real, 0, 1, closed="neither")],
    }

    @property
    def needs_validation(self) -> bool:
        """The target's rows are held out whatever the estimator's loss source (when
        the mixture can move: a fixed ``start_weight`` needs no measurement)."""
        return self.step > 1

    def __init__(
        self, target=None, *, start_weight=1.0, step=3.0, patience=1, tol=0.0, held_out=0.25
    ):
        self.target = target
        self.start_weight = start_weight
        self.step = step
        self.patience = patience
        self.tol = tol
        self.held_out = held_out

    @property
    def moves(self) -> bool:
        return self.step > 1 and not getattr(self, "fallback_", False)

    @property
    def reads_losses(self) -> bool:
        return self.moves

    def reads_groups(self, group_labels) -> np.ndarray:
        mask = np.zeros(len(group_labels), dtype=bool)
        mask[target_index(self.target, group_labels)] = True
        return mask

    def validation_shares(self, group_labels, group_counts, fraction) -> np.ndarray | None:
        """Hold out ``held_out`` of the target's rows and none of the sources'; None
        (and a warning) when that leaves too few target rows to measure it."""
        validate_params(self)
        index = target_index(self.target, group_labels)
        shares = np.zeros(len(group_labels))
        shares[index] = self.held_out
        n_val = int(np.floor(self.held_out * group_counts[index] + 0.5))
        self.fallback_ = self.needs_validation and n_val < MIN_TARGET_VALIDATION_ROWS
        if self.fallback_:
            warn_user(
                f"TargetMix: the target {self.target!r} has {int(group_counts[index])} "
                f"rows, so held_out={self.held_out} holds out {n_val} (fewer than "
                f"{MIN_TARGET_VALIDATION_ROWS}): too few to tell one round from the next. "
                "Nothing is held out and the model trains on the natural pool of every "
                "row. Label more target rows, raise held_out, or compare the pool against "
                "target-only with sklearn_l2m.model_selection.compare(..., target=...).",
                UserWarning,
            )
            return None
        return shares

    def start(self, group_sizes, *, groups=None, loss_sizes=None):
        validate_params(self)
        if groups is not None:
            self.target_index_ = target_index(self.target, groups)
        else:  # a mixer used on its own: the target is a position
            self.target_index_ = int(self.target)
        # with too few target rows to measure, nothing is tuned: the natural pool
        self.target_weight_ = 1.0 if getattr(self, "fallback_", False) else float(self.start_weight)
        self.switch_rounds_ = []
        self.best_loss_ = np.inf
        self._waiting = 0
        self._round = 0
        super().start(group_sizes, groups=groups, loss_sizes=loss_sizes)
        self.mixture_ = self._mixture()
        return self.mixture_.copy()

    def _step(self, losses):
        self._round += 1
        loss = losses[self.target_index_]
        if np.isfinite(loss) and loss < self.best_loss_ * (1.0 - self.tol):
            self.best_loss_ = loss
            self._waiting = 0
        else:
            self._waiting += 1
        if self._waiting >= self.patience and np.isfinite(self.target_weight_):
            self.target_weight_ *= self.step
            self.switch_rounds_.append(self._round)
            self._waiting = 0
        return self._mixture()

    def _mixture(self) -> np.ndarray:
        t = self.target_index_
        if not np.isfinite(self.target_weight_):
            return np.eye(self.group_sizes_.size)[t]
        alpha = self.group_sizes_ / self.group_sizes_.sum()
        alpha[t] *= self.target_weight_
        return alpha / alpha.sum()
