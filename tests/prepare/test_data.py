"""In-memory input checks and the held-out part (_prepare/checks.py, groups.py, split.py)."""

import numpy as np
import pytest

from sklearn_l2m._prepare.checks import check_fit_params, check_weights, n_rows
from sklearn_l2m._prepare.groups import encode_groups
from sklearn_l2m._prepare.split import stratified_holdout
from sklearn_l2m._prepare.training_data import TrainingData


@pytest.mark.parametrize(
    "weight, match",
    [
        (np.ones(3), r"expected shape \(5,\)"),
        (np.ones((5, 2)), r"expected shape \(5,\)"),
        (-np.ones(5), "Negative values"),
        (np.full(5, np.nan), "NaN or infinity"),
        (np.zeros(5), "non-zero, positive"),
        (["a"] * 5, "expected numbers"),
    ],
    ids=["short", "2-d", "negative", "nan", "zero", "strings"],
)
def test_bad_weights_say_what_is_wrong(weight, match):
    with pytest.raises(ValueError, match=match):
        check_weights(weight, np.zeros((5, 2)))


def test_weights_default_to_ones_and_scalars_broadcast():
    np.testing.assert_array_equal(check_weights(None, np.zeros((4, 1))), np.ones(4))
    np.testing.assert_array_equal(check_weights(2, np.zeros((4, 1))), np.full(4, 2.0))


def test_rows_of_every_input_kind():
    assert n_rows(np.zeros((7, 3))) == 7
    assert n_rows([[1, 2], [3, 4]]) == 2
    assert n_rows({"a": np.zeros((5, 2)), "b": np.zeros(5)}) == 5
    with pytest.raises(TypeError, match="array-like of samples"):
        n_rows(3.0)


def test_per_sample_fit_parameters_are_refused_fit_wide_ones_pass():
    X = np.zeros((6, 2))
    check_fit_params({"categorical_feature": [0, 1], "verbose": 0, "names": np.arange(2)}, X)
    with pytest.raises(ValueError, match="'init_score' has one entry per sample"):
        check_fit_params({"init_score": np.zeros(6)}, X)


def test_groups_are_encoded_in_sorted_order():
    labels, codes = encode_groups(np.array(["b", "a", "b", "c"]), 4)
    assert labels.tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(codes, [1, 0, 1, 2])


def test_holdout_takes_its_share_of_every_stratum_and_keeps_one_for_training():
    strata = np.repeat([0, 1, 2], [100, 30, 2])
    mask = stratified_holdout(strata, 0.1, np.random.RandomState(0))
    assert [int(mask[strata == s].sum()) for s in range(3)] == [10, 3, 0]
    zero = np.ones(132)
    zero[:50] = 0
    mask = stratified_holdout(strata, 0.1, np.random.RandomState(0), weight=zero)
    assert not mask[:50].any()  # rows of weight 0 are never held out


def test_training_data_held_out_of_X_reads_rows_in_place():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 2
    data = TrainingData(
        X,
        y,
        np.ones(10),
        y,
        n_groups=2,
        n_classes=2,
        group_labels=np.array([0, 1]),
        train_rows=np.arange(8),
        val_rows=np.array([8, 9]),
    )
    assert data.holds_out_rows_of_X and data.has_validation and data.n_train == 8
    np.testing.assert_array_equal(data.X_val, X[8:])
    np.testing.assert_array_equal(data.validation_counts, [1, 1])
    everything = data.all_rows()
    assert not everything.has_validation and everything.n_train == 10
