"""Per-sample losses and per-group sums (_training/losses.py)."""

import numpy as np
import pytest
from sklearn.metrics import log_loss

from sklearn_l2m._training.losses import (
    group_sums,
    log_loss_per_sample,
    means_from_sums,
    squared_error_per_sample,
    zero_one_per_sample,
)


def test_log_loss_per_sample_averages_to_scikit_learns():
    rng = np.random.RandomState(0)
    proba = rng.dirichlet(np.ones(4), size=50)
    y = rng.randint(0, 4, 50)
    per_sample = log_loss_per_sample(y, proba)
    assert per_sample.shape == (50,) and np.all(per_sample >= 0)
    assert per_sample.mean() == pytest.approx(log_loss(y, proba, labels=range(4)))


def test_a_certain_wrong_prediction_has_a_finite_loss():
    loss = log_loss_per_sample(np.array([0]), np.array([[0.0, 1.0]]))
    assert np.isfinite(loss).all() and loss[0] > 10


def test_squared_and_zero_one_losses():
    np.testing.assert_allclose(squared_error_per_sample([1.0, 2.0], [0.0, 4.0]), [1.0, 4.0])
    np.testing.assert_array_equal(zero_one_per_sample([1, 2, 3], [1, 0, 3]), [0, 1, 0])


@pytest.mark.parametrize("weighted", [False, True])
def test_group_sums_equal_a_loop_over_groups(weighted):
    rng = np.random.RandomState(1)
    loss, codes = rng.rand(40), rng.randint(0, 3, 40)
    weight = rng.rand(40) if weighted else None
    loss_sum, weight_sum = group_sums(loss, codes, 4, weight)
    w = np.ones(40) if weight is None else weight
    for g in range(4):
        assert loss_sum[g] == pytest.approx(np.sum((loss * w)[codes == g]))
        assert weight_sum[g] == pytest.approx(np.sum(w[codes == g]))
    assert loss_sum[3] == weight_sum[3] == 0  # a group with no rows


def test_means_from_sums_are_nan_where_a_group_has_no_weight():
    means = means_from_sums(np.array([2.0, 0.0, 3.0]), np.array([4.0, 0.0, 1.0]))
    np.testing.assert_array_equal(np.isnan(means), [False, True, False])
    np.testing.assert_allclose(means[[0, 2]], [0.5, 3.0])
