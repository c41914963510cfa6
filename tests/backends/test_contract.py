"""The contract every backend keeps, one parametrized suite: the same seed gives the
same model, a pickled model predicts the same, device settings reach the fitted
inner model unchanged (a GPU run takes the same path), and the estimator works
inside a Pipeline under GridSearchCV over an inner parameter."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from _models import DEVICE, GRID, backend_params, inner
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_l2m import Learn2MixClassifier

#: backend -> its inner model, with the device settings a GPU run would change
SETTINGS = {
    "hgb": {},
    "xgboost": dict(subsample=0.7, **DEVICE["xgboost"]),
    "lightgbm": dict(subsample=0.7, subsample_freq=1, **DEVICE["lightgbm"]),
    "catboost": DEVICE["catboost"],
    "skorch": dict(max_epochs=6, **DEVICE["skorch"]),
}


def contract_model(backend):
    """The backend's inner model: 20 trees (6 epochs for the net), subsampled
    where the backend can subsample, so the seed matters."""
    return inner(backend, **SETTINGS[backend])


@pytest.fixture
def data(multiclass):
    X, y = multiclass
    return X.astype(np.float32), y.astype(np.int64)


@pytest.mark.parametrize("backend", backend_params())
def test_same_seed_same_model_and_a_pickle_predicts_the_same(backend, data):
    X, y = data
    model = contract_model(backend)
    make = lambda: Learn2MixClassifier(clone(model), random_state=5)  # noqa: E731
    a, b = make().fit(X, y), make().fit(X, y)
    np.testing.assert_array_equal(a.mixture_history_, b.mixture_history_)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6)
    assert not np.allclose(a.mixture_history_[0], a.mixture_history_[-1])  # it mixed
    loaded = pickle.loads(pickle.dumps(a))
    assert type(loaded.estimator_) is type(model)
    np.testing.assert_array_equal(loaded.predict_proba(X), a.predict_proba(X))
    for name, value in DEVICE[backend].items():  # what a GPU run sets, passed through unchanged
        assert a.estimator_.get_params()[name] == value


@pytest.mark.parametrize("backend", backend_params())
def test_in_a_pipeline_under_grid_search(backend, data):
    X, y = data
    model = contract_model(backend)
    pipe = make_pipeline(StandardScaler(), Learn2MixClassifier(model, random_state=0))
    param, values = GRID[backend]
    key = f"learn2mixclassifier__estimator__{param}"
    search = GridSearchCV(pipe, {key: values}, cv=2).fit(X, y)
    assert search.best_params_[key] in values
    assert isinstance(search.best_estimator_[-1].estimator_, type(model))
    assert search.predict(X).shape == y.shape
