"""Memory: fitting copies neither X once per round nor the held-out rows whole, and
the round ends allocate no per-row temporaries (tracemalloc; the sizes behind the
README's memory table, measured by ``python -m benchmarks overhead --family memory``)."""

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


def _python_memory_while_boosting(inner, X, y, mixed=True):
    """Python-allocated bytes alive at the first boosting iteration, and the most
    allocated at any time from then to the end of training (round ends included),
    with Learn2Mix around ``inner`` or (``mixed=False``) of ``inner`` alone."""
    import xgboost

    seen = {}

    class Probe(xgboost.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            if "alive" not in seen:
                seen["alive"] = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
            return False

        def after_training(self, model):
            seen["peak"] = tracemalloc.get_traced_memory()[1]
            return model

    inner.set_params(callbacks=[Probe()])
    tracemalloc.start()
    if mixed:
        Learn2MixClassifier(inner, loss_source="validation", random_state=0).fit(X, y)
    else:
        inner.fit(X, y)
    tracemalloc.stop()
    return seen["alive"], seen["peak"]


def test_boosting_keeps_no_copy_of_the_rows_while_it_trains():
    """XGBoost trains on X itself with held-out rows at weight 0, the held-out rows
    live only binned in their matrix, unit weights take no memory per row, indices
    are int32 and forgotten while it trains, and each round's weights and losses are
    computed a piece of rows at a time: a few small vectors, not a copy of X."""
    from xgboost import XGBClassifier

    rng = np.random.RandomState(0)
    X = rng.randn(100_000, 40).astype(np.float32)  # 16 MB
    y = rng.randint(0, 5, size=100_000)
    alive, peak = _python_memory_while_boosting(XGBClassifier(n_estimators=8, max_depth=2), X, y)
    # what XGBoost's own Python code holds (it differs between releases)
    own, _ = _python_memory_while_boosting(XGBClassifier(n_estimators=8, max_depth=2), X, y, False)
    # XGBoost 2.x's validation matrix keeps the array it was built from (the held-out
    # rows, 10% of X); XGBoost 3 lets it go once binned
    import xgboost
    from packaging.version import Version

    kept_by_xgboost = 0.1 if Version(xgboost.__version__) < Version("3") else 0.0
    # before: the held-out copy (10% of X), float64 ones, intp codes and indices (0.45x);
    # now the labels (int32), the float32 weight buffer and one byte of group code a row
    assert alive - own < (0.1 + kept_by_xgboost) * X.nbytes, (alive - own) / X.nbytes
    # the round ends: float64 weights and intp codes of every row were 0.2x more
    assert peak - alive < 0.1 * X.nbytes, (peak - alive) / X.nbytes


def test_held_out_rows_are_predicted_a_piece_at_a_time(monkeypatch):
    """LightGBM predicts the new trees on the held-out rows taken from X a piece at a
    time (never a copy of all of them), and the model is the same as in one piece."""
    import lightgbm as lgb

    from sklearn_l2m._prepare import checks as _data
    from sklearn_l2m.backends import _lightgbm
    from sklearn_l2m.backends._output import raw_scores

    # predicted, as the held-out rows of a table whose scores take more than 2 MB
    monkeypatch.setattr(_lightgbm, "TRAINING_SCORES_BYTES", 0)
    rng = np.random.RandomState(0)
    X = rng.randn(30_000, 10)
    y = (X[:, 0] + rng.randn(30_000) > 0).astype(int) + (X[:, 1] > 1)

    def fit():
        inner = lgb.LGBMClassifier(n_estimators=12, num_leaves=7, verbose=-1, n_jobs=1)
        return Learn2MixClassifier(inner, steps_per_round=3, random_state=0).fit(X, y)

    whole = fit()
    taken = []
    original = _data.take_rows

    def take_rows(data, rows):
        taken.append(len(rows))
        return original(data, rows)

    monkeypatch.setattr(raw_scores, "take_rows", take_rows)
    monkeypatch.setattr(raw_scores, "PREDICT_CHUNK_BYTES", 1024 * 8 * 10)  # 1,024 rows
    pieces = fit()
    assert max(taken) == 1024 and sum(taken) > 3000  # 3,000 held-out rows, every round
    np.testing.assert_array_equal(whole.mixture_history_, pieces.mixture_history_)
    np.testing.assert_array_equal(whole.predict_proba(X), pieces.predict_proba(X))


def test_catboost_keeps_no_fitted_round_model_into_the_next_round(monkeypatch):
    """A fitted CatBoost model holds CatBoost's state for continuing its fit (about
    460 MB at 900,000 rows x 10 classes); the running sum of the rounds must not keep
    one alive while the next round trains, or every round after the first pays it."""
    import gc
    import weakref

    cb = __import__("pytest").importorskip("catboost")
    from sklearn_l2m.backends._catboost import CatBoostBackend

    fitted, alive_at_start = [], []
    original = CatBoostBackend._fit_round

    def fit_round(self, *args, **kwargs):
        gc.collect()
        alive_at_start.append(sum(ref() is not None for ref in fitted))
        step = original(self, *args, **kwargs)
        fitted.append(weakref.ref(step))
        return step

    monkeypatch.setattr(CatBoostBackend, "_fit_round", fit_round)
    rng = np.random.RandomState(0)
    X = rng.randn(600, 6)
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    quiet = dict(verbose=0, thread_count=1, allow_writing_files=False)
    inner = cb.CatBoostClassifier(iterations=12, **quiet)
    clf = Learn2MixClassifier(inner, steps_per_round=3, random_state=0).fit(X, y)
    assert clf.n_rounds_ == 4 and alive_at_start == [0, 0, 0, 0]


def test_round_weights_of_all_of_X_equal_the_training_parts():
    """The booster's float32 weights of all of X (held-out rows 0), looked up a piece
    at a time, are the training part's weights cast to float32, user weights or not."""
    from sklearn_l2m._prepare.checks import unit_weights
    from sklearn_l2m._prepare.training_data import TrainingData
    from sklearn_l2m._training import round_end as _controller
    from sklearn_l2m._training.controller import MixingController
    from sklearn_l2m.mixers import Learn2Mix

    rng = np.random.RandomState(0)
    n = 5000
    y = rng.randint(0, 3, size=n)
    val = np.sort(rng.choice(n, 500, replace=False))
    train = np.setdiff1d(np.arange(n), val).astype(np.int32)
    for weight in (unit_weights(n), rng.uniform(0.1, 3.0, size=n)):
        data = TrainingData(
            np.zeros((n, 1)), y, weight, y, n_groups=3, n_classes=3, train_rows=train, val_rows=val
        )
        controller = MixingController(Learn2Mix(), data)
        controller.mixture = np.array([0.2, 0.3, 0.5])
        step = controller.begin()
        part = step.sample_weight(data)
        np.testing.assert_allclose(part.sum(), weight[train].sum())  # the user's total
        _, _, buffer = data.rows_to_fit()
        assert data.codes_of_X.dtype == np.uint8 and (data.codes_of_X[val] == 3).all()
        old_rows = _controller._LOOKUP_ROWS
        _controller._LOOKUP_ROWS = 777  # several pieces
        try:
            full = step.sample_weight_of_X(data, buffer)
        finally:
            _controller._LOOKUP_ROWS = old_rows
        assert full is buffer and full.dtype == np.float32
        np.testing.assert_array_equal(full[train], part.astype(np.float32))
        assert (full[val] == 0).all()
        np.testing.assert_array_equal(data.train_rows, train)  # recomputed once forgotten


def test_losses_in_pieces_equal_losses_at_once():
    from sklearn_l2m._training.losses import per_sample_loss, per_sample_loss_in_chunks
    from sklearn_l2m.backends._output import softmax

    rng = np.random.RandomState(0)
    raw = rng.randn(20_000, 4).astype(np.float32)
    y = rng.randint(0, 4, size=20_000)
    rows = rng.choice(20_000, 9000, replace=False)
    at_once = per_sample_loss(y[rows], softmax(raw[rows].astype(np.float64)), is_classifier=True)
    pieces = per_sample_loss_in_chunks(y[rows], raw, softmax, is_classifier=True, rows=rows)
    np.testing.assert_array_equal(pieces, at_once)


def test_unit_weights_are_a_view_and_training_vectors_are_taken_lazily():
    from sklearn_l2m._prepare.checks import check_weights, index_dtype, rows_of

    weight = check_weights(None, np.zeros((1000, 2)))
    assert weight.strides == (0,) and weight.shape == (1000,) and not weight.flags.writeable
    part = rows_of(weight, np.arange(10))
    assert part.strides == (0,) and part.shape == (10,) and part[0] == 1.0
    assert index_dtype(1000) == np.int32


def test_boosters_fit_all_of_X_with_held_out_rows_at_weight_zero():
    from sklearn_l2m._prepare.checks import unit_weights
    from sklearn_l2m._prepare.training_data import TrainingData

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
