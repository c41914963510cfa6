"""The models for a target take any class labels (XGBoost alone takes only the
codes 0 .. k-1), and their random_state makes a skorch net's fits repeat."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from _models import inner

from sklearn_l2m.model_selection import compare
from sklearn_l2m.transfer import (
    GroupFeature,
    NaturalPool,
    PoolStacking,
    TargetBlend,
    TargetOnly,
    TargetShare,
    TargetWeighted,
)

MODELS = {
    "natural pool": lambda e: NaturalPool(e, "t"),
    "target only": lambda e: TargetOnly(e, "t"),
    "tuned weight": lambda e: TargetWeighted(e, "t", random_state=0),
    "share": lambda e: TargetShare(e, "t"),
    "group feature": lambda e: GroupFeature(e, "t"),
    "stacking": lambda e: PoolStacking(e, "t"),
    "blend": lambda e: TargetBlend(e, "t", random_state=0),
    "continued blend": lambda e: TargetBlend(e, "t", continued=True, random_state=0),
}


def _sources_and_target(labels, n=600, seed=0):
    """Three sources and a target ('t', a tenth of the rows); classes from x0."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 4).astype(np.float32)
    groups = rng.choice(["a", "b", "t"], n, p=[0.45, 0.45, 0.1])
    edges = np.quantile(X[:, 0], np.linspace(0, 1, len(labels) + 1)[1:-1])
    y = np.asarray(labels, dtype=object)[np.searchsorted(edges, X[:, 0])]
    return X, y.astype(type(labels[0])), groups


LABELS = {"binary": ["no", "yes"], "three": ["hi", "lo", "mid"]}


@pytest.mark.parametrize(
    "name, labels",
    [
        pytest.param(name, labels, id=f"{name}-{kind}")
        for name in MODELS
        for kind, labels in LABELS.items()
        if not (name == "continued blend" and kind == "three")  # continued=True: binary only
    ],
)
def test_xgboost_models_for_a_target_take_string_labels(name, labels):
    """They failed inside XGBoost ("Invalid classes inferred from unique values")."""
    pytest.importorskip("xgboost")
    X, y, groups = _sources_and_target(labels)
    model = MODELS[name](inner("xgboost", 10)).fit(X, y, groups=groups)
    assert list(model.classes_) == sorted(labels)
    predicted = model.predict(X)
    assert set(predicted) <= set(labels) and (predicted == y).mean() > 0.8
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), len(labels))
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], predicted)
    again = pickle.loads(pickle.dumps(model))  # the relabelled inner model pickles
    np.testing.assert_array_equal(again.predict(X), predicted)


def test_a_target_that_lacks_a_class_trains_xgboost_on_its_codes():
    """Integer classes 0, 1, 2 with no 1 among the target's rows: XGBoost refused
    the target's own model ([0 2] are not the codes 0 .. k-1)."""
    pytest.importorskip("xgboost")
    X, y, groups = _sources_and_target([0, 1, 2])
    keep = ~((groups == "t") & (y == 1))
    X, y, groups = X[keep], y[keep], groups[keep]
    model = TargetOnly(inner("xgboost", 10), "t").fit(X, y, groups=groups)
    assert list(model.classes_) == [0, 2]
    assert set(model.predict(X)) <= {0, 2}
    blend = TargetBlend(inner("xgboost", 10), "t", random_state=0).fit(X, y, groups=groups)
    assert list(blend.classes_) == [0, 1, 2] and blend.predict_proba(X).shape == (len(y), 3)


def test_integer_codes_train_the_inner_model_itself():
    """Labels that are already the codes 0 .. k-1 are passed as they are: the
    fitted model is the inner model's own class (no wrapper)."""
    pytest.importorskip("xgboost")
    import xgboost

    X, y, groups = _sources_and_target([0, 1])
    model = TargetShare(inner("xgboost", 10), "t").fit(X, y, groups=groups)
    assert type(model.estimator_) is xgboost.XGBClassifier


def test_compare_for_a_target_with_string_labels_and_xgboost():
    """The natural pool baseline is a NaturalPool: it takes the labels as the
    candidate does (a plain XGBoost clone refused them)."""
    pytest.importorskip("xgboost")
    X, y, groups = _sources_and_target(["neg", "pos"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare(
            {"blend": TargetBlend(inner("xgboost", 10), "t")},
            X, y, groups=groups, target="t", seeds=2, scoring="average_precision",
        )  # fmt: skip
    assert set(result.scores["estimator"]) == {
        "natural pool", "target only", "tuned target weight", "blend"
    }  # fmt: skip
    assert result.scores["average_precision"].between(0, 1).all()


def test_natural_pool_is_seeded_as_the_plain_model_in_compare():
    """compare gives the natural pool's inner model the split's seed, as it gives
    the plain model itself: the pool's scores are those of the plain model."""
    from sklearn.ensemble import RandomForestClassifier

    X, y, groups = _sources_and_target([0, 1])
    forest = RandomForestClassifier(n_estimators=5, max_depth=3)
    scores = [
        compare(
            {c: m}, X, y, groups=groups, target="t", seeds=2, scoring="accuracy"
        ).scores.set_index(["estimator", "seed"])["accuracy"]
        for c, m in (("share", TargetShare(forest, "t")), ("pool", NaturalPool(forest, "t")))
    ]
    np.testing.assert_array_equal(scores[0]["natural pool"], scores[1]["pool"])


@pytest.mark.parametrize("name", ["tuned weight", "blend"])
def test_a_random_state_repeats_a_nets_fits(name):
    """A skorch net has no random_state: the model's own seeds torch's generator,
    so two fits give one model (the tuned target weight of compare(target=...)
    with a net differed from run to run)."""
    pytest.importorskip("skorch")
    X, y, groups = _sources_and_target([0, 1])
    fitted = [
        MODELS[name](inner("skorch", 3, n_in=X.shape[1], n_out=2)).fit(X, y, groups=groups)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(*(m.predict_proba(X) for m in fitted))
