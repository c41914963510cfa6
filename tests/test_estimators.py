"""Learn2MixClassifier / Learn2MixRegressor with scikit-learn inner models."""

import pickle

import numpy as np
import pytest
import sklearn
from _models import hgb
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_l2m import EarlyStopping, Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.mixers import GroupDRO, Learn2Mix


def test_fit_records_histories_and_delegates(blobs):
    X, y, _ = blobs
    clf = Learn2MixClassifier(
        hgb(), steps_per_round=4, loss_source="validation", random_state=0
    ).fit(X, y)
    assert clf.n_rounds_ == 5 and clf.steps_per_round_ == 4
    assert clf.estimator_.n_iter_ == 20  # the user's max_iter is the total budget
    assert clf.mixture_history_.shape == (6, 3)
    assert clf.group_loss_history_.shape == (5, 3)
    assert clf.validation_loss_history_.shape == (5,)
    np.testing.assert_allclose(clf.mixture_history_.sum(axis=1), 1.0)
    np.testing.assert_allclose(clf.mixture_history_[0], clf.natural_mixture_)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    np.testing.assert_array_equal(clf.groups_, [0, 1, 2])
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.decision_function(X).shape == (400, 3)
    assert clf.stop_reason_ == "budget"
    # the hard minority class gains weight over its natural share
    assert clf.mixture_[2] > clf.natural_mixture_[2]
    # the user's estimator is untouched
    assert clf.estimator.get_params()["warm_start"] is False


def test_string_labels_and_groups(blobs):
    X, y, groups = blobs
    labels = np.array(["cat", "dog", "eel"])[y]
    clf = Learn2MixClassifier(hgb(), random_state=0).fit(X, labels, groups=groups)
    np.testing.assert_array_equal(clf.groups_, ["lab_a", "lab_b"])
    assert clf.mixture_.shape == (2,)
    assert set(clf.predict(X)) <= {"cat", "dog", "eel"}


def test_mixing_rate_zero_is_classical_training(blobs):
    X, y, _ = blobs
    clf = Learn2MixClassifier(
        hgb(),
        mixer=Learn2Mix(mixing_rate=0.0),
        validation_fraction=None,
        loss_source="train",
        random_state=0,
    ).fit(X, y)
    np.testing.assert_allclose(
        clf.mixture_history_, np.tile(clf.natural_mixture_, (clf.n_rounds_ + 1, 1))
    )
    plain = hgb().fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), plain.predict_proba(X), rtol=1e-10)


def test_same_random_state_same_model_and_pickle(blobs):
    X, y, _ = blobs
    a = Learn2MixClassifier(hgb(), random_state=7).fit(X, y)
    b = Learn2MixClassifier(hgb(), random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.mixture_history_, b.mixture_history_)
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict_proba(X), a.predict_proba(X))
    refit = clone(a).fit(X, y)
    np.testing.assert_array_equal(refit.predict_proba(X), a.predict_proba(X))


def test_pipeline_gridsearch_and_cross_validate_with_routed_groups(blobs):
    X, y, groups = blobs
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler(), Learn2MixClassifier(hgb(), mixer=Learn2Mix(), random_state=0)
        )
        grid = GridSearchCV(
            pipe,
            {
                "learn2mixclassifier__mixer__mixing_rate": [0.0, 0.3],
                "learn2mixclassifier__estimator__learning_rate": [0.1, 0.3],
            },
            cv=GroupKFold(n_splits=2),
            scoring="balanced_accuracy",
        )
        grid.fit(X, y, groups=groups)
        best = grid.best_estimator_[-1]
        # groups reached the estimator: two groups, not the three classes
        np.testing.assert_array_equal(best.groups_, ["lab_a", "lab_b"])
        scores = cross_validate(
            Learn2MixClassifier(hgb(), random_state=0),
            X,
            y,
            cv=GroupKFold(n_splits=2),
            params={"groups": groups},
        )
        assert scores["test_score"].shape == (2,)
    # without routing, groups reach the step through the Pipeline's fit params
    pipe = make_pipeline(
        StandardScaler(), Learn2MixClassifier(hgb(), mixer=Learn2Mix(), random_state=0)
    )
    pipe.fit(X, y, learn2mixclassifier__groups=groups)
    assert pipe[-1].mixture_.shape == (2,)


@pytest.mark.parametrize(
    "inner, mode",
    [
        (hgb(), "grow"),
        (RandomForestClassifier(n_estimators=12, random_state=0), "grow"),
        (SGDClassifier(loss="log_loss", random_state=0), "partial_fit"),
        (LogisticRegression(max_iter=200), "refit"),
    ],
    ids=["hgb", "forest", "sgd", "logreg"],
)
def test_backend_modes(blobs, inner, mode):
    X, y, _ = blobs
    clf = Learn2MixClassifier(inner, n_rounds=4, random_state=0).fit(X, y)
    assert clf.n_rounds_ == 4
    assert clf.mixture_history_.shape == (5, 3)
    assert clf.score(X, y) > 0.6
    if mode == "grow" and hasattr(clf.estimator_, "n_estimators"):
        assert len(clf.estimator_.estimators_) == 12


def test_partial_fit_without_proba_uses_zero_one_loss(blobs):
    X, y, _ = blobs
    clf = Learn2MixClassifier(SGDClassifier(random_state=0), n_rounds=3, random_state=0)
    clf.fit(X, y)
    losses = clf.group_loss_history_
    assert np.all((losses >= 0) & (losses <= 1))
    assert not hasattr(clf, "predict_proba")


def test_explicit_validation_set_and_groups(blobs):
    X, y, groups = blobs
    clf = Learn2MixClassifier(hgb(), random_state=0)
    clf.fit(
        X[:300], y[:300], groups=groups[:300], X_val=X[300:], y_val=y[300:], groups_val=groups[300:]
    )
    assert clf.group_loss_history_.shape[1] == 2
    with pytest.raises(ValueError, match="groups_val"):
        clf.fit(X[:300], y[:300], groups=groups[:300], X_val=X[300:], y_val=y[300:])
    with pytest.raises(ValueError, match="Every group of the validation rows"):
        clf.fit(
            X[:300],
            y[:300],
            groups=groups[:300],
            X_val=X[300:],
            y_val=y[300:],
            groups_val=np.full(100, "lab_z"),
        )
    # a class the training rows lack is named as a class, not as a group
    with pytest.raises(ValueError, match=r"y_val contains .*\['z'\]. Every class of"):
        clf.fit(X[:300], y[:300], X_val=X[300:], y_val=np.full(100, "z"))


def test_train_loss_source_and_no_validation(blobs):
    X, y, _ = blobs
    clf = Learn2MixClassifier(
        hgb(), loss_source="train", validation_fraction=None, random_state=0
    ).fit(X, y)
    assert clf.loss_source_ == "train"
    assert clf.validation_loss_history_.size == 0
    with pytest.raises(ValueError, match="needs validation data"):
        Learn2MixClassifier(hgb(), validation_fraction=None, loss_source="validation").fit(
            X, y
        )


def test_auto_loss_source_holds_out_only_groups_big_enough_to_measure():
    X, y = make_classification(
        n_samples=2000,
        n_features=8,
        n_informative=5,
        n_classes=3,
        weights=[0.7, 0.2, 0.1],
        random_state=0,
    )
    counts = np.bincount(y)
    big = Learn2MixClassifier(hgb(), validation_fraction=0.1, random_state=0).fit(X, y)
    assert counts.min() * 0.1 >= 10 and big.loss_source_ == "validation"
    assert big.validation_loss_history_.size == big.n_rounds_
    keep = np.concatenate([np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:50]])
    small = Learn2MixClassifier(hgb(), validation_fraction=0.1, random_state=0)
    small.fit(X[keep], y[keep])  # 5 validation rows of class 2: too few
    assert small.loss_source_ == "train" and small.validation_loss_history_.size == 0
    # nothing held out: the inner model saw every row
    assert small.estimator_.n_features_in_ == X.shape[1]
    explicit = Learn2MixClassifier(hgb(), random_state=0)
    explicit.fit(X[keep], y[keep], X_val=X[:30], y_val=y[:30])
    assert explicit.loss_source_ == "validation"


@pytest.mark.parametrize("inner", [hgb(), "xgboost"])
def test_group_without_validation_samples_follows_its_training_loss(inner):
    if inner == "xgboost":
        xgb = pytest.importorskip("xgboost")
        inner = xgb.XGBClassifier(n_estimators=20, max_depth=2)
    X, y = make_classification(n_samples=200, n_classes=2, random_state=0)
    y[:3] = 2  # three samples: 0.1 * 3 rounds to 0 validation samples
    clf = Learn2MixClassifier(inner, loss_source="validation", random_state=0)
    with pytest.warns(UserWarning, match=r"Groups \[2\] have no validation samples"):
        clf.fit(X, y)
    rare_loss = clf.group_loss_history_[:, 2]
    assert np.all(np.isfinite(rare_loss)) and np.all(rare_loss > 0)
    assert np.all(clf.mixture_history_[:, 2] > 0)
    assert not np.allclose(clf.mixture_history_[:, 2], clf.natural_mixture_[2])


def test_floor_protects_easy_groups(blobs):
    X, y, _ = blobs
    clf = Learn2MixClassifier(
        hgb(), mixer=Learn2Mix(mixing_rate=1.0, min_weight=0.5), random_state=0
    ).fit(X, y)
    assert np.all(clf.mixture_history_ >= 0.5 * clf.natural_mixture_ - 1e-12)


def test_early_stopping_stops_and_says_why():
    X, y = make_classification(n_samples=300, flip_y=0.3, random_state=0)
    clf = Learn2MixClassifier(
        HistGradientBoostingClassifier(max_iter=300, early_stopping=False, learning_rate=0.5),
        steps_per_round=5,
        early_stopping=EarlyStopping(n_iter_no_change=2),
        random_state=0,
    ).fit(X, y)
    assert clf.stop_reason_ == "early_stopping"
    assert clf.n_rounds_ < 60


def test_other_mixers_through_the_estimator(blobs):
    X, y, _ = blobs
    for mixer in [
        "balanced",
        "natural",
        "group_dro",
        GroupDRO(step_size=0.5),
        {0: 0.2, 1: 0.3, 2: 0.5},
    ]:
        clf = Learn2MixClassifier(hgb(), mixer=mixer, random_state=0).fit(X, y)
        assert np.isclose(clf.mixture_.sum(), 1)
    clf = Learn2MixClassifier(hgb(), mixer="balanced", random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.mixture_history_, 1 / 3)


def test_regressor_bins_and_groups():
    X, y = make_regression(n_samples=300, n_features=5, noise=5, random_state=0)
    reg = Learn2MixRegressor(
        HistGradientBoostingRegressor(max_iter=30, early_stopping=False),
        n_target_bins=4,
        random_state=0,
    ).fit(X, y)
    np.testing.assert_array_equal(reg.groups_, [0, 1, 2, 3])
    assert reg.target_bin_edges_.shape == (3,)
    assert reg.score(X, y) > 0.8
    g = np.arange(300) % 3
    reg.fit(X, y, groups=g)
    assert reg.target_bin_edges_ is None and reg.mixture_.shape == (3,)
    reg.fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])
    assert reg.group_loss_history_.shape[1] == 4


def test_verbose_prints_progress(blobs, capsys):
    X, y, _ = blobs
    Learn2MixClassifier(hgb(), n_rounds=2, verbose=1, random_state=0).fit(X, y)
    err = capsys.readouterr().err
    assert "Learn2MixClassifier" in err and "2/2" in err


@pytest.mark.slow  # a statistical comparison over seeds
def test_long_tailed_digits_learn2mix_beats_classical_balanced_accuracy():
    """The paper's rule (shrinkage=0) on a real long-tailed set, 3 seeds, default inner model."""
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    gains = []
    for seed in range(3):
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=0.4, stratify=y, random_state=seed
        )
        rng = np.random.RandomState(seed)
        # imbalance ratio 50: class k keeps a 50**(-k/9) share of its samples
        keep = np.concatenate(
            [
                rng.permutation(np.flatnonzero(y_tr == k))[
                    : max(2, int(round((y_tr == k).sum() * 50 ** (-k / 9))))
                ]
                for k in range(10)
            ]
        )
        common = dict(random_state=seed)
        classical = Learn2MixClassifier(mixer=Learn2Mix(mixing_rate=0.0), **common).fit(
            X_tr[keep], y_tr[keep]
        )
        mixed = Learn2MixClassifier(mixer=Learn2Mix(shrinkage=0.0), **common).fit(
            X_tr[keep], y_tr[keep]
        )
        gains.append(
            balanced_accuracy_score(y_te, mixed.predict(X_te))
            - balanced_accuracy_score(y_te, classical.predict(X_te))
        )
    assert np.mean(gains) > 0, gains
