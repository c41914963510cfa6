"""One training run (_training/run.py): rounds, the refit replay's length."""

from types import SimpleNamespace

import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from sklearn_l2m._training.run import plan_run, rounds_to_replay
from sklearn_l2m.backends._build import build_backend
from sklearn_l2m.mixers import Learn2Mix


def test_the_plan_spends_the_models_own_budget():
    backend = build_backend(
        HistGradientBoostingClassifier(max_iter=60), is_classifier=True, seed=0, init_seed=0
    )
    plan = plan_run(backend, Learn2Mix(), 500, n_rounds=4, steps_per_round="auto")
    assert plan.n_rounds == 4 and plan.total_steps == 60 and backend.budget() == 60
    plan = plan_run(backend, Learn2Mix(), 500, n_rounds="auto", steps_per_round=10)
    assert plan.total_steps == 60 and plan.steps_per_round == 10


def test_a_single_round_of_a_moving_mixture_warns():
    backend = build_backend(
        HistGradientBoostingClassifier(max_iter=5), is_classifier=True, seed=0, init_seed=0
    )
    with pytest.warns(UserWarning, match="single round of 5 iteration"):
        plan_run(backend, Learn2Mix(), 500, n_rounds="auto", steps_per_round=5)


def test_refit_replays_every_round_or_up_to_the_best_one():
    controller = SimpleNamespace(loss_history=[0] * 5, monitored_history=[3.0, 1.0, 2.0, 4.0, 5.0])
    assert rounds_to_replay(controller, early_stopping=False, stop_reason="budget") == 5
    assert rounds_to_replay(controller, early_stopping=True, stop_reason="budget") == 2
    assert rounds_to_replay(controller, early_stopping=False, stop_reason="early_stopping") == 2
    empty = SimpleNamespace(loss_history=[], monitored_history=[])
    assert rounds_to_replay(empty, early_stopping=True, stop_reason="budget") == 1
