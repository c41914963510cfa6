"""Backend for CatBoost's scikit-learn estimators (CPU or GPU).

CatBoost copies the sample weights into its own training state when a fit
starts and offers no supported way to change them during a run, so this
backend trains ROUND BY ROUND: round ``r`` continues the previous round's model
(``fit(init_model=...)``, CatBoost's own continuation: the new trees start
from the old model's raw scores) for ``steps_per_round`` iterations under the
new mixture. The ``Pool`` (the data in CatBoost's format, categorical columns
included) is built once; only its weights change between rounds.

The continuation costs what the plain model costs plus, every round, one
pass of the earlier trees over the training rows (CatBoost computes the
starting scores itself) and the round's fixed start-up; the overhead
benchmark measures it (``python -m benchmarks.overhead --family catboost``).

CatBoost picks its learning rate from the total number of iterations when
the user sets none. A model trained in rounds of 20 iterations would get a
much larger one, so the learning rate of the whole budget is read once from a
one-iteration fit (CPU, stopped by a callback) and used by every round.

``estimator_`` is an ordinary fitted CatBoost estimator with the user's
parameters (the rounds' own, with their iteration counts, are not kept).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from .._schedule import RoundPlan
from ._base import Backend
from ._boosted_output import (
    RawScoreOutput,
    identity,
    round_losses,
    running_outputs,
    sigmoid,
    softmax,
)

#: CatBoost's names for the iteration budget; the first one the user set is used
_BUDGET_KEYS = ("iterations", "n_estimators", "num_boost_round", "num_trees")
_DEFAULT_ITERATIONS = 1000  # CatBoost's own default
#: keyword arguments of ``Pool`` that the estimator's parameters carry
_POOL_FEATURE_KEYS = ("cat_features", "text_features", "embedding_features")
_EXP = {"Poisson", "Tweedie"}


class CatBoostOutput(RawScoreOutput):
    """A CatBoost model's output on fixed rows (a ``Pool``)."""

    def raw(self, model, X, start, stop):
        return model.predict(X, prediction_type="RawFormulaVal", ntree_start=start, ntree_end=stop)

    def predict(self, model, X, stop):
        if not self.is_classifier:
            return model.predict(X, ntree_end=stop)
        proba = model.predict(X, prediction_type="Probability", ntree_end=stop)
        return proba[:, 1] if proba.shape[1] == 2 else proba  # binary raw scores are 1-D

    def link(self, model):
        loss = str(model.get_all_params().get("loss_function", "RMSE")).split(":")[0]
        if self.is_classifier:
            if loss in ("Logloss", "CrossEntropy"):
                return sigmoid
            if loss == "MultiClass":
                return softmax
            return None
        return np.exp if loss in _EXP else identity

    def head(self, rows):
        return self.X.slice(rows)

    @property
    def n_rows(self) -> int:
        return self.X.num_row()


class _StopAfter:
    """CatBoost callback: stop after ``n`` iterations."""

    def __init__(self, n: int):
        self.n = n

    def after_iteration(self, info) -> bool:
        return info.iteration < self.n


class CatBoostBackend(Backend):
    """Mix a CatBoost model by continuing it round by round with new weights."""

    def check(self) -> None:
        import catboost

        est = self.estimator
        if not isinstance(est, (catboost.CatBoostClassifier, catboost.CatBoostRegressor)):
            raise TypeError(
                "The CatBoost backend supports CatBoostClassifier and CatBoostRegressor; "
                f"got {type(est).__name__}."
            )
        if self.is_classifier != isinstance(est, catboost.CatBoostClassifier):
            kind = "CatBoostClassifier" if self.is_classifier else "CatBoostRegressor"
            raise TypeError(f"This meta-estimator needs a {kind} as estimator.")
        params = est.get_params()
        self.budget_key = next((k for k in _BUDGET_KEYS if params.get(k) is not None), None)

    def budget(self) -> int:
        if self.budget_key is None:
            return _DEFAULT_ITERATIONS
        return int(self.estimator.get_params()[self.budget_key])

    def set_budget(self, total_steps: int) -> None:
        self.budget_key = self.budget_key or "iterations"
        self.estimator.set_params(**{self.budget_key: int(total_steps)})

    def _pool(self, X, y=None, weight=None):
        from catboost import Pool

        params = self.estimator.get_params()
        features = {k: params[k] for k in _POOL_FEATURE_KEYS if params.get(k) is not None}
        return Pool(X, y, weight=weight, **features)

    def _quantized(self, pool):
        """Quantize the training pool once, with the model's own quantization settings.

        Every round's fit would otherwise quantize the same features again. A
        pool CatBoost cannot quantize in advance (text or embedding features)
        is left as it is.
        """
        import inspect

        from catboost import CatBoostError

        params = self.estimator.get_params()
        accepted = set(inspect.signature(pool.quantize).parameters) - {"kwargs"}
        settings = {k: v for k, v in params.items() if k in accepted and v is not None}
        try:
            pool.quantize(**settings)
        except CatBoostError:
            pass
        return pool

    def _learning_rate(self, pool, total_steps: int) -> float:
        """The learning rate CatBoost would pick for the whole budget (or the user's)."""
        user = self.estimator.get_params().get("learning_rate")
        if user is not None:
            return float(user)
        params = self.estimator.get_params()
        params.pop("devices", None)
        params.update(
            {self.budget_key or "iterations": total_steps},
            task_type="CPU",
            verbose=False,
            allow_writing_files=False,
        )
        probe = type(self.estimator)(**params)
        probe.fit(pool, callbacks=[_StopAfter(1)])  # callbacks run on CPU only
        return float(probe.get_all_params()["learning_rate"])

    def train(self, data, plan, controller):
        if not (controller.mixer.moves or controller.early_stopping):
            # the mixture cannot move: one fit, exactly the plain model
            plan = RoundPlan(total_steps=plan.total_steps, steps_per_round=plan.total_steps)
        budget_key = self.budget_key or "iterations"
        pool = self._pool(data.X_train, data.y_train, controller.sample_weight())
        round_params = {}
        if plan.n_rounds > 1:
            pool = self._quantized(pool)
            round_params["learning_rate"] = self._learning_rate(pool, plan.total_steps)
        make = lambda X: CatBoostOutput(  # noqa: E731
            self._pool(X), is_classifier=self.is_classifier
        )
        outputs = running_outputs(make, data, controller)
        model = None
        for round_index in range(plan.n_rounds):
            if round_index:
                pool.set_weight(controller.sample_weight())
            step = clone(self.estimator).set_params(
                **{budget_key: plan.steps(round_index)}, **round_params
            )
            model = step.fit(pool, init_model=model)
            for output in outputs.values():
                output.advance(model, model.tree_count_)
            if controller.end_round(**round_losses(controller, outputs)):
                break
        return model if plan.n_rounds == 1 else self._with_user_params(model)

    def _with_user_params(self, model):
        """The trained model inside an estimator that carries the user's parameters."""
        import os
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.cbm")
            model.save_model(path)
            with open(path, "rb") as file:
                blob = file.read()
        # from a blob CatBoost keeps the estimator's parameters (from a file it
        # would take the last round's)
        return clone(self.estimator).load_model(blob=blob)
