"""Small skorch models and the focal-loss baseline for the neural-net benchmarks."""

from __future__ import annotations

import numpy as np
import torch
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback
from torch import nn


def _two_hidden_layers(n_in, n_out, hidden):
    return nn.Sequential(
        nn.Linear(n_in, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, n_out),
    )


class MLP(nn.Module):
    """Two hidden layers; outputs class probabilities (skorch's NLLLoss convention)."""

    def __init__(self, n_in=784, n_out=10, hidden=128):
        super().__init__()
        self.layers = _two_hidden_layers(n_in, n_out, hidden)

    def forward(self, X):
        return torch.softmax(self.layers(X), dim=-1)


class RegressionMLP(nn.Module):
    """Two hidden layers, one output per row (shape ``(n, 1)``, skorch's convention)."""

    def __init__(self, n_in=1024, hidden=256):
        super().__init__()
        self.layers = _two_hidden_layers(n_in, 1, hidden)

    def forward(self, X):
        return self.layers(X)


class FlatTargetRegressor(NeuralNetRegressor):
    """skorch's regressor taking and returning a 1-D target, like scikit-learn's."""

    def fit(self, X, y=None, **fit_params):
        return super().fit(X, np.asarray(y, dtype=np.float32).reshape(-1, 1), **fit_params)

    def predict(self, X):
        return super().predict(X).reshape(-1)


def _adam_net(net_class, module, *, epochs, batch_size, lr, device, **params):
    """A skorch net trained by Adam on shuffled batches, no validation split."""
    return net_class(
        module,
        max_epochs=epochs,
        batch_size=batch_size,
        optimizer=torch.optim.Adam,
        lr=lr,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
        device=device,
        **params,
    )


def mlp_regressor(n_in, *, hidden=256, epochs=20, batch_size=128, lr=1e-3, device="cpu"):
    return _adam_net(
        FlatTargetRegressor, RegressionMLP, epochs=epochs, batch_size=batch_size, lr=lr,
        device=device, module__n_in=n_in, module__hidden=hidden,
    )  # fmt: skip


class FocalLoss(nn.Module):
    """Focal loss on probabilities (Lin et al. 2017), optional class weights.

    ``-w_y (1 - p_y)^gamma log p_y``; the paper's strongest baseline family
    uses gamma 2 with inverse-frequency class weights.
    """

    def __init__(self, gamma=2.0, weight=None, reduction="mean"):
        super().__init__()
        self.gamma = gamma
        self.register_buffer("weight", None if weight is None else torch.as_tensor(weight))
        self.reduction = reduction

    def forward(self, proba, target):
        p_true = proba.gather(1, target.view(-1, 1)).squeeze(1).clamp_min(1e-12)
        loss = -((1 - p_true) ** self.gamma) * torch.log(p_true)
        if self.weight is not None:
            loss = loss * self.weight.to(loss.dtype)[target]
        if self.reduction == "none":
            return loss
        return loss.mean() if self.reduction == "mean" else loss.sum()


class TestPredictions(Callback):
    """Records test-set predictions after every epoch (for accuracy-vs-epoch curves)."""

    def __init__(self, X_test):
        self.X_test = X_test

    def on_epoch_end(self, net, **kwargs):
        net.history.record("test_pred", net.predict(self.X_test))


def mlp_classifier(
    n_in, n_out, *, hidden=128, epochs=20, batch_size=128, lr=1e-3, X_test=None, device="cpu"
):
    callbacks = [("test_predictions", TestPredictions(X_test))] if X_test is not None else []
    return _adam_net(
        NeuralNetClassifier, MLP, epochs=epochs, batch_size=batch_size, lr=lr, device=device,
        module__n_in=n_in, module__n_out=n_out, module__hidden=hidden, callbacks=callbacks,
    )  # fmt: skip


def focal_net(inner, y):
    """The same net with focal loss (gamma 2) and inverse-frequency class weights."""
    counts = np.bincount(y)
    weight = (len(y) / (len(counts) * np.maximum(counts, 1))).astype(np.float32)
    return inner.set_params(
        criterion=FocalLoss, criterion__gamma=2.0, criterion__weight=torch.as_tensor(weight)
    )
