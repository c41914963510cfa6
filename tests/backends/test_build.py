"""Building the backend of one fit (backends/_build.py)."""

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from sklearn_l2m.backends._build import build_backend, cast_input, check_inner_kind


def test_the_inner_model_is_cloned_and_seeded_only_where_unseeded():
    user = HistGradientBoostingClassifier()
    backend = build_backend(user, is_classifier=True, seed=7, init_seed=7)
    assert backend.estimator is not user and user.random_state is None
    assert backend.estimator.random_state == 7
    seeded = build_backend(
        HistGradientBoostingClassifier(random_state=3), is_classifier=True, seed=7, init_seed=7
    )
    assert seeded.estimator.random_state == 3


def test_mixing_mode_and_fit_parameters():
    backend = build_backend(
        HistGradientBoostingClassifier(),
        is_classifier=True,
        seed=0,
        init_seed=0,
        fit_params={"a": 1},
    )
    assert backend.mixing_mode == "reweight" and backend.fit_params == {"a": 1}
    with pytest.raises(ValueError, match="mixing_mode='resample' is not available"):
        build_backend(
            HistGradientBoostingClassifier(),
            is_classifier=True,
            seed=0,
            init_seed=0,
            mixing_mode="resample",
        )


def test_the_wrong_kind_of_model_is_refused_with_the_other_estimator_named():
    with pytest.raises(TypeError, match="Use Learn2MixRegressor for a regressor"):
        check_inner_kind(HistGradientBoostingRegressor(), is_classifier=True)
    check_inner_kind(HistGradientBoostingRegressor(), is_classifier=False)


def test_float_arrays_take_the_models_dtype():
    X = np.zeros((2, 2))
    assert cast_input(X, np.float32).dtype == np.float32
    assert cast_input(X, None) is X
    assert cast_input({"a": X}, np.float32)["a"].dtype == np.float32
    strings = np.array([["a"]])
    assert cast_input(strings, np.float32) is strings
