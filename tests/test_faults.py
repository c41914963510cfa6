"""Faults and concurrency: a diverging net, a misconfigured loss, Ctrl-C, threads."""

import os
import signal
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m._controller import MixingController
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
    """Sets the module's weights to NaN at the end of one epoch (a diverged run)."""

    def __init__(self, epoch=2):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            with torch.no_grad():
                net.module_.lin.weight.fill_(float("nan"))


class CtrlC(Callback):
    """Sends this process SIGINT (a user's Ctrl-C) during one epoch."""

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 2:
            os.kill(os.getpid(), signal.SIGINT)


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
    X, y = digits
    clf = Learn2MixClassifier(_net(), steps_per_round=1, random_state=0).fit(X, y)
    before = clf.predict_proba(X)
    history = clf.mixture_history_.copy()
    clf.set_params(estimator=_net(callbacks=[("ctrl_c", CtrlC())]))
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X[:400], y[:400])
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    np.testing.assert_array_equal(clf.mixture_history_, history)


def test_threaded_grid_search_over_nets_equals_serial(digits):
    from joblib import parallel_backend

    X, y = digits
    search = GridSearchCV(
        Learn2MixClassifier(_net(max_epochs=4), steps_per_round=1, random_state=0),
        {"mixing_rate": [0.0, 0.1, 0.3, 0.5]},
        cv=2,
    )
    serial = search.fit(X, y).cv_results_["mean_test_score"]
    with parallel_backend("threading", n_jobs=4):
        threaded = search.set_params(n_jobs=4).fit(X, y).cv_results_["mean_test_score"]
    np.testing.assert_array_equal(threaded, serial)


def _controller():
    from types import SimpleNamespace

    data = SimpleNamespace(
        group_weight=np.array([5.0, 3.0, 2.0]), has_validation=False, n_groups=3
    )
    return MixingController(Learn2Mix(), data, group_labels=np.array(["a", "b", "c"]))


def test_an_unmeasured_group_is_not_a_divergence():
    controller = _controller()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stop = controller.report(val=(np.array([1.0, 0.0, 2.0]), np.array([2.0, 0.0, 1.0])))
    assert not stop and controller.stop_reason == "budget"


def test_an_infinite_loss_of_a_measured_group_stops_and_names_it():
    controller = _controller()
    controller.report(val=(np.array([1.0, 1.0, 1.0]), np.array([1.0, 1.0, 1.0])))
    before = controller.mixture.copy()
    with pytest.warns(RuntimeWarning, match=r"groups \['c'\] in round 2"):
        stop = controller.report(val=(np.array([1.0, 1.0, np.inf]), np.array([1.0, 1.0, 1.0])))
    assert stop and controller.stop_reason == "non-finite loss"
    np.testing.assert_array_equal(controller.mixture, before)
    assert len(controller.loss_history) == 1
    with pytest.raises(ValueError, match=r"NaN or infinite for groups \['a'\] in round 1"):
        _controller().report(val=(np.array([np.nan, 1.0, 1.0]), np.ones(3)))
