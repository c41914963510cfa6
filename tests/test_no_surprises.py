"""What a new user would trip over (issue 14): each test names the surprise it prevents."""

import warnings

import numpy as np
import pytest
from _models import hgb
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV

from sklearn_l2m import EarlyStopping, Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m._prepare.split import stratified_holdout
from sklearn_l2m.mixers import GroupDRO, Learn2Mix


# -- 2. the wrong kind of inner model ---------------------------------------------
@pytest.mark.parametrize(
    "meta, inner, message",
    [
        (Learn2MixClassifier, Ridge(), "Ridge is a regressor"),
        (Learn2MixRegressor, LogisticRegression(), "LogisticRegression is a classifier"),
    ],
)
def test_wrong_kind_of_inner_model_is_refused_before_training(blobs, meta, inner, message):
    X, y, _ = blobs
    with pytest.raises(TypeError, match=message):
        meta(inner).fit(X, y)


def test_wrong_kind_of_boosting_or_net_is_refused(blobs):
    X, y, _ = blobs
    xgb = pytest.importorskip("xgboost")
    with pytest.raises(TypeError, match="XGBRegressor is a regressor"):
        Learn2MixClassifier(xgb.XGBRegressor(n_estimators=2)).fit(X, y)
    with pytest.raises(TypeError, match="XGBClassifier is a classifier"):
        Learn2MixRegressor(xgb.XGBClassifier(n_estimators=2)).fit(X, y.astype(float))
    skorch = pytest.importorskip("skorch")
    torch = pytest.importorskip("torch")
    net = skorch.NeuralNetRegressor(torch.nn.Linear, module__in_features=8, module__out_features=1)
    with pytest.raises(TypeError, match="NeuralNetRegressor is a regressor"):
        Learn2MixClassifier(net).fit(X, y)


# -- 3. a strategy's settings live on its object -------------------------------------
def test_mixer_settings_reach_the_mixer_and_tune_as_nested_parameters(blobs):
    X, y, _ = blobs
    slow, fast = (
        Learn2MixClassifier(
            hgb(), mixer=GroupDRO(step_size=rate), loss_source="train", random_state=0
        ).fit(X, y)
        for rate in (0.01, 0.5)
    )
    assert not np.allclose(slow.mixture_, fast.mixture_)
    assert (slow.mixer_.step_size, fast.mixer_.step_size) == (0.01, 0.5)
    clf = Learn2MixClassifier(hgb(), mixer=Learn2Mix())
    assert len(clf.get_params(deep=False)) <= 12
    clf.set_params(mixer__mixing_rate=0.3)
    assert clf.mixer.mixing_rate == 0.3


def test_a_grid_over_strategies_warns_about_nothing(blobs):
    X, y, _ = blobs
    grid = {"mixer": ["natural", "balanced", Learn2Mix(mixing_rate=0.2), GroupDRO()]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search = GridSearchCV(Learn2MixClassifier(hgb(), random_state=0), grid, cv=2)
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4  # no duplicate candidates


def test_group_dro_at_defaults_moves_to_the_worst_group(blobs):
    X, y, _ = blobs
    clf = Learn2MixClassifier(
        hgb(), mixer="group_dro", loss_source="validation", random_state=0
    ).fit(X, y)
    worst = np.nanargmax(clf.group_loss_history_[-1])
    np.testing.assert_allclose(clf.mixture_history_[0], clf.natural_mixture_)  # starts natural
    assert clf.mixture_[worst] > 1.2 * clf.natural_mixture_[worst]


def test_defaults_do_not_warn_about_ignored_settings(blobs):
    X, y, _ = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Learn2MixClassifier(hgb(), mixer="balanced", random_state=0).fit(X, y)


# -- 4. a mixture that cannot move trains exactly the plain model -------------------
def _inner_models():
    models = {
        "hgb": lambda: hgb(random_state=0),
        "forest": lambda: RandomForestClassifier(n_estimators=10, random_state=0),
    }
    try:
        import xgboost

        models["xgboost"] = lambda: xgboost.XGBClassifier(n_estimators=10, n_jobs=1)
    except ImportError:  # pragma: no cover
        pass
    try:
        import lightgbm

        models["lightgbm"] = lambda: lightgbm.LGBMClassifier(n_estimators=10, verbose=-1)
    except ImportError:  # pragma: no cover
        pass
    try:
        import catboost

        models["catboost"] = lambda: catboost.CatBoostClassifier(
            iterations=10, verbose=0, allow_writing_files=False
        )
    except ImportError:  # pragma: no cover
        pass
    return models


@pytest.mark.parametrize("inner", list(_inner_models()))
@pytest.mark.parametrize(
    "params",
    [
        {"mixer": Learn2Mix(mixing_rate=0.0)},
        {"mixer": GroupDRO(step_size=0.0)},
        {"mixer": "natural"},
        {"mixer": "balanced"},
        {"loss_source": "train"},
    ],
    ids=["rate0", "dro-step0", "natural", "balanced", "train"],
)
def test_nothing_is_held_out_when_the_signal_is_not_needed(blobs, inner, params):
    X, y, _ = blobs
    make = _inner_models()[inner]
    clf = Learn2MixClassifier(make(), random_state=0, **params).fit(X, y)
    assert clf.loss_source_ == "train"
    assert clf.validation_loss_history_.size == 0  # no validation part
    if params.get("mixer") == "balanced":
        if inner == "hgb":
            return  # HGB bins with the user's weights, not the mixture's: not the same model
        # the library's weights bit for bit (alpha_g / pi_g scaled to the user's total,
        # MixingController.group_scale): some forests break split ties by their last bit
        counts = np.bincount(y).astype(np.float64)
        multiplier = (1 / 3) / (counts / counts.sum())
        weight = (multiplier * (counts.sum() / float(multiplier @ counts)))[y]
        plain = make().fit(X, y, sample_weight=weight)
        expected = plain.predict_proba(X)
    elif "loss_source" in params:
        return  # it mixes: only the holdout is checked
    else:
        expected = make().fit(X, y).predict_proba(X)
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-6, atol=1e-7)


def test_early_stopping_still_holds_out_for_a_fixed_mixture(blobs):
    X, y, _ = blobs
    clf = Learn2MixClassifier(hgb(), mixer="natural", early_stopping=True, random_state=0)
    clf.fit(X, y)
    assert clf.validation_loss_history_.size == clf.n_rounds_ > 0


# -- 5. an interrupted refit on other data leaves the old model whole ----------------
class _Interrupted:
    """Mixin: the model's training is interrupted (Ctrl-C) in its first fit."""

    def fit(self, X, y, sample_weight=None):
        raise KeyboardInterrupt


class _InterruptedClassifier(_Interrupted, HistGradientBoostingClassifier):
    pass


def test_interrupted_refit_on_other_classes_and_features(blobs):
    X, y, _ = blobs
    clf = Learn2MixClassifier(hgb(), random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    state = {k: v for k, v in vars(clf).items() if not k.startswith("__")}
    X_other = np.random.RandomState(1).randn(200, 4)
    y_other = np.repeat(["w", "x", "y", "z"], 50)
    clf.set_params(estimator=_InterruptedClassifier(max_iter=10))
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X_other, y_other)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.n_features_in_ == X.shape[1]
    assert set(vars(clf)) == set(state)
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_interrupted_regressor_refit_keeps_its_target_bins(blobs):
    from sklearn.ensemble import HistGradientBoostingRegressor

    class InterruptedRegressor(_Interrupted, HistGradientBoostingRegressor):
        pass

    X, y, _ = blobs
    target = X[:, 0] * 3 + y
    reg = Learn2MixRegressor(random_state=0).fit(X, target)
    edges = reg.target_bin_edges_.copy()
    reg.set_params(estimator=InterruptedRegressor(max_iter=10))
    with pytest.raises(KeyboardInterrupt):
        reg.fit(X[:, :3], target * 100)
    np.testing.assert_array_equal(reg.target_bin_edges_, edges)
    assert reg.n_features_in_ == X.shape[1] and reg.predict(X).shape == (len(X),)


# -- 6. sparse sample weights never empty a group's training part --------------------
def test_holdout_keeps_positive_weight_in_every_group():
    y = np.repeat([0, 1, 2], [50, 50, 20])
    weight = np.ones(120)
    weight[100:119] = 0.0  # class 2: one positive row of 20
    for seed in range(30):
        clf = Learn2MixClassifier(
            hgb(), loss_source="validation", validation_fraction=0.3, random_state=seed
        )
        X = np.random.RandomState(seed).randn(120, 3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # class 2: no validation row
            clf.fit(X, y, sample_weight=weight)
        assert clf.mixture_[2] > 0


def test_zero_weight_rows_do_not_change_the_split():
    rng = np.random.RandomState(0)
    strata = rng.randint(0, 3, 200)
    weight = (rng.rand(200) > 0.3).astype(float)
    with_zeros = stratified_holdout(strata, 0.2, np.random.RandomState(5), weight=weight)
    kept = weight > 0
    without = stratified_holdout(strata[kept], 0.2, np.random.RandomState(5))
    np.testing.assert_array_equal(with_zeros[kept], without)
    assert not with_zeros[~kept].any()


# -- 7. MixMin with target data that belongs to no source ---------------------------
def test_mixmin_target_needs_no_groups():
    rng = np.random.RandomState(0)
    n = 600
    X = rng.randn(2 * n, 2)
    source = np.repeat(["a", "b"], n)
    y = np.where(source == "a", X[:, 0] > 0, X[:, 1] > 0).astype(float) + 0.1 * rng.randn(2 * n)
    X_t = rng.randn(400, 2)
    y_t = 0.3 * (X_t[:, 0] > 0) + 0.7 * (X_t[:, 1] > 0)  # a 30/70 blend of the two sources
    reg = Learn2MixRegressor(LinearRegression(), mixer="mixmin", random_state=0)
    reg.fit(X, y, groups=source, X_val=X_t, y_val=y_t)
    np.testing.assert_allclose(reg.mixture_, [0.3, 0.7], atol=0.05)


def test_mixmin_named_target_still_needs_groups_val():
    from sklearn_l2m.mixers import MixMin

    rng = np.random.RandomState(0)
    X, y = rng.randn(200, 2), rng.randn(200)
    with pytest.raises(ValueError, match="groups_val"):
        Learn2MixRegressor(LinearRegression(), mixer=MixMin(target="a")).fit(
            X, y, groups=np.repeat(["a", "b"], 100), X_val=X[:20], y_val=y[:20]
        )


# -- 8. messages that say what happened ---------------------------------------------
def test_explicit_validation_set_missing_a_class_says_so(blobs):
    X, y, _ = blobs
    keep = y[:100] != 2
    with pytest.warns(UserWarning, match="validation set you passed") as record:
        Learn2MixClassifier(hgb(), random_state=0).fit(
            X[100:], y[100:], X_val=X[:100][keep], y_val=y[:100][keep]
        )
    assert not any("pass X_val" in str(w.message) for w in record)


def test_verbose_two_adds_the_mixture_per_round(blobs, capsys):
    X, y, _ = blobs
    Learn2MixClassifier(hgb(), n_rounds=4, verbose=1, random_state=0).fit(X, y)
    one = capsys.readouterr().err
    Learn2MixClassifier(hgb(), n_rounds=4, verbose=2, random_state=0).fit(X, y)
    two = capsys.readouterr().err
    assert "mixture=" not in one
    assert two.count("mixture=") == 4 and "group_loss=" in two


# -- 9. early stopping names its best round ----------------------------------------
def test_best_round_is_reported(blobs):
    X, y, _ = blobs
    clf = Learn2MixClassifier(
        HistGradientBoostingClassifier(max_iter=200, early_stopping=False, learning_rate=0.5),
        loss_source="validation",
        early_stopping=True,
        steps_per_round=5,
        random_state=0,
    ).fit(X, y)
    assert clf.stop_reason_ == "early_stopping"
    assert clf.best_round_ == int(np.argmin(clf.validation_loss_history_)) + 1
    assert clf.best_round_ <= clf.n_rounds_ - EarlyStopping().n_iter_no_change
    plain = Learn2MixClassifier(hgb(), loss_source="train", random_state=0).fit(X, y)
    assert plain.best_round_ is None


# -- 10. skorch's own train_split is replaced, and a custom one says so -----------------
def test_custom_skorch_train_split_warns(blobs):
    skorch = pytest.importorskip("skorch")
    torch = pytest.importorskip("torch")
    from skorch.dataset import ValidSplit

    X, y, _ = blobs
    X = X.astype(np.float32)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(8, 3)

        def forward(self, X):
            return torch.softmax(self.lin(X), dim=-1)

    def net(**kw):
        return skorch.NeuralNetClassifier(Net, max_epochs=2, verbose=0, **kw)

    with pytest.warns(UserWarning, match="train_split=.* is replaced"):
        Learn2MixClassifier(net(train_split=ValidSplit(3)), random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        Learn2MixClassifier(net(), random_state=0).fit(X, y)  # skorch's default
        Learn2MixClassifier(net(train_split=None), random_state=0).fit(X, y)


def test_warnings_point_at_the_callers_line(blobs):
    """A warning names the user's own ``fit`` call, not a line inside the library."""
    X, y, _ = blobs
    with pytest.warns(UserWarning) as record:
        Learn2MixClassifier(hgb(), n_rounds=4, steps_per_round=4).fit(X, y)  # 16, not 20
        Learn2MixClassifier(LogisticRegression(), n_rounds=2).fit(X, y)
        Learn2MixClassifier(hgb(), random_state=0).fit(
            X[100:], y[100:], X_val=X[:100][y[:100] != 2], y_val=y[:100][y[:100] != 2]
        )
        Learn2MixClassifier(hgb(), n_rounds=1).fit(X, y)  # a single round mixes nothing
        Learn2MixClassifier(hgb(), loss_source="validation", validation_fraction=1e-4).fit(X, y)
    messages = " | ".join(str(w.message) for w in record)
    assert "single round" in messages and "Too few samples" in messages
    assert "inner model's own budget is 20" in messages
    assert len(record) >= 5
    assert {w.filename for w in record} == {__file__}
