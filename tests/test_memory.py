"""Fitting does not copy X once per round (tracemalloc, scikit-learn backend)."""

import tracemalloc

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from sklearn_l2m import Learn2MixClassifier


def _peak_bytes(n_rounds, X, y):
    clf = Learn2MixClassifier(
        HistGradientBoostingClassifier(max_iter=n_rounds * 2, early_stopping=False),
        steps_per_round=2,
        random_state=0,
    )
    tracemalloc.start()
    clf.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert clf.n_rounds_ == n_rounds
    return peak


def test_peak_memory_does_not_grow_with_rounds():
    rng = np.random.RandomState(0)
    X = rng.randn(20000, 20)  # 3.2 MB
    y = (X[:, 0] + 0.5 * rng.randn(20000) > 1).astype(int)
    few, many = _peak_bytes(2, X, y), _peak_bytes(12, X, y)
    # 10 more rounds would add 10 copies of X (32 MB) if rounds copied the data
    assert many - few < 0.5 * X.nbytes, (few, many)


def _alive_during_training(inner, X, y):
    """Python-allocated bytes alive at the first boosting iteration, above the data."""
    import xgboost

    alive = {}

    class Probe(xgboost.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            alive.setdefault("bytes", tracemalloc.get_traced_memory()[0])
            return False

    inner.set_params(callbacks=[Probe()])
    tracemalloc.start()
    Learn2MixClassifier(inner, loss_source="validation", random_state=0).fit(X, y)
    tracemalloc.stop()
    return alive["bytes"]


def test_boosting_keeps_no_copy_of_the_rows_while_it_trains():
    """XGBoost trains on X itself with held-out rows at weight 0, the held-out rows
    live only binned in their matrix, unit weights take no memory per row and
    indices are int32: what stays alive is a few vectors, not a copy of X."""
    from xgboost import XGBClassifier

    rng = np.random.RandomState(0)
    X = rng.randn(100_000, 40).astype(np.float32)  # 16 MB
    y = rng.randint(0, 5, size=100_000)
    alive = _alive_during_training(XGBClassifier(n_estimators=2, max_depth=2), X, y)
    # before: the held-out copy (10% of X), float64 ones, intp codes and indices (0.45x)
    assert alive < 0.25 * X.nbytes, alive / X.nbytes


def test_unit_weights_are_a_view_and_training_vectors_are_taken_lazily():
    from sklearn_l2m._data import check_weights, index_dtype, rows_of

    weight = check_weights(None, np.zeros((1000, 2)))
    assert weight.strides == (0,) and weight.shape == (1000,) and not weight.flags.writeable
    part = rows_of(weight, np.arange(10))
    assert part.strides == (0,) and part.shape == (10,) and part[0] == 1.0
    assert index_dtype(1000) == np.int32


def test_boosters_fit_all_of_X_with_held_out_rows_at_weight_zero():
    from sklearn_l2m._data import TrainingData, unit_weights

    y = np.array([0, 1, 0, 1, 0])
    data = TrainingData(
        np.arange(10.0).reshape(5, 2), y, unit_weights(5), y, n_groups=2, n_classes=2,
        train_rows=np.array([0, 2, 3], dtype=np.int32), val_rows=np.array([1, 4]),
    )  # fmt: skip
    X_fit, y_fit, buffer = data.rows_to_fit()
    assert X_fit is data.X and y_fit is data.y and buffer.dtype == np.float32
    np.testing.assert_array_equal(data.spread(np.array([2.0, 3.0, 4.0]), buffer), [2, 0, 3, 4, 0])
    assert data.X_val.shape == (2, 2) and "X_val" in vars(data)  # a copy, taken when read ...
    data.drop_copy("X_val")  # ... and forgotten once the library holds the rows
    assert "X_val" not in vars(data)
