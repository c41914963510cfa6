"""The CatBoost backend: one model per round from the earlier rounds' raw scores."""


import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

from sklearn_l2m import EarlyStopping, Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.mixers import Learn2Mix

cb = pytest.importorskip("catboost")

QUIET = dict(verbose=0, thread_count=1, allow_writing_files=False)


def test_rounds_add_up_to_one_model_with_the_users_settings(multiclass):
    X, y = multiclass
    inner = cb.CatBoostClassifier(iterations=30, depth=3, **QUIET)
    clf = Learn2MixClassifier(inner, steps_per_round=10, random_state=0).fit(X, y)
    assert isinstance(clf.estimator_, cb.CatBoostClassifier)
    assert clf.estimator_.tree_count_ == 30  # iterations is the total budget
    assert clf.estimator_.get_params() == inner.get_params()  # the user's, not a round's
    assert clf.n_rounds_ == 3 and clf.mixture_history_.shape == (4, 3)
    assert clf.mixture_[2] > clf.natural_mixture_[2]
    np.testing.assert_allclose(clf.predict_proba(X), clf.estimator_.predict_proba(X))
    assert clf.score(X, y) > 0.8


def test_weights_of_each_round_are_the_mixtures_at_the_whole_budgets_rate(multiclass):
    """Replaying the recorded mixtures natively (round r: new trees from the earlier
    rounds' raw scores, weights alpha_r / pi) gives the same model, at the learning
    rate CatBoost picks for the whole budget; ignoring the mixtures would not."""
    X, y = multiclass
    params = dict(depth=3, random_seed=0, **QUIET)
    clf = Learn2MixClassifier(
        cb.CatBoostClassifier(iterations=12, **params),
        steps_per_round=4,
        mixer=Learn2Mix(mixing_rate=0.5),
        validation_fraction=None,
        loss_source="train",
        random_state=0,
    ).fit(X, y)
    plain = cb.CatBoostClassifier(iterations=12, **params).fit(X, y)
    rate = plain.learning_rate_

    def replay(mixtures):
        raw, models = None, []
        for mixture in mixtures:
            w = (mixture / clf.natural_mixture_)[y]
            extra = {} if raw is None else {"boost_from_average": False}
            step = cb.CatBoostClassifier(iterations=4, learning_rate=rate, **params, **extra)
            step.fit(cb.Pool(X, y, weight=w * w.size / w.sum(), baseline=raw))
            new = step.predict(X, prediction_type="RawFormulaVal")
            raw = new if raw is None else raw + new
            models.append(step)
        return cb.sum_models(models).predict(X, prediction_type="Probability")

    expected = replay(clf.mixture_history_[:-1])
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-6, atol=1e-9)
    assert not np.allclose(clf.mixture_history_[0], clf.mixture_history_[-1])
    unmixed = replay([clf.mixture_history_[0]] * 3)
    assert np.abs(unmixed - expected).max() > 1e-2  # the mixtures changed the model
    assert np.abs(plain.predict_proba(X) - expected).max() > 1e-2


def test_every_tree_is_evaluated_once_on_the_validation_rows(multiclass, monkeypatch):
    X, y = multiclass
    calls = []
    original = cb.CatBoostClassifier.predict

    def predict(self, data, prediction_type="Class", ntree_start=0, ntree_end=0, **kwargs):
        if getattr(data, "num_row", lambda: 0)() == 120:
            calls.append((ntree_start, ntree_end))
        return original(self, data, prediction_type, ntree_start, ntree_end, **kwargs)

    monkeypatch.setattr(cb.CatBoostClassifier, "predict", predict)
    Learn2MixClassifier(
        cb.CatBoostClassifier(iterations=20, **QUIET),
        steps_per_round=5,
        loss_source="validation",
        validation_fraction=0.2,
    ).fit(X, y)
    assert calls == [(0, 5)] * 4  # each round's 5 new trees, once


def test_binary_labels_groups_and_regressor():
    X, y = make_classification(n_samples=300, n_features=6, weights=[0.8], random_state=1)
    labels = np.array(["neg", "pos"])[y]
    groups = np.where(X[:, 1] > 0.3, "assay_1", "assay_2")
    clf = Learn2MixClassifier(cb.CatBoostClassifier(iterations=20, **QUIET), random_state=0)
    clf.fit(X, labels, groups=groups)
    np.testing.assert_array_equal(clf.groups_, ["assay_1", "assay_2"])
    assert set(clf.predict(X)) <= {"neg", "pos"}
    assert clf.predict_proba(X).shape == (300, 2)

    X, y = make_regression(n_samples=400, n_features=6, noise=10, random_state=0)
    reg = Learn2MixRegressor(cb.CatBoostRegressor(n_estimators=60, **QUIET), random_state=0)
    reg.fit(X, y, groups=(X[:, 0] > 0).astype(int))
    assert reg.estimator_.tree_count_ == 60 and reg.score(X, y) > 0.5
    assert reg.estimator_.get_params()["n_estimators"] == 60  # the user's alias is kept


def test_categorical_columns_pass_through():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    color = rng.choice(["red", "green", "blue"], 400)
    X = pd.DataFrame({"color": color, "x": rng.normal(size=400)})
    y = ((color == "red") ^ (X["x"].to_numpy() > 1)).astype(int)
    inner = cb.CatBoostClassifier(iterations=30, cat_features=("color",), **QUIET)
    clf = Learn2MixClassifier(inner, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95
    assert clf.estimator_.get_cat_feature_indices() == [0]
    # a list, which newer CatBoost copies and scikit-learn's clone then rejects:
    # a fix-it hint where clone fails, an ordinary fit where it does not
    from sklearn.base import clone

    listed = cb.CatBoostClassifier(iterations=3, cat_features=["color"], **QUIET)
    try:
        clone(listed)
    except RuntimeError:
        with pytest.raises(TypeError, match=r"pass them as tuples"):
            Learn2MixClassifier(listed).fit(X, y)
    else:
        assert Learn2MixClassifier(listed).fit(X, y).estimator_.get_cat_feature_indices() == [0]


def test_early_stopping_by_the_library(multiclass):
    X, y = multiclass
    clf = Learn2MixClassifier(
        cb.CatBoostClassifier(iterations=3000, learning_rate=0.5, **QUIET),
        steps_per_round=30,
        early_stopping=EarlyStopping(n_iter_no_change=2),
        random_state=0,
    ).fit(X, y)
    assert clf.stop_reason_ == "early_stopping"
    assert clf.n_rounds_ * 30 < 3000 and clf.n_rounds_ == clf.best_round_ + 2
    assert clf.estimator_.tree_count_ == clf.best_round_ * 30  # the best round's trees kept


def test_gpu_settings_reach_every_round_but_not_the_rate_probe(multiclass, monkeypatch):
    """task_type='GPU' and devices pass to every round; the learning-rate probe,
    which needs a callback (CPU only in CatBoost), runs on CPU."""
    X, y = multiclass
    seen = []

    def fit(self, X, y=None, **kwargs):
        params = self.get_params()
        seen.append((params.get("task_type"), params.get("devices"), "callbacks" in kwargs))
        return original(self, X, y, **kwargs)

    original = cb.CatBoostClassifier.fit
    monkeypatch.setattr(cb.CatBoostClassifier, "fit", fit)
    inner = cb.CatBoostClassifier(iterations=10, task_type="GPU", devices="0", **QUIET)
    with pytest.raises(cb.CatBoostError):  # no GPU here: the first GPU round fails
        Learn2MixClassifier(inner, steps_per_round=5, random_state=0).fit(X, y)
    assert seen[0] == ("CPU", None, True)  # the probe
    assert seen[1] == ("GPU", "0", False)  # the first round


def test_wrong_kind_is_rejected(multiclass):
    X, y = multiclass
    with pytest.raises(TypeError, match="needs a regressor.*CatBoostClassifier is a classifier"):
        Learn2MixRegressor(cb.CatBoostClassifier(iterations=2)).fit(X, y.astype(float))


def test_why_not_init_model_catboosts_continuation_ignores_new_weights(multiclass):
    """The documented reason the backend does not use ``fit(init_model=...)``: the
    first continued fit from a model trains the same whatever the new weights.
    If a CatBoost release changes this, this test says so."""
    X, y = multiclass
    params = dict(iterations=4, depth=3, learning_rate=0.3, random_seed=0, **QUIET)
    first = cb.CatBoostClassifier(**params).fit(cb.Pool(X, y, weight=np.ones(len(y))))
    weighted = cb.Pool(X, y, weight=np.where(y == 2, 6.0, 1.0))
    continued = cb.CatBoostClassifier(**params).fit(weighted, init_model=first)
    twin = cb.CatBoostClassifier(**params).fit(cb.Pool(X, y, weight=np.ones(len(y))))
    unweighted = cb.CatBoostClassifier(**params).fit(cb.Pool(X, y), init_model=twin)
    np.testing.assert_allclose(continued.predict_proba(X), unweighted.predict_proba(X))
    # while a baseline fit, as the backend trains, does follow the weights
    raw = first.predict(X, prediction_type="RawFormulaVal")
    base = dict(params, boost_from_average=False)
    a = cb.CatBoostClassifier(**base).fit(cb.Pool(X, y, baseline=raw))
    b = cb.CatBoostClassifier(**base).fit(
        cb.Pool(X, y, baseline=raw, weight=np.where(y == 2, 6.0, 1.0))
    )
    assert np.abs(a.predict_proba(X) - b.predict_proba(X)).max() > 0.05


def test_catboost_trains_in_at_most_ten_rounds_by_default(multiclass):
    X, y = multiclass
    clf = Learn2MixClassifier(cb.CatBoostClassifier(iterations=300, **QUIET), random_state=0)
    clf.fit(X, y)
    assert clf.n_rounds_ == 10 and clf.estimator_.tree_count_ == 300
