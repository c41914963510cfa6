"""Rounds and the inner horizon."""

import math
import warnings

import pytest
from sklearn.datasets import load_iris
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m._training.schedule import DEFAULT_ROUNDS_WITHOUT_BUDGET, auto_horizon, plan_rounds
from sklearn_l2m.mixers import Learn2Mix


@pytest.mark.parametrize("n", [2, 10, 100, 1000, 10000])
def test_auto_horizon_grows_like_log_n_for_boosting(n):
    assert auto_horizon(n, stochastic=False) == max(1, round(math.log(n)))


def test_auto_horizon_stochastic_in_steps():
    # 20 epochs x 50 batches: sqrt(1000 ln 1000) ~ 83 updates ~ 2 epochs
    assert auto_horizon(1000, stochastic=True, updates_per_step=50) == 2
    # more batches per epoch: a round is at least one epoch
    assert auto_horizon(100, stochastic=True, updates_per_step=1000) == 1
    # the horizon grows sublinearly: longer runs update the mixture more often in relative terms
    assert (
        auto_horizon(10**6, stochastic=True) / 10**6 < auto_horizon(10**3, stochastic=True) / 10**3
    )


def test_plan_rounds_cases():
    plan = plan_rounds(n_rounds="auto", steps_per_round="auto", budget=100, stochastic=False)
    assert (plan.steps_per_round, plan.n_rounds, plan.total_steps) == (5, 20, 100)
    plan = plan_rounds(n_rounds=3, steps_per_round="auto", budget=100, stochastic=False)
    assert plan.n_rounds == 3 and [plan.steps(r) for r in range(3)] == [34, 34, 32]
    plan = plan_rounds(n_rounds="auto", steps_per_round=30, budget=100, stochastic=False)
    assert [plan.steps(r) for r in range(plan.n_rounds)] == [30, 30, 30, 10]
    plan = plan_rounds(n_rounds=4, steps_per_round=7, budget=100, stochastic=False)
    assert plan.total_steps == 28  # both given: they set the budget
    plan = plan_rounds(n_rounds="auto", steps_per_round="auto", budget=None, stochastic=False)
    assert plan.n_rounds == DEFAULT_ROUNDS_WITHOUT_BUDGET and plan.steps_per_round == 1
    plan = plan_rounds(n_rounds="auto", steps_per_round=500, budget=10, stochastic=False)
    assert plan.steps_per_round == 10 and plan.n_rounds == 1
    assert plan.steps_done(5) == 10


def test_backends_that_restart_per_round_cap_the_auto_horizon():
    from sklearn_l2m._training.schedule import plan_rounds

    capped = plan_rounds(
        n_rounds="auto", steps_per_round="auto", budget=300, stochastic=False, max_auto_rounds=10
    )
    assert (capped.steps_per_round, capped.n_rounds) == (30, 10)
    free = plan_rounds(n_rounds="auto", steps_per_round="auto", budget=300, stochastic=False)
    assert free.n_rounds == 50
    # an explicit round size is the user's choice
    explicit = plan_rounds(
        n_rounds="auto", steps_per_round=6, budget=300, stochastic=False, max_auto_rounds=10
    )
    assert explicit.n_rounds == 50


@pytest.mark.parametrize(
    "inner, unit",
    [
        (HistGradientBoostingClassifier(max_iter=6, early_stopping=False), "iteration"),
        (RandomForestClassifier(n_estimators=6), "ensemble member"),
    ],
)
def test_a_plan_of_one_round_warns_in_the_models_unit(inner, unit):
    X, y = load_iris(return_X_y=True)
    with pytest.warns(UserWarning, match=f"single round of 6 {unit}"):
        Learn2MixClassifier(inner, steps_per_round=6, random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match="single round"):
        Learn2MixClassifier(inner, n_rounds=1, random_state=0).fit(X, y)
    # nothing to warn about when the mixture is not meant to move
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Learn2MixClassifier(
            inner, steps_per_round=6, mixer=Learn2Mix(mixing_rate=0), random_state=0
        ).fit(X, y)
        Learn2MixClassifier(inner, n_rounds=1, mixer="balanced", random_state=0).fit(X, y)
        Learn2MixClassifier(inner, n_rounds=2, random_state=0).fit(X, y)
