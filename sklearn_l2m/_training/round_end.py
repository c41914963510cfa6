"""The round-end protocol: what a backend hands the controller, and what it gets back.

Every backend ends a round the same way::

    measure = controller.measure                  # once: which rows to measure
    step = controller.begin()                     # round 0: the first weights
    ...train a round under step.sample_weight(data)...
    losses = RoundLosses.from_samples(r, data, measure, val=..., train=...)
    step = controller.end_round(losses)           # the next weights, stop or not
    if step.stop: break

:class:`RoundLosses` carries per-group loss and weight *sums* (a backend never
averages per group); :class:`RoundEnd` carries the decision: the next
mixture, the per-group factor on the user's weights, whether to stop and
whether this round is the best so far. Nothing else of the controller is a
backend's business.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .losses import group_sums

#: rows per piece in :func:`lookup_weights`
_LOOKUP_ROWS = 1 << 16


def lookup_weights(per_group, codes, weight, out) -> np.ndarray:
    """``out[i] = per_group[codes[i]] * weight[i]``, computed in float64 and cast
    to ``out``'s dtype, a piece of rows at a time: ``np.take`` converts all of
    its indices to intp first, 8 bytes a row, at every round end."""
    unit = weight.ndim == 1 and weight.strides == (0,) and weight.size and weight[0] == 1.0
    for start in range(0, codes.shape[0], _LOOKUP_ROWS):
        part = slice(start, start + _LOOKUP_ROWS)
        if unit:
            np.take(per_group, codes[part], out=out[part])
        else:
            np.multiply(np.take(per_group, codes[part]), weight[part], out=out[part])
    return out


@dataclass(frozen=True)
class FallbackPart:
    """Training rows standing in for groups absent from the validation part."""

    missing: np.ndarray  # bool per group
    rows: np.ndarray  # indices into the training part
    X: object
    y: np.ndarray
    codes: np.ndarray
    weight: np.ndarray


@dataclass(frozen=True)
class Measure:
    """What a backend measures at every round end of one run (fixed for the run)."""

    #: the validation rows' losses
    validation: bool
    #: all training rows' losses (training losses drive the mixture)
    train: bool
    #: otherwise, the training rows of groups without validation rows, or None
    fallback: FallbackPart | None
    #: the mixture can change between rounds (False: static mixers, replays)
    mixture_moves: bool
    #: the library runs early stopping: a backend that can should keep the
    #: state of the round whose :attr:`RoundEnd.is_best` is True
    keeps_best: bool

    @property
    def train_rows(self) -> bool:
        """Whether a round end reads any training row (all or the fallback's)."""
        return self.train or self.fallback is not None

    @property
    def rounds_matter(self) -> bool:
        """Whether cutting the run into rounds can change anything."""
        return self.mixture_moves or self.keeps_best


@dataclass(frozen=True)
class RoundLosses:
    """One finished round's losses: weighted per-group sums of the rows measured.

    ``val`` and ``train`` are ``(loss_sum, weight_sum)``, arrays of shape
    ``(n_groups,)``, or None where not measured. ``round`` counts from 1.
    """

    round: int
    val: tuple | None = None
    train: tuple | None = None

    @classmethod
    def from_samples(
        cls, round_index, data, measure, *, val=None, train=None, fallback=None, train_sums=None
    ):
        """Per-sample losses summed per group.

        ``val``: of every validation row; ``train``: of every training row;
        ``fallback``: of ``measure.fallback``'s rows only (when ``train`` is not
        given); ``train_sums``: the training rows' per-group sums, where the
        backend accumulates them itself (a net, over the batches of the round).
        """
        n_groups = data.n_groups
        val_sums = None
        if val is not None:
            val_sums = group_sums(val, data.codes_val, n_groups, data.weight_val)
        if train_sums is not None:
            pass
        elif train is not None:
            train_sums = group_sums(train, data.codes_train, n_groups, data.weight_train)
        elif fallback is not None:
            part = measure.fallback
            train_sums = group_sums(fallback, part.codes, n_groups, part.weight)
        return cls(round_index, val_sums, train_sums)

    @classmethod
    def from_outputs(cls, round_index, data, measure, outputs: dict):
        """From running model outputs (:class:`~sklearn_l2m.backends._base.OutputLosses`).

        ``outputs`` maps ``"val"``, ``"train"`` and ``"fallback"`` to outputs on
        those rows; without a ``"fallback"`` output, the fallback rows are read
        from the ``"train"`` one.
        """
        val = train = fallback = None
        if "val" in outputs:
            val = outputs["val"].losses(data.y_val)
        if measure.train:
            train = outputs["train"].losses(data.y_train)
        elif measure.fallback is not None:
            part = measure.fallback
            if "fallback" in outputs:
                fallback = outputs["fallback"].losses(part.y)
            else:
                fallback = outputs["train"].losses(part.y, part.rows)
        return cls.from_samples(round_index, data, measure, val=val, train=train, fallback=fallback)


@dataclass(frozen=True)
class RoundEnd:
    """The controller's answer at a round end (round 0: before training)."""

    round: int
    #: end the run now
    stop: bool
    #: the mixture the next round trains under
    mixture: np.ndarray
    #: per-group factor on the user's weights: ``alpha_g / pi_g``, scaled so the
    #: weights keep the user's total
    scale: np.ndarray
    #: the mixer's per-group losses of this round (None at round 0)
    group_loss: np.ndarray | None = None
    #: the monitored loss of this round is the best so far (with the library's
    #: early stopping; see :attr:`Measure.keeps_best`)
    is_best: bool = False
    #: the run stopped on a non-finite loss: the last round's model is not to be kept
    diverged: bool = False

    def sample_weight(self, data, out: np.ndarray | None = None) -> np.ndarray:
        """Training weights of ``data``'s training rows for the next round.

        ``w_i = scale_g * user_weight_i``: group g carries the share
        ``alpha_g`` and the weights keep the user's total (at the natural
        mixture they are the user's weights). ``out`` reuses a buffer.
        """
        if out is None:
            out = np.empty(data.codes_train.shape[0], dtype=np.float64)
        return lookup_weights(self.scale, data.codes_train, data.weight_train, out)

    def sample_weight_of_X(self, data, out: np.ndarray) -> np.ndarray:
        """:meth:`sample_weight` written into the rows of all of ``X``, the held-out
        rows at 0, for a booster that trains on all of ``X``."""
        scale = np.append(self.scale, 0.0)  # the held-out rows' code is last
        return lookup_weights(scale, data.codes_of_X, data.weight, out)
