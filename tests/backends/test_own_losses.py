"""The losses the mixer reads are the fitted model's own, whatever the model's settings.

Every backend computes the per-group losses of the last round from outputs it
keeps up to date (running raw scores, a booster's cached predictions, a
library's own training scores). A setting that changes how the model's output
is formed (DART rescaling old trees, a forest mode averaging them, a linear
tree, an output transform) must not make those losses another model's: here
each configuration's last recorded losses are compared with the per-group
losses of the fitted model's own ``predict_proba`` / ``predict``.
"""

import numpy as np
import pytest
from _models import inner
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor

N, TRAIN = 900, 600
GROUPS = np.arange(N) % 3


def _xgb(kind, **params):
    return inner("xgboost", regressor=kind == "r", **params)


def _lgb(kind, **params):
    return inner("lightgbm", regressor=kind == "r", **params)


def _cb(kind, **params):
    return inner("catboost", regressor=kind == "r", **params)


#: (id, data: "multi" / "binary" / "reg" / "positive", inner model factory)
CASES = [
    ("xgb-dart", "binary", lambda: _xgb("c", booster="dart", rate_drop=0.2)),
    ("xgb-gblinear", "multi", lambda: _xgb("c", booster="gblinear")),
    ("xgb-parallel-trees", "multi", lambda: _xgb("c", num_parallel_tree=3, subsample=0.8)),
    ("xgb-multi-output-tree", "multi", lambda: _xgb("c", multi_strategy="multi_output_tree")),
    ("xgb-poisson", "positive", lambda: _xgb("r", objective="count:poisson")),
    ("xgb-absolute", "reg", lambda: _xgb("r", objective="reg:absoluteerror")),
    ("lgb-dart", "multi", lambda: _lgb("c", boosting_type="dart")),
    (
        "lgb-rf",
        "multi",
        lambda: _lgb("c", boosting_type="rf", bagging_fraction=0.7, bagging_freq=1),
    ),
    ("lgb-goss", "multi", lambda: _lgb("c", data_sample_strategy="goss")),
    ("lgb-linear-tree", "reg", lambda: _lgb("r", linear_tree=True)),
    ("lgb-multiclassova", "multi", lambda: _lgb("c", objective="multiclassova")),
    ("lgb-sigmoid-2", "binary", lambda: _lgb("c", sigmoid=2.0)),
    ("lgb-reg-sqrt", "positive", lambda: _lgb("r", reg_sqrt=True)),
    ("lgb-tweedie", "positive", lambda: _lgb("r", objective="tweedie")),
    ("cb-multi-one-vs-all", "multi", lambda: _cb("c", loss_function="MultiClassOneVsAll")),
    ("cb-poisson", "positive", lambda: _cb("r", loss_function="Poisson")),
    ("hgb-poisson", "positive", lambda: HistGradientBoostingRegressor(max_iter=20, loss="poisson")),
    (
        "hgb-class-weight",
        "multi",
        lambda: HistGradientBoostingClassifier(max_iter=20, class_weight="balanced"),
    ),  # fmt: skip
    ("gb-huber", "reg", lambda: GradientBoostingRegressor(n_estimators=20, loss="huber")),
    ("gb-subsample", "multi", lambda: GradientBoostingClassifier(n_estimators=20, subsample=0.7)),
    ("rf", "multi", lambda: RandomForestClassifier(n_estimators=20)),
]


def _data(kind):
    if kind in ("multi", "binary"):
        X, y = make_classification(N, 8, n_informative=5, n_classes=3, random_state=0)
        return X, y if kind == "multi" else (y > 0).astype(int)
    X, y = make_regression(N, 8, noise=10, random_state=0)
    return X, y if kind == "reg" else np.exp((y - y.mean()) / y.std())


@pytest.mark.parametrize("loss_source", ["train", "validation"])
@pytest.mark.parametrize(("name", "kind", "factory"), CASES, ids=[c[0] for c in CASES])
def test_the_recorded_losses_are_the_fitted_models_own(name, kind, factory, loss_source):
    X, y = _data(kind)
    meta = Learn2MixRegressor if kind in ("reg", "positive") else Learn2MixClassifier
    model = meta(factory(), steps_per_round=5, loss_source=loss_source, random_state=0)
    train, val = slice(0, TRAIN), slice(TRAIN, N)
    held_out = dict(X_val=X[val], y_val=y[val], groups_val=GROUPS[val])
    model.fit(
        X[train], y[train], groups=GROUPS[train], **(held_out if loss_source != "train" else {})
    )
    rows = train if loss_source == "train" else val
    if meta is Learn2MixClassifier:
        proba = model.predict_proba(X[rows])
        truth = np.searchsorted(model.classes_, y[rows])
        per_row = -np.log(np.clip(proba[np.arange(len(truth)), truth], 1e-15, 1.0))
    else:
        per_row = (model.predict(X[rows]) - y[rows]) ** 2
    own = [per_row[GROUPS[rows] == g].mean() for g in range(3)]
    np.testing.assert_allclose(model.group_loss_history_[-1], own, rtol=1e-4, atol=1e-8)
