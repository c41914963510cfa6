"""refit=True: the recorded mixture schedule replayed on every row of X."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m._prepare.training_data import TrainingData
from sklearn_l2m._training.controller import MixingController
from sklearn_l2m._training.round_end import RoundLosses
from sklearn_l2m.mixers._replay import ScheduleReplay


class _SpySGD(SGDClassifier):
    """Records the rows and the per-class weight of every partial_fit pass."""

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        weight = np.ones(len(y)) if sample_weight is None else sample_weight
        self.passes_ = [*getattr(self, "passes_", []), (len(y), np.bincount(y, weight))]
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)


def _data(n=1500):
    return make_classification(
        n_samples=n,
        n_features=8,
        n_informative=5,
        n_classes=3,
        weights=[0.7, 0.2, 0.1],
        random_state=0,
    )


def test_refit_trains_every_row_under_the_recorded_mixtures():
    X, y = _data()
    clf = Learn2MixClassifier(
        _SpySGD(loss="log_loss", random_state=0),
        loss_source="validation",
        n_rounds=8,
        refit=True,
        random_state=0,
    ).fit(X, y)
    assert clf.refit_rounds_ == clf.n_rounds_ == 8
    passes = clf.estimator_.passes_
    assert len(passes) == 8
    for round_index, (n_rows, class_weight) in enumerate(passes):
        assert n_rows == len(y)  # the held-out rows train too
        np.testing.assert_allclose(
            class_weight / class_weight.sum(), clf.mixture_history_[round_index], atol=1e-9
        )
    # the mixture really moved, so the replay is not the natural mixture every round
    assert np.abs(clf.mixture_history_[-1] - clf.natural_mixture_).max() > 0.01


def test_without_refit_the_model_trains_on_the_training_part_only():
    X, y = _data()
    clf = Learn2MixClassifier(
        _SpySGD(loss="log_loss", random_state=0),
        loss_source="validation",
        n_rounds=4,
        random_state=0,
    ).fit(X, y)
    assert clf.refit_rounds_ == 0
    assert all(n_rows < len(y) for n_rows, _ in clf.estimator_.passes_)


def test_refit_keeps_the_adaptive_histories():
    X, y = _data()
    common = dict(n_rounds=5, loss_source="validation", random_state=0)
    plain = Learn2MixClassifier(HistGradientBoostingClassifier(max_iter=20), **common).fit(X, y)
    refit = Learn2MixClassifier(
        HistGradientBoostingClassifier(max_iter=20), refit=True, **common
    ).fit(X, y)
    np.testing.assert_array_equal(refit.mixture_history_, plain.mixture_history_)
    np.testing.assert_array_equal(refit.group_loss_history_, plain.group_loss_history_)
    assert refit.estimator_.n_iter_ == plain.estimator_.n_iter_ == 20
    assert not np.array_equal(refit.predict_proba(X), plain.predict_proba(X))


@pytest.mark.parametrize(
    "setting",
    [dict(loss_source="train", validation_fraction=None), dict(loss_source="train")],
)
def test_refit_is_a_no_op_when_every_row_already_trained(setting):
    X, y = _data(600)
    inner = HistGradientBoostingClassifier(max_iter=15)
    plain = Learn2MixClassifier(inner, random_state=0, **setting).fit(X, y)
    refit = Learn2MixClassifier(inner, refit=True, random_state=0, **setting).fit(X, y)
    assert refit.refit_rounds_ == 0
    np.testing.assert_array_equal(refit.predict_proba(X), plain.predict_proba(X))


def test_refit_never_trains_on_an_explicit_validation_set():
    X, y = _data()
    clf = Learn2MixClassifier(
        _SpySGD(loss="log_loss", random_state=0), n_rounds=3, refit=True, random_state=0
    ).fit(X[:1000], y[:1000], X_val=X[1000:], y_val=y[1000:])
    assert clf.refit_rounds_ == 0
    assert {n_rows for n_rows, _ in clf.estimator_.passes_} == {1000}


def test_refit_with_early_stopping_replays_up_to_the_best_round():
    X, y = _data()
    clf = Learn2MixClassifier(
        HistGradientBoostingClassifier(max_iter=300, learning_rate=0.5),
        steps_per_round=5,
        early_stopping=True,
        refit=True,
        random_state=0,
    ).fit(X, y)
    assert clf.stop_reason_ == "early_stopping"
    assert clf.refit_rounds_ == clf.best_round_ < clf.n_rounds_
    assert clf.estimator_.n_iter_ == 5 * clf.best_round_


def test_refit_with_xgboost_grows_the_same_number_of_trees():
    xgb = pytest.importorskip("xgboost")
    X, y = _data()
    clf = Learn2MixClassifier(
        xgb.XGBClassifier(n_estimators=30, max_depth=2),
        loss_source="validation",
        refit=True,
        random_state=0,
    ).fit(X, y)
    assert clf.refit_rounds_ == clf.n_rounds_
    assert clf.estimator_.get_booster().num_boosted_rounds() == 30
    assert clf.score(X, y) > 0.8


def test_refit_regressor():
    from sklearn.datasets import make_regression
    from sklearn.ensemble import HistGradientBoostingRegressor

    X, y = make_regression(2000, 6, noise=5.0, random_state=0)
    reg = Learn2MixRegressor(
        HistGradientBoostingRegressor(max_iter=30), refit=True, random_state=0
    ).fit(X, y)
    assert reg.loss_source_ == "validation" and reg.refit_rounds_ == reg.n_rounds_
    assert reg.score(X, y) > 0.9


def test_a_replay_reads_no_losses():
    rng = np.random.RandomState(0)
    data = TrainingData(
        rng.randn(6, 2),
        np.array([0, 0, 0, 0, 1, 1]),
        np.ones(6),
        np.array([0, 0, 0, 0, 1, 1]),
        n_groups=2,
        n_classes=2,
    )
    schedule = [[0.5, 0.5], [0.4, 0.6], [0.3, 0.7]]
    controller = MixingController(ScheduleReplay(schedule), data, loss_source="train")
    measure = controller.measure
    assert not (measure.train or measure.validation or measure.train_rows)
    np.testing.assert_allclose(controller.begin().mixture, [0.5, 0.5])
    for round_index, expected in enumerate(schedule[1:] + schedule[-1:], start=1):
        step = controller.end_round(RoundLosses(round_index))  # no losses handed over
        assert step.stop is False
        np.testing.assert_allclose(step.mixture, expected)
    weights = step.sample_weight(data)
    np.testing.assert_allclose(np.bincount(data.codes_train, weights) / weights.sum(), [0.3, 0.7])


def test_replay_rejects_a_schedule_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"shape \(n_rounds, 3\)"):
        ScheduleReplay([[0.5, 0.5]]).start([1, 1, 1])


def test_refit_turns_off_the_inner_models_own_early_stopping():
    xgb = pytest.importorskip("xgboost")
    X, y = _data()
    inner = xgb.XGBClassifier(n_estimators=300, learning_rate=0.5, early_stopping_rounds=5)
    clf = Learn2MixClassifier(inner, refit=True, random_state=0).fit(X, y)
    assert clf.stop_reason_ == "early_stopping"  # the adaptive run stopped early ...
    assert clf.refit_rounds_ == clf.best_round_  # ... and the refit replays to its best round
    n_trees = clf.estimator_.get_booster().num_boosted_rounds()
    assert n_trees == clf.best_round_ * clf.steps_per_round_ < 300
    assert clf.estimator_.get_params()["early_stopping_rounds"] is None
