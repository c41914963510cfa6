"""Online Group DRO: exponentiated weights on the groups' losses."""

from __future__ import annotations

from numbers import Real

import numpy as np

from .._compat.sklearn_params import Interval, StrOptions, validate_params
from ._base import BOUND_CONSTRAINTS, BOUND_DOCS, BaseMixer, pooled_loss
from ._exponentiated import START_DOC, START_OPTIONS, exponentiated_step, initial_mixture


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
    {START_DOC}
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
