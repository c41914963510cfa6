"""The contract every backend keeps, one parametrized suite: the same seed gives the
same model, a pickled model predicts the same, device settings reach the fitted
inner model unchanged (a GPU run takes the same path), and the estimator works
inside a Pipeline under GridSearchCV over an inner parameter."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_l2m import Learn2MixClassifier


def _hgb():
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=20, early_stopping=False), {}, "max_depth"


def _xgboost():
    xgb = pytest.importorskip("xgboost")
    inner = xgb.XGBClassifier(n_estimators=20, subsample=0.7, n_jobs=1, device="cpu")
    return inner, {"device": "cpu"}, "max_depth"


def _lightgbm():
    lgb = pytest.importorskip("lightgbm")
    inner = lgb.LGBMClassifier(
        n_estimators=20, subsample=0.7, subsample_freq=1, device_type="cpu", verbose=-1, n_jobs=1
    )
    return inner, {"device_type": "cpu"}, "num_leaves"


def _catboost():
    cb = pytest.importorskip("catboost")
    inner = cb.CatBoostClassifier(
        iterations=20, task_type="CPU", verbose=0, thread_count=1, allow_writing_files=False
    )
    return inner, {"task_type": "CPU"}, "depth"


def _skorch():
    pytest.importorskip("skorch")
    import torch
    from skorch import NeuralNetClassifier

    inner = NeuralNetClassifier(
        _Net, max_epochs=6, lr=0.05, optimizer=torch.optim.Adam, train_split=None, verbose=0,
        device="cpu", criterion=torch.nn.CrossEntropyLoss,
    )  # fmt: skip
    return inner, {"device": "cpu"}, "module__hidden"


try:  # at module level, so that a fitted net pickles
    import torch

    class _Net(torch.nn.Module):
        def __init__(self, hidden=16):
            super().__init__()
            self.layers = torch.nn.Sequential(
                torch.nn.Linear(8, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 3)
            )

        def forward(self, X):
            return self.layers(X)
except ImportError:  # pragma: no cover - without the torch extra
    _Net = None


#: backend -> (inner model, its device settings, an inner parameter to tune)
BACKENDS = {
    "hgb": _hgb,
    "xgboost": _xgboost,
    "lightgbm": _lightgbm,
    "catboost": _catboost,
    "skorch": _skorch,
}
GRID = {"max_depth": [2, 4], "num_leaves": [3, 7], "depth": [2, 4], "module__hidden": [8, 16]}


@pytest.fixture
def data(multiclass):
    X, y = multiclass
    return X.astype(np.float32), y.astype(np.int64)


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_seed_same_model_and_a_pickle_predicts_the_same(backend, data):
    X, y = data
    inner, device, _ = BACKENDS[backend]()
    make = lambda: Learn2MixClassifier(clone(inner), random_state=5)  # noqa: E731
    a, b = make().fit(X, y), make().fit(X, y)
    np.testing.assert_array_equal(a.mixture_history_, b.mixture_history_)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6)
    assert not np.allclose(a.mixture_history_[0], a.mixture_history_[-1])  # it mixed
    loaded = pickle.loads(pickle.dumps(a))
    assert type(loaded.estimator_) is type(inner)
    np.testing.assert_array_equal(loaded.predict_proba(X), a.predict_proba(X))
    for name, value in device.items():  # what a GPU run sets, passed through unchanged
        assert a.estimator_.get_params()[name] == value


@pytest.mark.parametrize("backend", BACKENDS)
def test_in_a_pipeline_under_grid_search(backend, data):
    X, y = data
    inner, _, param = BACKENDS[backend]()
    pipe = make_pipeline(StandardScaler(), Learn2MixClassifier(inner, random_state=0))
    key = f"learn2mixclassifier__estimator__{param}"
    search = GridSearchCV(pipe, {key: GRID[param]}, cv=2).fit(X, y)
    assert search.best_params_[key] in GRID[param]
    assert isinstance(search.best_estimator_[-1].estimator_, type(inner))
    assert search.predict(X).shape == y.shape
