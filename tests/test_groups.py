"""Groups beyond classes: small groups are safe, and selection can follow the worst group."""

import warnings

import numpy as np
import pytest
from _models import hgb
from sklearn.ensemble import HistGradientBoostingClassifier

from sklearn_l2m import EarlyStopping, Learn2MixClassifier
from sklearn_l2m.mixers import BoundedGroupLoss, GroupDRO, Learn2Mix


@pytest.fixture(scope="module")
def seven_sites():
    """Seven sites of 8 to 600 rows; site 'g' (8 rows) has labels unrelated to X."""
    rng = np.random.RandomState(0)
    sizes = [600, 500, 400, 300, 200, 100, 8]
    X, y, site = [], [], []
    for k, n in enumerate(sizes):
        Xs = rng.randn(n, 5) + 0.3 * k
        ys = (Xs[:, 0] + 0.5 * Xs[:, 1] > 0.3 * k).astype(int)
        if n == 8:
            ys = rng.randint(0, 2, n)  # noise: no model can learn this site
        X.append(Xs), y.append(ys), site.append(np.full(n, "abcdefg"[k]))
    return np.vstack(X), np.concatenate(y), np.concatenate(site)


@pytest.mark.parametrize(
    "mixer",
    [
        Learn2Mix(mixing_rate=0.5),
        GroupDRO(step_size=1.0),
        BoundedGroupLoss(step_size=2.0),
        "balanced",
    ],
    ids=["learn2mix", "group_dro", "bounded_group_loss", "balanced"],
)
def test_an_8_row_noisy_site_warns_and_cannot_take_over(seven_sites, mixer):
    X, y, site = seven_sites
    with pytest.warns(UserWarning, match=r"Groups 'g' \(8 rows\) have fewer than 20 rows"):
        clf = Learn2MixClassifier(hgb(40), mixer=mixer, random_state=0).fit(X, y, groups=site)
    ratio = clf.mixture_history_ / clf.natural_mixture_
    if mixer == "balanced":  # a static mixture is what the user asked for: warned, not capped
        assert ratio[-1, -1] > 20
    else:
        assert ratio.max() <= 5.0 + 1e-9  # the ceiling holds in every round
        assert ratio.min() >= 0.1 - 1e-9  # and the floor


def test_without_the_guardrails_the_noisy_site_takes_over(seven_sites):
    """The same fit with the guardrails off: the reason they are on."""
    X, y, site = seven_sites
    off = GroupDRO(step_size=1.0, min_weight=0.0, max_weight=None, pooled_rows=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        clf = Learn2MixClassifier(hgb(40), mixer=off, random_state=0).fit(X, y, groups=site)
    assert (clf.mixture_ / clf.natural_mixture_)[-1] > 20


def test_worst_group_early_stopping_selects_by_the_worst_group(seven_sites):
    X, y, site = seven_sites
    keep = site != "g"  # every group measurable on held-out rows
    inner = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.5, early_stopping=False)
    clf = Learn2MixClassifier(
        inner,
        steps_per_round=5,
        loss_source="validation",
        early_stopping=EarlyStopping(n_iter_no_change=3, monitor="worst_group"),
        refit=True,
        random_state=0,
    ).fit(X[keep], y[keep], groups=site[keep])
    worst = clf.worst_group_loss_history_
    assert worst.shape == (clf.n_rounds_,)
    np.testing.assert_allclose(worst, np.nanmax(clf.group_loss_history_, axis=1))
    assert clf.stop_reason_ == "early_stopping"
    assert clf.best_round_ == int(np.argmin(worst)) + 1
    assert clf.n_rounds_ == clf.best_round_ + 3
    assert clf.refit_rounds_ == clf.best_round_  # the replay stops at the best round
    # the pooled monitor follows the mean loss instead
    pooled = Learn2MixClassifier(
        inner, steps_per_round=5, loss_source="validation", early_stopping=True, random_state=0
    ).fit(X[keep], y[keep], groups=site[keep])
    assert pooled.best_round_ == int(np.argmin(pooled.validation_loss_history_)) + 1


def test_worst_group_monitor_on_xgboost_is_run_by_the_library(seven_sites):
    xgb = pytest.importorskip("xgboost")
    X, y, site = seven_sites
    keep = site != "g"
    clf = Learn2MixClassifier(
        xgb.XGBClassifier(n_estimators=300, learning_rate=0.5, n_jobs=1),
        steps_per_round=5,
        loss_source="validation",
        early_stopping=EarlyStopping(n_iter_no_change=2, monitor="worst_group"),
        random_state=0,
    ).fit(X[keep], y[keep], groups=site[keep])
    assert clf.stop_reason_ == "early_stopping"
    assert clf.best_round_ == int(np.argmin(clf.worst_group_loss_history_)) + 1
    assert clf.estimator_.get_params()["early_stopping_rounds"] is None  # not XGBoost's own


def test_after_a_worst_group_stop_boosters_predict_with_the_best_rounds_trees(seven_sites):
    """The kept model is the best round's: XGBoost and LightGBM predict with its trees."""
    X, y, site = seven_sites
    keep = site != "g"
    X, y, site = X[keep], y[keep], site[keep]
    stopping = EarlyStopping(n_iter_no_change=2, monitor="worst_group")
    xgb = pytest.importorskip("xgboost")
    lgb = pytest.importorskip("lightgbm")
    inners = {
        "xgboost": xgb.XGBClassifier(n_estimators=300, learning_rate=0.5, n_jobs=1),
        "lightgbm": lgb.LGBMClassifier(n_estimators=300, learning_rate=0.5, n_jobs=1, verbose=-1),
    }
    for name, inner in inners.items():
        clf = Learn2MixClassifier(
            inner, steps_per_round=5, loss_source="validation", early_stopping=stopping,
            random_state=0,
        ).fit(X, y, groups=site)  # fmt: skip
        assert clf.stop_reason_ == "early_stopping", name
        assert clf.n_rounds_ == clf.best_round_ + 2, name
        best_trees = 5 * clf.best_round_
        if name == "xgboost":
            booster = clf.estimator_.get_booster()
            assert booster.num_boosted_rounds() == 5 * clf.n_rounds_  # all trained ...
            assert clf.estimator_.best_iteration == best_trees - 1  # ... the best kept
            expected = clf.estimator_.predict_proba(X, iteration_range=(0, best_trees))
        else:
            assert clf.estimator_.booster_.current_iteration() == 5 * clf.n_rounds_
            expected = clf.estimator_.predict_proba(X, num_iteration=best_trees)
        np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-6)


def _grown(name, n_steps):
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier

    if name == "hgb":
        return HistGradientBoostingClassifier(
            max_iter=n_steps, learning_rate=0.5, early_stopping=False, random_state=0
        )
    if name == "gb":
        return GradientBoostingClassifier(n_estimators=n_steps, learning_rate=0.5, random_state=0)
    if name == "forest":
        return RandomForestClassifier(n_estimators=n_steps, max_depth=3, random_state=0)
    if name == "xgboost":
        xgb = pytest.importorskip("xgboost")
        return xgb.XGBClassifier(n_estimators=n_steps, learning_rate=0.5, n_jobs=1)
    if name == "net":
        pytest.importorskip("skorch")
        import torch
        from skorch import NeuralNetClassifier

        torch.manual_seed(0)
        layers = [torch.nn.Linear(5, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2)]
        return NeuralNetClassifier(
            torch.nn.Sequential(*layers), max_epochs=n_steps, lr=0.5,
            optimizer=torch.optim.SGD, train_split=None, verbose=0,
            criterion=torch.nn.CrossEntropyLoss,
        )  # fmt: skip
    catboost = pytest.importorskip("catboost")
    return catboost.CatBoostClassifier(
        iterations=n_steps, learning_rate=0.5, random_seed=0, verbose=0, thread_count=1
    )


def _fit_by_rounds(seven_sites, name, n_steps, early_stopping, steps_per_round=5):
    """Learn2Mix by site around ``_grown(name, n_steps)``, the noisy 8-row site left out."""
    X, y, site = seven_sites
    keep = site != "g"
    X, y, site = X[keep].astype(np.float32), y[keep].astype(np.int64), site[keep]
    return Learn2MixClassifier(
        _grown(name, n_steps), steps_per_round=steps_per_round, loss_source="validation",
        early_stopping=early_stopping, random_state=0,
    ).fit(X, y, groups=site)  # fmt: skip


@pytest.mark.parametrize("name", ["hgb", "gb", "forest", "catboost"])
def test_after_an_early_stop_grown_ensembles_keep_the_best_rounds_steps(seven_sites, name):
    """The stopped run predicts as a run grown for the best round's steps alone."""
    X = seven_sites[0][seven_sites[2] != "g"].astype(np.float32)

    def fit(n_steps, early_stopping):
        return _fit_by_rounds(seven_sites, name, n_steps, early_stopping)

    stopped = fit(300, EarlyStopping(n_iter_no_change=2, monitor="worst_group"))
    assert stopped.stop_reason_ == "early_stopping"
    assert stopped.n_rounds_ == stopped.best_round_ + 2
    best = fit(5 * stopped.best_round_, False)
    np.testing.assert_allclose(stopped.predict_proba(X), best.predict_proba(X), rtol=1e-6)
    every_round = fit(5 * stopped.n_rounds_, False)  # what it would keep without the change
    assert not np.allclose(stopped.predict_proba(X), every_round.predict_proba(X))


def test_after_an_early_stop_a_net_ends_with_the_best_rounds_parameters(seven_sites):
    """The stopped run's net equals a run trained for the best round's epochs alone."""
    X = seven_sites[0][seven_sites[2] != "g"].astype(np.float32)

    def fit(epochs, early_stopping):
        return _fit_by_rounds(seven_sites, "net", epochs, early_stopping, steps_per_round=2)

    stopped = fit(200, EarlyStopping(n_iter_no_change=2, monitor="worst_group"))
    assert stopped.stop_reason_ == "early_stopping"
    assert stopped.n_rounds_ == stopped.best_round_ + 2
    best = fit(2 * stopped.best_round_, False)
    np.testing.assert_allclose(stopped.predict_proba(X), best.predict_proba(X), rtol=1e-5)


@pytest.mark.parametrize("name", ["hgb", "xgboost", "net"])
def test_a_run_that_spends_its_budget_keeps_its_best_round_too(seven_sites, name):
    """Patience longer than the run: no stop, yet the kept model is the best round's."""
    X = seven_sites[0][seven_sites[2] != "g"].astype(np.float32)

    def fit(n_steps, early_stopping):
        return _fit_by_rounds(seven_sites, name, n_steps, early_stopping)

    whole = fit(150, EarlyStopping(n_iter_no_change=1000, monitor="worst_group"))
    assert whole.stop_reason_ != "early_stopping" and whole.n_rounds_ == 30
    assert whole.best_round_ < whole.n_rounds_
    best = fit(5 * whole.best_round_, False)
    np.testing.assert_allclose(whole.predict_proba(X), best.predict_proba(X), rtol=1e-5)
