"""The inner models the tests train, one registry for every test module.

``inner(backend, ...)`` builds a small, quiet, single-threaded inner model of any
backend; ``backend_params(...)`` parametrizes a test over backends, each one
skipped on its own where its library is not installed (so the other backends'
tests still run). Fixtures built on these live in ``conftest.py``.
"""

from __future__ import annotations

import importlib.util

import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

#: backend -> the library it needs
LIBRARIES = {
    "hgb": "sklearn",
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
    "catboost": "catboost",
    "skorch": "skorch",
}
BACKENDS = tuple(LIBRARIES)

#: backend -> the device settings a GPU run would change (their CPU values)
DEVICE = {
    "hgb": {},
    "xgboost": {"device": "cpu"},
    "lightgbm": {"device_type": "cpu"},
    "catboost": {"task_type": "CPU"},
    "skorch": {"device": "cpu"},
}

#: backend -> an inner parameter worth tuning, with two values
GRID = {
    "hgb": ("max_depth", [2, 4]),
    "xgboost": ("max_depth", [2, 4]),
    "lightgbm": ("num_leaves", [3, 7]),
    "catboost": ("depth", [2, 4]),
    "skorch": ("module__hidden", [8, 16]),
}


def installed(backend: str) -> bool:
    return importlib.util.find_spec(LIBRARIES[backend]) is not None


def backend_params(*names: str) -> list:
    """``pytest.param`` per backend (all by default), skipped where its library is
    missing."""
    return [
        pytest.param(
            name,
            id=name,
            marks=pytest.mark.skipif(not installed(name), reason=f"{LIBRARIES[name]} missing"),
        )
        for name in names or BACKENDS
    ]


def hgb(max_iter: int = 20, *, regressor: bool = False, **params):
    """HistGradientBoosting without its own early stopping (the library's default)."""
    cls = HistGradientBoostingRegressor if regressor else HistGradientBoostingClassifier
    return cls(max_iter=max_iter, early_stopping=False, **params)


def inner(backend: str, budget: int = 20, *, regressor: bool = False, n_in=8, n_out=3, **params):
    """A small inner model of ``backend`` with ``budget`` trees, iterations or epochs;
    ``n_in`` / ``n_out`` size the skorch net; ``params`` override the defaults."""
    if backend == "hgb":
        return hgb(budget, regressor=regressor, **params)
    if not installed(backend):
        pytest.skip(f"{LIBRARIES[backend]} missing")
    if backend == "xgboost":
        import xgboost

        cls = xgboost.XGBRegressor if regressor else xgboost.XGBClassifier
        return cls(**{"n_estimators": budget, "n_jobs": 1, **params})
    if backend == "lightgbm":
        import lightgbm

        cls = lightgbm.LGBMRegressor if regressor else lightgbm.LGBMClassifier
        return cls(**{"n_estimators": budget, "n_jobs": 1, "verbose": -1, **params})
    if backend == "catboost":
        import catboost

        cls = catboost.CatBoostRegressor if regressor else catboost.CatBoostClassifier
        quiet = {"verbose": 0, "thread_count": 1, "allow_writing_files": False}
        return cls(**{"iterations": budget, **quiet, **params})
    if backend == "skorch":
        import torch
        from skorch import NeuralNetClassifier, NeuralNetRegressor

        cls = NeuralNetRegressor if regressor else NeuralNetClassifier
        criterion = torch.nn.MSELoss if regressor else torch.nn.CrossEntropyLoss
        defaults = dict(
            module__n_in=n_in, module__n_out=1 if regressor else n_out, max_epochs=budget,
            lr=0.05, optimizer=torch.optim.Adam, train_split=None, verbose=0,
            criterion=criterion,
        )  # fmt: skip
        return cls(Net, **{**defaults, **params})
    raise ValueError(f"unknown backend {backend!r}; one of {BACKENDS}")


try:  # at module level, so that a fitted net pickles
    import torch

    class Net(torch.nn.Module):
        """One hidden layer; logits out (a classifier's criterion is cross-entropy)."""

        def __init__(self, n_in=8, n_out=3, hidden=16):
            super().__init__()
            self.layers = torch.nn.Sequential(
                torch.nn.Linear(n_in, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, n_out)
            )

        def forward(self, X):
            return self.layers(X)

except ImportError:  # pragma: no cover - without the torch extra
    Net = None
