"""Bad input: every case raises a clear error naming the argument, or is handled as documented.

One table, run against every backend that applies (scikit-learn, XGBoost, LightGBM,
CatBoost, skorch).
"""

import numpy as np
import pytest
from _models import backend_params, inner
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_l2m import EarlyStopping, Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.mixers import GroupDRO, Learn2Mix

RNG = np.random.RandomState(0)
X = RNG.randn(120, 4)
Y = np.arange(120) % 3
G = np.repeat(["s1", "s2"], 60)


def small_model(backend):
    """Six trees or two epochs: the errors come before any training."""
    return inner(backend, 2 if backend == "skorch" else 6, n_in=4)


# (id, estimator kwargs, fit arguments (X, y, **fit kwargs), exception, message)
CASES = [
    ("X and y lengths differ", {}, (X, Y[:50], {}), ValueError, "inconsistent numbers"),
    ("groups length", {}, (X, Y, {"groups": G[:10]}), ValueError, "groups has 10 entries"),
    (
        "sample_weight length",
        {},
        (X, Y, {"sample_weight": np.ones(5)}),
        ValueError,
        "sample_weight",
    ),
    ("empty X", {}, (X[:0], Y[:0], {}), ValueError, "0 sample"),
    ("1-D X", {}, (X[:, 0], Y, {}), ValueError, "Expected 2D array"),
    ("single class", {}, (X, np.zeros(120), {}), ValueError, "at least 2 classes"),
    ("NaN in y", {}, (X, np.r_[np.nan, Y[1:]], {}), ValueError, "y contains NaN"),
    ("inf in y", {}, (X, np.r_[np.inf, Y[1:]], {}), ValueError, "y contains NaN or infinity"),
    ("continuous y", {}, (X, RNG.rand(120), {}), ValueError, "Unknown label type"),
    ("2-D y", {}, (X, np.c_[Y, Y], {}), ValueError, "1d array"),
    (
        "negative sample_weight",
        {},
        (X, Y, {"sample_weight": -np.ones(120)}),
        ValueError,
        "Negative values",
    ),
    (
        "all-zero sample_weight",
        {},
        (X, Y, {"sample_weight": np.zeros(120)}),
        ValueError,
        "non-zero",
    ),
    (
        "NaN sample_weight",
        {},
        (X, Y, {"sample_weight": np.full(120, np.nan)}),
        ValueError,
        "sample_weight contains NaN",
    ),
    (
        "a class with zero weight",
        {},
        (X, Y, {"sample_weight": (Y != 0).astype(float) + 0.0 * (Y == 0)}),
        ValueError,
        "no training samples with positive sample_weight",
    ),
    (
        "only one class weighted",
        {},
        (X, Y, {"sample_weight": (Y == 0).astype(float)}),
        ValueError,
        "at least 2 classes",
    ),
    (
        "NaN in groups",
        {},
        (X, Y, {"groups": np.r_[np.nan, np.ones(119)]}),
        ValueError,
        "groups contains NaN",
    ),
    ("missing groups", {}, (X, Y, {"groups": [None] * 120}), ValueError, "missing values"),
    ("uncomparable groups", {}, (X, Y, {"groups": [{}] * 120}), TypeError, "mutually comparable"),
    ("2-D groups", {}, (X, Y, {"groups": np.ones((120, 2))}), ValueError, "groups must be 1-D"),
    ("X_val without y_val", {}, (X, Y, {"X_val": X}), ValueError, "both X_val and y_val"),
    (
        "X_val wrong width",
        {},
        (X, Y, {"X_val": X[:, :2], "y_val": Y}),
        ValueError,
        "X has 2 features",
    ),
    (
        "y_val label unseen in training",
        {},
        (X, Y, {"X_val": X, "y_val": Y + 7}),
        ValueError,
        "y_val contains labels not seen",
    ),
    (
        "groups_val missing",
        {},
        (X, Y, {"groups": G, "X_val": X, "y_val": Y}),
        ValueError,
        "groups_val",
    ),
    (
        "groups_val without groups",
        {},
        (X, Y, {"X_val": X, "y_val": Y, "groups_val": G}),
        ValueError,
        "got groups_val but no groups",
    ),
    (
        "group only in validation",
        {},
        (X, Y, {"groups": G, "X_val": X, "y_val": Y, "groups_val": np.repeat(["s1", "s9"], 60)}),
        ValueError,
        "groups_val contains labels not seen",
    ),
    (
        "negative sample_weight_val",
        {},
        (X, Y, {"X_val": X, "y_val": Y, "sample_weight_val": -np.ones(120)}),
        ValueError,
        "sample_weight_val",
    ),
    ("unknown mixer", {"mixer": "learn2max"}, (X, Y, {}), ValueError, "Unknown mixer"),
    (
        "mixture not summing to 1",
        {"mixer": {0: 0.5, 1: 0.2, 2: 0.2}},
        (X, Y, {}),
        ValueError,
        "must sum to 1",
    ),
    (
        "mixture with negative entry",
        {"mixer": [1.2, -0.1, -0.1]},
        (X, Y, {}),
        ValueError,
        "non-negative",
    ),
    (
        "mixture naming unknown class",
        {"mixer": {0: 0.5, 1: 0.3, 7: 0.2}},
        (X, Y, {}),
        ValueError,
        "unknown groups",
    ),
    (
        "mixture of wrong length",
        {"mixer": [0.5, 0.5]},
        (X, Y, {}),
        ValueError,
        "2 entries but there are 3",
    ),
    ("n_rounds=0", {"n_rounds": 0}, (X, Y, {}), InvalidParameterError, "n_rounds"),
    (
        "mixing_rate > 1",
        {"mixer": Learn2Mix(mixing_rate=1.5)},
        (X, Y, {}),
        InvalidParameterError,
        "'mixing_rate' parameter of Learn2Mix",
    ),
    (
        "min_weight = 1",
        {"mixer": GroupDRO(min_weight=1.0)},
        (X, Y, {}),
        InvalidParameterError,
        "'min_weight' parameter of GroupDRO",
    ),
    (
        "max_weight < 1",
        {"mixer": Learn2Mix(max_weight=0.5)},
        (X, Y, {}),
        InvalidParameterError,
        "'max_weight' parameter of Learn2Mix",
    ),
    (
        "early stopping on an unknown loss",
        {"early_stopping": EarlyStopping(monitor="median")},
        (X, Y, {}),
        InvalidParameterError,
        "'monitor' parameter of EarlyStopping",
    ),
    (
        "validation_fraction = 0",
        {"validation_fraction": 0.0},
        (X, Y, {}),
        InvalidParameterError,
        "validation_fraction",
    ),
    (
        "validation needed but none",
        {"validation_fraction": None, "loss_source": "validation"},
        (X, Y, {}),
        ValueError,
        "needs validation data",
    ),
    (
        "unknown loss_source",
        {"loss_source": "test"},
        (X, Y, {}),
        InvalidParameterError,
        "loss_source",
    ),
]


@pytest.mark.parametrize("backend", backend_params())
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(backend, case):
    _, params, (X_fit, y_fit, fit_kwargs), error, match = case
    clf = Learn2MixClassifier(small_model(backend), random_state=0, **params)
    with pytest.raises(error, match=match):
        clf.fit(X_fit, y_fit, **fit_kwargs)
    assert not hasattr(clf, "estimator_")


def test_inner_estimators_that_cannot_be_mixed():
    with pytest.raises(ValueError, match="does not accept sample_weight"):
        Learn2MixClassifier(KNeighborsClassifier()).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="implementing 'fit'"):
        Learn2MixClassifier(object()).fit(X, Y)


def test_predict_side_errors():
    clf = Learn2MixClassifier(small_model("hgb"), random_state=0)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    clf.fit(X, Y)
    with pytest.raises(ValueError, match="X has 3 features, but Learn2MixClassifier"):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="Expected 2D array"):
        clf.predict(X[:, 0])


def test_regressor_target_errors():
    with pytest.raises(ValueError, match="numeric target"):
        Learn2MixRegressor().fit(X, np.array(["a"] * 120))
    with pytest.raises(ValueError, match="y contains NaN"):
        Learn2MixRegressor().fit(X, np.r_[np.nan, np.ones(119)])


def test_documented_fallbacks_warn_instead_of_failing():
    # one sample per group: no validation rows at all -> training losses, with a warning
    clf = Learn2MixClassifier(small_model("hgb"), loss_source="validation", random_state=0)
    with pytest.warns(UserWarning, match="Too few samples to hold out a validation part"):
        clf.fit(X, Y, groups=np.arange(120))
    assert clf.loss_source_ == "train" and np.all(np.isfinite(clf.mixture_))
    # the default ("auto") makes the same choice, and names the groups too small to measure
    with pytest.warns(UserWarning, match=r"Groups 0 \(1 rows\), 1 \(1 rows\).*fewer than 20"):
        clf = Learn2MixClassifier(small_model("hgb"), random_state=0).fit(
            X, Y, groups=np.arange(120)
        )
    assert clf.loss_source_ == "train"
    assert np.all(clf.mixture_ <= 5.0 * clf.natural_mixture_ + 1e-12)  # the ceiling
    # NaN / inf in X reach the inner model, which accepts them (HistGradientBoosting)
    X_nan = X.copy()
    X_nan[0, 0], X_nan[1, 1] = np.nan, np.inf
    assert Learn2MixClassifier(small_model("hgb"), random_state=0).fit(X_nan, Y).predict(
        X_nan
    ).shape == (120,)
    from sklearn_l2m.exceptions import RefitWarning

    # a model that refits every round says so first, then rejects the NaN itself
    with pytest.raises(ValueError, match="NaN"), pytest.warns(RefitWarning):
        Learn2MixClassifier(
            __import__("sklearn.linear_model").linear_model.LogisticRegression()
        ).fit(X_nan, Y)


class _InterruptedHGB(HistGradientBoostingClassifier):
    """A model whose training is interrupted (Ctrl-C) in its first fit."""

    def fit(self, X, y, sample_weight=None):
        raise KeyboardInterrupt


def test_interrupted_fit_leaves_the_estimator_as_it_was():
    clf = Learn2MixClassifier(small_model("hgb"), random_state=0).fit(X, Y)
    before = clf.predict_proba(X)
    history = clf.mixture_history_.copy()
    with pytest.raises(KeyboardInterrupt):
        clf.set_params(estimator=_InterruptedHGB(max_iter=10)).fit(X[:60], Y[:60])
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    np.testing.assert_array_equal(clf.mixture_history_, history)
    fresh = Learn2MixClassifier(_InterruptedHGB(max_iter=10))
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, Y)
    assert not hasattr(fresh, "estimator_")


@pytest.mark.parametrize("backend", backend_params())
def test_joblib_round_trip_and_clone_refit(backend, tmp_path):
    import joblib
    from sklearn.base import clone

    clf = Learn2MixClassifier(small_model(backend), random_state=0).fit(X, Y)
    path = tmp_path / "model.joblib"
    joblib.dump(clf, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    refit = clone(clf).fit(X, Y)
    np.testing.assert_array_equal(refit.predict_proba(X), clf.predict_proba(X))
