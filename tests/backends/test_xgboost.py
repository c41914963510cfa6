"""The XGBoost backend: one boosting run, weights changed between rounds."""

import pickle
import shutil
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import make_classification, make_regression

from sklearn_l2m import EarlyStopping, Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.mixers import Learn2Mix

xgb = pytest.importorskip("xgboost")


def test_one_boosting_run_with_the_users_settings(multiclass):
    X, y = multiclass
    inner = xgb.XGBClassifier(n_estimators=30, max_depth=3, learning_rate=0.2, n_jobs=1)
    clf = Learn2MixClassifier(inner, steps_per_round=10, random_state=0).fit(X, y)
    booster = clf.estimator_.get_booster()
    assert booster.num_boosted_rounds() == 30  # n_estimators is the total budget
    assert clf.n_rounds_ == 3 and clf.mixture_history_.shape == (4, 3)
    assert isinstance(clf.estimator_, xgb.XGBClassifier)
    assert clf.estimator_.get_params()["max_depth"] == 3
    assert clf.estimator_.get_params()["callbacks"] is None  # ours was removed
    assert clf.mixture_[2] > clf.natural_mixture_[2]
    np.testing.assert_allclose(clf.predict_proba(X), clf.estimator_.predict_proba(X))
    assert clf.score(X, y) > 0.8


@pytest.mark.fast_path
def test_weights_of_each_round_are_the_mixtures(multiclass):
    """Replay the recorded mixtures natively: round r trains with alpha_r / pi * w."""
    X, y = multiclass
    params = dict(n_estimators=12, max_depth=2, learning_rate=0.3, n_jobs=1, tree_method="hist")
    clf = Learn2MixClassifier(
        xgb.XGBClassifier(**params),
        steps_per_round=4,
        mixer=Learn2Mix(mixing_rate=0.5),
        validation_fraction=None,
        loss_source="train",
        random_state=0,
    ).fit(X, y)
    natural = clf.natural_mixture_
    booster = None
    dtrain = xgb.QuantileDMatrix(X, y, weight=np.ones(len(y)))
    config = {
        "objective": "multi:softprob",
        "num_class": 3,
        "max_depth": 2,
        "learning_rate": 0.3,
        "nthread": 1,
        "tree_method": "hist",
        "seed": clf.estimator_.get_params()["random_state"],
    }
    for r in range(3):
        w = (clf.mixture_history_[r] / natural)[y]
        w = (w * w.size / w.sum()).astype(np.float32)
        if r == 0:
            dtrain = xgb.QuantileDMatrix(X, y, weight=w)
        else:
            dtrain.set_weight(w)
        booster = xgb.train(config, dtrain, 4, xgb_model=booster)
    expected = booster.predict(xgb.DMatrix(X))
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-5, atol=1e-6)
    # and the mixture really moved, so the check is not vacuous
    assert not np.allclose(clf.mixture_history_[0], clf.mixture_history_[-1])


def test_binary_string_labels_and_groups():
    X, y = make_classification(n_samples=300, n_features=6, weights=[0.8], random_state=1)
    labels = np.array(["neg", "pos"])[y]
    groups = np.where(X[:, 1] > 0.3, "assay_1", "assay_2")
    clf = Learn2MixClassifier(xgb.XGBClassifier(n_estimators=20, n_jobs=1), random_state=0)
    clf.fit(X, labels, groups=groups)
    np.testing.assert_array_equal(clf.groups_, ["assay_1", "assay_2"])
    assert set(clf.predict(X)) <= {"neg", "pos"}
    assert clf.predict_proba(X).shape == (300, 2)


def test_regressor_with_groups():
    X, y = make_regression(n_samples=400, n_features=6, noise=10, random_state=0)
    groups = (X[:, 0] > 0).astype(int)
    reg = Learn2MixRegressor(
        xgb.XGBRegressor(n_estimators=40, n_jobs=1),
        mixer=Learn2Mix(mixing_rate=0.05),
        random_state=0,
    ).fit(X, y, groups=groups)
    assert reg.mixture_.shape == (2,) and reg.score(X, y) > 0.8
    assert reg.estimator_.get_booster().num_boosted_rounds() == 40


def test_pandas_categorical_and_sparse_input():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "num": rng.randn(300),
            "cat": pd.Categorical(rng.choice(["a", "b", "c"], size=300)),
        }
    )
    y = ((frame["cat"] == "a") ^ (frame["num"] > 1)).astype(int).to_numpy()
    clf = Learn2MixClassifier(
        xgb.XGBClassifier(n_estimators=10, enable_categorical=True, tree_method="hist", n_jobs=1),
        random_state=0,
    ).fit(frame, y)
    np.testing.assert_array_equal(clf.feature_names_in_, ["num", "cat"])
    assert clf.score(frame, y) > 0.9
    X_sparse = sparse.random(300, 20, density=0.1, format="csr", random_state=0)
    y_sparse = (np.asarray(X_sparse.sum(axis=1)).ravel() > 0.5).astype(int)
    clf = Learn2MixClassifier(xgb.XGBClassifier(n_estimators=10, n_jobs=1), random_state=0)
    assert clf.fit(X_sparse, y_sparse).predict(X_sparse).shape == (300,)


class _Quiet(xgb.callback.TrainingCallback):
    """A user callback that reads nothing (it makes the held-out part an eval set)."""


@pytest.mark.fast_path
@pytest.mark.parametrize("categorical", [False, True], ids=["numeric", "pandas-categorical"])
def test_held_out_rows_are_predicted_not_scored_every_tree(categorical):
    """Without XGBoost's early stopping or a user callback, the held-out part is no
    eval set (XGBoost would score its metric after every tree); the round ends
    read the same losses from a matrix built as XGBoost builds an eval set's."""
    pd = pytest.importorskip("pandas")
    X, y = make_classification(n_samples=400, n_informative=4, n_classes=3, random_state=0)
    if categorical:
        X = pd.DataFrame(X[:, :4], columns=list("abcd"))
        X["c"] = pd.Categorical(np.where(X["c"] > 0, "up", "down"))
    inner = xgb.XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1, enable_categorical=True)
    plain = Learn2MixClassifier(inner, steps_per_round=5, random_state=0).fit(X, y)
    with pytest.raises(xgb.core.XGBoostError, match="No evaluation result"):
        plain.estimator_.evals_result()
    watched = Learn2MixClassifier(
        inner.set_params(callbacks=[_Quiet()]), steps_per_round=5, random_state=0
    ).fit(X, y)
    assert list(watched.estimator_.evals_result()) == ["validation_0"]
    assert watched.estimator_.get_params()["callbacks"][0].__class__ is _Quiet
    np.testing.assert_allclose(plain.group_loss_history_, watched.group_loss_history_, rtol=1e-6)
    np.testing.assert_allclose(plain.mixture_history_, watched.mixture_history_, rtol=1e-6)


def test_early_stopping_uses_xgboosts_best_iteration():
    X, y = make_classification(n_samples=400, flip_y=0.4, random_state=0)
    clf = Learn2MixClassifier(
        xgb.XGBClassifier(n_estimators=400, learning_rate=0.5, n_jobs=1),
        early_stopping=EarlyStopping(n_iter_no_change=2),
        steps_per_round=5,
        random_state=0,
    ).fit(X, y)
    assert clf.stop_reason_ == "early_stopping"
    assert clf.estimator_.get_params()["early_stopping_rounds"] == 10
    assert clf.estimator_.best_iteration < 399


def test_determinism_and_pickle(multiclass):
    X, y = multiclass
    make = lambda: Learn2MixClassifier(  # noqa: E731
        xgb.XGBClassifier(n_estimators=15, subsample=0.7, n_jobs=1), random_state=3
    )
    a, b = make().fit(X, y), make().fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict_proba(X), a.predict_proba(X))


def test_device_reaches_the_booster(multiclass):
    X, y = multiclass
    inner = xgb.XGBClassifier(n_estimators=4, device="cpu", n_jobs=1)
    clf = Learn2MixClassifier(inner, random_state=0).fit(X, y)
    import json

    config = json.loads(clf.estimator_.get_booster().save_config())
    assert config["learner"]["generic_param"]["device"] == "cpu"
    # "cuda" is handed to XGBoost unchanged: without a GPU, XGBoost itself says so
    # (on a GPU machine the benchmark exercises the real device)
    gpu = xgb.XGBClassifier(n_estimators=4, device="cuda", n_jobs=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = Learn2MixClassifier(gpu, random_state=0).fit(X, y)
    assert clf.estimator_.get_params()["device"] == "cuda"
    if shutil.which("nvidia-smi") is None:
        assert any("GPU" in str(w.message) for w in caught)


def test_wrong_xgboost_kind_is_rejected(multiclass):
    X, y = multiclass
    with pytest.raises(TypeError, match="needs a regressor.*XGBClassifier is a classifier"):
        Learn2MixRegressor(xgb.XGBClassifier(n_estimators=2)).fit(X, y.astype(float))


def test_held_out_rows_at_zero_weight_equal_training_on_the_rest(multiclass):
    """The backend trains on all of X (no copy), held-out rows weighted 0; that must be
    exactly training on the remaining rows with those rows as an explicit validation set."""
    from sklearn_l2m._prepare.split import stratified_holdout

    X, y = multiclass
    inner = xgb.XGBClassifier(n_estimators=20, n_jobs=1)
    internal = Learn2MixClassifier(inner, loss_source="validation", random_state=0).fit(X, y)
    split_seed, _ = np.random.RandomState(0).randint(np.iinfo(np.int32).max, size=2)
    val = stratified_holdout(y, 0.1, np.random.RandomState(split_seed))
    seeded = xgb.XGBClassifier(
        n_estimators=20, n_jobs=1, random_state=internal.estimator_.random_state
    )
    explicit = Learn2MixClassifier(seeded, loss_source="validation", random_state=0).fit(
        X[~val], y[~val], X_val=X[val], y_val=y[val]
    )
    np.testing.assert_array_equal(internal.mixture_history_, explicit.mixture_history_)
    np.testing.assert_array_equal(internal.predict_proba(X), explicit.predict_proba(X))


@pytest.mark.fast_path
def test_training_rows_are_never_copied(multiclass, monkeypatch):
    from sklearn_l2m._prepare.training_data import TrainingData

    def no_copy(self):
        if self.train_rows is not None:  # a copy of the training rows
            raise AssertionError("the XGBoost backend copied the training rows")
        return self.X

    monkeypatch.setattr(TrainingData, "X_train", property(no_copy))
    X, y = multiclass
    for loss_source in ("train", "validation"):  # all rows; 10% held out at weight 0
        clf = Learn2MixClassifier(
            xgb.XGBClassifier(n_estimators=6, n_jobs=1), loss_source=loss_source, random_state=0
        ).fit(X, y)
        assert clf.n_rounds_ > 0


def test_a_single_machine_fit_does_not_import_xgboost_dask():
    """Telling xgboost.dask models apart must not import it (dask and
    distributed cost a second of start-up and tens of MB)."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, xgboost\n"
        "X = np.random.RandomState(0).randn(200, 3); y = (X[:, 0] > 0).astype(int)\n"
        "xgboost.XGBClassifier(n_estimators=4).fit(X, y)\n"
        "plain = set(sys.modules)  # XGBoost 2 imports xgboost.dask itself\n"
        "from sklearn_l2m import Learn2MixClassifier\n"
        "Learn2MixClassifier(xgboost.XGBClassifier(n_estimators=4)).fit(X, y)\n"
        "new = set(sys.modules) - plain\n"
        "print(sorted(m for m in ('xgboost.dask', 'distributed') if m in new))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
