"""The benchmark suites: which data, which inner model, which strategies.

Every strategy of a task trains the same inner model with the same budget
(trees / epochs); only how the training data is mixed differs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from sklearn_l2m.datasets import (
    load_fashion_mnist,
    load_hiv,
    load_long_tailed_digits,
    load_mnist1d,
    load_moleculeace,
    load_tiny_class_wine,
)

from ..models import make_model


@dataclass(frozen=True)
class Task:
    """One task of the strategy suites: its data, its inner model, what it compares.

    A variant is ``dataclasses.replace(task, name=..., inner=...)``.
    """

    name: str
    description: str
    #: ``load(seed)``: a Bunch with ``X_train``, ``y_train``, ``X_test``, ``y_test``
    #: (and ``groups_train`` / ``groups_test`` where the rows have groups)
    load: Callable
    #: ``inner(seed, X_test=None, y_test=None)``: a fresh inner model
    inner: Callable
    strategies: list
    kind: str = "classification"  # or "regression"
    #: what one step of the inner model's budget is (the curves' x axis)
    step_name: str = "steps"
    #: whether the strategies are given the rows' groups (else they mix classes)
    use_groups: bool = False


# the baselines every classification suite compares against (issue 16): balanced
# weights, post-hoc logit adjustment, and learn2mix's own end point, fixed
BASELINES = ["classical", "balanced", "logit_adjusted"]
LEARN2MIX = [
    "learn2mix",
    "learn2mix_uniform",
    "learn2mix_refit",
    "static_final",
    "learn2mix_paper",
]
TABULAR = [*BASELINES, "oversample", *LEARN2MIX, "group_dro"]


def _inner(family, budget=None, n_in=None, n_out=None, regression=False, **params):
    """A task's ``inner(seed, X_test=None, y_test=None)``, built by :func:`make_model`."""

    def make(seed, X_test=None, y_test=None):
        extra = {"X_test": X_test} if family == "mlp" and not regression else {}
        return make_model(
            family, seed, n_in, n_out, budget, regression=regression, **params, **extra
        )

    return make


def _xgb(n_estimators=100, **params):
    return _inner("xgboost", n_estimators, **params)


def _lgbm(n_estimators=100, **params):
    return _inner("lightgbm", n_estimators, **params)


def _catboost(iterations=1000, **params):
    return _inner("catboost", iterations, **params)


_hgb = _inner("hgb", 100)


def _mlp(n_in, n_out, hidden=128, epochs=40, batch_size=128, lr=2e-3):
    return _inner("mlp", epochs, n_in, n_out, hidden=hidden, batch_size=batch_size, lr=lr)


def _subsample_test(bunch, n, seed=0):
    rows = np.random.RandomState(seed).choice(len(bunch.y_test), n, replace=False)
    bunch.X_test, bunch.y_test = bunch.X_test[rows], bunch.y_test[rows]
    return bunch


def _moleculeace_targets(n_targets, for_nets=False):
    def load(seed):
        data = load_moleculeace("regression")
        if for_nets:  # float32 inputs, a centred target (RMSE is unchanged)
            mean = data["y_train"].mean()
            for part in ("train", "test"):
                data[f"X_{part}"] = data[f"X_{part}"].astype(np.float32)
                data[f"y_{part}"] = (data[f"y_{part}"] - mean).astype(np.float32)
        keep_groups = sorted(set(data.groups_train))[:n_targets]
        tr = np.isin(data.groups_train, keep_groups)
        te = np.isin(data.groups_test, keep_groups)
        for part, mask in (("train", tr), ("test", te)):
            for key in ("X", "y", "groups"):
                data[f"{key}_{part}"] = data[f"{key}_{part}"][mask]
        return data

    return load


_xgb_regressor = _inner("xgboost", 100, regression=True, max_depth=6, learning_rate=0.1)


DIGITS = Task(
    name="long-tailed digits / HGB",
    description="scikit-learn digits, training classes cut geometrically to 1:50 "
    "(291 rows), balanced test split (719 rows); HistGradientBoosting, 100 iterations.",
    load=lambda seed: load_long_tailed_digits(50, random_state=seed),
    inner=_hgb,
    kind="classification",
    strategies=TABULAR,
    step_name="trees",
)
DIGITS_XGB = replace(
    DIGITS,
    name="long-tailed digits / XGBoost",
    description="As above with XGBoost (100 trees, depth 4).",
    inner=_xgb(n_estimators=100, max_depth=4),
)
WINE = replace(
    DIGITS,
    name="tiny-class wine / HGB",
    description="scikit-learn wine, training classes cut to 29 / 9 / 3 rows (fewer than "
    "HistGradientBoosting's min_samples_leaf), stratified test split (71 rows); "
    "HistGradientBoosting, 100 iterations.",
    load=lambda seed: load_tiny_class_wine(10, random_state=seed),
)
WINE_XGB = replace(
    WINE,
    name="tiny-class wine / XGBoost",
    description="As above with XGBoost (100 trees, depth 4).",
    inner=_xgb(n_estimators=100, max_depth=4),
)
NETS = [*BASELINES, *LEARN2MIX, "focal"]
MNIST1D = Task(
    name="long-tailed MNIST-1D / MLP",
    description="MNIST-1D (4,000 train cut geometrically to 1:50, 1,000 test); skorch "
    "MLP (40-128-128-10, Adam 2e-3, batch 128, 40 epochs). Curve: test balanced accuracy "
    "per epoch.",
    load=lambda seed: load_mnist1d(50, random_state=seed),
    inner=_mlp(40, 10),
    kind="classification",
    step_name="epochs",
    strategies=NETS,
)
FASHION = Task(
    name="long-tailed Fashion-MNIST / MLP",
    description="Fashion-MNIST, training classes cut geometrically to 1:50 (16,800 rows), "
    "3,000 test rows; skorch MLP (784-128-128-10, Adam 1e-3, batch 128, 10 epochs).",
    load=lambda seed: _subsample_test(load_fashion_mnist(50, random_state=seed), 3000),
    inner=_mlp(784, 10, epochs=10, lr=1e-3),
    kind="classification",
    step_name="epochs",
    strategies=NETS,
)
HIV = Task(
    name="HIV / XGBoost",
    description="NCI HIV screen, 3 classes (about 100 : 2.6 : 1), Morgan fingerprints "
    "(1,024 bits), stratified 80/20 split with the natural class distribution in test; "
    "XGBoost (100 trees, depth 6).",
    load=lambda seed: load_hiv(random_state=seed),
    inner=_xgb(n_estimators=100, max_depth=6),
    kind="classification",
    strategies=[*BASELINES, *LEARN2MIX, "group_dro"],
    step_name="trees",
)
POOLED_REGRESSION = Task(
    name="MoleculeACE pooled regression / XGBoost",
    description="MoleculeACE, the first 10 ChEMBL targets pooled (target = group), "
    "MoleculeACE's own train/test split, regression of -log10(Ki or EC50 / nM); "
    "XGBoost regressor (100 trees, depth 6).",
    load=_moleculeace_targets(10),
    inner=_xgb_regressor,
    kind="regression",
    use_groups=True,
    strategies=[
        "classical",
        "balanced",
        "learn2mix",
        "learn2mix_refit",
        "static_final",
        "group_dro",
    ],
)


def _mlp_regressor(epochs):
    def make(seed, X_test=None, y_test=None):
        from ..nets import mlp_regressor

        return mlp_regressor(1024, epochs=epochs)

    return make


# the paper's regression gains are for nets early in training: two budgets
POOLED_REGRESSION_MLP_EARLY = replace(
    POOLED_REGRESSION,
    name="MoleculeACE pooled regression / MLP, 3 epochs",
    description="As above (target centred on its training mean) with a skorch MLP "
    "(1024-256-256-1, Adam 1e-3, batch 128) stopped early, after 3 epochs.",
    load=_moleculeace_targets(10, for_nets=True),
    inner=_mlp_regressor(3),
    strategies=[
        "classical",
        "balanced_mixture",
        "learn2mix",
        "learn2mix_refit",
        "learn2mix_paper",
        "static_final",
        "group_dro",
    ],
)
POOLED_REGRESSION_MLP = replace(
    POOLED_REGRESSION_MLP_EARLY,
    name="MoleculeACE pooled regression / MLP, 30 epochs",
    description="The same MLP trained for 30 epochs.",
    inner=_mlp_regressor(30),
)

DIGITS_LGBM = replace(
    DIGITS,
    name="long-tailed digits / LightGBM",
    description="As above with LightGBM (100 trees, 15 leaves, min_child_samples 5).",
    inner=_lgbm(n_estimators=100, num_leaves=15, min_child_samples=5),
)
DIGITS_CATBOOST = replace(
    DIGITS,
    name="long-tailed digits / CatBoost",
    description="As above with CatBoost (300 iterations, depth 4, its own learning rate).",
    inner=_catboost(iterations=300, depth=4),
)
HIV_LGBM = replace(
    HIV,
    name="HIV / LightGBM",
    description="As HIV / XGBoost with LightGBM (100 trees, 63 leaves).",
    inner=_lgbm(n_estimators=100, num_leaves=63),
)
HIV_CATBOOST = replace(
    HIV,
    name="HIV / CatBoost",
    description="As HIV / XGBoost with CatBoost (100 iterations, depth 6, its own learning rate).",
    inner=_catboost(iterations=100, depth=6),
)

# the demo: the strategies that tell the story, on bundled real data, in about a minute
DEMO_STRATEGIES = ["classical", "balanced", "logit_adjusted", "learn2mix", "learn2mix_uniform"]
DEMO_TASKS = [
    replace(DIGITS, strategies=DEMO_STRATEGIES),
    replace(WINE, strategies=DEMO_STRATEGIES),
]

SUITES = {
    "demo": {
        "seeds": 5,
        "out": "benchmarks/results/demo",
        "tasks": DEMO_TASKS,
        "summary_figure": True,  # one figure for the whole suite, no per-task plots
        "grouped_task": True,  # and one grouped task through compare (benchmarks.suites.run)
    },
    "quick": {
        "seeds": 3,
        "out": "benchmarks/results/quick",
        "tasks": [DIGITS, DIGITS_XGB, MNIST1D],
    },
    "full": {
        "seeds": 3,
        "out": "benchmarks",
        "tasks": [DIGITS, DIGITS_XGB, WINE, WINE_XGB, MNIST1D, FASHION, HIV, POOLED_REGRESSION],
    },
    # grouped regression with nets, early and late in training (issue 16, item 5)
    "regression-nets": {
        "seeds": 3,
        "out": "benchmarks",
        "tasks": [POOLED_REGRESSION_MLP_EARLY, POOLED_REGRESSION_MLP],
    },
    # the same strategies with the LightGBM and CatBoost backends
    "boosting-libs": {
        "seeds": 3,
        "out": "benchmarks",
        "tasks": [DIGITS_LGBM, DIGITS_CATBOOST, HIV_LGBM, HIV_CATBOOST],
    },
}
