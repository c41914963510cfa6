"""scikit-learn's estimator checks over every backend and the configurations that matter.

One module for all of them: each backend at its defaults and with validation
losses on (a held-out part, the main path of a real fit); the default backend
(HistGradientBoosting) and XGBoost also with Group DRO and with a uniform
decision prior. The checks' data are small, so ``loss_source="validation"``
and ``validation_fraction=0.3`` force the held-out part where the defaults
would train on every row.

Each expected failure names its reason. Two kinds recur:

* ``check_sample_weight_equivalence_*`` with a held-out part: repeating a row
  (the check's way of doubling its weight) changes which rows are drawn for
  validation, so the two fits see different training rows;
* a model's own limits (CatBoost and sparse input; XGBoost's float32 weights).
"""

from __future__ import annotations

from functools import partial

import pytest
from _checks import checks
from _models import inner, installed

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor

VALIDATION = dict(loss_source="validation", validation_fraction=0.3)

#: backend -> (classifier, regressor, its own expected failures)
BACKENDS = {
    "hgb": (None, None, {}),
    "xgboost": (
        partial(inner, "xgboost", 5),
        partial(inner, "xgboost", 5, regressor=True),
        # XGBoost keeps weights in float32: the mixture's rescaled weights match row
        # repetition to about 1e-7 relative, just outside the check's rtol=1e-7
        {
            f"check_sample_weight_equivalence_on_{kind}_data": "float32 weight rounding"
            for kind in ("dense", "sparse")
        },
    ),
    "lightgbm": (
        partial(inner, "lightgbm", 5),
        partial(inner, "lightgbm", 20, regressor=True),  # R² > 0.5
        {},
    ),
    "catboost": (
        partial(inner, "catboost", 5),
        partial(inner, "catboost", 5, regressor=True),
        {
            "check_estimator_sparse_array": "CatBoost rejects scipy sparse arrays (csr_array)",
            "check_estimator_sparse_tag": "CatBoost rejects scipy sparse arrays (csr_array)",
            "check_estimator_sparse_matrix": "CatBoost rejects int64-indexed sparse matrices",
            "check_dtype_object": "CatBoost needs object columns declared in cat_features",
            **{
                f"check_sample_weight_equivalence_on_{kind}_data": "CatBoost's ordered "
                "boosting and learning rate depend on the number of rows, not only on "
                "their weights"
                for kind in ("dense", "sparse")
            },
        },
    ),
}

#: configuration -> (constructor parameters, classifiers only, backends)
CONFIGS = {
    "defaults": ({}, False, tuple(BACKENDS)),
    "validation losses": (VALIDATION, False, tuple(BACKENDS)),
    "group DRO": ({**VALIDATION, "mixer": "group_dro"}, False, ("hgb", "xgboost")),
    "uniform decision prior": ({"decision_prior": "uniform"}, True, ("hgb", "xgboost")),
}

HELD_OUT = {
    f"check_sample_weight_equivalence_on_{kind}_data": "a repeated row changes which rows "
    "are held out for validation, so the two fits train on different rows"
    for kind in ("dense", "sparse")
}


def _estimators():
    out = []
    for params, classifiers_only, backends in CONFIGS.values():
        for backend in filter(installed, backends):  # a missing library skips its backend only
            make_classifier, make_regressor, _ = BACKENDS[backend]
            model = make_classifier() if make_classifier else None
            out.append(Learn2MixClassifier(model, random_state=0, **params))
            if not classifiers_only:
                model = make_regressor() if make_regressor else None
                out.append(Learn2MixRegressor(model, random_state=0, **params))
    return out


def _backend_of(estimator) -> str:
    model = estimator.estimator
    if model is None:
        return "hgb"
    return type(model).__module__.split(".")[0]


def expected_failures(estimator) -> dict:
    failures = dict(BACKENDS[_backend_of(estimator)][2])
    if estimator.loss_source == "validation":
        failures.update(HELD_OUT)
    return failures


@checks(_estimators(), expected_failed_checks=expected_failures)
@pytest.mark.filterwarnings("ignore:Converting data to scipy sparse matrix")
def test_sklearn_compatible(estimator, check):
    check(estimator)
