"""Backend for any scikit-learn estimator that accepts ``sample_weight``.

Three ways to continue training with new weights, fastest first:

* ``grow``: ensembles with ``warm_start`` (HistGradientBoosting's ``max_iter``,
  ``n_estimators`` of forests, gradient boosting and bagging). Each round adds
  ``steps_per_round`` members trained under the current mixture; the user's
  ``max_iter`` / ``n_estimators`` is the total budget. The losses come from
  running predictions that add only the new members (``_output/sklearn_ensembles.py``), so the
  whole fit costs what the plain ensemble costs.
* ``partial_fit``: one pass over the training part per step, with weights.
* ``refit``: fit again every round with the new weights (the slow path, with
  a warning). A ``warm_start`` estimator starts from its previous solution.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
from sklearn import config_context
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import has_fit_parameter

from .._compat.sklearn_ensembles import FORESTS, GB, HGB, hgb_bin_once, keep_first_steps
from .._training.round_end import RoundLosses
from .._training.schedule import RoundPlan
from .._warnings import warn_user
from ..exceptions import RefitWarning
from ._base import Backend
from ._output import running_output

#: ensembles that convert X to float32 in every fit
_FLOAT32_ENSEMBLES = FORESTS + GB


def _growth_parameter(estimator) -> str | None:
    params = estimator.get_params(deep=False)
    if "warm_start" not in params:
        return None
    if isinstance(estimator, HGB):
        return "max_iter"
    if "n_estimators" in params:
        return "n_estimators"
    return None


def _fit_dtype(estimator):
    """The dtype the ensemble converts ``X`` to in every ``fit`` (None: unknown)."""
    if isinstance(estimator, HGB):
        return np.float64
    if isinstance(estimator, _FLOAT32_ENSEMBLES):
        return np.float32
    return None


def _validated_once(round_index: int):
    """The first round's fit checks the estimator's parameters; later rounds change
    only the budget, set here to a valid count, so they skip the check (on a small
    table it costs as much as a round's trees)."""
    if round_index == 0:
        return contextlib.nullcontext()
    return config_context(skip_parameter_validation=True)


def _signature_names(func) -> set[str]:
    import inspect

    try:
        return set(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return set()


class SklearnBackend(Backend):
    """Mix by per-sample weights through warm start, partial_fit or refit."""

    def check(self) -> None:
        est = self.estimator
        if not hasattr(est, "fit"):
            raise TypeError(
                f"estimator must be a scikit-learn estimator with fit(); got {type(est).__name__}."
            )
        if not has_fit_parameter(est, "sample_weight"):
            raise ValueError(
                f"{type(est).__name__}.fit does not accept sample_weight, which "
                "Learn2Mix needs to re-weight groups. Use an estimator whose fit takes "
                "sample_weight (e.g. HistGradientBoostingClassifier, "
                "LogisticRegression, SGDClassifier, XGBClassifier, LGBMClassifier, "
                "CatBoostClassifier, a skorch net)."
            )
        self.growth_param = _growth_parameter(est)
        if self.growth_param is not None:
            self.mode = "grow"
        elif hasattr(est, "partial_fit") and "sample_weight" in _signature_names(est.partial_fit):
            self.mode = "partial_fit"
        else:
            self.mode = "refit"

    @property
    def step_unit(self) -> str:
        if self.mode == "grow":
            return "iteration" if self.growth_param == "max_iter" else "ensemble member"
        return "partial_fit pass" if self.mode == "partial_fit" else "step"

    def budget(self) -> int | None:
        if self.mode == "grow":
            return int(self.estimator.get_params()[self.growth_param])
        return None

    def set_budget(self, total_steps: int) -> None:
        if self.mode == "grow":
            self.estimator.set_params(**{self.growth_param: int(total_steps)})

    def _grow_to(self, n_steps: int) -> None:
        """Set the growth parameter: ``set_params`` where the estimator defines its
        own, else the attribute itself (what ``BaseEstimator.set_params`` does after a
        deep ``get_params``, which costs as much as a small table's round of trees)."""
        if type(self.estimator).set_params is BaseEstimator.set_params:
            setattr(self.estimator, self.growth_param, int(n_steps))
        else:
            self.estimator.set_params(**{self.growth_param: int(n_steps)})

    def keep_steps(self, fitted, n_steps: int):
        # a grown ensemble drops the iterations (members) after the best round; a
        # model refitted or trained by partial_fit keeps its last state
        if self.mode == "grow":
            keep_first_steps(fitted, n_steps)
        return fitted

    def train(self, data, plan, controller):
        est = self.estimator
        user_warm_start = est.get_params().get("warm_start")
        if self.mode == "grow":
            est.set_params(warm_start=True)
        elif self.mode == "refit" and not controller.measure.mixture_moves:
            plan = RoundPlan(total_steps=1, steps_per_round=1)  # the mixture cannot move: one fit
        elif self.mode == "refit" and plan.n_rounds > 1:
            warn_user(
                f"{type(est).__name__} has no warm start that grows it and no "
                "partial_fit, so Learn2Mix refits it from scratch every round: "
                f"{plan.n_rounds} fits, about {plan.n_rounds}x the cost of one. Set "
                "n_rounds lower to spend less, or use a model that grows by warm start "
                "(HistGradientBoosting, forests), partial_fit, XGBoost, LightGBM, "
                "CatBoost or a skorch net.",
                RefitWarning,
            )
        dtype = _fit_dtype(est) if self.mode == "grow" else None
        X_fit = data.X_train if dtype is None else data.X_train_as(dtype)
        with (
            hgb_bin_once(est, X_fit, data.weight_train)
            if self.mode == "grow"
            else contextlib.nullcontext({})
        ) as bins:
            outputs = self._outputs(data, X_fit, controller, bins)
            self._loop(data, X_fit, plan, controller, outputs)
        if self.mode == "grow" and user_warm_start is not None:
            est.set_params(warm_start=user_warm_start)
        return est

    def _outputs(self, data, X_fit, controller, bins) -> dict:
        """Running model outputs on the row sets whose losses the rounds need."""
        est, kind = self.estimator, dict(is_classifier=self.is_classifier)
        outputs = {}
        measure = controller.measure
        if measure.validation:
            outputs["val"] = running_output(est, data.X_val, **kind)
        # boosting keeps its training output even when no loss reads it: it is
        # lent to the warm start, which would otherwise re-predict every tree
        needs_train = measure.train_rows
        if needs_train or self.mode == "grow":
            binned = lambda: bins.get("binned")  # noqa: E731 - exists after the first fit
            train = running_output(est, X_fit, lend=self.mode == "grow", binned=binned, **kind)
            if needs_train or train.lends:
                outputs["train"] = train
        return outputs

    def _loop(self, data, X_fit, plan, controller, outputs):
        est = self.estimator
        weights = np.empty(data.y_train.shape[0], dtype=np.float64)
        fit_kwargs = {}
        if self.mode == "partial_fit" and self.is_classifier:
            fit_kwargs["classes"] = np.arange(data.n_classes)
        train_out = outputs.get("train")
        lend = train_out.lend_to_warm_start if train_out is not None else contextlib.nullcontext
        measure, step = controller.measure, controller.begin()
        for round_index in range(plan.n_rounds):
            step.sample_weight(data, out=weights)
            # unit weights are passed as None: some models (forests' bootstrap)
            # sample differently once any weights are given
            fit_weight = None if np.all(weights == 1.0) else weights
            steps = plan.steps(round_index)
            if self.mode == "grow":
                self._grow_to(plan.steps_done(round_index) + steps)
                with lend(), _validated_once(round_index):
                    est.fit(X_fit, data.y_train, sample_weight=fit_weight, **self.fit_params)
            elif self.mode == "partial_fit":
                for _ in range(steps):
                    est.partial_fit(
                        data.X_train,
                        data.y_train,
                        sample_weight=fit_weight,
                        **fit_kwargs,
                        **self.fit_params,
                    )
            else:
                with warnings.catch_warnings():
                    # each round is a short solve; convergence is judged at the end
                    if round_index < plan.n_rounds - 1:
                        warnings.simplefilter("ignore", ConvergenceWarning)
                    est.fit(data.X_train, data.y_train, sample_weight=fit_weight, **self.fit_params)
            for output in outputs.values():
                output.advance()
            losses = RoundLosses.from_outputs(round_index + 1, data, measure, outputs)
            step = controller.end_round(losses)
            if step.stop:
                break
