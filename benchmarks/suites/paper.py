"""The paper's Fashion-MNIST row, reproduced with the library (``python -m benchmarks paper``).

    python -m benchmarks paper             # 3 seeds, full size
    python -m benchmarks paper --seeds 3 --scale 0.25  # a quarter of the training rows

See SETUP below for the protocol.
"""

from __future__ import annotations

import functools
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m.datasets import load_fashion_mnist

from ..common import OUT_OPTION, SEEDS_OPTION, suite_parser
from ..report import write_section

SETUP = (
    "Setup of Venkatasubramanian & Tarokh (arXiv 2412.16482), Fashion-MNIST, balanced as "
    "in the paper: the authors' LeNet-5, inputs normalised to [-1, 1], Adam (lr 1e-4), batch "
    "1000, 56 epochs, gamma 0.5, the mixture updated after every epoch from the training "
    "losses, batches composed from the mixture (`Learn2MixClassifier.paper(net, "
    "mixing_rate=0.5)`). Classical training and Learn2Mix start from the same initial weights "
    "for each seed (`torch.manual_seed(seed)` / `random_state=seed`). The table gives test "
    "accuracy after 25%, 50% and 100% of the epochs beside the paper's numbers, with the "
    "paired difference and its standard error, and the training time per epoch. CIFAR-10 "
    "and the long-tailed rows are left out: their data does not load offline here."
)
#: test accuracy (%) after 25% / 50% of the epochs, the paper's Table (Fashion-MNIST)
PAPER = {"classical": {0.25: 74.1, 0.5: 79.8}, "learn2mix": {0.25: 77.6, 0.5: 83.2}}
MILESTONES = (0.25, 0.5, 1.0)
EPOCHS, BATCH, LR, GAMMA = 56, 1000, 1e-4, 0.5


def lenet5():
    """The authors' LeNet-5 (learn2mix/models/cnn.py), built lazily (torch is optional)."""
    import torch
    from torch import nn

    class LeNet5(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, kernel_size=5)
            self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
            self.fc1 = nn.Linear(16 * 4 * 4, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)
            self.pool = nn.MaxPool2d(2, 2)

        def forward(self, x):
            x = self.pool(torch.relu(self.conv1(x)))
            x = self.pool(torch.relu(self.conv2(x)))
            x = torch.relu(self.fc1(x.flatten(1)))
            return self.fc3(torch.relu(self.fc2(x)))  # logits: CrossEntropyLoss

    return LeNet5


def test_accuracy_callback(X_test, y_test):
    """Records test accuracy after every epoch, and the time spent measuring it."""
    from skorch.callbacks import Callback

    class TestAccuracy(Callback):
        def on_epoch_end(self, net, **kwargs):
            began = time.perf_counter()
            accuracy = float(np.mean(net.predict(X_test) == y_test))
            net.history.record("test_accuracy", accuracy)
            net.history.record("test_time", time.perf_counter() - began)

    return TestAccuracy()


def make_net(X_test, y_test, *, epochs=EPOCHS, device="cpu"):
    import torch
    from skorch import NeuralNetClassifier

    return NeuralNetClassifier(
        lenet5(),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=LR,
        batch_size=BATCH,
        max_epochs=epochs,
        iterator_train__shuffle=True,
        train_split=None,
        callbacks=[("test_accuracy", test_accuracy_callback(X_test, y_test))],
        verbose=0,
        device=device,
    )


@functools.cache
def _images():
    """Fashion-MNIST as images in [-1, 1], read once per run."""
    data = load_fashion_mnist(flatten=False)
    return data.X_train * 2 - 1, data.y_train, data.X_test * 2 - 1, data.y_test


def load(scale: float, seed: int):
    """The images; ``scale`` < 1 keeps that share of every class (drawn with ``seed``)."""
    X, y, X_test, y_test = _images()
    if scale < 1:
        rng = np.random.RandomState(seed)
        keep = np.concatenate(
            [
                rng.permutation(np.flatnonzero(y == c))[: int(scale * np.sum(y == c))]
                for c in range(10)
            ]
        )
        X, y = X[np.sort(keep)], y[np.sort(keep)]
    return X, y, X_test, y_test


def fit(method, X, y, X_test, y_test, seed, epochs):
    """One paired run; returns per-epoch test accuracy and training seconds per epoch."""
    import torch

    net = make_net(X_test, y_test, epochs=epochs)
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "classical":
            torch.manual_seed(seed)
            fitted = net.fit(X, y)
        else:
            model = Learn2MixClassifier.paper(net, mixing_rate=GAMMA, random_state=seed)
            fitted = model.fit(X, y).estimator_
    seconds = time.perf_counter() - began - sum(fitted.history[:, "test_time"])
    return np.array(fitted.history[:, "test_accuracy"]) * 100, seconds / epochs


def milestone_epochs(epochs: int):
    return [max(1, round(f * epochs)) for f in MILESTONES]


def table(acc, per_epoch, epochs):
    """Markdown: paper vs library at each milestone, paired difference +- SE."""
    marks = milestone_epochs(epochs)
    n = acc["classical"].shape[0]
    head = "| | " + " | ".join(f"{int(f * 100)}% ({e} ep.)" for f, e in zip(MILESTONES, marks))
    lines = [head + " | s / epoch |", "|---" * (len(marks) + 2) + "|"]
    for method in ("classical", "learn2mix"):
        paper = [PAPER[method].get(f) for f in MILESTONES]
        cells = ["-" if p is None else f"{p:.1f}" for p in paper]
        lines.append(f"| paper, {method} | " + " | ".join(cells) + " | |")
    for method in ("classical", "learn2mix"):
        cells = [
            f"{acc[method][:, e - 1].mean():.1f} ± {acc[method][:, e - 1].std():.1f}" for e in marks
        ]
        lines.append(
            f"| library, {method} ({n} seeds) | "
            + " | ".join(cells)
            + f" | {np.mean(per_epoch[method]):.2f} |"
        )
    diff = acc["learn2mix"] - acc["classical"]
    se = diff.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.full(diff.shape[1], np.nan)
    cells = [f"{diff[:, e - 1].mean():+.1f} ± {se[e - 1]:.1f}" for e in marks]
    paper_gap = [
        PAPER["learn2mix"].get(f, np.nan) - PAPER["classical"].get(f, np.nan) for f in MILESTONES
    ]
    lines.append("| learn2mix - classical, paired (± SE) | " + " | ".join(cells) + " | |")
    lines.append(
        "| paper's gap | "
        + " | ".join("-" if np.isnan(g) else f"{g:+.1f}" for g in paper_gap)
        + " | |"
    )
    return "\n".join(lines) + "\n"


def plot(acc, out_dir: Path, epochs: int):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(6.4, 4))
    steps = np.arange(1, epochs + 1)
    for method, color in (("classical", "tab:gray"), ("learn2mix", "tab:blue")):
        mean, std = acc[method].mean(axis=0), acc[method].std(axis=0)
        ax.plot(steps, mean, color=color, label=f"library, {method}")
        ax.fill_between(steps, mean - std, mean + std, color=color, alpha=0.2)
        for f, value in PAPER[method].items():
            ax.plot(f * epochs, value, "x", color=color, markersize=9)
    ax.plot([], [], "x", color="black", label="paper (25%, 50%)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy (%)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Fashion-MNIST, LeNet-5: the paper's setup")
    ax.legend(title="mean ± std over seeds", loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = out_dir / "figures" / "paper_fashion_mnist.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    parser = suite_parser(__doc__, SEEDS_OPTION, OUT_OPTION, seeds=3, out=Path("benchmarks"))
    parser.add_argument("--scale", type=float, default=1.0, help="share of training rows kept")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    command = "python -m benchmarks paper " + " ".join(argv if argv is not None else sys.argv[1:])
    acc = {"classical": [], "learn2mix": []}
    per_epoch = {"classical": [], "learn2mix": []}
    began = time.perf_counter()
    for seed in range(args.seeds):
        X, y, X_test, y_test = load(args.scale, seed)
        for method in ("classical", "learn2mix"):
            curve, seconds = fit(method, X, y, X_test, y_test, seed, args.epochs)
            acc[method].append(curve)
            per_epoch[method].append(seconds)
            marks = [f"{curve[e - 1]:.1f}" for e in milestone_epochs(args.epochs)]
            print(
                f"seed {seed} {method:<10} acc@25/50/100% {marks}  {seconds:.2f} s/epoch",
                flush=True,
            )
    acc = {k: np.vstack(v) for k, v in acc.items()}
    text = table(acc, per_epoch, args.epochs)
    print(text)
    out = Path(args.out)
    figure = plot(acc, out, args.epochs)
    body = (
        f"Command: `{command}` ({len(X):,} training rows, 10,000 test rows; "
        f"{args.epochs} epochs). {SETUP}\n\n"
        f"{text}\n"
        "Paired by seed: both methods start from the same initial weights. Seconds per "
        "epoch exclude the test-set evaluation; they are indicative (shared machine).\n\n"
        f"![paper](figures/{figure.name})\n\n"
        f"Total time: {time.perf_counter() - began:.0f} s.\n"
    )
    write_section(
        out / "RESULTS.md",
        "paper",
        "The paper's Fashion-MNIST row (`python -m benchmarks paper`)",
        body,
    )
    print(f"Wrote {out / 'RESULTS.md'} and {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
