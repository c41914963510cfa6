"""The scikit-learn backend (backends/_sklearn.py): how each model keeps training."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neighbors import KNeighborsClassifier

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m.backends._sklearn import SklearnBackend
from sklearn_l2m.exceptions import RefitWarning


@pytest.fixture(scope="module")
def data():
    return make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)


@pytest.mark.parametrize(
    "inner, mode, unit",
    [
        (HistGradientBoostingClassifier(), "grow", "iteration"),
        (RandomForestClassifier(), "grow", "ensemble member"),
        (GradientBoostingClassifier(), "grow", "ensemble member"),
        (SGDClassifier(), "partial_fit", "partial_fit pass"),
        (LogisticRegression(), "refit", "step"),
    ],
    ids=["hgb", "forest", "gb", "sgd", "logistic"],
)
def test_each_model_keeps_training_its_own_way(inner, mode, unit):
    backend = SklearnBackend(inner, is_classifier=True, random_state=0)
    backend.check()
    assert backend.mode == mode and backend.step_unit == unit
    assert (backend.budget() is None) == (mode != "grow")


def test_a_model_without_sample_weight_is_refused_with_alternatives():
    backend = SklearnBackend(KNeighborsClassifier(), is_classifier=True, random_state=0)
    with pytest.raises(ValueError, match="does not accept sample_weight.*HistGradientBoosting"):
        backend.check()


def test_growth_spends_the_users_budget_and_restores_warm_start(data):
    X, y = data
    clf = Learn2MixClassifier(
        RandomForestClassifier(n_estimators=12, random_state=0), steps_per_round=4
    ).fit(X, y)
    assert len(clf.estimator_.estimators_) == 12 and clf.n_rounds_ == 3
    assert clf.estimator_.get_params()["warm_start"] is False


def test_refitting_every_round_warns_with_its_cost(data):
    X, y = data
    with pytest.warns(RefitWarning, match=r"3 fits, about 3x"):
        Learn2MixClassifier(LogisticRegression(max_iter=200), n_rounds=3).fit(X, y)


def test_partial_fit_passes_once_per_step_with_weights(data):
    X, y = data

    class Counting(SGDClassifier):
        passes = []

        def partial_fit(self, X, y, classes=None, sample_weight=None):
            Counting.passes.append(sample_weight)
            return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)

    clf = Learn2MixClassifier(Counting(random_state=0), n_rounds=3, steps_per_round=2).fit(X, y)
    assert len(Counting.passes) == 6 == 3 * clf.steps_per_round_
    assert Counting.passes[-1] is not None and np.std(Counting.passes[-1]) > 0  # it mixed


def test_growth_checks_the_parameters_in_its_first_round(data):
    X, y = data
    bad = HistGradientBoostingClassifier(learning_rate=-1.0, max_iter=10)
    with pytest.raises(ValueError, match="learning_rate"):
        Learn2MixClassifier(bad, steps_per_round=5).fit(X, y)


def test_growth_goes_through_an_estimators_own_set_params(data):
    X, y = data

    class Logging(RandomForestClassifier):
        budgets = []

        def set_params(self, **params):
            Logging.budgets.append(params.get("n_estimators"))
            return super().set_params(**params)

    clf = Learn2MixClassifier(Logging(n_estimators=9, random_state=0), steps_per_round=3)
    clf.fit(X, y)
    assert [b for b in Logging.budgets if b is not None][-3:] == [3, 6, 9]
    assert len(clf.estimator_.estimators_) == 9
