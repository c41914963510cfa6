"""TargetMix: only the target is held out and measured; each round trains under the
mixture whose rounds cut the target's loss most; every backend."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m._prepare.split import stratified_holdout
from sklearn_l2m.mixers import TargetMix

NAN = float("nan")


def _offset_sources(n_target=200, n_source=600, offset=2.0, seed=0):
    """Two sources that share the target's rule up to a label offset (one of them
    larger): they help the pool at first, then mislead it."""
    rng = np.random.RandomState(seed)
    n = n_target + 2 * n_source
    X = rng.randn(n, 4)
    groups = np.repeat(["t", "s1", "s2"], [n_target, n_source, n_source])
    y = np.sin(2 * X[:, 0]) + X[:, 1] + 0.1 * rng.randn(n)
    y[groups == "s1"] += offset
    y[groups == "s2"] -= offset / 2
    return X.astype(np.float32), y, groups


# -- the mixer on its own -------------------------------------------------------------
POOL_OR_TARGET = (0.0, 1.0)  # the natural pool or the target alone


def test_each_weight_is_tried_then_the_one_that_cuts_the_targets_loss_most_is_kept():
    mixer = TargetMix("t", shares=POOL_OR_TARGET)
    np.testing.assert_allclose(mixer.start([60, 30, 10], groups=["a", "b", "t"]), [0.6, 0.3, 0.1])
    np.testing.assert_allclose(mixer.update([NAN, NAN, 1.0]), [0.6, 0.3, 0.1])  # no cut yet
    np.testing.assert_allclose(mixer.update([NAN, NAN, 0.8]), [0, 0, 1])  # pool: -20%; try t
    np.testing.assert_allclose(mixer.update([NAN, NAN, 0.76]), [0.6, 0.3, 0.1])  # t: -5%
    np.testing.assert_allclose(mixer.update([NAN, NAN, 0.75]), [0.6, 0.3, 0.1])  # pool: 10.7%
    # the pool's cuts shrink (decay 0.5: 0.5 * 0.107 + 0.5 * -0.01 < 0.05): the target again
    np.testing.assert_allclose(mixer.update([NAN, NAN, 0.7575]), [0, 0, 1])
    assert mixer.weight_history_ == [1, 1, np.inf, 1, 1, np.inf]
    assert mixer.switch_rounds_ == [2, 3, 5] and mixer.target_weight_ == np.inf


def test_the_default_grades_the_target_share_from_the_pool_to_the_target_alone():
    mixer = TargetMix("t")
    mixer.start([60, 30, 10], groups=["a", "b", "t"])
    # shares 0 and 0.1 are both the target's natural share here: one weight
    at_35, at_70 = 0.35 / 0.65 * 90 / 10, 0.7 / 0.3 * 90 / 10
    assert mixer.weights_ == pytest.approx([1.0, at_35, at_70, np.inf])
    # the pool cuts the loss 10%, the target at 35% 16.7%, then less, alone hardly
    for loss in (1.0, 0.9, 0.75, 0.7, 0.69, 0.62):
        mixer.update([NAN, NAN, loss])
    assert mixer.weight_history_ == pytest.approx([1, 1, at_35, at_70, np.inf, at_35, at_35])
    assert mixer.gains_[at_35] == pytest.approx(0.5 * (0.15 / 0.9) + 0.5 * (0.07 / 0.69))
    np.testing.assert_allclose(mixer.mixture_, [0.65 * 2 / 3, 0.65 / 3, 0.35])


@pytest.mark.parametrize("n_sources", [300, 46_000])
def test_a_share_is_the_same_mixture_however_many_source_rows(n_sources):
    mixer = TargetMix("t", shares=(0.0, 0.35))
    mixer.start([n_sources, 100], groups=["s", "t"])
    mixer.update([NAN, 1.0])
    np.testing.assert_allclose(mixer.update([NAN, 0.9]), [0.65, 0.35])  # the second share
    assert mixer.target_weight_ == pytest.approx(0.35 / 0.65 * n_sources / 100)


def test_a_missing_loss_keeps_the_mixture_and_one_weight_is_the_natural_pool():
    mixer = TargetMix("t", shares=(0.0, 0.25))  # the target's rows at 3x a source row
    mixer.start([60, 30, 10], groups=["a", "b", "t"])
    mixer.update([NAN, NAN, 1.0])
    np.testing.assert_allclose(mixer.update([NAN, NAN, 0.9]), [60, 30, 30] / np.float64(120))
    np.testing.assert_allclose(mixer.update([NAN, NAN, NAN]), [60, 30, 30] / np.float64(120))
    assert mixer.gains_ == pytest.approx({1.0: 0.1})
    still = TargetMix("t", shares=[0.0])
    assert not still.moves and not still.needs_validation
    still.start([60, 30, 10], groups=["a", "b", "t"])
    np.testing.assert_allclose(still.update([NAN, NAN, 9.0]), [0.6, 0.3, 0.1])


@pytest.mark.parametrize("shares", [(), (0.5, 1.5), (-0.1,), (0.5, 0.5), ("x",)])
def test_bad_shares_get_a_clear_error(shares):
    with pytest.raises(ValueError, match=r"TargetMix shares must be distinct shares .* \[0, 1\]"):
        TargetMix("t", shares=shares).start([10, 10], groups=["a", "t"])


def test_only_the_target_is_read_and_held_out():
    mixer = TargetMix("t", held_out=0.3)
    labels = np.array(["a", "t", "b"])
    assert mixer.reads_groups(labels).tolist() == [False, True, False]
    np.testing.assert_allclose(mixer.validation_shares(labels, [500, 100, 500], 0.1), [0, 0.3, 0])
    assert not mixer.fallback_


def test_stratified_holdout_takes_a_share_per_row():
    strata = np.repeat([0, 1, 2], 100)
    share = np.array([0.0, 0.25, 0.0])[strata]
    mask = stratified_holdout(strata, share, np.random.RandomState(0))
    assert np.bincount(strata[mask], minlength=3).tolist() == [0, 25, 0]


# -- in the estimator -----------------------------------------------------------------
class _CountingRegression(LinearRegression):
    def fit(self, X, y, sample_weight=None):
        self.n_rows_seen_ = X.shape[0]
        return super().fit(X, y, sample_weight=sample_weight)


def test_every_source_row_trains_and_the_objective_is_the_targets_loss():
    X, y, groups = _offset_sources()
    model = Learn2MixRegressor(_CountingRegression(), mixer=TargetMix("t"), n_rounds=4)
    model.fit(X, y, groups=groups)
    assert model.estimator_.n_rows_seen_ == len(y) - 50  # 25% of the target's 200 rows
    t = list(model.groups_).index("t")
    losses = model.group_loss_history_
    assert np.isnan(np.delete(losses, t, axis=1)).all()  # sources: not measured
    np.testing.assert_allclose(model.validation_loss_history_, losses[:, t])


def test_boosting_moves_from_the_pool_to_the_target_and_beats_the_pool_there():
    X, y, groups = _offset_sources()
    X_test, y_test, g_test = _offset_sources(seed=1)
    test = g_test == "t"
    hgb = HistGradientBoostingRegressor(max_iter=120, learning_rate=0.1, early_stopping=False)
    mixed = Learn2MixRegressor(
        hgb, mixer=TargetMix("t", shares=POOL_OR_TARGET), refit=True, random_state=0
    ).fit(X, y, groups=groups)
    graded = Learn2MixRegressor(hgb, mixer=TargetMix("t"), refit=True, random_state=0)
    graded.fit(X, y, groups=groups)
    pool = Learn2MixRegressor(hgb, mixer="natural", random_state=0).fit(X, y, groups=groups)
    t = list(mixed.groups_).index("t")
    assert mixed.mixture_history_[0, t] == pytest.approx(150 / 1350)  # the pool's share
    assert mixed.mixture_history_[2, t] == pytest.approx(1.0)  # the target, tried third
    assert np.mean(mixed.mixture_history_[:, t] == 1.0) > 0.5  # and kept most rounds
    assert mixed.mixer_.gains_[np.inf] > mixed.mixer_.gains_[1.0]
    mse = lambda m: np.mean((m.predict(X_test[test]) - y_test[test]) ** 2)  # noqa: E731
    assert mse(mixed) < 0.5 * mse(pool)
    assert mse(graded) < 0.5 * mse(pool)  # the default gets there through the graded weights
    # 150 target rows train against 1,200 source rows: share 0.1 is below the natural one
    assert graded.mixer_.weights_ == pytest.approx([1, 0.35 / 0.65 * 8, 0.7 / 0.3 * 8, np.inf])
    assert graded.mixer_.weight_history_[:5] == [1.0, *graded.mixer_.weights_]


class _RowsOfEveryFit(LinearRegression):
    """Records the rows and the total weight of every fit (shared by its clones)."""

    fits: list = []

    def fit(self, X, y, sample_weight=None):
        _RowsOfEveryFit.fits.append((X.shape[0], float(np.sum(sample_weight))))
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.filterwarnings("ignore::sklearn_l2m.exceptions.RefitWarning")
def test_a_source_sample_decides_the_schedule_and_the_replay_trains_every_row():
    from sklearn_l2m.mixers._replay import ScheduleReplay

    X, y, groups = _offset_sources()  # 200 target rows (50 held out), 2 x 600 source rows
    _RowsOfEveryFit.fits = []
    mixer = TargetMix("t", source_sample=0.2)
    model = Learn2MixRegressor(_RowsOfEveryFit(), mixer=mixer, n_rounds=4, refit=True,
                               random_state=0).fit(X, y, groups=groups)  # fmt: skip
    rows = [n for n, _ in _RowsOfEveryFit.fits]
    assert rows == [150 + 2 * 120] * 4 + [len(y)] * 4  # the run, then the replay
    # each sampled source row weighs 600 / 120: the run's weight is every training row's
    np.testing.assert_allclose(_RowsOfEveryFit.fits[0][1], 150 + 1200)
    assert model.refit_rounds_ == 4
    # the final model is the schedule replayed on every row
    replay = Learn2MixRegressor(LinearRegression(), n_rounds=4, validation_fraction=None,
                                mixer=ScheduleReplay(model.mixture_history_))  # fmt: skip
    replay.fit(X, y, groups=groups)
    np.testing.assert_allclose(model.predict(X), replay.predict(X), rtol=1e-5, atol=1e-5)
    # the run's group totals are every row's: the pool's mixture is the natural one
    t = list(model.groups_).index("t")
    assert model.mixture_history_[0, t] == pytest.approx(150 / 1350, rel=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn_l2m.exceptions.RefitWarning")
def test_a_source_sample_needs_the_replay_and_is_skipped_where_nothing_is_decided():
    X, y, groups = _offset_sources()
    with pytest.raises(ValueError, match="decides its schedule on a sample.*refit=True"):
        Learn2MixRegressor(LinearRegression(), mixer=TargetMix("t", source_sample=0.2)).fit(
            X, y, groups=groups
        )
    X, y, groups = _offset_sources(n_target=40)  # too few target rows: one fit of every row
    _RowsOfEveryFit.fits = []
    with pytest.warns(UserWarning, match="fewer than 20"):
        Learn2MixRegressor(_RowsOfEveryFit(), mixer=TargetMix("t", source_sample=0.2),
                           refit=True).fit(X, y, groups=groups)  # fmt: skip
    assert {n for n, _ in _RowsOfEveryFit.fits} == {len(y)}


def test_a_sample_keeps_every_class_of_every_group_and_each_groups_total():
    from sklearn_l2m._prepare.training_data import TrainingData

    rng = np.random.RandomState(0)
    codes = np.repeat([0, 1], [100, 900])
    y = (rng.rand(1000) < np.where(codes == 1, 0.01, 0.5)).astype(int)  # source: ~9 positives
    weight = rng.uniform(0.5, 2.0, 1000)
    val = np.arange(0, 100, 4)  # 25 of the target's rows held out
    data = TrainingData(np.arange(1000.0)[:, None], y, weight, codes, n_groups=2, n_classes=2,
                        val_rows=val)  # fmt: skip
    sample = data.sampled([1.0, 0.1], np.random.RandomState(0))
    assert sample.n_train == 75 + int(np.ceil(0.1 * (900 - y[codes == 1].sum()))) + int(
        np.ceil(0.1 * y[codes == 1].sum())
    )
    assert set(sample.y_train[sample.codes_train == 1]) == {0, 1}  # the rare class stays
    np.testing.assert_array_equal(sample.X_val[:, 0], val)  # the validation part as it was
    np.testing.assert_allclose(sample.weight_val, weight[val])
    target = np.setdiff1d(np.arange(100), val)
    np.testing.assert_array_equal(sample.X_train[sample.codes_train == 0, 0], target)
    np.testing.assert_allclose(sample.group_weight, data.group_weight, rtol=0.15)
    # a sampled row weighs n / k times its weight, per (group, class)
    kept = sample.X_train[:, 0].astype(int)
    ratio = sample.weight_train / weight[kept]
    negatives = (codes[kept] == 1) & (y[kept] == 0)
    n_neg = np.sum((codes == 1) & (y == 0))
    np.testing.assert_allclose(ratio[negatives], n_neg / np.ceil(0.1 * n_neg))
    np.testing.assert_allclose(ratio[codes[kept] == 0], 1.0)


def test_too_few_target_rows_warn_and_train_the_target_at_its_fallback_share():
    X, y, groups = _offset_sources(n_target=40)  # 40 target rows, 2 x 600 source rows
    with pytest.warns(UserWarning, match=r"holds out 10 \(fewer than 20\).*holding 0.35 of"):
        model = Learn2MixRegressor(_CountingRegression(), mixer=TargetMix("t")).fit(
            X, y, groups=groups
        )
    assert model.estimator_.n_rows_seen_ == len(y)  # nothing held out
    target = groups == "t"
    factor = 0.35 / 0.65 * 1200 / 40  # the target's 40 rows hold 35% of the weight
    assert model.mixer_.target_weight_ == pytest.approx(factor)
    assert model.mixture_[list(model.groups_).index("t")] == pytest.approx(0.35)
    weights = np.where(target, factor, 1.0)
    plain = LinearRegression().fit(X, y, sample_weight=weights)  # (float32 X: 1e-5)
    np.testing.assert_allclose(model.predict(X), plain.predict(X), rtol=1e-5, atol=1e-5)


def test_without_a_fallback_share_too_few_target_rows_train_the_natural_pool():
    X, y, groups = _offset_sources(n_target=40)
    mixer = TargetMix("t", fallback_share=None)
    with pytest.warns(UserWarning, match=r"holds out 10 \(fewer than 20\).*natural pool"):
        model = Learn2MixRegressor(_CountingRegression(), mixer=mixer).fit(X, y, groups=groups)
    np.testing.assert_allclose(model.mixture_, model.natural_mixture_)
    plain = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.predict(X), plain.predict(X), rtol=1e-6, atol=1e-6)


def test_a_target_above_its_fallback_share_keeps_its_natural_weight():
    X, y, groups = _offset_sources(n_target=40, n_source=20)  # half the rows: above 0.35
    with pytest.warns(UserWarning, match="holding 0.35"):
        model = Learn2MixRegressor(LinearRegression(), mixer=TargetMix("t")).fit(
            X, y, groups=groups
        )
    assert model.mixer_.target_weight_ == 1.0
    np.testing.assert_allclose(model.mixture_, model.natural_mixture_)


@pytest.mark.parametrize(
    ("target", "groups", "message"),
    [
        ("zz", "three", r"target 'zz' has no rows: it is not among the groups"),
        ("t", "one", r"target 't' is the only group"),
        (None, "three", r"TargetMix needs target=<group label>"),
    ],
)
def test_bad_targets_get_clear_errors(target, groups, message):
    X, y, three = _offset_sources(n_target=100, n_source=100)
    groups = three if groups == "three" else np.full(len(y), "t")
    with pytest.raises(ValueError, match=message):
        Learn2MixRegressor(LinearRegression(), mixer=TargetMix(target)).fit(X, y, groups=groups)


@pytest.mark.parametrize("classifier", [False, True])
def test_without_groups_the_error_asks_for_them(classifier):
    """Even a target that names a class or a regressor's target bin: those are not
    sources (this trained on bin 2 silently once)."""
    X, y, _ = _offset_sources(n_target=100, n_source=100)
    model = Learn2MixRegressor(LinearRegression(), mixer=TargetMix(2))
    if classifier:
        y = np.digitize(y, np.quantile(y, [0.33, 0.66]))  # classes 0, 1, 2
        model = Learn2MixClassifier(LogisticRegression(), mixer=TargetMix(2))
    with pytest.raises(ValueError, match=r"TargetMix needs groups=\.\.\.: the group"):
        model.fit(X, y)


def test_dask_collections_are_refused_with_the_reason():
    dd = pytest.importorskip("dask.array")
    pytest.importorskip("xgboost", minversion="3.0")  # the Dask backend's floor
    X, y, groups = _offset_sources(n_target=100, n_source=100)
    xgb = pytest.importorskip("xgboost.dask")
    model = Learn2MixRegressor(xgb.DaskXGBRegressor(n_estimators=5), mixer=TargetMix("t"))
    with pytest.raises(ValueError, match="TargetMix is not supported on Dask"):
        model.fit(dd.from_array(X), dd.from_array(y), groups=dd.from_array(groups))


# -- every backend (the contract's models) ------------------------------------------------
@pytest.fixture
def permuted_target(multiclass):
    """The contract's three-class data; the first 160 rows are the target, whose
    labels are the sources' shifted by one: the sources mislead it."""
    X, y = multiclass
    y = y.astype(np.int64).copy()
    groups = np.where(np.arange(len(y)) < 160, "t", np.where(np.arange(len(y)) % 2, "a", "b"))
    y[:160] = (y[:160] + 1) % 3
    return X.astype(np.float32), y, groups


def test_every_backend_moves_to_the_target(permuted_target):
    from _models import BACKENDS, installed
    from backends.test_contract import contract_model

    X, y, groups = permuted_target
    for name in filter(installed, BACKENDS):
        inner = contract_model(name)
        model = Learn2MixClassifier(
            clone(inner),
            mixer=TargetMix("t", shares=POOL_OR_TARGET),
            n_rounds=6,
            random_state=0,
        ).fit(X, y, groups=groups)
        t = list(model.groups_).index("t")
        assert model.mixture_[t] > 0.9, (name, model.mixture_history_)
        assert np.isnan(np.delete(model.group_loss_history_, t, axis=1)).all(), name
