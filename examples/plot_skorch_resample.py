"""
Neural nets with skorch: batch composition
==========================================

With a skorch net, each batch is composed from the current mixture
(``mixing_mode="resample"``, the paper's way) or each sample's loss is
weighted (``"reweight"``). One ``net.fit``; the validation pass skorch makes
each epoch provides the per-group losses.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from skorch import NeuralNetClassifier
from torch import nn

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m.datasets import load_mnist1d
from sklearn_l2m.plotting import plot_group_losses


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, X):
        return torch.softmax(self.layers(X), dim=-1)


data = load_mnist1d(imbalance_ratio=20)
net = NeuralNetClassifier(
    MLP,
    max_epochs=12,
    lr=2e-3,
    optimizer=torch.optim.Adam,
    batch_size=128,
    train_split=None,
    verbose=0,
)
clf = Learn2MixClassifier(net, mixing_mode="resample", shrinkage=0.0, random_state=0)
clf.fit(data.X_train, data.y_train)
print("test accuracy", np.mean(clf.predict(data.X_test) == data.y_test).round(3))
plot_group_losses(clf)
plt.tight_layout()
