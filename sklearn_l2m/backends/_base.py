"""The backend interface: one model family's own training loop.

A backend drives its model's loop (boosting rounds, epochs, warm-start
growth) and, at the end of every round, hands losses to the controller and
applies the controller's new training weights. It never chooses the mixture.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .._prepare.checks import check_net_input, check_X, is_dask_collection
from .._prepare.training_data import TrainingData
from .._training.controller import MixingController
from .._training.losses import per_sample_loss
from .._training.schedule import RoundPlan


class OutputLosses:
    """The running-output protocol of every in-memory backend: a model's output on
    fixed rows (:meth:`output`, kept up to date member by member by the backend)
    and the per-sample losses of it (:meth:`losses`)."""

    is_classifier: bool
    #: True when ``output`` holds hard class predictions (no ``predict_proba``)
    hard = False

    def output(self) -> np.ndarray:
        raise NotImplementedError

    def losses(self, y: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Per-sample loss of the current model on the rows (or on ``rows`` of them)."""
        out = self.output()
        if rows is not None:
            out = out[rows]
        return per_sample_loss(y, out, is_classifier=self.is_classifier, hard=self.hard)


def check_kind(estimator, classifier_cls, regressor_cls, *, is_classifier: bool) -> None:
    """Raise if ``estimator`` is not the classifier / regressor class the backend needs."""
    if not isinstance(estimator, (classifier_cls, regressor_cls)):
        raise TypeError(
            f"This backend supports {classifier_cls.__name__} and {regressor_cls.__name__}; "
            f"got {type(estimator).__name__}."
        )
    if is_classifier != isinstance(estimator, classifier_cls):
        needed = classifier_cls if is_classifier else regressor_cls
        raise TypeError(f"This meta-estimator needs a {needed.__name__} as estimator.")


class Backend(ABC):
    """Base class of backends.

    Parameters
    ----------
    estimator : estimator
        The inner model, already cloned; the backend may set its parameters.
    is_classifier : bool
        Whether ``y`` holds class indices.
    random_state : int
        Seed derived from the meta-estimator's ``random_state``.
    init_seed : int or None, default=None
        Seed of the model's initial parameters where the backend sets it
        (skorch: ``torch.manual_seed`` before the module is built); the
        meta-estimator passes its own int ``random_state``, so that a plain
        model seeded with it starts from the same parameters. None: ``random_state``.
    """

    #: minibatch training (auto horizon ~ sqrt(N log N)) or deterministic (~ log N)
    stochastic = False
    #: most rounds the auto horizon may cut the budget into (None: no limit); for
    #: backends where every round restarts part of the model family's state
    max_auto_rounds: int | None = None
    #: the model family stops early by itself (the controller must not)
    handles_early_stopping = False
    #: ways this backend can apply a mixture; the first is the default
    mixing_modes: tuple = ("reweight",)
    #: what one inner step is, for messages (skorch: "epoch")
    step_unit = "step"
    #: input is checked along the sample axis only (nets: images, dicts of inputs);
    #: otherwise it must be a 2-D table (array, frame or sparse matrix)
    checks_sample_axis_only = False
    #: dtype float64 arrays are cast to before they reach the model (None: as given)
    input_dtype = None
    #: trains on dask collections (:class:`~sklearn_l2m._prepare.dask_data.DaskTrainingData`,
    #: lazy on a cluster) instead of in-memory :class:`TrainingData`
    distributed = False
    #: whether the model takes NaN in X; None: as the inner model's scikit-learn
    #: tags say (set it for model families whose tags may be missing)
    allow_nan: bool | None = None

    def __init__(
        self, estimator, *, is_classifier: bool, random_state: int, init_seed: int | None = None
    ):
        self.estimator = estimator
        self.is_classifier = is_classifier
        self.random_state = random_state
        self.init_seed = random_state if init_seed is None else init_seed
        #: how the mixture reaches training, one of ``mixing_modes``; the
        #: meta-estimator sets it from its ``mixing_mode`` before ``train``
        self.mixing_mode = self.mixing_modes[0]
        #: further arguments of every ``fit`` call of the inner model (routed from
        #: the meta-estimator's ``fit``); the meta-estimator sets them
        self.fit_params: dict = {}
        #: set by ``train`` when the model family itself ended training early
        #: ("early_stopping"); None: the controller's reason stands
        self.stop_reason = None

    @classmethod
    def inference(cls):
        """Context manager around every prediction of a fitted inner model.

        Nothing by default; the skorch backend holds the lock its seeded fits
        hold, since torch's data loaders draw from the global generator at
        prediction too, which would shift a concurrent fit's draws.
        """
        return contextlib.nullcontext()

    def seeded(self):
        """Context manager around a fit of the inner model: the draws its library
        takes from a global generator start from ``init_seed``.

        Nothing by default (the seed is the model's own ``random_state``); the
        skorch backend seeds torch's generator, under its lock.
        """
        return contextlib.nullcontext()

    @classmethod
    def check_input(cls, X, *, input_name="X"):
        """Check ``X`` for fit or predict; return it as the model takes it.

        Nets: the sample axis only (any rank, dicts of inputs); other models:
        a 2-D table (array, frame or sparse matrix).
        """
        if is_dask_collection(X):
            raise TypeError(
                f"{input_name} is a dask collection, but this inner model (and any model "
                f"fitted in memory) works on in-memory data. Compute {input_name} first "
                f"({input_name}.compute()), or fit an xgboost.dask DaskXGBClassifier / "
                "DaskXGBRegressor on dask collections."
            )
        if cls.checks_sample_axis_only:
            return check_net_input(X, input_name=input_name)
        return check_X(X, input_name=input_name)

    @abstractmethod
    def check(self) -> None:
        """Raise a clear error if the inner model cannot be mixed by this backend."""

    def budget(self) -> int | None:
        """Total inner steps the model's own settings ask for, or None."""
        return None

    def updates_per_step(self, n_train: int) -> int:
        """Parameter updates in one inner step (batches per epoch for nets)."""
        return 1

    def set_budget(self, total_steps: int) -> None:
        """Make the inner model's own budget ``total_steps`` (when the user set both)."""

    def configure_early_stopping(self, patience_steps: int) -> None:
        """Turn on the model family's own early stopping (for backends that have one)."""

    def keep_steps(self, fitted, n_steps: int):
        """After an early stop by the library (not the model's own), make ``fitted``
        predict with its first ``n_steps`` steps: the best round's model. Boosters
        that can do so override this; others keep every step they trained."""
        return fitted

    def disable_early_stopping(self) -> None:
        """Turn the model family's own early stopping off (a ``refit`` has no
        validation data to watch)."""

    @abstractmethod
    def train(self, data: TrainingData, plan: RoundPlan, controller: MixingController) -> Any:
        """Train with the mixture; return the fitted inner estimator.

        The round-end protocol (:mod:`sklearn_l2m._training.round_end`): measure
        what ``controller.measure`` names, hand a ``RoundLosses`` to
        ``controller.end_round`` and train the next round under the
        ``RoundEnd`` it returns (``step.sample_weight(data)``; stop when
        ``step.stop``). Round 0's weights come from ``controller.begin()``.
        """
