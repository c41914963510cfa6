"""Round ends for controller tests: the protocol's objects built from plain sums."""

from __future__ import annotations

import numpy as np

from sklearn_l2m._training.round_end import RoundLosses


def end_round(controller, val=None, train=None) -> bool:
    """Hand ``controller`` the next round's per-group ``(loss_sum, weight_sum)``;
    return whether it stops."""
    sums = [
        None if s is None else tuple(np.asarray(a, dtype=float) for a in s) for s in (val, train)
    ]
    losses = RoundLosses(len(controller.loss_history) + 1, *sums)
    return controller.end_round(losses).stop


def end_round_from_samples(controller, **samples) -> bool:
    """The same from per-sample losses (``val``, ``train``, ``fallback``)."""
    round_index = len(controller.loss_history) + 1
    losses = RoundLosses.from_samples(round_index, controller.data, controller.measure, **samples)
    return controller.end_round(losses).stop
