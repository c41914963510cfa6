"""TargetMix: the mixture for one target group, from the pool toward the target."""

from __future__ import annotations

from numbers import Real

import numpy as np

from .._compat.sklearn_params import Interval, validate_params
from .._warnings import warn_user
from ._base import BaseMixer

#: fewer held-out target rows than this cannot tell one mixture's round from another's
MIN_TARGET_VALIDATION_ROWS = 20


def share_factor(share: float, target_total: float, sources_total: float) -> float:
    """The target rows' weight against a source row's that gives them ``share`` of the
    total weight: at least 1 (a target row never weighs less than a source row), ``inf``
    at 1 (the target alone)."""
    if share >= 1:
        return np.inf
    factor = float(share / (1.0 - share) * sources_total / max(target_total, 1e-12))
    return factor if factor > 1.0 + 1e-9 else 1.0  # (round-off: the natural share)


def target_index(target, group_labels) -> int:
    """The position of ``target`` among the groups, or a clear error."""
    labels = np.asarray(group_labels).tolist()
    if target is None:
        raise ValueError(
            "TargetMix needs target=<group label>: the group (assay, site, year) to "
            f"train the model for; groups are {labels}."
        )
    if target not in labels:
        raise ValueError(
            f"TargetMix target {target!r} has no rows: it is not among the groups "
            f"{labels}. Pass groups=... to fit with one label per row, and a target "
            "that is one of them."
        )
    if len(labels) < 2:
        raise ValueError(
            f"TargetMix target {target!r} is the only group: there are no other "
            "sources to mix in. Fit the inner model on its own, or pass groups that "
            "name the sources too."
        )
    return labels.index(target)


class TargetMix(BaseMixer):
    """Train for one target group: each round, the mixture that helps the target most.

    The experiment of MixMin [1]_: one target (an assay, a site, a year) with
    few labelled rows, many related sources with plenty. Only the target's
    rows are held out (``held_out`` of them) and only the target's loss is
    measured; every source row trains. Each round trains under one of
    ``shares``, the target rows' share of the training weight (0: the natural
    pool, the target's rows weighing what a source row weighs; 1: the target
    alone, i.e. continued boosting or fine-tuning from the model the earlier
    rounds built). Shares, not factors: the same share means the same mixture
    whether the sources outnumber the target 3 to 1 or 500 to 1. The first
    rounds try each share in turn; from then on every round takes the one
    whose rounds cut the target's validation loss most (the relative cut of
    each round it was used, averaged with ``decay``). So the run stays on the
    pool while the sources help the target, moves toward the target when the
    target's own rows help more, and comes back when they start to overfit: a
    schedule read off the target's loss, in one training run. ``shares=(0,)``
    is natural pooling. A share's average moves only while it trains: as the
    target's loss flattens, the share in use falls below the others' earlier
    averages, and late in a run the shares that helped take turns
    (``weight_history_`` shows the schedule a fit took).

    With fewer than 20 held-out target rows (``held_out`` of the target's
    rows) the target's loss cannot tell one mixture's round from another's:
    nothing is held out, every row trains under one fixed mixture, the target's
    rows holding ``fallback_share`` of the weight (as
    :class:`~sklearn_l2m.transfer.TargetShare` does; ``None``: the natural
    pool), and a warning says so.

    Pair it with ``refit=True``, which replays the chosen schedule on every
    row, the held-out target rows included: ``Learn2MixRegressor(model,
    mixer=TargetMix("A"), refit=True)``; and check it against target-only,
    the pool and a tuned target weight with
    ``sklearn_l2m.model_selection.compare(..., target="A")``. The run and the
    replay are two fits; ``source_sample=0.15`` runs the first on that share
    of every source's rows (each kept row weighing ``1 / 0.15`` times its
    weight, so every source keeps its share of the weight, and the shares
    mean the same mixtures in the replay): 1.25x one pooled fit in all with
    XGBoost on MoleculeACE (the run and the replay: 2.07x), and within noise
    of the full run on 150 of the benchmarks' 162 transfer cells.

    Parameters
    ----------
    target : group label
        The group to train for; one of the labels passed as ``groups``.
    shares : sequence of float in [0, 1], default=(0.0, 0.1, 0.35, 0.7, 1.0)
        The target rows' shares of the training weight that a round can train
        under; the first is the first round's. A share below the target's
        natural share is its natural share (a target row never weighs less
        than a source row). The default grades the way from the natural pool
        to the target alone; measured in the benchmarks' transfer suite
        against target-row factors (1, 3, 10, 30, inf) and against the pool
        or the target alone, it is worse than the best baseline on fewer cells.
    decay : float in [0, 1), default=0.5
        Weight of a mixture's earlier cuts in its average (0: its last cut alone).
    held_out : float in (0, 1), default=0.25
        Share of the target's rows held out to measure it (the estimator's
        ``validation_fraction`` is not used: the sources are not measured).
    fallback_share : float in (0, 1) or None, default=0.35
        With too few target rows to measure: the target rows' share of the
        training weight (never below their natural share); ``None``: the
        natural pool. Measured in the benchmarks' transfer suite at 30 target
        rows, where the natural pool was worse than the best baseline on most
        cells.
    source_sample : float in (0, 1] or None, default=None
        Share of every source's training rows (by class too, for a classifier)
        that the run deciding the schedule trains on; all of the target's rows
        train. Needs ``refit=True``: the final model replays the schedule on
        every row. None: the run trains on every row.

    Attributes
    ----------
    weights_ : list of float
        ``shares`` as the target rows' weights against a source row's in this
        fit (1: the pool; ``inf``: the target alone), repeats dropped.
    target_weight_ : float
        The target rows' weight in the latest round (1: the pool).
    weight_history_ : list of float
        The target rows' weight in every round, the first included.
    gains_ : dict
        Weight -> its averaged relative cut of the target's validation loss.
    switch_rounds_ : list of int
        The rounds after which the weight changed.
    fallback_ : bool
        Whether the fit trained under the fixed ``fallback_share`` mixture for
        want of target rows.

    References
    ----------
    .. [1] A. Thudi, E. Rovers, Y. Ruan, T. Thrush, C. J. Maddison. "MixMin:
       Finding Data Mixtures via Convex Minimization", ICML 2025.

    Examples
    --------
    >>> from sklearn_l2m.mixers import TargetMix
    >>> mixer = TargetMix("t", shares=(0, 1))  # the pool or the target alone
    >>> mixer.start([60, 30, 10], groups=["a", "b", "t"])  # the pool first
    array([0.6, 0.3, 0.1])
    >>> mixer.update([float("nan"), float("nan"), 1.0])  # the first loss
    array([0.6, 0.3, 0.1])
    >>> mixer.update([float("nan"), float("nan"), 0.9])  # the pool cut it 10%: try the target
    array([0., 0., 1.])
    >>> mixer.update([float("nan"), float("nan"), 0.72])  # the target cut it 20%: stay
    array([0., 0., 1.])
    >>> {w: round(g, 3) for w, g in mixer.gains_.items()}
    {1.0: 0.1, inf: 0.2}
    >>> graded = TargetMix("t")  # the default: the pool, then the target at 35%, 70%, ...
    >>> graded.start([60, 30, 10], groups=["a", "b", "t"])
    array([0.6, 0.3, 0.1])
    >>> [round(w, 2) for w in graded.weights_]  # share 0.1 is the target's natural share
    [1.0, 4.85, 21.0, inf]
    >>> graded.update([float("nan"), float("nan"), 1.0])
    array([0.6, 0.3, 0.1])
    >>> graded.update([float("nan"), float("nan"), 0.9]).round(3)  # the target at 35%
    array([0.433, 0.217, 0.35 ])
    """

    #: the target is one of the groups passed to fit (not a class, not a target bin)
    needs_groups = True

    _parameter_constraints: dict = {
        "target": "no_validation",
        "shares": ["array-like"],
        "decay": [Interval(Real, 0, 1, closed="left")],
        "held_out": [Interval(Real, 0, 1, closed="neither")],
        "fallback_share": [Interval(Real, 0, 1, closed="neither"), None],
        "source_sample": [Interval(Real, 0, 1, closed="right"), None],
    }

    def __init__(
        self,
        target=None,
        *,
        shares=(0.0, 0.1, 0.35, 0.7, 1.0),
        decay=0.5,
        held_out=0.25,
        fallback_share=0.35,
        source_sample=None,
    ):
        self.target = target
        self.shares = shares
        self.decay = decay
        self.held_out = held_out
        self.fallback_share = fallback_share
        self.source_sample = source_sample

    def _shares(self) -> list:
        try:
            shares = [float(w) for w in np.ravel(np.asarray(self.shares, dtype=object))]
        except (TypeError, ValueError):
            shares = []
        if not shares or any(not 0 <= w <= 1 for w in shares) or len(set(shares)) < len(shares):
            raise ValueError(
                f"TargetMix shares must be distinct shares of the training weight in [0, 1] "
                f"(0: the natural pool, 1: the target alone); got {self.shares!r}. The "
                "default is (0.0, 0.1, 0.35, 0.7, 1.0)."
            )
        return shares

    @property
    def needs_validation(self) -> bool:
        """The target's rows are held out whatever the estimator's loss source (when
        the mixture can move: one weight needs no measurement)."""
        return len(self._shares()) > 1

    @property
    def moves(self) -> bool:
        return self.needs_validation and not getattr(self, "fallback_", False)

    @property
    def reads_losses(self) -> bool:
        return self.moves

    def reads_groups(self, group_labels) -> np.ndarray:
        mask = np.zeros(len(group_labels), dtype=bool)
        mask[target_index(self.target, group_labels)] = True
        return mask

    def training_shares(self, group_labels) -> np.ndarray | None:
        """``source_sample`` of every source's training rows and all of the target's,
        for the run that decides the schedule (None: every row; or nothing to decide)."""
        if self.source_sample is None or self.source_sample >= 1 or not self.moves:
            return None
        shares = np.full(len(group_labels), float(self.source_sample))
        shares[target_index(self.target, group_labels)] = 1.0
        return shares

    def validation_shares(self, group_labels, group_counts, fraction) -> np.ndarray | None:
        """Hold out ``held_out`` of the target's rows and none of the sources'; None
        (and a warning) when that leaves too few target rows to measure it."""
        validate_params(self)
        index = target_index(self.target, group_labels)
        shares = np.zeros(len(group_labels))
        shares[index] = self.held_out
        n_val = int(np.floor(self.held_out * group_counts[index] + 0.5))
        self.fallback_ = self.needs_validation and n_val < MIN_TARGET_VALIDATION_ROWS
        if self.fallback_:
            fixed = (
                "the natural pool of every row"
                if self.fallback_share is None
                else f"every row, the target's holding {self.fallback_share:g} of the weight "
                "(fallback_share)"
            )
            warn_user(
                f"TargetMix: the target {self.target!r} has {int(group_counts[index])} "
                f"rows, so held_out={self.held_out} holds out {n_val} (fewer than "
                f"{MIN_TARGET_VALIDATION_ROWS}): too few to tell one mixture's round from "
                f"another's. Nothing is held out and the model trains on {fixed}. Label "
                "more target rows, raise held_out, or compare this against target-only, "
                "the pool and a tuned target weight with "
                "sklearn_l2m.model_selection.compare(..., target=...).",
                UserWarning,
            )
            return None
        return shares

    def start(self, group_sizes, *, groups=None, loss_sizes=None):
        validate_params(self)
        shares = self._shares()
        if groups is not None:
            self.target_index_ = target_index(self.target, groups)
        else:  # a mixer used on its own: the target is a position
            self.target_index_ = int(self.target)
        super().start(group_sizes, groups=groups, loss_sizes=loss_sizes)
        self.weights_ = list(dict.fromkeys(self._factor(share) for share in shares))
        # with too few target rows to measure, nothing is chosen: a fixed share
        fallback = getattr(self, "fallback_", False)
        share = self.fallback_share or 0.0
        self.target_weight_ = self._factor(share) if fallback else self.weights_[0]
        self.weight_history_ = [self.target_weight_]
        self.gains_ = {}
        self.switch_rounds_ = []
        self._last_loss = None
        self.mixture_ = self._mixture()
        return self.mixture_.copy()

    def _step(self, losses):
        loss = losses[self.target_index_]
        used = self.target_weight_
        if self._last_loss is not None and np.isfinite(loss) and self._last_loss > 0:
            cut = float((self._last_loss - loss) / self._last_loss)
            old = self.gains_.get(used)
            self.gains_[used] = cut if old is None else self.decay * old + (1 - self.decay) * cut
        if np.isfinite(loss):
            self._last_loss = loss
        self.target_weight_ = self._next_weight(used)
        if self.target_weight_ != used:
            self.switch_rounds_.append(len(self.weight_history_))
        self.weight_history_.append(self.target_weight_)
        return self._mixture()

    def _next_weight(self, used: float) -> float:
        """Measure the weight in use first, then every untried one, then the best."""
        if used not in self.gains_:
            return used
        untried = [w for w in self.weights_ if w not in self.gains_]
        if untried:
            return untried[0]
        return max(self.gains_, key=self.gains_.get)

    def _factor(self, share: float) -> float:
        target = self.group_sizes_[self.target_index_]
        return share_factor(share, target, self.group_sizes_.sum() - target)

    def _mixture(self) -> np.ndarray:
        t = self.target_index_
        if not np.isfinite(self.target_weight_):
            return np.eye(self.group_sizes_.size)[t]
        alpha = self.group_sizes_ / self.group_sizes_.sum()
        alpha[t] *= self.target_weight_
        return alpha / alpha.sum()
