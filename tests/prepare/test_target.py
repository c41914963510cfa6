"""Target encodings (_prepare/target.py): class labels and regression bins."""

import numpy as np
import pytest

from sklearn_l2m._prepare.target import BinnedTarget, ClassTarget


def test_class_labels_become_indices_and_groups():
    target = ClassTarget()
    encoded = target.encode(np.array(["b", "a", "b", "c"]))
    assert target.classes.tolist() == ["a", "b", "c"] and encoded.tolist() == [1, 0, 1, 2]
    labels, codes = target.default_groups(encoded)
    assert labels.tolist() == ["a", "b", "c"] and codes is encoded
    assert target.encode_val(np.array(["c", "a"])).tolist() == [2, 0]
    with pytest.raises(ValueError, match="y_val"):
        target.encode_val(np.array(["d"]))


def test_one_class_or_one_weighted_class_is_refused():
    with pytest.raises(ValueError, match="at least 2 classes; got 1 class"):
        ClassTarget().encode(np.array([1, 1, 1]))
    target = ClassTarget()
    encoded = target.encode(np.array([0, 1, 1]))
    with pytest.raises(ValueError, match=r"only class \[1\] has any"):
        target.check_weights(encoded, np.array([0.0, 1.0, 1.0]))


def test_regression_bins_are_quantiles_and_validation_goes_to_the_nearest_bin():
    target = BinnedTarget(4)
    y = target.encode(np.arange(100.0))
    labels, codes = target.default_groups(y)
    assert len(labels) == 4 and np.bincount(codes).tolist() == [25, 25, 25, 25]
    np.testing.assert_array_equal(target.default_groups_val(np.array([-5.0, 99.0])), [0, 3])
    ties = BinnedTarget(4)
    labels, _ = ties.default_groups(ties.encode(np.repeat([0.0, 1.0], [50, 50])))
    assert len(labels) == 2  # empty bins of tied targets are dropped


def test_a_regression_target_must_be_numeric():
    with pytest.raises(ValueError, match="numeric target"):
        BinnedTarget(3).encode(np.array(["x", "y"], dtype=object))
