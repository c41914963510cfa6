"""Dask: model selection on a cluster (joblib) and one distributed fit (xgboost.dask)."""

import os
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sklearn_l2m import EarlyStopping, Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.mixers import Learn2Mix

# the Dask backend has no public fallback for its private hook (it raises instead)
pytestmark = pytest.mark.fast_path
# the Dask backend needs XGBoost 3 (older ones get a clear error, tested below)
pytest.importorskip("xgboost", minversion="3.0")
distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")
da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            yield client


def _search():
    return GridSearchCV(
        Learn2MixClassifier(
            HistGradientBoostingClassifier(max_iter=10, early_stopping=False),
            mixer=Learn2Mix(),
            random_state=0,
        ),
        {"mixer__mixing_rate": [0.0, 0.3], "mixer__shrinkage": [0.0, 0.7]},
        cv=StratifiedKFold(3),
        scoring="balanced_accuracy",
        n_jobs=-1,
    )


@pytest.mark.slow  # a multi-process local cluster
def test_gridsearch_on_a_local_cluster_equals_the_local_run(client):
    X, y = make_classification(
        n_samples=300, n_classes=3, n_informative=5, weights=[0.7, 0.2, 0.1], random_state=0
    )
    local = _search().fit(X, y)
    with joblib.parallel_backend("dask"):
        remote = _search().fit(X, y)
    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))


# -- one distributed fit on xgboost.dask ---------------------------------------------
xgb = pytest.importorskip("xgboost")
xd = pytest.importorskip("xgboost.dask")
PARAMS = dict(n_estimators=40, max_depth=3, learning_rate=0.3, tree_method="hist")


def _imbalanced(n=3000):
    X, y = make_classification(
        n_samples=n, n_classes=3, n_informative=6, weights=[0.8, 0.15, 0.05], random_state=0
    )
    return X[:2400], y[:2400], X[2400:], y[2400:]


@pytest.mark.slow  # a multi-process local cluster
def test_distributed_fit_follows_the_single_machine_trajectory(client):
    X, y, Xv, yv = _imbalanced()
    local = Learn2MixClassifier(xgb.XGBClassifier(**PARAMS), steps_per_round=5, random_state=0).fit(
        X, y, X_val=Xv, y_val=yv
    )
    remote = Learn2MixClassifier(
        xd.DaskXGBClassifier(**PARAMS), steps_per_round=5, random_state=0
    ).fit(
        da.from_array(X, chunks=(600, -1)),
        da.from_array(y, chunks=600),
        X_val=da.from_array(Xv, chunks=(300, -1)),
        y_val=da.from_array(yv, chunks=300),
    )
    assert remote.n_rounds_ == local.n_rounds_ == 8
    # same mixture trajectory; the only difference is XGBoost's distributed sketch
    np.testing.assert_allclose(remote.mixture_history_, local.mixture_history_, atol=0.01)
    np.testing.assert_allclose(remote.group_loss_history_, local.group_loss_history_, rtol=0.15)
    assert remote.mixture_history_[-1, 2] > 2 * remote.natural_mixture_[2]  # it did mix
    assert isinstance(remote.estimator_, xd.DaskXGBClassifier)
    assert remote.estimator_.get_booster().num_boosted_rounds() == 40
    assert remote.estimator_.get_booster().attr("sklearn_l2m_history") is None
    pred = remote.predict(da.from_array(Xv, chunks=(300, -1)))
    assert isinstance(pred, da.Array)  # lazy on the cluster
    agree = np.mean(pred.compute() == local.predict(Xv))
    assert agree > 0.96
    proba = remote.predict_proba(da.from_array(Xv, chunks=(300, -1))).compute()
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)


@pytest.mark.slow  # a multi-process local cluster
def test_held_out_rows_are_measured_inside_the_training_matrix(client, monkeypatch):
    """Held-out rows stay in the training matrix (weight 0) and are measured from its
    cached predictions: no validation matrix, no per-iteration metric. That gives
    the same mixtures as a separate validation matrix, which is still built (without
    XGBoost's default metric unless asked for) when XGBoost must evaluate it."""
    X, y, Xv, yv = _imbalanced()
    seen = []
    original = xd.train

    def train(client, params, dtrain, *args, evals=None, **kwargs):
        seen.append((bool(evals), params.get("disable_default_eval_metric")))
        return original(client, params, dtrain, *args, evals=evals, **kwargs)

    monkeypatch.setattr(xd, "train", train)
    # XGBoost's distributed quantile sketch depends on which worker holds which
    # rows, which the scheduler may change between two fits; with more bins than
    # distinct values every cut is exact, so both fits grow the same trees
    dX, dy = client.persist([da.from_array(X, chunks=(600, -1)), da.from_array(y, chunks=600)])
    distributed.wait([dX, dy])
    exact_bins = dict(max_bin=4096)
    fit = lambda **params: Learn2MixClassifier(  # noqa: E731
        xd.DaskXGBClassifier(**{**PARAMS, **exact_bins, **params}),
        steps_per_round=5,
        random_state=0,
    ).fit(dX, dy)
    inside = fit()
    assert inside.loss_source_ == "validation" and seen[-1] == (False, None)
    separate = fit(eval_metric="mlogloss")  # XGBoost evaluates: a validation matrix
    assert seen[-1] == (True, None)
    np.testing.assert_allclose(inside.mixture_history_, separate.mixture_history_, rtol=1e-6)
    np.testing.assert_allclose(
        inside.validation_loss_history_, separate.validation_loss_history_, rtol=1e-6
    )
    assert not np.allclose(inside.mixture_history_[0], inside.mixture_history_[-1])
    # margins of all rows too large to copy at every round end: a validation matrix
    from sklearn_l2m.backends import _xgboost_dask

    monkeypatch.setattr(_xgboost_dask, "IN_TRAINING_MARGIN_BYTES", 1000)
    large = fit()
    assert seen[-1] == (True, True)
    np.testing.assert_allclose(large.mixture_history_, inside.mixture_history_, rtol=1e-6)
    monkeypatch.undo()
    monkeypatch.setattr(xd, "train", train)
    # an explicit validation set: its own matrix, without the default metric
    Learn2MixClassifier(xd.DaskXGBClassifier(**PARAMS), random_state=0).fit(
        dX, dy, X_val=da.from_array(Xv, chunks=(300, -1)), y_val=da.from_array(yv, chunks=300)
    )
    assert seen[-1] == (True, True)
    Learn2MixClassifier(xd.DaskXGBClassifier(**PARAMS), early_stopping=True).fit(dX, dy)
    assert seen[-1] == (True, None)  # early stopping needs XGBoost's metric


@pytest.mark.slow  # a multi-process local cluster
def test_distributed_regressor_with_groups_weights_and_holdout(client):
    X, y = make_regression(n_samples=2000, n_features=8, noise=5.0, random_state=1)
    groups = np.where(np.arange(2000) % 10 == 0, "rare", "common")
    y[groups == "rare"] += 40 * np.sin(X[groups == "rare", 0])  # the rare source is harder
    w = np.random.RandomState(0).uniform(0.5, 2.0, 2000)
    model = Learn2MixRegressor(xd.DaskXGBRegressor(**PARAMS), steps_per_round=5, random_state=0)
    model.fit(
        da.from_array(X, chunks=(500, -1)),
        da.from_array(y, chunks=500),
        groups=da.from_array(groups, chunks=500),
        sample_weight=da.from_array(w, chunks=500),
    )
    assert list(model.groups_) == ["common", "rare"]
    assert model.loss_source_ == "validation" and model.n_rounds_ == 8
    assert model.mixture_[1] > model.natural_mixture_[1]  # the harder source gained weight
    np.testing.assert_allclose(model.natural_mixture_[1], 0.1, atol=0.02)
    again = Learn2MixRegressor(xd.DaskXGBRegressor(**PARAMS), steps_per_round=5, random_state=0)
    again.fit(
        da.from_array(X, chunks=(500, -1)),
        da.from_array(y, chunks=500),
        groups=da.from_array(groups, chunks=500),
        sample_weight=da.from_array(w, chunks=500),
    )
    # reproducible up to the order of floating-point sums across workers
    np.testing.assert_allclose(again.mixture_history_, model.mixture_history_, rtol=1e-6)
    pred = model.predict(da.from_array(X, chunks=(500, -1))).compute()
    assert pred.shape == (2000,) and np.isfinite(pred).all()


@pytest.mark.slow  # a multi-process local cluster
def test_distributed_fit_on_a_dask_dataframe_with_early_stopping(client):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y, _, _ = _imbalanced()
    frame = dd.from_pandas(
        pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])]), npartitions=3
    )
    target = dd.from_pandas(pd.Series(np.array(["a", "b", "c"])[y]), npartitions=3)
    model = Learn2MixClassifier(
        xd.DaskXGBClassifier(**{**PARAMS, "n_estimators": 400, "learning_rate": 0.5}),
        steps_per_round=5,
        early_stopping=EarlyStopping(n_iter_no_change=2),
        random_state=0,
    ).fit(frame, target)
    assert list(model.classes_) == ["a", "b", "c"]
    assert model.stop_reason_ == "early_stopping"
    assert model.estimator_.get_booster().num_boosted_rounds() < 400
    assert set(np.unique(model.predict(frame).compute())) <= {"a", "b", "c"}


def test_group_codes_ride_in_a_field_training_ignores():
    # the backend ships each row's group code as label_lower_bound
    rng = np.random.RandomState(0)
    X, y = rng.randn(300, 4), rng.randint(0, 3, 300)

    def booster(**extra):
        d = xgb.DMatrix(X, y, weight=rng.uniform(size=300) * 0 + 1, **extra)
        return xgb.train({"objective": "multi:softprob", "num_class": 3}, d, 5).save_raw()

    assert booster() == booster(label_lower_bound=(y * 5 % 3).astype(np.float32))


@pytest.mark.slow  # a multi-process local cluster
@pytest.mark.parametrize(
    "estimator, X_kind, params, error, match",
    [
        ("hgb", "dask", {}, TypeError, "xgboost.dask"),
        ("dask", "numpy", {}, TypeError, "dask array or dask DataFrame"),
        ("dask", "dask", {"mixer": "mixmin"}, ValueError, "not supported on Dask"),
        ("dask", "dask", {"mixing_mode": "resample"}, ValueError, "reweight"),
        ("dask", "dask", {"refit": True}, ValueError, "refit=True is not supported on dask"),
        ("xgb-reg", "dask", {}, TypeError, "DaskXGBRegressor is a regressor"),
    ],
)
def test_distributed_input_errors(client, estimator, X_kind, params, error, match):
    X, y, _, _ = _imbalanced()
    inner = {
        "hgb": HistGradientBoostingClassifier(),
        "dask": xd.DaskXGBClassifier(**PARAMS),
        "xgb-reg": xd.DaskXGBRegressor(**PARAMS),
    }[estimator]
    if X_kind == "dask":
        X, y = da.from_array(X, chunks=(600, -1)), da.from_array(y, chunks=600)
    with pytest.raises(error, match=match):
        Learn2MixClassifier(inner, **params).fit(X, y)


@pytest.mark.slow  # a multi-process local cluster
def test_negative_weights_get_the_in_memory_message(client):
    X, y, _, _ = _imbalanced()
    weight = np.ones(len(y))
    weight[3] = -1.0
    with pytest.raises(ValueError, match="Invalid sample_weight: Negative values"):
        Learn2MixClassifier(xd.DaskXGBClassifier(**PARAMS)).fit(
            da.from_array(X, chunks=(600, -1)),
            da.from_array(y, chunks=600),
            sample_weight=da.from_array(weight, chunks=600),
        )
    with pytest.raises(ValueError, match="Invalid sample_weight: Negative values"):
        Learn2MixClassifier().fit(X, y, sample_weight=weight)


@pytest.mark.slow  # a multi-process local cluster
def test_validation_pairing_follows_the_in_memory_rules(client):
    X, y, _, _ = _imbalanced()
    groups = np.arange(len(y)) % 2
    Xd, yd = da.from_array(X, chunks=(600, -1)), da.from_array(y, chunks=600)
    clf = Learn2MixClassifier(xd.DaskXGBClassifier(**PARAMS))
    with pytest.raises(ValueError, match="got groups_val but no groups"):
        clf.fit(Xd, yd, X_val=Xd, y_val=yd, groups_val=da.from_array(groups, chunks=600))
    with pytest.raises(ValueError, match="got groups but no groups_val"):
        clf.fit(Xd, yd, groups=da.from_array(groups, chunks=600), X_val=Xd, y_val=yd)


@pytest.mark.slow  # a multi-process local cluster
def test_dask_input_to_an_in_memory_model_is_refused(client):
    X, y, _, _ = _imbalanced()
    model = Learn2MixClassifier(xgb.XGBClassifier(n_estimators=5), random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="fitted in memory"), warnings.catch_warnings():
        model.predict(da.from_array(X, chunks=(600, -1)))


@pytest.mark.parametrize("with_groups", [False, True])
@pytest.mark.parametrize("fraction", [None, 0.2])
def test_labels_and_totals_come_from_one_pass(with_groups, fraction, monkeypatch):
    """Classes, groups and every per-group total the client needs: one compute."""
    import dask

    from sklearn_l2m._prepare.dask_data import _holdout_block, one_pass_label_stats

    rng = np.random.RandomState(0)
    y = rng.choice(np.array(["cat", "dog", "eel"]), 1000, p=[0.7, 0.2, 0.1])
    groups = rng.choice(np.array(["lab_b", "lab_a"]), 1000)
    weight = rng.uniform(0, 2, 1000)
    dy, dg, dw = (da.from_array(a, chunks=300) for a in (y, groups, weight))
    computes = []
    real_compute = dask.compute
    monkeypatch.setattr(
        dask, "compute", lambda *a, **k: computes.append(1) or real_compute(*a, **k)
    )
    key = groups if with_groups else y
    classes, labels, counts, total, kept, held, negative = one_pass_label_stats(
        dy, dg if with_groups else None, dw, fraction, seed=3
    )
    assert len(computes) == 1 and not negative
    np.testing.assert_array_equal(classes, ["cat", "dog", "eel"])
    np.testing.assert_array_equal(labels, np.unique(key))
    codes = np.searchsorted(labels, key)
    np.testing.assert_array_equal(counts, np.bincount(codes))
    np.testing.assert_allclose(total, np.bincount(codes, weights=weight))
    # the rows held out are those the training matrix marks later
    mask = (
        np.zeros(1000, bool)
        if fraction is None
        else da.from_array(codes, chunks=300)
        .map_blocks(_holdout_block, fraction, 3, dtype=bool)
        .compute()
    )
    np.testing.assert_allclose(kept, np.bincount(codes, weights=np.where(mask, 0, weight)))
    np.testing.assert_allclose(held, np.bincount(codes, weights=mask.astype(float)))
    assert 0 < mask.mean() < 0.4 if fraction else not mask.any()


@pytest.mark.slow  # a multi-process local cluster
def test_decision_prior_with_groups_on_dask(client):
    from sklearn_l2m._prior import class_shares_by_group, prior_under_mixtures

    X, y, _, _ = _imbalanced()
    groups = (X[:, 0] > 0).astype(int)
    remote = Learn2MixClassifier(
        xd.DaskXGBClassifier(**PARAMS),
        steps_per_round=10,
        mixer=Learn2Mix(mixing_rate=0.5),
        loss_source="train",
        validation_fraction=None,
        decision_prior="uniform",
        random_state=0,
    ).fit(
        da.from_array(X, chunks=(600, -1)),
        da.from_array(y, chunks=600),
        groups=da.from_array(groups, chunks=600),
    )
    # the class shares within each group, collected on the cluster, carry the
    # mixtures over to the classes exactly as in memory
    shares = class_shares_by_group(groups, y, np.ones(y.size), 2, 3)
    expected = prior_under_mixtures(remote.mixture_history_[: remote.n_rounds_], shares)
    np.testing.assert_allclose(remote.training_prior_, expected, rtol=1e-6)
    np.testing.assert_allclose(remote.decision_prior_, np.full(3, 1 / 3))
    proba = remote.predict_proba(da.from_array(X, chunks=(600, -1)))
    pred = remote.predict(da.from_array(X, chunks=(600, -1)))
    assert isinstance(pred, da.Array)  # lazy on the cluster
    np.testing.assert_allclose(proba.compute().sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(pred.compute(), proba.compute().argmax(axis=1))


def test_the_distributed_fit_is_a_backend_like_the_others():
    from sklearn_l2m.backends import Backend, backend_class
    from sklearn_l2m.backends._xgboost_dask import XGBoostDaskBackend

    for inner in (xd.DaskXGBClassifier(), xd.DaskXGBRegressor()):
        cls = backend_class(inner)
        assert cls is XGBoostDaskBackend and issubclass(cls, Backend) and cls.distributed
    assert not backend_class(xgb.XGBClassifier()).distributed


def test_preparing_distributed_data_needs_no_estimator():
    """The client-side preparation works from a Task (public settings) alone."""
    from sklearn_l2m._prepare.dask_data import prepare_dask_data
    from sklearn_l2m._prepare.in_memory import Task

    X, y, _, _ = _imbalanced()
    weight = np.random.RandomState(1).uniform(0.5, 1.5, len(y))
    chosen = []

    def choose_signal(counts, *, explicit_validation):
        chosen.append((counts.tolist(), explicit_validation))
        return "validation", 0.2

    task = Task(
        is_classifier=True, validation_fraction=0.2, split_seed=3, choose_signal=choose_signal
    )
    data, loss_source = prepare_dask_data(
        da.from_array(X, chunks=(600, -1)),
        da.from_array(np.array(["a", "b", "c"])[y], chunks=600),
        None,
        da.from_array(weight, chunks=600),
        (None, None, None, None),
        task,
    )
    assert loss_source == "validation" and chosen == [(np.bincount(y).tolist(), False)]
    np.testing.assert_array_equal(data.classes, ["a", "b", "c"])
    held = data.held_out.compute()
    np.testing.assert_allclose(data.group_weight, np.bincount(y[~held], weights=weight[~held]))
    np.testing.assert_array_equal(data.validation_counts, np.bincount(y[held], minlength=3))
    assert data.n_train == (~held).sum() and data.holds_out_rows_of_X
    np.testing.assert_array_equal(data.held_out_features().compute(), X[held])
    np.testing.assert_array_equal(data.class_shares(), np.eye(3))


@pytest.mark.slow  # a multi-process local cluster
def test_a_dask_fitted_model_predicts_dask_input_only(client):
    X, y, _, _ = _imbalanced()
    Xd, yd = da.from_array(X, chunks=(600, -1)), da.from_array(y, chunks=600)
    model = Learn2MixClassifier(xd.DaskXGBClassifier(**PARAMS), random_state=0).fit(Xd, yd)
    assert model.n_features_in_ == X.shape[1]
    with pytest.raises(TypeError, match="dask array or dask DataFrame"):
        model.predict(X)
    with pytest.raises(ValueError, match="features"):
        model.predict(Xd[:, :3])


@pytest.mark.slow  # a multi-process local cluster
def test_a_fixed_mixture_holds_nothing_out_on_dask_as_in_memory(client):
    """The loss-source rule is the in-memory one: a mixture that cannot move
    reads no losses, so no rows of X are held out for them."""
    X, y, _, _ = _imbalanced()
    Xd, yd = da.from_array(X, chunks=(600, -1)), da.from_array(y, chunks=600)
    fits = {
        kind: Learn2MixClassifier(inner, mixer="balanced", random_state=0).fit(data_X, data_y)
        for kind, inner, data_X, data_y in [
            ("dask", xd.DaskXGBClassifier(**PARAMS), Xd, yd),
            ("memory", xgb.XGBClassifier(**PARAMS), X, y),
        ]
    }
    assert fits["dask"].loss_source_ == fits["memory"].loss_source_ == "train"
    np.testing.assert_allclose(fits["dask"].mixture_history_, fits["memory"].mixture_history_)
    adaptive = Learn2MixClassifier(xd.DaskXGBClassifier(**PARAMS), random_state=0).fit(Xd, yd)
    assert adaptive.loss_source_ == "validation"


class _KillsWorkers(Learn2Mix):
    """Learn2Mix whose round-2 update ends the process it runs in, unless that is the
    client's (workers lost mid-fit: killed for memory, a node gone)."""

    def __init__(self, client_pid=None, mixing_rate=0.1):
        super().__init__(mixing_rate=mixing_rate)
        self.client_pid = client_pid

    def _step(self, losses):
        self.calls_ = getattr(self, "calls_", 0) + 1
        if self.calls_ == 2 and os.getpid() != self.client_pid:
            os._exit(1)
        return super()._step(losses)


@pytest.mark.slow  # a multi-process local cluster
def test_a_worker_lost_mid_fit_fails_fast_and_says_so():
    import time

    import cloudpickle
    import xgboost.dask as xd

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers need the mixer
    X, y = make_classification(2000, 8, n_classes=3, n_informative=4, random_state=0)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        clf = Learn2MixClassifier(
            xd.DaskXGBClassifier(n_estimators=40, max_depth=3),
            mixer=_KillsWorkers(client_pid=os.getpid()),
            steps_per_round=5,
            random_state=0,
        )
        began = time.perf_counter()
        with pytest.raises(RuntimeError, match="A Dask worker was lost"):
            clf.fit(da.from_array(X, chunks=1000), da.from_array(y, chunks=1000))
        assert time.perf_counter() - began < 60  # bounded: no hang
        assert not hasattr(clf, "estimator_")  # nothing half-fitted
