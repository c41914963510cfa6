"""
Neural nets with skorch: batch composition
==========================================

With a skorch net, each batch is composed from the current mixture
(``mixing_mode="resample"``, the paper's way) or each sample's loss is
weighted (``"reweight"``). It is one ``net.fit``: the per-group losses come
from the passes skorch makes anyway. With ``loss_source="train"`` (what
``"auto"`` picks on this small set, see ``loss_source_``) they are the
per-sample losses of the training batches, summed per group over the epoch;
with validation losses, Learn2Mix hands its held-out part to skorch as the
validation set (the net's own ``train_split`` is set aside for the fit).

The plain net and the Learn2Mix net start from the same initial weights:
``random_state=0`` seeds torch exactly as ``torch.manual_seed(0)`` does
before a plain ``fit``, so the two are compared like for like.
"""

import matplotlib.pyplot as plt
import torch
from sklearn.metrics import balanced_accuracy_score
from skorch import NeuralNetClassifier
from torch import nn

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m.datasets import load_mnist1d
from sklearn_l2m.mixers import Learn2Mix
from sklearn_l2m.plotting import plot_group_losses


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(40, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10)
        )

    def forward(self, X):
        return torch.softmax(self.layers(X), dim=-1)


data = load_mnist1d(imbalance_ratio=20)
net = NeuralNetClassifier(
    MLP,
    max_epochs=30,
    lr=2e-3,
    optimizer=torch.optim.Adam,
    batch_size=128,
    iterator_train__shuffle=True,
    train_split=None,
    verbose=0,
)
torch.manual_seed(0)
plain = net.fit(data.X_train, data.y_train)
clf = Learn2MixClassifier(
    net, mixing_mode="resample", mixer=Learn2Mix(shrinkage=0.0), random_state=0
)
clf.fit(data.X_train, data.y_train)
print(f"signal: {clf.loss_source_}; {clf.n_rounds_} rounds of {clf.steps_per_round_} epochs")
for name, model in [("plain net", plain), ("learn2mix", clf)]:
    score = balanced_accuracy_score(data.y_test, model.predict(data.X_test))
    print(f"{name:10s} test balanced accuracy {score:.3f}")

# %%
# One seed says little here: the two nets end close to each other (the
# printed balanced accuracies), and the paired multi-seed comparison on this
# data set finds Learn2Mix about neutral for nets (the section "Defaults:
# long-tailed MNIST-1D / MLP" of the benchmarks). The figure shows the
# per-class training loss that drove each update: the mixture gives the
# classes with the highest loss a larger share of every batch.
ax = plot_group_losses(clf)
ax.set_title("Per-class training loss, round by round")
plt.tight_layout()
