"""Batch samplers for neural nets: mixture-composed batches and plain shuffling.

Both yield lists of row indices (``torch.utils.data.DataLoader(batch_sampler=...)``)
and remember the batches they handed out, so the training loop can tell which
rows (hence which groups and weights) the current batch holds.
"""

from __future__ import annotations

from collections import deque

import numpy as np


def stochastic_counts(alpha: np.ndarray, batch_size: int, rng) -> np.ndarray:
    """Split ``batch_size`` slots over groups with expected counts ``alpha * batch_size``.

    Every group gets ``floor(alpha_g * M)`` slots; the remaining slots go to
    groups chosen by systematic sampling on the fractional parts, so a group
    gets one extra slot with probability exactly equal to its fractional part.
    The counts always sum to ``batch_size``, and a group with
    ``0 < alpha_g * M < 1`` still appears in a share ``alpha_g * M`` of the
    batches: it is never starved.
    """
    target = np.asarray(alpha, dtype=np.float64) * batch_size
    counts = np.floor(target).astype(np.int64)
    remaining = batch_size - int(counts.sum())
    if remaining > 0:
        frac = target - counts
        frac *= remaining / frac.sum()  # exact sum despite rounding error
        edges = np.cumsum(frac)
        points = rng.uniform() + np.arange(remaining)
        picked = np.searchsorted(edges, points, side="right")
        np.add.at(counts, np.minimum(picked, counts.size - 1), 1)
    return counts


class _RecordingSampler:
    """Remembers every batch it yields until the training loop claims it.

    Batches are drawn in training-part positions (what groups and weights are
    indexed by); with ``row_index`` they are handed to the DataLoader as rows
    of a larger dataset (the training part's rows of ``X``), so the training
    rows never need to be copied out of ``X``.
    """

    #: yield index arrays (for ``DataLoader(sampler=..., batch_size=None)``,
    #: one dataset lookup per batch) instead of lists (``batch_sampler=...``)
    emit_arrays = False

    def __init__(self, row_index=None):
        self.pending: deque = deque()
        self.row_index = None if row_index is None else np.asarray(row_index)

    def set_mixture(self, alpha) -> None:
        """The mixture of the batches from now on (plain shuffling ignores it)."""

    def claim(self) -> np.ndarray:
        """Training-part positions of the oldest batch yielded and not yet claimed."""
        return self.pending.popleft()

    def _emit(self, batch: np.ndarray) -> list:
        self.pending.append(batch)
        rows = batch if self.row_index is None else self.row_index[batch]
        return rows if self.emit_arrays else rows.tolist()


class MixtureBatchSampler(_RecordingSampler):
    """Batches whose composition follows the current mixture (Learn2Mix's sampling).

    Each batch of size ``batch_size`` takes about ``alpha_g * batch_size``
    rows of group ``g`` (:func:`stochastic_counts`), walking through a
    per-group shuffled order and reshuffling when a group runs out, so every
    row of a group is visited once before any repeats.

    Parameters
    ----------
    codes : ndarray of shape (n_samples,)
        Group index of every training row.
    batch_size : int
        Rows per batch; every batch has exactly this many.
    mixture : array-like of shape (n_groups,)
        The first mixture; :meth:`set_mixture` installs the next one, which
        applies from the next batch.
    n_batches : int, default=None
        Batches per epoch; default ``ceil(n_samples / batch_size)``.
    seed : int, default=0
        Seed of the sampler's own random generator.
    row_index : ndarray of shape (n_samples,), default=None
        Dataset row of every training position (None: the same).
    """

    def __init__(
        self, codes, batch_size: int, mixture, n_batches=None, seed: int = 0, row_index=None
    ):
        super().__init__(row_index)
        self.codes = np.asarray(codes)
        self.batch_size = int(batch_size)
        self.set_mixture(mixture)
        n_groups = int(self.codes.max()) + 1
        self.members = [np.flatnonzero(self.codes == g) for g in range(n_groups)]
        self.n_batches = int(n_batches) if n_batches else -(-self.codes.size // self.batch_size)
        self.rng = np.random.RandomState(seed)
        self.orders = [self.rng.permutation(m) for m in self.members]
        self.positions = np.zeros(n_groups, dtype=np.int64)

    def __len__(self) -> int:
        return self.n_batches

    def set_mixture(self, alpha) -> None:
        self.alpha = np.array(alpha, dtype=np.float64)

    def _take(self, group: int, count: int) -> np.ndarray:
        taken = []
        while count > 0:
            order = self.orders[group]
            start = self.positions[group]
            chunk = order[start : start + count]
            taken.append(chunk)
            count -= chunk.size
            self.positions[group] += chunk.size
            if self.positions[group] >= order.size:  # group exhausted: reshuffle
                self.orders[group] = self.rng.permutation(self.members[group])
                self.positions[group] = 0
        return np.concatenate(taken)

    def __iter__(self):
        for _ in range(self.n_batches):
            counts = stochastic_counts(self.alpha, self.batch_size, self.rng)
            batch = np.concatenate([self._take(g, c) for g, c in enumerate(counts) if c > 0])
            yield self._emit(batch)


class ShuffledBatchSampler(_RecordingSampler):
    """Plain shuffled minibatches (every row once per epoch), recorded."""

    def __init__(self, n_samples: int, batch_size: int, seed: int = 0, row_index=None):
        super().__init__(row_index)
        self.n_samples = int(n_samples)
        self.batch_size = int(batch_size)
        self.rng = np.random.RandomState(seed)

    def __len__(self) -> int:
        return -(-self.n_samples // self.batch_size)

    def __iter__(self):
        order = self.rng.permutation(self.n_samples)
        for start in range(0, self.n_samples, self.batch_size):
            yield self._emit(order[start : start + self.batch_size])
