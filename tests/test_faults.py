"""Faults and concurrency: a diverging net, a misconfigured loss, Ctrl-C, threads."""

import signal
import warnings

import numpy as np
import pytest
from _rounds import end_round
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from sklearn_l2m import EarlyStopping, Learn2MixClassifier
from sklearn_l2m._training.controller import MixingController
from sklearn_l2m.mixers import Learn2Mix

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")
from skorch.callbacks import Callback  # noqa: E402
from torch import nn  # noqa: E402


class Logits(nn.Module):
    def __init__(self, n_in=64, n_out=10):
        super().__init__()
        self.lin = nn.Linear(n_in, n_out)

    def forward(self, X):
        return self.lin(X)


class Poison(Callback):
    """Sets the module's weights to NaN as the epoch after ``epoch`` begins (a run
    that diverges in that epoch)."""

    def __init__(self, epoch=2):
        self.epoch = epoch

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch + 1:
            with torch.no_grad():
                net.module_.lin.weight.fill_(float("nan"))


class CtrlC(Callback):
    """A user's Ctrl-C during one epoch, delivered synchronously: the process's SIGINT
    handler is called right here (a real signal would act at a moment that depends on
    timing, and only in the main thread)."""

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 2:
            signal.getsignal(signal.SIGINT)(signal.SIGINT, None)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0)[:600].astype(np.float32), y[:600]


def _net(**kw):
    params = dict(max_epochs=6, batch_size=64, lr=0.05, verbose=0, train_split=None)
    params.update(kw)
    return skorch.NeuralNetClassifier(Logits, criterion=nn.CrossEntropyLoss, **params)


@pytest.mark.parametrize("mode", ["resample", "reweight"])
def test_a_diverging_net_stops_with_a_warning_and_keeps_a_finite_mixture(digits, mode):
    X, y = digits
    clf = Learn2MixClassifier(
        _net(callbacks=[("poison", Poison(2))]),
        steps_per_round=1,
        mixing_mode=mode,
        loss_source="validation",
        random_state=0,
    )
    with pytest.warns(RuntimeWarning, match=r"NaN or infinite .* round 3 \(epoch 3\)"):
        clf.fit(X, y)
    assert clf.stop_reason_ == "non-finite loss"
    assert clf.n_rounds_ == 2  # the two finite rounds
    assert np.all(np.isfinite(clf.mixture_history_))
    np.testing.assert_allclose(clf.mixture_, clf.mixture_history_[-1])


def test_logits_under_nll_loss_get_a_message_about_the_criterion(digits):
    X, y = digits
    bad = skorch.NeuralNetClassifier(Logits, max_epochs=3, lr=0.05, verbose=0, train_split=None)
    with pytest.raises(ValueError, match="criterion that expects probabilities.*CrossEntropyLoss"):
        Learn2MixClassifier(bad, steps_per_round=1, random_state=0).fit(X, y)


def test_ctrl_c_during_a_net_fit_ends_the_fit_and_keeps_the_previous_model(digits):
    import threading

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("only the main thread receives SIGINT")
    X, y = digits
    clf = Learn2MixClassifier(_net(), steps_per_round=1, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    history = clf.mixture_history_.copy()
    clf.set_params(estimator=_net(callbacks=[("ctrl_c", CtrlC())]))
    # a user's Python process has its own SIGINT handler; a test worker may have
    # another one (ignored, or one left by an earlier test)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            clf.fit(X[:400], y[:400])
    finally:
        signal.signal(signal.SIGINT, previous)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    np.testing.assert_array_equal(clf.mixture_history_, history)


@pytest.mark.slow  # process pools
def test_threaded_and_process_grid_searches_over_nets_equal_serial(digits):
    from joblib import parallel_backend

    X, y = digits
    search = GridSearchCV(
        Learn2MixClassifier(
            _net(max_epochs=4), mixer=Learn2Mix(), steps_per_round=1, random_state=0
        ),
        {"mixer__mixing_rate": [0.0, 0.1, 0.3, 0.5]},
        cv=2,
    )
    serial = search.fit(X, y).cv_results_["mean_test_score"]
    for backend in ("threading", "threading", "loky"):  # the race showed in 1 run of 4
        with parallel_backend(backend, n_jobs=4):
            parallel = search.set_params(n_jobs=4).fit(X, y).cv_results_["mean_test_score"]
        np.testing.assert_array_equal(parallel, serial, err_msg=backend)


def _controller():
    from types import SimpleNamespace

    data = SimpleNamespace(group_weight=np.array([5.0, 3.0, 2.0]), has_validation=False, n_groups=3)
    return MixingController(Learn2Mix(), data, group_labels=np.array(["a", "b", "c"]))


def test_an_unmeasured_group_is_not_a_divergence():
    controller = _controller()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stop = end_round(controller, val=(np.array([1.0, 0.0, 2.0]), np.array([2.0, 0.0, 1.0])))
    assert not stop and controller.stop_reason == "budget"


def test_an_infinite_loss_of_a_measured_group_stops_and_names_it():
    controller = _controller()
    end_round(controller, val=(np.array([1.0, 1.0, 1.0]), np.array([1.0, 1.0, 1.0])))
    before = controller.mixture.copy()
    with pytest.warns(RuntimeWarning, match=r"groups \['c'\] in round 2"):
        stop = end_round(controller, val=(np.array([1.0, 1.0, np.inf]), np.array([1.0, 1.0, 1.0])))
    assert stop and controller.stop_reason == "non-finite loss"
    np.testing.assert_array_equal(controller.mixture, before)
    assert len(controller.loss_history) == 1
    with pytest.raises(ValueError, match=r"NaN or infinite for groups \['a'\] in round 1"):
        end_round(_controller(), val=(np.array([np.nan, 1.0, 1.0]), np.ones(3)))


# -- interrupts and errors at every round of a refit, for every backend ----------------
class InterruptAt(Learn2Mix):
    """Learn2Mix that raises ``error`` at round ``at`` (a Ctrl-C or a failure there)."""

    def __init__(self, at=1, error=KeyboardInterrupt, mixing_rate=0.1):
        super().__init__(mixing_rate=mixing_rate)
        self.at = at
        self.error = error

    def _step(self, losses):
        self.calls_ = getattr(self, "calls_", 0) + 1
        if self.calls_ == self.at:
            raise self.error(f"raised at round {self.at}")
        return super()._step(losses)


def _inner_models():
    from sklearn.ensemble import HistGradientBoostingClassifier

    models = {"hgb": lambda: HistGradientBoostingClassifier(max_iter=12, early_stopping=False)}
    xgb = pytest.importorskip("xgboost")
    lgb = pytest.importorskip("lightgbm")
    cb = pytest.importorskip("catboost")
    models["xgboost"] = lambda: xgb.XGBClassifier(n_estimators=12, n_jobs=1)
    models["lightgbm"] = lambda: lgb.LGBMClassifier(n_estimators=12, verbose=-1)
    models["catboost"] = lambda: cb.CatBoostClassifier(
        iterations=12, verbose=0, allow_writing_files=False, thread_count=1
    )
    models["skorch"] = lambda: _net(max_epochs=6)
    return models


def _two_data_sets():
    from sklearn.datasets import make_classification

    X, y = make_classification(300, 64, n_informative=6, n_classes=3, random_state=0)
    X2, y2 = make_classification(200, 64, n_informative=6, n_classes=4, random_state=1)
    return X.astype(np.float32), y, X2.astype(np.float32), np.array(list("abcd"))[y2]


@pytest.mark.parametrize("name", ["hgb", "xgboost", "lightgbm", "catboost", "skorch"])
@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError], ids=["ctrl-c", "error"])
def test_a_refit_stopped_at_any_round_keeps_the_previous_model(name, error):
    X, y, X2, y2 = _two_data_sets()
    make = _inner_models()[name]
    clf = Learn2MixClassifier(make(), steps_per_round=2, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    fitted = {k: v for k, v in vars(clf).items() if k.endswith("_") and not k.startswith("_")}
    for at in (1, 2, 3):
        clf.set_params(mixer=InterruptAt(at=at, error=error), estimator=make())
        with pytest.raises(error, match=f"raised at round {at}"):
            clf.fit(X2, y2)  # other classes (strings, four of them)
        np.testing.assert_array_equal(clf.predict_proba(X), before)
        assert clf.classes_.tolist() == [0, 1, 2]
        assert sorted(k for k in vars(clf) if k.endswith("_")) == sorted(fitted)
    # and the estimator fits again as if nothing had happened
    again = clf.set_params(mixer="learn2mix", estimator=make()).fit(X, y)
    np.testing.assert_allclose(again.predict_proba(X), before, rtol=1e-6, atol=1e-7)


class Failing(Callback):
    """A user's callback that fails in the middle of training."""

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 3:
            raise MemoryError("the GPU ran out of memory")


def test_an_inner_model_failing_midway_keeps_its_error_and_the_previous_model(digits):
    from sklearn.ensemble import HistGradientBoostingClassifier

    class FailsOnThirdFit(HistGradientBoostingClassifier):
        def fit(self, X, y, sample_weight=None):
            FailsOnThirdFit.calls += 1
            if FailsOnThirdFit.calls == 3:
                raise MemoryError("out of memory in round 3")
            return super().fit(X, y, sample_weight=sample_weight)

    FailsOnThirdFit.calls = 0
    X, y = digits
    clf = Learn2MixClassifier(
        HistGradientBoostingClassifier(max_iter=10), steps_per_round=2, random_state=0
    ).fit(X, y)
    before = clf.predict_proba(X)
    failing = [FailsOnThirdFit(max_iter=10, early_stopping=False), _net(callbacks=[Failing()])]
    for inner in failing:
        with pytest.raises(MemoryError, match="out of memory"):
            clf.set_params(estimator=inner, steps_per_round=1).fit(X, y)
        np.testing.assert_array_equal(clf.predict_proba(X), before)


# -- the same seed gives the same model serially, in threads and in processes ---------
@pytest.mark.parametrize("name", ["hgb", "xgboost", "lightgbm", "catboost"])
def test_threads_and_processes_give_the_serial_results(name):
    from joblib import parallel_backend

    X, y, _, _ = _two_data_sets()
    search = GridSearchCV(
        Learn2MixClassifier(
            _inner_models()[name](), mixer=Learn2Mix(), steps_per_round=2, random_state=0
        ),
        {"mixer__mixing_rate": [0.0, 0.2, 0.5]},
        cv=2,
        scoring="neg_log_loss",
    )
    serial = search.fit(X, y).cv_results_["mean_test_score"]
    for backend in ("threading", "loky"):
        with parallel_backend(backend, n_jobs=2):
            parallel = search.set_params(n_jobs=2).fit(X, y).cv_results_["mean_test_score"]
        np.testing.assert_array_equal(parallel, serial, err_msg=backend)
        search.set_params(n_jobs=None)


def test_a_diverging_net_with_early_stopping_ends_with_its_best_round(digits):
    X, y = digits
    clf = Learn2MixClassifier(
        _net(max_epochs=8, callbacks=[("poison", Poison(4))]),
        steps_per_round=1,
        loss_source="validation",
        early_stopping=EarlyStopping(n_iter_no_change=5),
        random_state=0,
    )
    with pytest.warns(RuntimeWarning, match="round 5"):
        clf.fit(X, y)
    assert clf.stop_reason_ == "non-finite loss" and clf.n_rounds_ == 4
    weights = clf.estimator_.module_.lin.weight.detach().numpy()
    assert np.all(np.isfinite(weights))  # the best round's parameters, not the NaNs
    assert np.all(np.isfinite(clf.predict_proba(X)))
    assert clf.best_round_ <= 4
