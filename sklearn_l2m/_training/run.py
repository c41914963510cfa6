"""One training run: the budget cut into rounds, the run's result, the ``refit`` replay."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._early_stopping import EarlyStopping
from ..mixers import BaseMixer
from ..mixers._replay import ScheduleReplay
from .controller import MixingController
from .guards import warn_budget_replaced
from .offline import offline_mixture
from .progress import attach_progress
from .schedule import RoundPlan, plan_rounds, warn_single_round


@dataclass
class FitResult:
    """What one training run hands to the fitted state (set in one place)."""

    fitted: object  # the trained inner model
    mixer: BaseMixer
    group_labels: np.ndarray
    controller: MixingController
    plan: RoundPlan
    stop_reason: str
    loss_source: str
    train_time: float = 0.0
    refit_rounds: int = 0


@dataclass
class RunSettings:
    """The estimator's settings that one training run reads."""

    name: str  # the estimator's class name, for messages
    early_stopping: EarlyStopping | None
    refit: bool
    verbose: int
    seed: int | None = None  # a run on sampled rows (the mixer's training_shares)

    @property
    def backend_stops(self) -> bool:
        """Whether a backend with its own early stopping may use it: only its own
        (pooled) validation loss is what it can watch."""
        return self.early_stopping is not None and self.early_stopping.monitor == "mean"


def make_controller(settings, mixer, data, loss_source, backend, mixture=None):
    """The controller of one run (early stopping is the backend's own where it has one)."""
    stopping = settings.early_stopping or EarlyStopping()
    by_backend = backend.handles_early_stopping and settings.backend_stops
    return MixingController(
        mixer,
        data,
        loss_source=loss_source,
        early_stopping=settings.early_stopping is not None and not by_backend,
        n_iter_no_change=stopping.n_iter_no_change,
        tol=stopping.tol,
        monitor=stopping.monitor,
        group_labels=data.group_labels,
        mixture=mixture,
    )


def train_run(
    backend,
    mixer,
    data,
    plan,
    loss_source,
    settings: RunSettings,
    make_backend: Callable,
    make_proxy: Callable,
) -> FitResult:
    """Run the inner model's own loop under the controller (then ``refit``).

    ``make_backend(seed)`` builds a fresh backend for the ``refit`` replay;
    ``make_proxy(estimator)`` one for an offline mixer's proxies (None: the inner
    model), both with the fit parameters.
    """
    work = decision_data(mixer, data, settings)
    sampled = work is not data  # (the replay trains on every row of data)
    controller = make_controller(settings, mixer, work, loss_source, backend)
    if mixer.offline:
        controller, work = _start_offline(controller, mixer, work, settings, backend, make_proxy)
    if settings.backend_stops and backend.handles_early_stopping:
        patience = settings.early_stopping.n_iter_no_change
        backend.configure_early_stopping(patience * plan.steps_per_round)
    controller.describe_step = lambda r: f"{backend.step_unit} {plan.steps_done(r)}"
    began = time.perf_counter()
    with attach_progress(controller, plan.n_rounds, settings.verbose, settings.name):
        fitted = backend.train(work, plan, controller)
    stop_reason = backend.stop_reason or controller.stop_reason
    if controller.stop_reason == "non-finite loss":  # not XGBoost's own early stop
        stop_reason = controller.stop_reason
    fitted = _keep_best_round(backend, fitted, controller, plan)
    rounds = 0
    if settings.refit and (work.holds_out_rows_of_X or sampled):
        stopped = settings.early_stopping is not None
        rounds = rounds_to_replay(controller, early_stopping=stopped, stop_reason=stop_reason)
        if settings.verbose:
            n = data.y.shape[0]
            print(f"[{settings.name}] refit: replaying {rounds} rounds on all {n} rows", flush=True)
        fresh = make_backend(backend.random_state)
        fitted = replay_on_all_rows(fresh, data, plan, controller, rounds)
    train_time = time.perf_counter() - began
    return FitResult(
        fitted,
        mixer,
        data.group_labels,
        controller,
        plan,
        stop_reason,
        loss_source,
        train_time=train_time,
        refit_rounds=rounds,
    )


def decision_data(mixer, data, settings):
    """The rows the run trains on: ``data``, or the sample the mixer asks for to
    decide its schedule on (``training_shares``: each group's share of its
    training rows), which ``refit`` replays on every row."""
    shares = mixer.training_shares(data.group_labels)
    if shares is None:
        return data
    if not settings.refit:
        raise ValueError(
            f"{type(mixer).__name__} decides its schedule on a sample of the rows: pass "
            "refit=True so that the final model replays it on every row (or train on "
            "every row: leave the mixer's sample out)."
        )
    return data.sampled(shares, np.random.RandomState(settings.seed))


def plan_run(backend, mixer, n_train: int, *, n_rounds, steps_per_round) -> RoundPlan:
    """Cut the inner model's budget into rounds (and set the budget both ints ask for)."""
    budget = backend.budget()  # (a model's get_params: once, not once per use)
    plan = plan_rounds(
        n_rounds=n_rounds,
        steps_per_round=steps_per_round,
        budget=budget,
        stochastic=backend.stochastic,
        updates_per_step=backend.updates_per_step(n_train),
        max_auto_rounds=backend.max_auto_rounds,
    )
    if budget is not None and plan.total_steps != budget:
        warn_budget_replaced(plan.total_steps, budget, n_rounds, steps_per_round, backend.step_unit)
        backend.set_budget(plan.total_steps)
    if plan.n_rounds == 1 and mixer.moves:
        warn_single_round(plan, backend.step_unit)
    return plan


def rounds_to_replay(controller, *, early_stopping: bool, stop_reason: str) -> int:
    """Every round run, or up to the best one when training stopped early."""
    objectives = controller.monitored_history
    rounds = len(controller.loss_history)
    if (early_stopping or stop_reason == "early_stopping") and objectives:
        rounds = int(np.argmin(objectives)) + 1
    return max(rounds, 1)


def replay_on_all_rows(backend, data, plan, controller, rounds: int):
    """``refit``: train ``backend`` (fresh) on every row of ``X`` under the mixtures
    recorded for the first ``rounds`` rounds, round by round. Nothing is measured."""
    replay_plan = RoundPlan(plan.steps_done(rounds), plan.steps_per_round)
    backend.disable_early_stopping()  # nothing held out to watch
    if backend.budget() is not None:
        backend.set_budget(replay_plan.total_steps)
    schedule = np.vstack(controller.mixture_history[:rounds])
    replay = MixingController(
        ScheduleReplay(schedule),
        data.all_rows(),
        loss_source="train",
        group_labels=data.group_labels,
    )
    return backend.train(replay.data, replay_plan, replay)


def _start_offline(controller, mixer, data, settings, backend, make_proxy):
    """An offline mixer's mixture, found from its proxies before the run."""
    found = offline_mixture(mixer, data, make_proxy, is_classifier=backend.is_classifier)
    controller.install_mixture(found)
    if data.holds_out_rows_of_X and settings.early_stopping is None:
        # the search has read the held-out rows: the final model trains on
        # every row under the mixture it found (no data thrown away)
        data = data.all_rows()
        controller = make_controller(
            settings, mixer, data, "train", backend, mixture=controller.mixture
        )
    return controller, data


def _keep_best_round(backend, fitted, controller, plan):
    """Where the library ran the early stopping, the best round's model (where the
    family can keep it), whether the run stopped early or spent its budget (as
    XGBoost predicts with its best iteration after its own early stopping)."""
    monitored = controller.monitored_history if controller.early_stopping else []
    if len(monitored) and controller.stop_reason != "non-finite loss":
        best = int(np.argmin(monitored)) + 1
        if best < len(monitored):
            return backend.keep_steps(fitted, plan.steps_done(best))
    return fitted
