"""Running predictions of growing ensembles (backends/_output/sklearn_ensembles.py).

The scikit-learn backend must cost what the plain ensemble costs: every round
evaluates only the members fitted in that round, and the boosting models'
warm start reuses the running training scores instead of re-predicting every
tree. These tests count member evaluations and compare with predicting from
scratch.
"""

from collections import Counter

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.ensemble._hist_gradient_boosting import gradient_boosting as hgb_module
from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.tree import DecisionTreeClassifier

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.backends._output import sklearn_ensembles as _running
from sklearn_l2m.exceptions import RefitWarning
from sklearn_l2m.mixers import Learn2Mix

#: row sets smaller than this are the one-off in-place check, not a loss pass
CHECK_ROWS = _running._N_CHECK_ROWS


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        600, 8, n_informative=5, n_classes=3, weights=[0.6, 0.3, 0.1], random_state=0
    )
    return X, y


@pytest.fixture(scope="module")
def regression_data():
    X, y = make_regression(600, 6, noise=3.0, random_state=0)
    return X, y, (X[:, 0] > 0.5).astype(int)


def _count_calls(monkeypatch, cls, name, counter):
    """Count calls of ``cls.name`` per (member, number of rows)."""
    original = getattr(cls, name)

    def counted(self, X, *args, **kwargs):
        if X.shape[0] > CHECK_ROWS:
            counter[(id(self), X.shape[0])] += 1
        return original(self, X, *args, **kwargs)

    monkeypatch.setattr(cls, name, counted)


@pytest.mark.fast_path
@pytest.mark.parametrize("loss_source", ["validation", "train"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_hist_gradient_boosting_evaluates_every_tree_once(
    monkeypatch, data, loss_source, n_classes
):
    X, y = data
    y = y if n_classes == 3 else (y > 0).astype(int)
    counter = Counter()
    _count_calls(monkeypatch, TreePredictor, "predict", counter)
    _count_calls(monkeypatch, TreePredictor, "predict_binned", counter)
    clf = Learn2MixClassifier(
        HistGradientBoostingClassifier(max_iter=30, early_stopping=False),
        steps_per_round=3,
        loss_source=loss_source,
        random_state=0,
    ).fit(X, y)
    assert clf.n_rounds_ == 10
    # no tree is evaluated twice on the same rows: not by the loss pass, not by
    # HistGradientBoosting's own warm start (which re-predicts all trees otherwise)
    assert max(counter.values()) == 1
    n_trees = 30 * clf.estimator_.n_trees_per_iteration_
    trees_seen = {key[0] for key in counter}
    assert len(trees_seen) <= n_trees
    # evaluations grow with the budget, not with rounds x budget: the first
    # round's trees on the training rows, then each tree once on the loss rows
    assert sum(counter.values()) <= 2 * n_trees


@pytest.mark.fast_path
def test_gradient_boosting_evaluates_every_stage_once(monkeypatch, data):
    from sklearn.ensemble import _gb, _gradient_boosting

    X, y = data
    counter = Counter()
    original = _gradient_boosting.predict_stages

    def counted(estimators, X, scale, out):
        if X.shape[0] > CHECK_ROWS:
            for stage in estimators[:, 0]:
                counter[(id(stage), X.shape[0])] += 1
        return original(estimators, X, scale, out)

    monkeypatch.setattr(_gradient_boosting, "predict_stages", counted)
    monkeypatch.setattr(_gb, "predict_stages", counted)
    Learn2MixClassifier(
        GradientBoostingClassifier(n_estimators=20, max_depth=2),
        steps_per_round=4,
        loss_source="validation",
        random_state=0,
    ).fit(X, y)
    assert counter and max(counter.values()) == 1


@pytest.mark.fast_path
@pytest.mark.parametrize("forest", [RandomForestClassifier, ExtraTreesClassifier])
def test_forest_evaluates_every_tree_once(monkeypatch, data, forest):
    X, y = data
    counter = Counter()
    _count_calls(monkeypatch, DecisionTreeClassifier, "predict_proba", counter)
    Learn2MixClassifier(
        forest(n_estimators=24, max_depth=5),
        steps_per_round=4,
        loss_source="train",
        validation_fraction=None,
        random_state=0,
    ).fit(X, y)
    assert len(counter) == 24 and max(counter.values()) == 1


def _fit_both_ways(monkeypatch, make, X, y, groups=None):
    """Fit with running outputs, then with every output predicted from scratch."""
    fast = make().fit(X, y, groups=groups)
    with monkeypatch.context() as patch:
        made = _predict_from_scratch(patch)
        slow = make().fit(X, y, groups=groups)
    assert made, "the reference fit did not predict from scratch"
    return fast, slow


def _predict_from_scratch(patch):
    """Make the backend predict every round from scratch (the reference path).

    Returns the list of outputs made that way, so a caller can check it was used.
    """
    from sklearn_l2m.backends import _sklearn

    made = []

    def full_output(est, X, *, is_classifier, **_):
        made.append(_running.FullOutput(est, X, is_classifier=is_classifier))
        return made[-1]

    patch.setattr(_sklearn, "running_output", full_output)
    return made


CLASSIFIERS = {
    "hgb": lambda: HistGradientBoostingClassifier(max_iter=24, early_stopping=False),
    "gb": lambda: GradientBoostingClassifier(n_estimators=16, max_depth=2),
    "rf": lambda: RandomForestClassifier(n_estimators=16, max_depth=5),
}


@pytest.mark.parametrize("inner", list(CLASSIFIERS))
@pytest.mark.parametrize("loss_source", ["validation", "train"])
def test_running_outputs_equal_predicting_from_scratch(monkeypatch, data, inner, loss_source):
    X, y = data

    def make():
        return Learn2MixClassifier(
            CLASSIFIERS[inner](), steps_per_round=4, loss_source=loss_source, random_state=0
        )

    fast, slow = _fit_both_ways(monkeypatch, make, X, y)
    np.testing.assert_allclose(fast.group_loss_history_, slow.group_loss_history_, rtol=1e-10)
    np.testing.assert_allclose(fast.mixture_history_, slow.mixture_history_, rtol=1e-10)
    np.testing.assert_allclose(fast.predict_proba(X), slow.predict_proba(X), rtol=1e-10)


@pytest.mark.parametrize(
    "inner",
    [
        lambda: HistGradientBoostingRegressor(max_iter=24, early_stopping=False),
        lambda: GradientBoostingRegressor(n_estimators=16, max_depth=2),
        lambda: RandomForestRegressor(n_estimators=16, max_depth=5),
    ],
    ids=["hgb", "gb", "rf"],
)
def test_running_outputs_equal_predicting_from_scratch_regression(
    monkeypatch, regression_data, inner
):
    X, y, groups = regression_data

    def make():
        return Learn2MixRegressor(inner(), steps_per_round=4, random_state=0)

    fast, slow = _fit_both_ways(monkeypatch, make, X, y, groups)
    np.testing.assert_allclose(fast.group_loss_history_, slow.group_loss_history_, rtol=1e-10)
    np.testing.assert_allclose(fast.predict(X), slow.predict(X), rtol=1e-10)


def test_running_outputs_with_groups_missing_from_validation(data):
    X, y = data
    groups = np.where(np.arange(len(y)) < 5, "tiny", "big")  # "tiny": no validation row
    with pytest.warns(UserWarning, match="no validation samples"):
        clf = Learn2MixClassifier(
            HistGradientBoostingClassifier(max_iter=12, early_stopping=False),
            steps_per_round=3,
            loss_source="validation",
            random_state=0,
        ).fit(X, y, groups=groups)
    assert np.isfinite(clf.group_loss_history_).all()


@pytest.mark.fast_path
def test_model_that_does_not_update_in_place_is_detected(monkeypatch, data):
    """If a future HistGradientBoosting copied the lent scores, the check notices."""
    X, y = data
    original = hgb_module._update_raw_predictions
    monkeypatch.setattr(
        hgb_module,
        "_update_raw_predictions",
        lambda raw, grower, n_threads: original(raw.copy(), grower, n_threads),
    )

    def make():
        return Learn2MixClassifier(
            HistGradientBoostingClassifier(max_iter=12, early_stopping=False),
            steps_per_round=3,
            loss_source="train",
            random_state=0,
        )

    with pytest.warns(RuntimeWarning, match="did not update its training scores"):
        fast = make().fit(X, y)
    made = _predict_from_scratch(monkeypatch)
    slow = make().fit(X, y)
    assert made
    np.testing.assert_allclose(fast.mixture_history_, slow.mixture_history_, rtol=1e-10)


def test_refit_fallback_warns_with_its_cost(data):
    X, y = data
    with pytest.warns(RefitWarning, match="refits it from scratch every round: 4 fits"):
        Learn2MixClassifier(LogisticRegression(), n_rounds=4, random_state=0).fit(X, y)


@pytest.mark.parametrize(
    "inner",
    [
        lambda: HistGradientBoostingClassifier(max_iter=8, early_stopping=False),
        lambda: SGDClassifier(loss="log_loss", random_state=0),
    ],
    ids=["grow", "partial_fit"],
)
def test_no_refit_warning_for_models_that_continue(data, inner, recwarn):
    X, y = data
    Learn2MixClassifier(inner(), n_rounds=4, random_state=0).fit(X, y)
    assert not [w for w in recwarn if issubclass(w.category, RefitWarning)]


def test_fixed_mixture_refits_once(data, recwarn):
    X, y = data
    clf = Learn2MixClassifier(LogisticRegression(), mixer="balanced", random_state=0).fit(X, y)
    assert clf.n_rounds_ == 1
    still = Learn2MixClassifier(
        LogisticRegression(), mixer=Learn2Mix(mixing_rate=0.0), random_state=0
    ).fit(X, y)
    assert still.n_rounds_ == 1
    assert not [w for w in recwarn if issubclass(w.category, RefitWarning)]
