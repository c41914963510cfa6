"""The controller: the thin glue a backend calls at every round end.

It turns per-sample losses into per-group losses, asks the mixer for the next
mixture, turns the mixture into per-sample training weights, records the
histories and decides early stopping. It knows neither the model family nor
the mixing strategy.
"""

from __future__ import annotations

import copy

import numpy as np

from ..mixers._base import BaseMixer
from .losses import means_from_sums
from .round_end import FallbackPart, Measure, RoundEnd, RoundLosses

#: a group's mean loss below -NEGATIVE_LOSS_TOL is a misconfigured loss; above it, the
#: round-off of a near-perfect prediction (skorch's NLLLoss takes log(p + 1e-12))
NEGATIVE_LOSS_TOL = 1e-6


class MixingController:
    """State of one fit's outer loop.

    Parameters
    ----------
    mixer : BaseMixer
        A fresh mixer (the estimator's clone).
    data : TrainingData or DaskTrainingData
        The encoded training / validation parts. The controller reads their
        per-group totals; row subsets (the fallback part) only where the rows
        are on this machine (``data.rows_on_client``).
    loss_source : {"validation", "train"}
        Which per-group losses drive the mixer.
    early_stopping : bool
        Stop when the monitored validation loss has not improved by ``tol``
        for ``n_iter_no_change`` rounds.
    monitor : {"mean", "worst_group"}
        The monitored loss: the validation part's weighted mean, or its
        largest per-group mean (:attr:`monitored_history`).
    group_weight : ndarray of shape (n_groups,), optional
        Each group's total training weight, for a controller without
        ``data`` (losses then arrive as per-group sums through :meth:`end_round`).
    mixture : ndarray of shape (n_groups,), optional
        Train under this mixture, already found (an offline mixer's search),
        instead of asking ``mixer.start`` for one.
    missing : ndarray of bool of shape (n_groups,), optional
        Groups without validation rows, for a controller without ``data``
        (with ``data`` they are found from its validation counts).
    """

    def __init__(
        self,
        mixer: BaseMixer,
        data,
        *,
        loss_source: str = "validation",
        early_stopping: bool = False,
        n_iter_no_change: int = 3,
        tol: float = 1e-4,
        monitor: str = "mean",
        group_labels=None,
        group_weight: np.ndarray | None = None,
        mixture: np.ndarray | None = None,
        missing: np.ndarray | None = None,
    ):
        self.mixer = mixer
        self.data = data
        n = len(group_weight if group_weight is not None else data.group_weight)
        self.group_labels = np.asarray(group_labels if group_labels is not None else np.arange(n))
        self.loss_source = loss_source
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.monitor = monitor
        # pi_g: each group's share of the (user-weighted) training data.
        if group_weight is None:
            group_weight = data.group_weight
        self.group_weight = np.asarray(group_weight, dtype=np.float64)
        self.natural = self.group_weight / self.group_weight.sum()
        #: the groups whose losses the mixer reads (the others are not measured)
        reads = mixer.reads_groups(self.group_labels) if group_labels is not None else None
        self.reads = np.ones(n, dtype=bool) if reads is None else np.asarray(reads, dtype=bool)
        #: groups without validation rows, measured on their training rows instead
        if missing is None:
            missing = self._missing_validation(data, loss_source)
        missing = np.broadcast_to(np.asarray(missing, dtype=bool), self.natural.shape)
        self.missing = missing & self.reads
        if mixture is None:
            mixture = mixer.start(
                self.group_weight, groups=group_labels, loss_sizes=self._loss_sizes(data)
            )
        self.mixture = np.asarray(mixture, dtype=np.float64)
        self.fallback = (
            self._fallback_part()
            if self.missing.any() and data is not None and data.rows_on_client
            else None
        )
        self.mixture_history = [self.mixture.copy()]
        self.loss_history: list[np.ndarray] = []
        self.objective_history: list[float] = []
        #: the largest per-group mean validation loss of every round
        self.worst_group_history: list[float] = []
        self.best_objective = np.inf
        self.rounds_without_improvement = 0
        self.stop_reason = "budget"
        #: names the model's step at the end of round r (set by the estimator)
        self.describe_step = lambda r: f"round {r}"
        #: called with the controller after every round (progress bars, logging)
        self.callbacks: list = []

    @staticmethod
    def _missing_validation(data, loss_source) -> np.ndarray | bool:
        """Groups with no validation row, when validation losses drive the mixture."""
        if data is None or loss_source != "validation" or not data.has_validation:
            return False
        return data.validation_counts == 0

    def install_mixture(self, mixture) -> None:
        """Train under ``mixture`` from the start (an offline mixer's search result)."""
        self.mixture = np.asarray(mixture, dtype=np.float64).copy()
        self.mixture_history[0] = self.mixture.copy()

    def _loss_sizes(self, data) -> np.ndarray:
        """Rows behind each group's loss: its validation rows, or its training
        weight where the training rows measure it (for the mixer's pooling)."""
        if self.loss_source != "validation" or data is None or not data.has_validation:
            return self.group_weight
        counts = data.validation_counts
        return np.where(self.missing, self.group_weight, counts).astype(np.float64)

    @property
    def monitored_history(self) -> list[float]:
        """The loss early stopping and ``best_round_`` follow, one per round."""
        return self.worst_group_history if self.monitor == "worst_group" else self.objective_history

    def _fallback_part(self):
        """Training rows of the groups that have no validation sample.

        Their mixture must not freeze or collapse: they are measured on their
        own training rows instead (usually a handful: the rarest groups).
        """
        data, missing = self.data, self.missing
        rows = np.flatnonzero(missing[data.codes_train])
        return FallbackPart(
            missing=missing,
            rows=rows,
            X=data.train_subset(rows),
            y=data.y_train[rows],
            codes=data.codes_train[rows],
            weight=data.weight_train[rows],
        )

    def detached(self) -> MixingController:
        """A copy to ship to remote workers: no data and no callbacks (both stay
        on the client, which replays the workers' losses into ``self``)."""
        local = ("data", "fallback", "callbacks", "describe_step")
        state = copy.deepcopy({k: v for k, v in self.__dict__.items() if k not in local})
        remote = object.__new__(MixingController)
        remote.__dict__.update(
            state, data=None, fallback=None, callbacks=[], describe_step=lambda r: f"round {r}"
        )
        return remote

    # -- the round-end protocol (sklearn_l2m._training.round_end) --------------
    @property
    def measure(self) -> Measure:
        """What every round end of this run must measure."""
        train = self.loss_source == "train" and self.mixer.reads_losses
        has_validation = self.data is not None and self.data.has_validation
        return Measure(
            validation=has_validation,
            train=train,
            fallback=None if train else self.fallback,
            mixture_moves=bool(self.mixer.moves),
            keeps_best=bool(self.early_stopping),
        )

    @property
    def needs_train_loss(self) -> bool:
        """Whether a round end measures training rows (the training losses drive
        the mixture, or some group has no validation rows); for a controller
        whose fallback rows are not on this machine too (Dask)."""
        return (self.loss_source == "train" and self.mixer.reads_losses) or bool(self.missing.any())

    def group_scale(self) -> np.ndarray:
        """Per-group factor on the user's weights: ``alpha_g / pi_g``, scaled so
        the weights keep the user's total (at the natural mixture, 1)."""
        multiplier = self.mixture / self.natural
        return multiplier * (self.group_weight.sum() / float(multiplier @ self.group_weight))

    def begin(self) -> RoundEnd:
        """Round 0: the mixture the first round trains under."""
        return RoundEnd(0, False, self.mixture.copy(), self.group_scale())

    def end_round(self, losses: RoundLosses) -> RoundEnd:
        """Record a finished round and decide the next one.

        The one place where losses become the mixer's input: per-group means
        (NaN for a group without weight), the groups without validation rows
        (:attr:`missing`) measured on their training rows, and the
        early-stopping objective (the validation part's weighted mean loss).
        """
        expected = len(self.loss_history) + 1
        if losses.round != expected:
            raise RuntimeError(
                f"The backend ended round {losses.round}, but round {expected} was due; "
                "this is a bug in the backend."
            )
        if self._diverged(losses.val, losses.train):
            return self._answer(losses.round, stop=True, diverged=True)
        # round-off below zero (skorch's log(p + eps) at p = 1) is a zero loss
        val, train = (
            None if s is None else (np.maximum(s[0], 0.0), np.asarray(s[1], dtype=np.float64))
            for s in (losses.val, losses.train)
        )
        objective = worst = None
        val_means = train_means = None
        if val is not None:
            val_means = means_from_sums(*val)
            read = self.reads
            if np.sum(val[1][read]) > 0:  # the groups the mixer reads (all, by default)
                objective = float(np.sum(val[0][read]) / np.sum(val[1][read]))
                worst = float(np.nanmax(val_means[read]))
        if train is not None:
            train_means = means_from_sums(*train)
        if not self.mixer.reads_losses:
            group_loss = np.full(self.natural.size, np.nan)
        elif self.loss_source == "train":
            group_loss = train_means
        else:
            group_loss = val_means
            if group_loss is not None and train_means is not None and self.missing.any():
                group_loss = np.where(self.missing, train_means, group_loss)
        if group_loss is None:
            raise RuntimeError(
                f"The backend gave no {self.loss_source} losses; this is a bug in the backend."
            )
        stop = self._record(group_loss, objective, worst)
        return self._answer(losses.round, stop=stop)

    def _answer(self, round_index: int, *, stop: bool, diverged: bool = False) -> RoundEnd:
        history = self.monitored_history
        is_best = bool(
            self.early_stopping
            and not diverged
            and len(history) == round_index
            and history[-1] <= min(history)
        )
        return RoundEnd(
            round_index,
            stop,
            self.mixture.copy(),
            self.group_scale(),
            group_loss=self.loss_history[-1] if self.loss_history else None,
            is_best=is_best,
            diverged=diverged,
        )

    def _diverged(self, val, train) -> bool:
        """Stop on a non-finite loss of a measured group (the model diverged): warn,
        keep the last finite mixture. Refuse negative losses (a misconfigured loss)."""
        if all(sums is None or _finite_and_nonnegative(sums[0]) for sums in (val, train)):
            return False  # the common case, checked in two passes
        bad = np.zeros(self.natural.size, dtype=bool)
        negative = np.zeros_like(bad)
        for sums in (val, train):
            if sums is None:
                continue
            loss_sum, weight_sum = (np.asarray(a, dtype=np.float64) for a in sums)
            measured = weight_sum > 0
            bad |= measured & ~np.isfinite(loss_sum)
            # a misconfigured loss is negative by O(1); round-off is not an error
            negative |= measured & (loss_sum < -NEGATIVE_LOSS_TOL * np.maximum(weight_sum, 1.0))
        labels = self.group_labels
        round_index = len(self.loss_history) + 1
        if negative.any():
            raise ValueError(
                f"The inner model's loss is negative for groups {labels[negative].tolist()} "
                f"in round {round_index}; a per-sample loss must be >= 0. For a skorch "
                "net this usually means the criterion expects (log-)probabilities while "
                "the module returns raw scores (skorch's default NLLLoss with a module "
                "that has no softmax): use criterion=torch.nn.CrossEntropyLoss, or end "
                "the module with log_softmax."
            )
        if not bad.any():
            return False
        from .._warnings import warn_user

        where = (
            f"for groups {labels[bad].tolist()} in round {round_index} "
            f"({self.describe_step(round_index)})"
        )
        causes = (
            "Either training diverged (lower the learning rate, scale the features) or "
            "the loss cannot take the model's output (for a skorch net: a criterion "
            "that expects probabilities, such as skorch's default NLLLoss, with a "
            "module that returns raw scores; use criterion=torch.nn.CrossEntropyLoss)."
        )
        if round_index == 1:  # nothing finite to keep
            raise ValueError(f"The inner model's loss is NaN or infinite {where}. {causes}")
        warn_user(
            f"The inner model's loss became NaN or infinite {where}: training stopped "
            "there (stop_reason_='non-finite loss') and the mixture keeps its last "
            f"finite value. {causes}",
            RuntimeWarning,
        )
        self.stop_reason = "non-finite loss"
        return True

    def _record(
        self, losses: np.ndarray, objective: float | None = None, worst: float | None = None
    ) -> bool:
        """Move the mixture with finished per-group ``losses``; return True to stop.

        ``objective`` is the round's mean validation loss and ``worst`` its
        largest per-group validation loss (None without a validation part).
        """
        if objective is not None:
            self.objective_history.append(objective)
        if worst is not None:
            self.worst_group_history.append(worst)
        self.loss_history.append(np.asarray(losses, dtype=np.float64))
        self.mixture = self.mixer.update(losses)
        self.mixture_history.append(self.mixture.copy())
        stop = self._should_stop()
        for callback in self.callbacks:
            callback(self)
        return stop

    def _should_stop(self) -> bool:
        history = self.monitored_history
        if not (self.early_stopping and history):
            return False
        current = history[-1]
        if current < self.best_objective - self.tol:
            self.best_objective = current
            self.rounds_without_improvement = 0
            return False
        self.rounds_without_improvement += 1
        if self.rounds_without_improvement >= self.n_iter_no_change:
            self.stop_reason = "early_stopping"
            return True
        return False


def _finite_and_nonnegative(loss_sum) -> bool:
    loss_sum = np.asarray(loss_sum, dtype=np.float64)
    return bool(np.isfinite(loss_sum).all() and loss_sum.min(initial=0.0) >= 0.0)
