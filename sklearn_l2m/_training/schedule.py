"""How the training budget is cut into rounds (the inner horizon).

The "auto" horizon follows Das, Patel, Razaviyayn & Mirrokni (2026), "Less is
More": under a budget of N parameter updates, the best number of inner steps
between two mixture updates grows like log N for deterministic (full-batch)
training and like sqrt(N log N) for stochastic training; updating after every
step (T = 1) can fail even on a quadratic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._warnings import warn_user

#: Rounds used when the inner model has no budget of its own (partial_fit, refit).
DEFAULT_ROUNDS_WITHOUT_BUDGET = 20


def auto_horizon(n_updates: int, *, stochastic: bool, updates_per_step: int = 1) -> int:
    """Inner steps per round for a budget of ``n_updates`` parameter updates.

    Parameters
    ----------
    n_updates : int
        Total parameter updates (boosting rounds, or epochs x batches).
    stochastic : bool
        True for minibatch training (horizon ~ sqrt(N log N)), False for
        full-batch / boosting (horizon ~ log N).
    updates_per_step : int, default=1
        Parameter updates in one step (batches per epoch for neural nets).

    Returns
    -------
    int
        Steps per round, at least 1.

    Examples
    --------
    >>> from sklearn_l2m._training.schedule import auto_horizon
    >>> auto_horizon(100, stochastic=False)
    5
    >>> auto_horizon(20 * 50, stochastic=True, updates_per_step=50)
    2
    """
    n = max(int(n_updates), 2)
    updates = math.sqrt(n * math.log(n)) if stochastic else math.log(n)
    return max(1, round(updates / max(updates_per_step, 1)))


@dataclass(frozen=True)
class RoundPlan:
    """``n_rounds`` rounds; round ``r`` runs ``steps(r)`` inner steps."""

    total_steps: int
    steps_per_round: int

    @property
    def n_rounds(self) -> int:
        return math.ceil(self.total_steps / self.steps_per_round)

    def steps(self, round_index: int) -> int:
        done = round_index * self.steps_per_round
        return min(self.steps_per_round, self.total_steps - done)

    def steps_done(self, rounds_completed: int) -> int:
        return min(rounds_completed * self.steps_per_round, self.total_steps)

    def round_ends(self) -> dict:
        """The step counts at which rounds end (a backend's cue to call the
        controller), each mapped to its round's number (from 1)."""
        return {self.steps_done(r + 1): r + 1 for r in range(self.n_rounds)}


def plan_rounds(
    *,
    n_rounds,
    steps_per_round,
    budget: int | None,
    stochastic: bool,
    updates_per_step: int = 1,
    max_auto_rounds: int | None = None,
) -> RoundPlan:
    """Resolve ``n_rounds`` / ``steps_per_round`` against the inner model's budget.

    * Budgeted inner models (boosting rounds, epochs): the budget is the total;
      ``steps_per_round`` (int or auto horizon) cuts it into rounds; an int
      ``n_rounds`` alone sets ``steps_per_round = ceil(budget / n_rounds)``;
      both ints replace the budget by ``n_rounds * steps_per_round``. The auto
      horizon makes at most ``max_auto_rounds`` rounds when that is set.
    * Inner models without a budget: ``n_rounds`` rounds (default
      :data:`DEFAULT_ROUNDS_WITHOUT_BUDGET`) of ``steps_per_round`` steps (1).
    """
    auto_rounds = n_rounds is None or n_rounds == "auto"
    auto_steps = steps_per_round is None or steps_per_round == "auto"
    if budget is None:
        steps = 1 if auto_steps else int(steps_per_round)
        rounds = DEFAULT_ROUNDS_WITHOUT_BUDGET if auto_rounds else int(n_rounds)
        return RoundPlan(total_steps=rounds * steps, steps_per_round=steps)
    if not auto_rounds and not auto_steps:
        return RoundPlan(int(n_rounds) * int(steps_per_round), int(steps_per_round))
    if not auto_rounds:
        return RoundPlan(budget, max(1, math.ceil(budget / int(n_rounds))))
    if auto_steps:
        steps = auto_horizon(
            budget * updates_per_step, stochastic=stochastic, updates_per_step=updates_per_step
        )
        if max_auto_rounds is not None:
            steps = max(steps, math.ceil(budget / max_auto_rounds))
    else:
        steps = int(steps_per_round)
    return RoundPlan(budget, min(steps, budget))


def warn_single_round(plan: RoundPlan, unit: str) -> None:
    """A plan of one round updates the mixture only after training: nothing mixes."""
    warn_user(
        f"The fit is planned as a single round of {plan.total_steps} {unit}(s), so the "
        "mixture is updated only after training has ended: the model trains on the "
        "natural mixture, as without Learn2Mix. steps_per_round counts "
        f"{unit}s; set it below {plan.total_steps} (steps_per_round=1: update after "
        f"every {unit}), or set n_rounds >= 2.",
        UserWarning,
    )
