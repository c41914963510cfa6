"""Other libraries' private APIs (_compat/): probes, fallbacks, kinds."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m._compat import hooks, sklearn_ensembles, sklearn_tags
from sklearn_l2m.exceptions import FallbackWarning


@pytest.fixture(scope="module")
def digits():
    # 17 distinct values per feature: bins do not depend on the weights, so the
    # fallback (which re-bins every round) must give the fast path's model exactly
    X, y = load_digits(return_X_y=True)
    keep = np.flatnonzero((y < 4) & ((y != 3) | (np.arange(len(y)) % 4 == 0)))
    return X[keep], y[keep]


def _fit_both(inner, X, y, **params):
    fast = Learn2MixClassifier(inner, random_state=0, **params).fit(X, y)
    hooks.reset_warnings()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with hooks.public_api_only():
            public = Learn2MixClassifier(inner, random_state=0, **params).fit(X, y)
            Learn2MixClassifier(inner, random_state=0, **params).fit(X, y)
    fallbacks = [w for w in caught if issubclass(w.category, FallbackWarning)]
    return fast, public, fallbacks


@pytest.mark.parametrize(
    "inner",
    [
        HistGradientBoostingClassifier(max_iter=30, early_stopping=False, random_state=0),
        GradientBoostingClassifier(n_estimators=20, random_state=0),
        RandomForestClassifier(n_estimators=20, random_state=0),
    ],
    ids=["hgb", "gb", "forest"],
)
def test_public_fallbacks_give_the_fast_paths_model(digits, inner):
    X, y = digits
    fast, public, fallbacks = _fit_both(inner, X, y, loss_source="validation")
    assert fast.n_rounds_ > 1
    np.testing.assert_allclose(public.mixture_history_, fast.mixture_history_, rtol=1e-10)
    np.testing.assert_allclose(public.predict_proba(X), fast.predict_proba(X), rtol=1e-10)
    # one warning per hook and process, however many fits, naming the cost
    names = [str(w.message) for w in fallbacks]
    assert len(names) == len(set(names)) >= 1
    assert all("public API" in name and "switched off" in name for name in names)


@pytest.mark.fast_path
def test_hgb_checks_and_encodes_the_training_rows_once(digits, monkeypatch):
    """Each round's warm start would check X and encode y again; the fast path does
    it in the first round only, the fallback in every round."""
    X, y = digits
    calls = {"_preprocess_X": 0, "_encode_y": 0}
    preprocess = HistGradientBoostingClassifier._preprocess_X
    encode = HistGradientBoostingClassifier._encode_y

    def _preprocess_X(self, X, *, reset):  # the signature the probe knows
        calls["_preprocess_X"] += reset  # predictions check X with reset=False
        return preprocess(self, X, reset=reset)

    def _encode_y(self, y):
        calls["_encode_y"] += 1
        return encode(self, y)

    monkeypatch.setattr(HistGradientBoostingClassifier, "_preprocess_X", _preprocess_X)
    monkeypatch.setattr(HistGradientBoostingClassifier, "_encode_y", _encode_y)
    inner = HistGradientBoostingClassifier(max_iter=30, early_stopping=False, random_state=0)
    fast = Learn2MixClassifier(inner, steps_per_round=5, random_state=0).fit(X, y)
    assert fast.n_rounds_ == 6 and calls == {"_preprocess_X": 1, "_encode_y": 1}
    calls.update({"_preprocess_X": 0, "_encode_y": 0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        with hooks.public_api_only():
            Learn2MixClassifier(inner, steps_per_round=5, random_state=0).fit(X, y)
    assert calls == {"_preprocess_X": 6, "_encode_y": 6}


def test_xgboost_fallback_continues_the_booster_round_by_round(digits):
    xgb = pytest.importorskip("xgboost")
    X, y = digits
    inner = xgb.XGBClassifier(n_estimators=30, max_depth=3, n_jobs=1)
    fast, public, fallbacks = _fit_both(inner, X, y, loss_source="validation")
    assert fast.n_rounds_ > 1 and public.n_rounds_ == fast.n_rounds_
    assert public.estimator_.get_booster().num_boosted_rounds() == 30
    assert public.estimator_.get_params()["n_estimators"] == 30  # the user's budget again
    np.testing.assert_allclose(public.mixture_history_, fast.mixture_history_, rtol=1e-4)
    np.testing.assert_allclose(public.predict_proba(X), fast.predict_proba(X), atol=1e-4)
    assert any("_create_dmatrix" in str(w.message) for w in fallbacks)


@pytest.mark.fast_path
def test_the_environment_variable_switches_every_hook_off(monkeypatch):
    assert hooks.fast_path("hgb_bin_once")
    monkeypatch.setenv(hooks.PUBLIC_ONLY_ENV, "1")
    hooks.reset_warnings()
    with pytest.warns(FallbackWarning, match=hooks.PUBLIC_ONLY_ENV):
        assert not hooks.fast_path("hgb_bin_once")


def test_a_missing_internal_is_named_with_the_library_version(monkeypatch):
    import sklearn

    hooks.reset_warnings()
    with pytest.warns(FallbackWarning, match=f"not found in scikit-learn {sklearn.__version__}"):
        assert not hooks.fast_path("sklearn_running_output", available=False)


def test_hgb_binning_probe_knows_both_signatures():
    class Old(HistGradientBoostingRegressor):
        def _bin_data(self, X, is_training_data):  # scikit-learn 1.6
            return super()._bin_data(X, None, is_training_data)

    class Unknown(HistGradientBoostingRegressor):
        def _bin_data(self, X, weights, training, extra):
            raise AssertionError("never called")

    assert sklearn_ensembles._bin_data_signature(HistGradientBoostingRegressor) is not None
    assert sklearn_ensembles._bin_data_signature(Old) == ["self", "X", "is_training_data"]
    assert sklearn_ensembles._bin_data_signature(Unknown) is None


class _OldStyle(ClassifierMixin, BaseEstimator):
    """A classifier written before scikit-learn's tags whose tags raise (as XGBoost 2.1
    and skorch 1.0 under scikit-learn 1.6)."""

    _estimator_type = "classifier"

    def fit(self, X, y, sample_weight=None):
        return self

    def __sklearn_tags__(self):
        raise AttributeError("'super' object has no attribute '__sklearn_tags__'")


class _NoKind:
    def fit(self, X, y, sample_weight=None):
        return self


@pytest.mark.parametrize(
    "estimator, kind",
    [
        (LogisticRegression(), "classifier"),
        (HistGradientBoostingRegressor(), "regressor"),
        (_OldStyle(), "classifier"),
        (_NoKind(), None),
    ],
    ids=["tags-classifier", "tags-regressor", "estimator-type-only", "neither"],
)
def test_kind_of_an_inner_model(estimator, kind):
    assert sklearn_tags.estimator_kind(estimator) == kind


def test_a_classifier_without_tags_is_refused_by_the_regressor():
    from sklearn_l2m import Learn2MixRegressor

    X, y = np.random.RandomState(0).randn(60, 3), np.arange(60) % 2
    with pytest.raises(TypeError, match="needs a regressor.*_OldStyle is a classifier"):
        Learn2MixRegressor(_OldStyle()).fit(X, y.astype(float))


def test_the_dask_backend_refuses_an_xgboost_it_does_not_support(monkeypatch):
    pytest.importorskip("distributed")
    xd = pytest.importorskip("xgboost.dask")
    from sklearn_l2m.backends import _xgboost_dask

    monkeypatch.setattr(_xgboost_dask, "MIN_XGBOOST_MAJOR", 99)
    backend = _xgboost_dask.XGBoostDaskBackend(
        xd.DaskXGBClassifier(), is_classifier=True, random_state=0
    )
    with pytest.raises(ImportError, match=r"needs xgboost>=99\.0.*X\.compute\(\)"):
        backend.check()


@pytest.mark.parametrize(
    "params",
    [
        {"n_rounds": 0},
        {"n_rounds": "many"},
        {"validation_fraction": 1.0},
        {"loss_source": "test"},
        {"early_stopping": "yes"},
        {"mixing_mode": "shuffle"},
        {"random_state": "seed"},
        {"estimator": object()},
        {"mixer": 3.5},
    ],
    ids=lambda p: next(iter(p)),
)
def test_parameter_checks_are_the_same_without_scikit_learns_checker(params):
    from sklearn_l2m.exceptions import InvalidParameterError

    X, y = np.random.RandomState(0).randn(60, 3), np.arange(60) % 2
    name = next(iter(params))
    with pytest.raises(ValueError, match=f"'{name}' parameter of Learn2MixClassifier must be"):
        Learn2MixClassifier(**params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        with hooks.public_api_only(), pytest.raises(InvalidParameterError, match=f"'{name}'"):
            Learn2MixClassifier(**params).fit(X, y)


def test_keeping_the_best_round_of_hgb_falls_back_to_every_iteration(digits):
    X, y = digits
    hgb = HistGradientBoostingClassifier(max_iter=8, early_stopping=False, random_state=0)
    hgb.fit(X, y)
    before = hgb.predict_proba(X)
    hooks.reset_warnings()
    with hooks.public_api_only(), pytest.warns(FallbackWarning, match="every iteration"):
        assert not sklearn_ensembles.keep_first_steps(hgb, 3)
    np.testing.assert_array_equal(hgb.predict_proba(X), before)
    assert sklearn_ensembles.keep_first_steps(hgb, 3) and hgb.n_iter_ == 3
    short = HistGradientBoostingClassifier(max_iter=3, early_stopping=False, random_state=0)
    np.testing.assert_allclose(hgb.predict_proba(X), short.fit(X, y).predict_proba(X))
