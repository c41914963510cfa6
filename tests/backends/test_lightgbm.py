"""The LightGBM backend: one boosting run, weights changed between rounds."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

from sklearn_l2m import EarlyStopping, Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.mixers import Learn2Mix

lgb = pytest.importorskip("lightgbm")

QUIET = dict(verbose=-1, n_jobs=1)


def test_one_boosting_run_with_the_users_settings(multiclass):
    X, y = multiclass
    inner = lgb.LGBMClassifier(n_estimators=30, num_leaves=7, learning_rate=0.2, **QUIET)
    clf = Learn2MixClassifier(inner, steps_per_round=10, random_state=0).fit(X, y)
    assert isinstance(clf.estimator_, lgb.LGBMClassifier)
    assert clf.estimator_.booster_.current_iteration() == 30  # n_estimators is the budget
    assert clf.n_rounds_ == 3 and clf.mixture_history_.shape == (4, 3)
    assert clf.estimator_.get_params()["num_leaves"] == 7
    assert clf.mixture_[2] > clf.natural_mixture_[2]
    np.testing.assert_allclose(clf.predict_proba(X), clf.estimator_.predict_proba(X))
    assert clf.score(X, y) > 0.8


def _replay(X, y, clf, params, steps, class_factor=None):
    """Train round r natively from round r-1's model with alpha_r / pi * w."""
    natural, model = clf.natural_mixture_, None
    for mixture in clf.mixture_history_[:-1]:
        w = (mixture / natural)[y]
        w = w * w.size / w.sum()
        if class_factor is not None:
            w = w * class_factor
        model = lgb.LGBMClassifier(n_estimators=steps, **params).fit(
            X, y, sample_weight=w, init_model=None if model is None else model.booster_
        )
    return model


@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_weights_of_each_round_are_the_mixtures(multiclass, class_weight):
    """Replaying the recorded mixtures as continued trainings gives the same model.

    The first round's mixture is the natural one (all weights 1), the case where
    LightGBM would otherwise drop the weights and ignore every later mixture.
    """
    from sklearn.utils.class_weight import compute_sample_weight

    X, y = multiclass
    params = dict(num_leaves=7, learning_rate=0.3, random_state=3, **QUIET)
    clf = Learn2MixClassifier(
        lgb.LGBMClassifier(n_estimators=12, class_weight=class_weight, **params),
        steps_per_round=4,
        mixer=Learn2Mix(mixing_rate=0.5),
        validation_fraction=None,
        loss_source="train",
        random_state=0,
    ).fit(X, y)
    factor = None if class_weight is None else compute_sample_weight(class_weight, y)
    expected = _replay(X, y, clf, params, 4, factor).predict_proba(X)
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-6, atol=1e-9)
    assert clf.estimator_.get_params()["class_weight"] == class_weight  # restored
    # the mixture really moved, and ignoring it would give another model
    assert not np.allclose(clf.mixture_history_[0], clf.mixture_history_[-1])
    frozen = lgb.LGBMClassifier(n_estimators=12, class_weight=class_weight, **params).fit(X, y)
    assert np.abs(frozen.predict_proba(X) - expected).max() > 1e-3


def test_dropped_weights_fail_loudly(multiclass, monkeypatch):
    """If LightGBM kept no weight array, later mixtures would be silently ignored."""
    from sklearn_l2m.backends import _lightgbm

    monkeypatch.setattr(_lightgbm, "_live_weight", lambda weight: weight)
    X, y = multiclass
    clf = Learn2MixClassifier(
        lgb.LGBMClassifier(n_estimators=6, **QUIET), validation_fraction=None, random_state=0
    )
    with pytest.raises(RuntimeError, match="LightGBM dropped the training weights"):
        clf.fit(X, y)


def test_every_tree_is_evaluated_once_per_row_set(multiclass, monkeypatch):
    X, y = multiclass
    evaluated = []
    original = lgb.Booster.predict

    def predict(self, data, start_iteration=0, num_iteration=None, **kwargs):
        if data.shape[0] > 32:  # the one-off link check uses 32 rows
            evaluated.append((data.shape[0], start_iteration, num_iteration))
        return original(self, data, start_iteration, num_iteration, **kwargs)

    monkeypatch.setattr(lgb.Booster, "predict", predict)
    clf = Learn2MixClassifier(lgb.LGBMClassifier(n_estimators=40, **QUIET), steps_per_round=5)
    clf.fit(X[:480], y[:480], X_val=X[480:], y_val=y[480:])  # rows apart: predicted
    assert evaluated == [(120, start, 5) for start in range(0, 40, 5)]  # validation rows
    evaluated.clear()  # held out of X (the training set): LightGBM's own scores
    clf.set_params(loss_source="validation", validation_fraction=0.2).fit(X, y)
    assert evaluated == [] and clf.loss_source_ == "validation"
    # unless all rows' scores would take much memory: then the held-out rows are predicted
    from sklearn_l2m.backends import _lightgbm

    monkeypatch.setattr(_lightgbm, "TRAINING_SCORES_BYTES", 0)
    clf.fit(X, y)
    assert evaluated == [(120, start, 5) for start in range(0, 40, 5)]


def test_binary_string_labels_groups_and_regressor():
    X, y = make_classification(n_samples=300, n_features=6, weights=[0.8], random_state=1)
    labels = np.array(["neg", "pos"])[y]
    groups = np.where(X[:, 1] > 0.3, "assay_1", "assay_2")
    clf = Learn2MixClassifier(lgb.LGBMClassifier(n_estimators=20, **QUIET), random_state=0)
    clf.fit(X, labels, groups=groups)
    np.testing.assert_array_equal(clf.groups_, ["assay_1", "assay_2"])
    assert set(clf.predict(X)) <= {"neg", "pos"}
    assert clf.predict_proba(X).shape == (300, 2)

    X, y = make_regression(n_samples=400, n_features=6, noise=10, random_state=0)
    reg = Learn2MixRegressor(lgb.LGBMRegressor(n_estimators=40, **QUIET), random_state=0)
    reg.fit(X, y, groups=(X[:, 0] > 0).astype(int))
    assert isinstance(reg.estimator_, lgb.LGBMRegressor)
    assert reg.mixture_history_.shape[1] == 2 and reg.score(X, y) > 0.5


def test_pandas_categorical_columns_pass_through():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    color = rng.choice(["red", "green", "blue"], 400)
    X = pd.DataFrame({"color": pd.Categorical(color), "x": rng.normal(size=400)})
    y = ((color == "red") ^ (X["x"].to_numpy() > 1)).astype(int)
    clf = Learn2MixClassifier(lgb.LGBMClassifier(n_estimators=20, **QUIET), random_state=0)
    clf.fit(X, y)
    assert clf.estimator_.booster_.pandas_categorical == [["blue", "green", "red"]]
    assert clf.score(X, y) > 0.95


def test_unknown_output_transform_warns_and_stays_correct():
    X, y = make_regression(n_samples=300, n_features=5, random_state=0)
    y = (y - y.min()) / (y.max() - y.min())  # in [0, 1] for cross-entropy regression
    reg = Learn2MixRegressor(
        lgb.LGBMRegressor(n_estimators=10, objective="xentlambda", **QUIET), random_state=0
    )
    # held-out rows given apart are predicted (rows of the training set are read)
    g = np.arange(300) % 2
    with pytest.warns(RuntimeWarning, match="output transform Learn2Mix does not know"):
        reg.fit(X[:200], y[:200], groups=g[:200], X_val=X[200:], y_val=y[200:], groups_val=g[200:])
    errors = (reg.estimator_.predict(X[200:]) - y[200:]) ** 2
    mine = [errors[g[200:] == k].mean() for k in range(2)]
    np.testing.assert_allclose(reg.group_loss_history_[-1], mine, rtol=1e-9)


def test_cross_entropy_lambda_with_held_out_rows_of_X():
    """cross_entropy_lambda refuses a weight of 0, the held-out rows' weight when
    they stay in the training set: it trains on the training rows alone (before:
    LightGBM's fatal error)."""
    X, y = make_regression(n_samples=300, n_features=5, random_state=0)
    y = (y - y.min()) / (y.max() - y.min())
    reg = Learn2MixRegressor(
        lgb.LGBMRegressor(n_estimators=10, objective="xentlambda", **QUIET),
        loss_source="validation",
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # (the unknown transform)
        reg.fit(X, y, groups=np.arange(300) % 2)
    assert reg.loss_source_ == "validation"
    assert np.all(np.isfinite(reg.group_loss_history_))


def test_training_losses_are_read_from_lightgbm_without_predicting(monkeypatch):
    """LightGBM keeps every training row's output: the training losses walk no tree
    again, need no link (an objective Learn2Mix does not know is fine), and are
    the fitted model's own losses."""
    X, y = make_regression(n_samples=300, n_features=5, random_state=0)
    y = (y - y.min()) / (y.max() - y.min())
    groups = np.arange(300) % 3
    predicted = []
    original = lgb.Booster.predict
    monkeypatch.setattr(
        lgb.Booster, "predict", lambda self, *a, **k: predicted.append(1) or original(self, *a, **k)
    )
    reg = Learn2MixRegressor(
        lgb.LGBMRegressor(n_estimators=10, objective="xentlambda", **QUIET),
        steps_per_round=5,
        loss_source="train",
        validation_fraction=None,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        reg.fit(X, y, groups=groups)
    assert predicted == []
    monkeypatch.setattr(lgb.Booster, "predict", original)
    errors = (reg.estimator_.predict(X) - y) ** 2
    mine = [errors[groups == g].mean() for g in range(3)]
    np.testing.assert_allclose(reg.group_loss_history_[-1], mine, rtol=1e-9)


@pytest.mark.parametrize("loss_source", ["train", "validation"])
def test_dart_losses_are_the_models_own(loss_source):
    """DART rescales earlier trees as it adds new ones, so the new trees' scores do
    not add up to its output: the losses the mixer reads must still be the
    model's (before: about half the real log loss)."""
    from sklearn.metrics import log_loss

    X, y = make_classification(n_samples=900, n_features=8, random_state=0)
    groups = np.arange(900) % 3
    train, val = np.arange(600), np.arange(600, 900)
    inner = lgb.LGBMClassifier(boosting_type="dart", n_estimators=30, **QUIET)
    clf = Learn2MixClassifier(inner, steps_per_round=5, loss_source=loss_source, random_state=0)
    held_out = dict(X_val=X[val], y_val=y[val], groups_val=groups[val])
    clf.fit(
        X[train], y[train], groups=groups[train], **(held_out if loss_source != "train" else {})
    )
    assert clf.loss_source_ == loss_source
    rows = train if loss_source == "train" else val
    proba = clf.estimator_.predict_proba(X[rows])
    real = [log_loss(y[rows][groups[rows] == g], proba[groups[rows] == g]) for g in range(3)]
    np.testing.assert_allclose(clf.group_loss_history_[-1], real, rtol=1e-6)


def test_early_stopping_by_the_library(multiclass):
    X, y = multiclass
    clf = Learn2MixClassifier(
        lgb.LGBMClassifier(n_estimators=2000, learning_rate=0.5, **QUIET),
        steps_per_round=20,
        early_stopping=EarlyStopping(n_iter_no_change=2),
        random_state=0,
    ).fit(X, y)
    assert clf.stop_reason_ == "early_stopping"
    n_trees = clf.estimator_.booster_.current_iteration()
    assert n_trees == clf.n_rounds_ * 20 < 2000
    np.testing.assert_allclose(clf.predict_proba(X), clf.estimator_.predict_proba(X))


def test_wrong_kind_and_custom_objective_are_rejected(multiclass):
    X, y = multiclass
    with pytest.raises(TypeError, match="needs a regressor.*LGBMClassifier is a classifier"):
        Learn2MixRegressor(lgb.LGBMClassifier(n_estimators=2)).fit(X, y.astype(float))
    with pytest.raises(TypeError, match="LGBMClassifier and LGBMRegressor"):
        Learn2MixClassifier(lgb.LGBMRanker(n_estimators=2)).fit(X, y)

    def objective(y_true, y_pred):
        return y_pred - y_true, np.ones_like(y_pred)

    with pytest.raises(ValueError, match="custom objective"):
        Learn2MixRegressor(lgb.LGBMRegressor(objective=objective)).fit(X, y.astype(float))
