"""Replay a recorded mixture schedule: the ``refit`` of an adaptive fit."""

from __future__ import annotations

import numpy as np

from ._base import BaseMixer


class ScheduleReplay(BaseMixer):
    """Hand out recorded mixtures, one per round, without reading losses.

    ``refit=True`` trains the final model on every row of ``X`` under the
    mixtures an adaptive fit used, round by round: round ``r`` trains under
    ``schedule[r]``. Past the end of the schedule its last mixture stays.

    Parameters
    ----------
    schedule : array-like of shape (n_rounds, n_groups)
        The mixture of every round, as ``mixture_history_`` records it.

    Examples
    --------
    >>> from sklearn_l2m.mixers._replay import ScheduleReplay
    >>> replay = ScheduleReplay([[0.8, 0.2], [0.6, 0.4]])
    >>> replay.start([80, 20])
    array([0.8, 0.2])
    >>> replay.update([float("nan"), float("nan")])
    array([0.6, 0.4])
    """

    #: the mixture is known in advance: backends need not measure losses
    reads_losses = False

    def __init__(self, schedule):
        self.schedule = schedule

    @property
    def moves(self) -> bool:
        return len(self.schedule) > 1

    def start(self, group_sizes, *, groups=None, loss_sizes=None) -> np.ndarray:
        schedule = np.asarray(self.schedule, dtype=np.float64)
        sizes = np.asarray(group_sizes, dtype=np.float64).reshape(-1)
        if schedule.ndim != 2 or schedule.shape[1] != sizes.size or schedule.shape[0] == 0:
            raise ValueError(
                f"schedule must have shape (n_rounds, {sizes.size}); got {schedule.shape}."
            )
        self.schedule_ = schedule / schedule.sum(axis=1, keepdims=True)
        self.group_sizes_ = sizes
        self.round_ = 0
        self.mixture_ = self.schedule_[0].copy()
        return self.mixture_.copy()

    def update(self, group_losses=None) -> np.ndarray:
        if not hasattr(self, "mixture_"):
            raise RuntimeError("Call ScheduleReplay.start() before update().")
        self.round_ = min(self.round_ + 1, self.schedule_.shape[0] - 1)
        self.mixture_ = self.schedule_[self.round_].copy()
        return self.mixture_.copy()
