"""The Learn2Mix update (Venkatasubramanian & Tarokh, arXiv 2412.16482)."""

from __future__ import annotations

from numbers import Real

import numpy as np

from .._compat.sklearn_params import Interval, validate_params
from ._base import BOUND_CONSTRAINTS, BOUND_DOCS, BaseMixer, loss_shares


class Learn2Mix(BaseMixer):
    __doc__ = f"""Move the mixture towards the groups' shares of the total loss.

    Each round, ``alpha <- alpha + mixing_rate * (target - alpha)`` with
    ``target = (1 - shrinkage) * L / sum(L) + shrinkage * pi``, where ``L``
    holds the mean loss of every group and ``pi`` the natural shares. The new
    mixture is a convex combination of points of the simplex, so it stays on
    the simplex. With ``shrinkage=0`` (the paper's rule) its fixed point is
    ``alpha* = L / sum(L)``: harder groups get more weight. ``alpha_0`` is the
    groups' natural share.

    Parameters
    ----------
    mixing_rate : float in [0, 1], default=0.1
        The paper's ``gamma``. 0 keeps the natural mixture (classical
        training: nothing is held out then); 1 jumps to the target every
        round. The paper used 0.1 (0.5 on Fashion-MNIST) for classification
        and 0.01-0.05 for regression.
    shrinkage : float in [0, 1], default=0.7
        Pulls the target towards the natural mixture. 0 is the paper's rule;
        1 is classical training. The fixed point moves by the same amount, so
        rare groups gain weight without taking over. The default was chosen
        on the class benchmarks (docs: Choosing a configuration); tune it
        with GridSearchCV, where ``mixing_rate=0`` is classical training.
    start_balance : float in [0, 1], default=0.0
        Where the mixture starts:
        ``alpha_0 = (1 - start_balance) * pi + start_balance / G``,
        between the natural mixture (0, the paper's) and the balanced one
        (1).
    {BOUND_DOCS}

    References
    ----------
    .. [1] S. Venkatasubramanian, V. Tarokh. "Learn2Mix: Training Neural
       Networks Using Adaptive Data Integration", arXiv:2412.16482.

    Examples
    --------
    >>> from sklearn_l2m.mixers import Learn2Mix
    >>> mixer = Learn2Mix(mixing_rate=0.5, shrinkage=0.0, pooled_rows=0)
    >>> mixer.start([80, 20])
    array([0.8, 0.2])
    >>> mixer.update([1.0, 3.0])  # shares of the loss: 0.25 / 0.75
    array([0.525, 0.475])
    """

    _parameter_constraints: dict = {
        "mixing_rate": [Interval(Real, 0, 1, closed="both")],
        "shrinkage": [Interval(Real, 0, 1, closed="both")],
        "start_balance": [Interval(Real, 0, 1, closed="both")],
        **BOUND_CONSTRAINTS,
    }

    def __init__(
        self,
        mixing_rate: float = 0.1,
        shrinkage: float = 0.7,
        start_balance: float = 0.0,
        *,
        min_weight: float = 0.1,
        max_weight: float | None = 5.0,
        pooled_rows: float = 10.0,
    ):
        self.mixing_rate = mixing_rate
        self.shrinkage = shrinkage
        self.start_balance = start_balance
        self.min_weight = min_weight
        self.max_weight = max_weight
        self.pooled_rows = pooled_rows

    @property
    def moves(self) -> bool:
        return self.mixing_rate > 0

    def start(self, group_sizes, *, groups=None, loss_sizes=None):
        validate_params(self)
        return super().start(group_sizes, groups=groups, loss_sizes=loss_sizes)

    def _initial(self, shares: np.ndarray) -> np.ndarray:
        return (1 - self.start_balance) * shares + self.start_balance / shares.size

    def _step(self, losses: np.ndarray) -> np.ndarray:
        alpha = self.mixture_
        target = loss_shares(losses, alpha)
        if self.shrinkage:
            natural = self.group_sizes_ / self.group_sizes_.sum()
            target = (1 - self.shrinkage) * target + self.shrinkage * natural
        return alpha + self.mixing_rate * (target - alpha)
