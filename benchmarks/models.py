"""One model factory for every suite: ``make_model(family, seed, n_in, n_out, budget)``.

A suite names a family and a budget (trees, iterations or epochs); the
family's own settings are here once, and a suite's deviations (a depth, a
learning rate, threads) are keyword arguments that the report can print::

    make_model("xgboost", seed=0, budget=100, max_depth=4)
    make_model("mlp", seed=0, n_in=40, n_out=10, budget=20, hidden=64)
    make_model("hgb", seed=1, budget=100, regression=True)

Every model is a classifier unless ``regression=True``. The inner libraries
are imported on first use, so a suite runs without the ones it does not name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    what: str  # the budget's unit and the settings a report quotes
    budget: int  # the default budget
    build: Callable  # (seed, n_in, n_out, budget, regression, n_jobs, params) -> model


def _xgboost(seed, n_in, n_out, budget, regression, n_jobs, params):
    import xgboost

    cls = xgboost.XGBRegressor if regression else xgboost.XGBClassifier
    return cls(n_estimators=budget, random_state=seed, n_jobs=n_jobs, **params)


def _lightgbm(seed, n_in, n_out, budget, regression, n_jobs, params):
    import lightgbm

    cls = lightgbm.LGBMRegressor if regression else lightgbm.LGBMClassifier
    return cls(n_estimators=budget, random_state=seed, n_jobs=n_jobs, verbose=-1, **params)


def _catboost(seed, n_in, n_out, budget, regression, n_jobs, params):
    import catboost

    cls = catboost.CatBoostRegressor if regression else catboost.CatBoostClassifier
    return cls(
        iterations=budget, random_seed=seed, thread_count=n_jobs, verbose=0,
        allow_writing_files=False, **params,
    )  # fmt: skip


def _hgb(seed, n_in, n_out, budget, regression, n_jobs, params):
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    cls = HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
    return cls(max_iter=budget, early_stopping=False, random_state=seed, **params)


def _random_forest(seed, n_in, n_out, budget, regression, n_jobs, params):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    cls = RandomForestRegressor if regression else RandomForestClassifier
    return cls(n_estimators=budget, random_state=seed, n_jobs=n_jobs, **params)


def _gradient_boosting(seed, n_in, n_out, budget, regression, n_jobs, params):
    from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

    cls = GradientBoostingRegressor if regression else GradientBoostingClassifier
    return cls(n_estimators=budget, random_state=seed, **{"max_depth": 3, **params})


def _mlp(seed, n_in, n_out, budget, regression, n_jobs, params):
    from .nets import mlp_classifier, mlp_regressor

    if n_in is None or (n_out is None and not regression):
        raise ValueError("the mlp family needs n_in (features) and n_out (classes)")
    if regression:
        return mlp_regressor(n_in, epochs=budget, **params)
    return mlp_classifier(n_in, n_out, epochs=budget, **params)


#: every inner model family of the benchmarks
FAMILIES = {
    "xgboost": Family("XGBoost, trees (hist)", 100, _xgboost),
    "lightgbm": Family("LightGBM, trees (31 leaves)", 100, _lightgbm),
    "catboost": Family("CatBoost, iterations (depth 6)", 1000, _catboost),
    "hgb": Family("HistGradientBoosting, iterations, no early stopping", 100, _hgb),
    "rf": Family("RandomForest, trees", 100, _random_forest),
    "gb": Family("GradientBoosting, trees of depth 3", 100, _gradient_boosting),
    "mlp": Family("skorch MLP, 2 hidden layers, Adam, epochs", 20, _mlp),
}


def make_model(
    family: str,
    seed: int = 0,
    n_in: int | None = None,
    n_out: int | None = None,
    budget: int | None = None,
    *,
    regression: bool = False,
    n_jobs: int = 2,
    **params,
):
    """The inner model of ``family`` with ``budget`` trees / iterations / epochs
    (the family's default when None); ``params`` override its settings."""
    if family not in FAMILIES:
        raise ValueError(f"unknown model family {family!r}; choose one of {sorted(FAMILIES)}")
    spec = FAMILIES[family]
    budget = spec.budget if budget is None else int(budget)
    return spec.build(seed, n_in, n_out, budget, regression, n_jobs, params)
