"""compare(target=...) and the transfer baselines: the target's rows alone are split,
the sources always train, the baselines are built in; bad input is refused clearly."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.mixers import TargetMix
from sklearn_l2m.model_selection import TARGET_BASELINES, compare
from sklearn_l2m.transfer import (
    GroupFeature,
    PoolStacking,
    TargetBlend,
    TargetOnly,
    TargetShare,
    TargetWeighted,
)

pytest.importorskip("pandas")


def _offset(n_target=120, n_source=400, offset=3.0, seed=0):
    """Linear data; the source's labels are the target's plus ``offset``."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n_target + n_source, 3)
    groups = np.repeat(["t", "s"], [n_target, n_source])
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.randn(len(X)) + offset * (groups == "s")
    return X, y, groups


class _Recorder(LinearRegression):
    """Records the groups it was fitted on, through the estimator's routing."""

    seen: list = []

    def fit(self, X, y, sample_weight=None):
        _Recorder.seen.append(len(y))
        return super().fit(X, y, sample_weight=sample_weight)


def test_only_the_targets_rows_are_split_and_scored():
    X, y, groups = _offset()
    candidate = Learn2MixRegressor(LinearRegression(), mixer=TargetMix("t"))
    result = compare({"targetmix": candidate}, X, y, groups=groups, target="t", seeds=2)
    assert set(result.scores["estimator"]) == {*TARGET_BASELINES, "targetmix"}
    assert result.reference == "natural pool"
    assert list(result.table["score"].unique()) == ["mean_squared_error"]  # no worst group
    # the offset sources pull the pool off: target-only and the group-aware models win
    means = result.scores.groupby("estimator")["mean_squared_error"].mean()
    assert means["target only"] < 0.2 * means["natural pool"]
    verdicts = result.table.set_index("candidate")["verdict"]
    assert verdicts["target only"] == "better"


def test_sample_weight_reaches_every_baseline_of_a_target_comparison():
    """Zero weight on the offset source: the pool is the target's model, and every
    built-in baseline and candidate scores as target-only does."""
    X, y, groups = _offset()
    weights = np.where(groups == "s", 0.0, 1.0)
    candidate = TargetShare(LinearRegression(), "t")
    args = dict(groups=groups, target="t", seeds=2, n_target=60)
    weighted = compare({"share": candidate}, X, y, sample_weight=weights, **args)
    means = weighted.scores.groupby("estimator")["mean_squared_error"].mean()
    assert means.max() == pytest.approx(means["target only"], rel=1e-6)
    plain = compare({"share": candidate}, X, y, **args).scores
    unweighted = plain.groupby("estimator")["mean_squared_error"].mean()
    assert unweighted["natural pool"] > 10 * means["natural pool"]  # the source pulls it off


def test_a_target_comparison_is_read_against_its_best_baseline():
    X, y, groups = _offset()  # offset sources: the target's rows alone are best
    blend = TargetBlend(LinearRegression(), "t", random_state=0)
    candidate = Learn2MixRegressor(LinearRegression(), mixer="natural", n_rounds=1)
    result = compare({"l2m": candidate, "blend": blend}, X, y, groups=groups, target="t",
                     seeds=3, scoring=["r2", "mean_squared_error"])  # fmt: skip
    best = result.against("best baseline")  # by the first score, r2: higher is better
    means = result.scores.groupby("estimator")["r2"].mean()
    assert best.reference == means[list(TARGET_BASELINES)].idxmax() == "target only"
    row = best.table.set_index(["candidate", "score"]).loc[("natural pool", "r2")]
    assert row["reference_mean"] == pytest.approx(means["target only"])
    assert row["verdict"] == "worse" and row["difference"] < 0
    assert set(best.table["candidate"]) == {"natural pool", "tuned target weight", "l2m", "blend"}
    by_name = result.against("blend")
    assert by_name.reference == "blend" and by_name.scores is result.scores
    with pytest.raises(ValueError, match="not one of the compared estimators"):
        result.against("nothing")
    plain = compare({"l2m": candidate}, X, y, groups=groups, seeds=2)
    with pytest.raises(ValueError, match="call compare\\(..., target=..., baselines=True\\)"):
        plain.against("best baseline")


def test_without_baselines_a_candidate_is_scored_on_the_same_splits():
    X, y, groups = _offset()
    linear = LinearRegression()
    models = {"pool": Learn2MixRegressor(linear, mixer="natural"),
              "targetmix": Learn2MixRegressor(linear, mixer=TargetMix("t"))}  # fmt: skip
    full = compare(models, X, y, groups=groups, target="t", seeds=2)
    alone = compare({"targetmix": models["targetmix"]}, X, y, groups=groups, target="t",
                    seeds=2, baselines=False)  # fmt: skip
    assert set(alone.scores["estimator"]) == {"targetmix"} and alone.reference == "targetmix"
    mine = full.scores[full.scores["estimator"] == "targetmix"]["mean_squared_error"]
    np.testing.assert_allclose(alone.scores["mean_squared_error"], mine)


def test_n_target_keeps_that_many_target_rows_with_every_source_row():
    X, y, groups = _offset()
    _Recorder.seen = []
    reference = Learn2MixRegressor(_Recorder(), mixer="natural")
    compare([reference], X, y, groups=groups, target="t", n_target=30, seeds=1)
    # the natural pool (reference) and the candidate: 400 sources + 30 target rows;
    # target only: 30; the tuned weight: 5 factors on 400 + 22, then 430
    assert _Recorder.seen.count(430) >= 2 and 30 in _Recorder.seen


def test_the_target_is_stratified_by_class_for_classifiers():
    rng = np.random.RandomState(0)
    X = rng.randn(600, 3)
    groups = np.repeat(["t", "a", "b"], 200)
    y = (X[:, 0] > 0).astype(int)
    clf = Learn2MixClassifier(LogisticRegression(), mixer=TargetMix("t"))
    result = compare([clf], X, y, groups=groups, target="t", n_target=40, seeds=2)
    assert {"accuracy", "log_loss"} <= set(result.table["score"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(groups=None, target="t"), r"compare\(target='t'\) needs groups"),
        (dict(target="zz"), r"target 'zz' has no rows"),
        (dict(n_target=10), r"n_target is the number of target rows: pass target"),
        (dict(target="t", n_target=500), r"n_target=500 is not fewer than the target's 90"),
        (dict(target="t", n_target=0), r"n_target is how many .* an int >= 1 .*got 0"),
        (dict(target="t", n_target=2.5), r"n_target is how many .*got 2.5"),
    ],
)
def test_bad_input_is_refused_with_the_fix(kwargs, message):
    X, y, groups = _offset()
    args = {"groups": groups, **kwargs}
    with pytest.raises(ValueError, match=message):
        compare([Learn2MixRegressor(LinearRegression())], X, y, seeds=1, **args)


def test_a_target_that_is_the_only_group_is_refused():
    X, y, _ = _offset()
    with pytest.raises(ValueError, match="the only group"):
        compare(
            [Learn2MixRegressor(LinearRegression())], X, y, groups=np.full(len(y), "t"),
            target="t", seeds=1,
        )  # fmt: skip


def test_a_transfer_model_alone_brings_the_baselines_and_a_plain_model_cannot():
    X, y, groups = _offset(n_target=60)
    blend = TargetBlend(LinearRegression(), "t", pooled_share=None, random_state=0)
    result = compare({"blend": blend}, X, y, groups=groups, target="t", seeds=2)
    assert set(result.scores["estimator"]) == {*TARGET_BASELINES, "blend"}
    means = result.scores.groupby("estimator")["mean_squared_error"].mean()
    assert means["natural pool"] > 1.0 > means["target only"]  # the pool ignores the offset
    with pytest.raises(ValueError, match="builds its baselines from a candidate's inner model"):
        compare({"lr": LinearRegression()}, X, y, groups=groups, target="t", seeds=1)


@pytest.mark.parametrize(
    "model",
    [
        TargetOnly(LinearRegression(), "t"),
        TargetWeighted(LinearRegression(), "t", weights=(1.0, 10.0)),
        GroupFeature(LinearRegression(), "t"),
        PoolStacking(LinearRegression(), "t"),
        TargetBlend(LinearRegression(), "t", random_state=0),
    ],
    ids=lambda m: type(m).__name__,
)
def test_a_model_for_a_target_says_when_predict_gets_other_columns(model):
    X, y, groups = _offset(n_target=60)
    model.fit(X, y, groups=groups)
    assert model.n_features_in_ == 3
    assert model.predict(X).shape == (len(y),)
    with pytest.raises(
        ValueError, match=f"X has 2 features, but {type(model).__name__} is expecting 3"
    ):
        model.predict(X[:, :2])


@pytest.mark.parametrize(
    "candidate",
    [
        TargetBlend(LinearRegression(), "s"),
        Learn2MixRegressor(LinearRegression(), mixer=TargetMix("s")),
    ],
    ids=["blend", "targetmix"],
)
def test_a_candidate_built_for_another_target_is_refused(candidate):
    X, y, groups = _offset()
    with pytest.raises(ValueError, match="built for target 's' but compare scores target 't'"):
        compare({"other": candidate}, X, y, groups=groups, target="t", seeds=1)


# -- the baselines themselves --------------------------------------------------------------
def test_target_only_and_the_group_feature_recover_the_targets_rule():
    X, y, groups = _offset()
    X_new = np.random.RandomState(5).randn(50, 3)
    truth = X_new @ [1.0, -2.0, 0.5]
    for model in (TargetOnly(LinearRegression(), "t"), GroupFeature(LinearRegression(), "t")):
        pred = model.fit(X, y, groups=groups).predict(X_new)
        assert np.max(np.abs(pred - truth)) < 0.1, type(model).__name__
    pooled = LinearRegression().fit(X, y).predict(X_new)
    assert np.mean(np.abs(pooled - truth)) > 1.0  # the offset the others remove


def test_stacking_learns_the_offset_from_the_sources_model():
    X, y, groups = _offset(n_target=30)
    model = PoolStacking(LinearRegression(), "t").fit(X, y, groups=groups)
    X_new = np.random.RandomState(6).randn(20, 3)
    np.testing.assert_allclose(model.predict(X_new), X_new @ [1.0, -2.0, 0.5], atol=0.2)
    assert model.pool_.n_features_in_ == 3 and model.estimator_.n_features_in_ == 4


def test_the_tuned_weight_follows_the_held_out_target_rows():
    X, y, groups = _offset()
    misled = TargetWeighted(LinearRegression(), "t", random_state=0).fit(X, y, groups=groups)
    assert misled.weight_ == 100  # offset sources: weight the target most
    X, y, groups = _offset(offset=0.0)
    scores = (
        TargetWeighted(LinearRegression(), "t", random_state=0).fit(X, y, groups=groups).scores_
    )
    assert set(scores) == {1, 3, 10, 30, 100}
    assert max(scores.values()) < 0.05  # same rule: every weight predicts the target


def test_baselines_refuse_a_target_without_rows_or_groups():
    X, y, groups = _offset()
    for model in (TargetOnly, TargetWeighted, GroupFeature, PoolStacking, TargetBlend):
        with pytest.raises(ValueError, match="needs groups"):
            model(LinearRegression(), "t").fit(X, y)
        with pytest.raises(ValueError, match="has no rows"):
            model(LinearRegression(), "zz").fit(X, y, groups=groups)


# -- TargetBlend --------------------------------------------------------------------------
#: the blend of the sources' model and the target's alone (no pooled member)
TWO_MEMBERS = {"pooled_share": None, "cv": 5, "random_state": 0}


def test_the_default_blend_is_the_recommended_three_member_one():
    X, y, groups = _offset(n_target=40, offset=0.5)
    params = TargetBlend(LinearRegression(), "t").get_params()
    assert (params["pooled_share"], params["cv"], params["continued"]) == (0.35, 3, False)
    blend = TargetBlend(LinearRegression(), "t", random_state=0).fit(X, y, groups=groups)
    assert blend.pooled_ is not None and len(blend.losses_) == 66  # pairs with w + v <= 1


def test_the_blend_moves_to_the_target_when_the_sources_are_offset():
    X, y, groups = _offset(n_target=40)
    blend = TargetBlend(LinearRegression(), "t", **TWO_MEMBERS).fit(X, y, groups=groups)
    assert blend.weight_ == 0.0 and blend.pool_.n_features_in_ == 3
    X_new = np.random.RandomState(7).randn(20, 3)
    np.testing.assert_allclose(blend.predict(X_new), X_new @ [1.0, -2.0, 0.5], atol=0.2)
    assert blend.losses_[0.0] < blend.losses_[1.0] / 100  # offset 3: squared error ~9


def test_the_blend_stays_on_the_sources_when_they_share_the_targets_rule():
    # few, noisy target rows and plenty of clean sources of the same rule
    rng = np.random.RandomState(1)
    X = rng.randn(520, 3)
    groups = np.repeat(["t", "s"], [20, 500])
    y = X @ [1.0, -2.0, 0.5] + np.where(groups == "t", 1.0, 0.05) * rng.randn(520)
    blend = TargetBlend(LinearRegression(), "t", **TWO_MEMBERS).fit(X, y, groups=groups)
    assert blend.weight_ >= 0.8
    X_new = rng.randn(200, 3)
    truth = X_new @ [1.0, -2.0, 0.5]
    own = TargetOnly(LinearRegression(), "t").fit(X, y, groups=groups).predict(X_new)
    assert np.mean((blend.predict(X_new) - truth) ** 2) < np.mean((own - truth) ** 2)


def test_every_target_row_scores_the_blend_out_of_fold():
    _Recorder.seen = []
    X, y, groups = _offset(n_target=30)
    TargetBlend(_Recorder(), "t", cv=3, pooled_share=None).fit(X, y, groups=groups)
    # the sources alone, three folds of the target's rows, then all of them
    assert _Recorder.seen == [400, 20, 20, 20, 30]


def _rare_positives(n_positive):
    """A binary target of 30 rows with ``n_positive`` positives (its first rows);
    300 source rows of the same rule."""
    rng = np.random.RandomState(0)
    X = rng.randn(330, 2)
    groups = np.repeat(["t", "s"], [30, 300])
    y = (X[:, 0] > 0).astype(int)
    y[:30] = 0
    y[:n_positive] = 1
    return X, y, groups


def test_a_classifier_blends_probabilities_and_survives_one_class_folds():
    X, y, groups = _rare_positives(2)  # two positives, two folds: one trains on one class
    blend = TargetBlend(LogisticRegression(), "t", cv=2, pooled_share=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # two positives for two folds: a blend is chosen
        blend.fit(X, y, groups=groups)
    proba = blend.predict_proba(X[:5])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(blend.classes_) == [0, 1] and proba.shape == (5, 2)
    assert set(blend.predict(X)) <= {0, 1} and len(blend.losses_) == 11


@pytest.mark.parametrize("n_positive", [0, 2])
def test_a_class_rarer_than_the_folds_leaves_the_blend_on_the_sources(n_positive):
    # With no positive among the target's rows, the out-of-fold log loss would favour
    # the target's own model (always negative): a blend that ranks nothing.
    X, y, groups = _rare_positives(n_positive)
    _Recorder.seen = []
    blend = TargetBlend(LogisticRegression(), "t", cv=3, pooled_share=0.35, random_state=0)
    with pytest.warns(UserWarning, match=f"hold {n_positive} of class 1, fewer than the 3 folds"):
        blend.fit(X, y, groups=groups)
    assert (blend.weight_, blend.pooled_weight_, blend.losses_) == (1.0, 0.0, {})
    assert blend.pooled_ is None  # no pooled fits
    X_new = np.random.RandomState(1).randn(20, 2)
    np.testing.assert_allclose(blend.predict_proba(X_new), blend.pool_.predict_proba(X_new))
    assert np.ptp(blend.predict_proba(X_new)[:, 1]) > 0.5  # it still ranks


@pytest.mark.parametrize(
    "params, message",
    [({"weights": (0.5, 1.5)}, "in \\[0, 1\\]"), ({"weights": ()}, "in \\[0, 1\\]"),
     ({"cv": 1}, "cv must be an int >= 2")],
)  # fmt: skip
def test_the_blend_refuses_bad_settings(params, message):
    X, y, groups = _offset()
    with pytest.raises(ValueError, match=message):
        TargetBlend(LinearRegression(), "t", **params).fit(X, y, groups=groups)


class _WeightRecorder(LinearRegression):
    """Records the rows and weights of every fit."""

    seen: list = []

    def fit(self, X, y, sample_weight=None):
        _WeightRecorder.seen.append(None if sample_weight is None else np.asarray(sample_weight))
        _Recorder.seen.append(len(y))
        return super().fit(X, y, sample_weight=sample_weight)


def test_the_pooled_member_trains_every_row_with_the_targets_share_out_of_fold():
    _Recorder.seen, _WeightRecorder.seen = [], []
    X, y, groups = _offset(n_target=30)  # the target's rows come first
    TargetBlend(_WeightRecorder(), "t", cv=3, pooled_share=0.25, random_state=0).fit(
        X, y, groups=groups
    )
    # the sources, three target folds, three pooled fits without a fold, all rows, the target
    assert _Recorder.seen == [400, 20, 20, 20, 420, 420, 420, 430, 30]
    for weight, n_target in zip(_WeightRecorder.seen[4:8], (20, 20, 20, 30), strict=True):
        assert weight[:n_target].sum() / weight.sum() == pytest.approx(0.25)
        np.testing.assert_allclose(weight[n_target:], 1.0)  # a source row weighs 1


def test_the_three_member_blend_predicts_its_chosen_mixture():
    X, y, groups = _offset(n_target=40, offset=0.5)
    blend = TargetBlend(LinearRegression(), "t", pooled_share=0.5, random_state=0)
    blend.fit(X, y, groups=groups)
    w, v = blend.weight_, blend.pooled_weight_
    assert len(blend.losses_) == 66 and min(blend.losses_, key=blend.losses_.get) == (w, v)
    X_new = np.random.RandomState(3).randn(10, 3)
    expected = (w * blend.pool_.predict(X_new) + v * blend.pooled_.predict(X_new)
                + (1 - w - v) * blend.estimator_.predict(X_new))  # fmt: skip
    np.testing.assert_allclose(blend.predict(X_new), expected)
    # an offset of 0.5 between sources and target: the pool halves it, the target has none
    assert w + v < 1.0 and blend.losses_[(w, v)] < blend.losses_[(1.0, 0.0)]


def test_the_two_member_blend_is_the_one_without_a_pooled_share():
    X, y, groups = _offset(n_target=40, offset=0.5)
    blend = TargetBlend(LinearRegression(), "t", **TWO_MEMBERS).fit(X, y, groups=groups)
    assert blend.pooled_ is None and blend.pooled_weight_ == 0.0
    assert sorted(blend.losses_) == [w / 10 for w in range(11)]


def test_a_classifier_blends_a_pooled_member_and_a_one_row_target():
    rng = np.random.RandomState(0)
    X = rng.randn(331, 2)
    groups = np.repeat(["t", "s"], [31, 300])
    y = (X[:, 0] > 0).astype(int)
    blend = TargetBlend(LogisticRegression(), "t", pooled_share=0.3, random_state=0)
    proba = blend.fit(X, y, groups=groups).predict_proba(X[:5])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    one = np.r_[groups[:1], groups[31:]]  # one target row: nothing to hold out
    single = TargetBlend(LinearRegression(), "t", pooled_share=0.3).fit(
        np.r_[X[:1], X[31:]], np.r_[y[:1], y[31:]].astype(float), groups=one
    )
    assert single.weight_ + single.pooled_weight_ == 1.0  # scored on the sources alone


@pytest.mark.parametrize("share", [0, 1, 1.5, "half"])
def test_the_blend_refuses_a_pooled_share_outside_0_1(share):
    X, y, groups = _offset()
    with pytest.raises(ValueError, match="pooled_share must be None"):
        TargetBlend(LinearRegression(), "t", pooled_share=share).fit(X, y, groups=groups)


def test_the_blend_is_a_candidate_of_compare_on_the_same_splits():
    X, y, groups = _offset(n_target=60)
    blend = TargetBlend(LinearRegression(), "t", random_state=0)
    result = compare(
        {"blend": blend, "l2m": Learn2MixRegressor(LinearRegression())}, X, y, groups=groups,
        target="t", seeds=2, scoring="root_mean_squared_error",
    )  # fmt: skip
    means = result.scores.groupby("estimator")["root_mean_squared_error"].mean()
    assert means["blend"] < 0.2 < means["natural pool"]


# -- TargetBlend(selection="one_se") ------------------------------------------------------
def _noisy_same_rule(seed):
    """A few noisy target rows of the sources' own rule: the sources are the answer."""
    rng = np.random.RandomState(seed)
    X = rng.randn(525, 3)
    groups = np.repeat(["t", "s"], [25, 500])
    y = X @ [1.0, -2.0, 0.5] + np.where(groups == "t", 1.0, 0.05) * rng.randn(525)
    return X, y, groups


def test_one_se_keeps_the_sources_unless_the_target_beats_the_noise():
    moved = {"best": 0, "one_se": 0}
    for seed in range(8):
        X, y, groups = _noisy_same_rule(seed)
        for selection in moved:
            blend = TargetBlend(
                LinearRegression(), "t", pooled_share=0.35, selection=selection, random_state=0
            ).fit(X, y, groups=groups)
            moved[selection] += blend.weight_ + blend.pooled_weight_ < 1.0
            if selection == "one_se":  # within one SE of the lowest loss, sources first
                assert blend.weight_ == 1.0 or blend.weight_ + blend.pooled_weight_ == 1.0
    # the lowest out-of-fold loss chases the target rows' noise; one SE does not
    assert moved["one_se"] < moved["best"]


def test_one_se_still_moves_to_the_target_when_the_sources_are_offset():
    X, y, groups = _offset(n_target=40)
    blend = TargetBlend(LinearRegression(), "t", selection="one_se", random_state=0)
    assert blend.fit(X, y, groups=groups).weight_ == 0.0  # offset 3: far beyond one SE


def test_one_se_picks_the_sources_first_blend_within_one_standard_error():
    from sklearn_l2m.transfer._blend import _choose

    keys = [0.0, 0.5, 1.0]
    noise = np.random.RandomState(0).randn(50)
    spread = 0.5 * np.resize([1.0, -1.0], 50)  # mean 0, sd 0.5: SE of the mean ~0.07
    rows = np.array([1.0 + noise, 0.95 + noise, 1.0 + noise + spread])

    def choose(rows, weight, selection):
        return _choose(keys, np.average(rows, axis=1, weights=weight), rows, weight, selection)

    # 0.5 is best; 1.0 is 0.05 worse, well inside one SE
    assert choose(rows, None, "best") == 0.5
    assert choose(rows, None, "one_se") == 1.0
    rows[2] += 0.5  # now far beyond one SE
    assert choose(rows, None, "one_se") == 0.5
    assert choose(rows, np.ones(50), "one_se") == 0.5  # unit weights: the same


def test_the_blend_refuses_an_unknown_selection():
    X, y, groups = _offset()
    with pytest.raises(ValueError, match="selection must be one of"):
        TargetBlend(LinearRegression(), "t", selection="lowest").fit(X, y, groups=groups)


# -- TargetBlend(continued=True) ----------------------------------------------------------
def _shifted(n_target=30, n_source=600, seed=0, classify=False):
    """A nonlinear rule shared by every group; the target's labels are offset by 3
    (a regression) or its threshold moved by 1 (a classification)."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-3, 3, size=(n_target + n_source, 2))
    groups = np.repeat(["t", "s"], [n_target, n_source])
    score = np.sin(2 * X[:, 0]) + X[:, 1]
    if classify:
        return X, (score > np.where(groups == "t", 1.0, 0.0)).astype(int), groups
    return X, score + 3.0 * (groups == "t") + 0.05 * rng.randn(len(X)), groups


def test_the_continued_member_learns_what_the_target_adds_to_the_sources():
    from sklearn.tree import DecisionTreeRegressor

    X, y, groups = _shifted()
    tree = DecisionTreeRegressor(max_depth=6, random_state=0)
    blend = TargetBlend(tree, "t", continued=True, **TWO_MEMBERS).fit(X, y, groups=groups)
    # offset sources (loss ~9) and a tree of 30 rows both lose to the sources plus
    # a model of the target's residuals (a constant 3 that 24 rows pin down)
    assert blend.losses_[(0.0, 1.0)] < min(blend.losses_[(1.0, 0.0)], blend.losses_[(0.0, 0.0)]) / 3
    assert blend.continued_weight_ >= 0.8 and blend.weight_ + blend.continued_weight_ <= 1.0
    residuals = y[:30] - blend.pool_.predict(X[:30])
    np.testing.assert_allclose(blend.continued_.predict(X[:30]).mean(), residuals.mean())
    X_new = np.random.RandomState(3).uniform(-3, 3, size=(50, 2))
    w, c = blend.weight_, blend.continued_weight_
    sources, own = blend.pool_.predict(X_new), blend.estimator_.predict(X_new)
    mix = w * sources + c * (sources + blend.continued_.predict(X_new)) + (1 - w - c) * own
    np.testing.assert_allclose(blend.predict(X_new), mix)


def test_the_continued_member_is_refitted_out_of_fold_on_the_targets_rows_only():
    _Recorder.seen = []
    X, y, groups = _offset(n_target=30)
    TargetBlend(_Recorder(), "t", cv=3, pooled_share=None, continued=True).fit(X, y, groups=groups)
    # the sources; the target's model and the continuation on three folds each; both on all
    assert _Recorder.seen == [400, 20, 20, 20, 20, 20, 20, 30, 30]


def test_four_members_try_every_blend_that_leaves_the_target_a_share():
    X, y, groups = _offset(n_target=40, offset=0.5)
    blend = TargetBlend(LinearRegression(), "t", pooled_share=0.5, continued=True, cv=3)
    blend.fit(X, y, groups=groups)
    assert len(blend.losses_) == 286  # triples of 11 weights summing to at most 1
    assert all(len(key) == 3 and sum(key) <= 1 + 1e-9 for key in blend.losses_)
    shares = (blend.weight_, blend.pooled_weight_, blend.continued_weight_)
    assert blend.losses_[shares] == pytest.approx(min(blend.losses_.values()), rel=1e-9)


@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_a_boosted_classifier_continues_from_the_sources_log_odds(library):
    module = pytest.importorskip(library)
    model = (
        module.XGBClassifier(n_estimators=30, max_depth=2, random_state=0)
        if library == "xgboost"
        else module.LGBMClassifier(n_estimators=30, num_leaves=4, min_child_samples=3,
                                   random_state=0, verbose=-1)
    )  # fmt: skip
    X, y, groups = _shifted(n_target=60, classify=True)
    blend = TargetBlend(model, "t", continued=True, cv=3, pooled_share=None, random_state=0)
    blend.fit(X, y, groups=groups)
    # the threshold moved: the continuation corrects the sources' log-odds
    assert blend.losses_[(0.0, 1.0)] < blend.losses_[(1.0, 0.0)]
    proba = blend.predict_proba(X[:60])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert blend.continued_weight_ > 0 and set(blend.predict(X)) <= {0, 1}


@pytest.mark.parametrize(
    "model, y_kind, message",
    [(LogisticRegression(), "binary", "takes none"),
     (None, "three classes", "needs two classes"),
     (LinearRegression(), "continuous", "continued must be True or False")],
)  # fmt: skip
def test_the_continued_member_refuses_what_it_cannot_continue(model, y_kind, message):
    X, y, groups = _shifted(classify=y_kind != "continuous")
    if y_kind == "three classes":
        model = pytest.importorskip("xgboost").XGBClassifier(n_estimators=2)
        y = y + (X[:, 0] > 2)
    continued = "yes" if y_kind == "continuous" else True
    with pytest.raises(ValueError, match=message):
        TargetBlend(model, "t", continued=continued).fit(X, y, groups=groups)


# -- TargetShare ---------------------------------------------------------------------------
class _ShareRecorder(LinearRegression):
    weights: list = []

    def fit(self, X, y, sample_weight=None):
        _ShareRecorder.weights.append(np.asarray(sample_weight))
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("sample_weight", [None, "random"])
def test_target_share_gives_the_target_its_share_of_the_weight_in_one_fit(sample_weight):
    from sklearn_l2m.transfer import TargetShare

    _ShareRecorder.weights = []
    X, y, groups = _offset(n_target=40)
    base = None if sample_weight is None else np.random.RandomState(0).uniform(0.5, 2, len(y))
    model = TargetShare(_ShareRecorder(), "t", share=0.3).fit(
        X, y, groups=groups, sample_weight=base
    )
    (weight,) = _ShareRecorder.weights  # one fit, every row
    is_target = groups == "t"
    assert weight[is_target].sum() / weight.sum() == pytest.approx(0.3)
    base = np.ones(len(y)) if base is None else base
    np.testing.assert_allclose(weight[~is_target], base[~is_target])
    np.testing.assert_allclose(weight[is_target], model.factor_ * base[is_target])
    # a target that already holds more than the share is never down-weighted
    many = TargetShare(LinearRegression(), "t", share=0.05).fit(X, y, groups=groups)
    assert many.factor_ == 1.0 and len(many.predict(X[:3])) == 3


@pytest.mark.parametrize("share", [0, 1, True, "a third"])
def test_target_share_refuses_a_share_outside_0_1(share):
    from sklearn_l2m.transfer import TargetShare

    X, y, groups = _offset()
    with pytest.raises(ValueError, match="share must be the target's share"):
        TargetShare(LinearRegression(), "t", share=share).fit(X, y, groups=groups)


def test_with_metadata_routing_a_search_and_a_pipeline_pass_the_groups_unasked():
    import sklearn
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, groups = _offset(n_target=60)
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(
            TargetShare(LinearRegression(), "t"), {"share": [0.2, 0.5]},
            cv=KFold(3, shuffle=True, random_state=0),
        ).fit(X, y, groups=groups)  # fmt: skip
        assert search.best_estimator_.factor_ > 1  # fitted with the groups: the target up-weighted
        pipe = make_pipeline(StandardScaler(), TargetBlend(LinearRegression(), "t", random_state=0))
        pipe.fit(X, y, groups=groups)
    target = groups == "t"
    assert (
        np.sqrt(np.mean((pipe.predict(X[target]) - y[target]) ** 2)) < 0.5
    )  # not the pool's offset


def test_a_skorch_net_trains_under_the_weights_of_a_pooled_fit():
    """A skorch net's fit takes no sample_weight (skorch would hand it to the module's
    forward): the pooled fits weigh each row's loss instead (before: a TypeError from
    forward). Weights of 0 on rows with flipped labels leave the net the true rule."""
    pytest.importorskip("skorch")
    import torch
    from _models import inner

    from sklearn_l2m.transfer._common import _fit

    rng = np.random.RandomState(0)
    X = rng.randn(600, 2).astype(np.float32)
    rule = (X[:, 0] > 0).astype(np.int64)
    flipped = np.arange(600) % 2 == 1
    y = np.where(flipped, 1 - rule, rule)
    torch.manual_seed(0)
    net = inner("skorch", budget=30, n_in=2, n_out=2)
    weighted = _fit(net, X, y, sample_weight=(~flipped).astype(float))
    assert (weighted.predict(X) == rule).mean() > 0.95
    # the models for a target that weigh rows fit and predict with a net
    groups = np.where(np.arange(600) < 100, "t", "s")
    for model in (TargetShare(net, "t"), TargetBlend(net, "t", random_state=0)):
        proba = model.fit(X, rule, groups=groups).predict_proba(X[:5])
        assert proba.shape == (5, 2) and np.allclose(proba.sum(axis=1), 1.0)


def test_a_model_without_sample_weight_is_refused_where_rows_are_weighed():
    from sklearn.neighbors import KNeighborsRegressor

    X, y, groups = _offset()
    with pytest.raises(TypeError, match="KNeighborsRegressor.fit takes no sample_weight"):
        TargetShare(KNeighborsRegressor(), "t").fit(X, y, groups=groups)
    # the two-member blend weighs no row: it works
    blend = TargetBlend(KNeighborsRegressor(), "t", pooled_share=None).fit(X, y, groups=groups)
    assert blend.predict(X[:3]).shape == (3,)
    # a pipeline takes any keyword: with routing on it passes the weights to its step
    import sklearn
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    with sklearn.config_context(enable_metadata_routing=True):
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        pipe = make_pipeline(scaler, LinearRegression().set_fit_request(sample_weight=True))
        share = TargetShare(pipe, "t", share=0.5).fit(X, y, groups=groups)
    assert share.predict(X[:3]).shape == (3,)


def test_a_target_only_model_that_saw_one_class_is_scored_not_refused():
    """With one labelled target row the target-only baseline knows one class: its
    probabilities of the other are 0, and log loss scores that (the metric
    refused it: "y_true contains values not belonging to the passed labels")."""
    rng = np.random.RandomState(0)
    X = rng.randn(600, 3)
    groups = rng.choice(["s", "t"], 600, p=[0.9, 0.1])
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(
            {"share": TargetShare(LogisticRegression(), "t")},
            X, y, groups=groups, target="t", n_target=1, seeds=2,
            scoring=["log_loss", "accuracy"],
        )  # fmt: skip
    alone = result.scores[result.scores["estimator"] == "target only"]
    assert (alone["log_loss"] > 5).all() and alone["accuracy"].between(0, 1).all()
    pooled = result.scores[result.scores["estimator"] == "natural pool"]
    assert (pooled["log_loss"] < 1).all()
