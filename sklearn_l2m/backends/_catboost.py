"""Backend for CatBoost's scikit-learn estimators (CPU or GPU).

CatBoost copies the sample weights into its own training state when a fit
starts and offers no supported way to change them during a run, so this
backend trains ROUND BY ROUND: round ``r`` fits ``steps_per_round`` new trees
under the round's mixture, starting from the raw scores of all earlier
rounds (the ``Pool``'s *baseline*), and the rounds' models are added up with
``catboost.sum_models`` at the end. The ``Pool`` (the data in CatBoost's
format, categorical columns included) is built and quantized once; only its
weights and baseline change between rounds. Each round's trees are
evaluated once on the validation rows (running raw scores); the training
rows' running scores are the round's prediction on the training pool itself,
whose baseline already holds the earlier rounds (no second copy of the rows).

``fit(init_model=...)``, CatBoost's own continuation, is not used: in
CatBoost 1.2 a continued fit does not reliably train with the weights of the
``Pool`` it is given (the first continuation from a model trains as if the
weights were those of the model's own fit), so the mixture would be ignored.

CatBoost picks its learning rate from the total number of iterations when
the user sets none. Rounds of 20 iterations would get a much larger one, so
the learning rate of the whole budget is read once from a one-iteration fit
(CPU, stopped by a callback) and used by every round.

``estimator_`` is an ordinary fitted CatBoost estimator with the user's
parameters (the rounds' own, with their iteration counts, are not kept).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from .._prepare.checks import take_rows
from .._training.round_end import RoundLosses
from .._training.schedule import RoundPlan
from ._base import Backend, check_kind
from ._output import (
    RawScoreOutput,
    identity,
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
    """The summed output of the rounds' CatBoost models on fixed rows (a ``Pool``)."""

    def __init__(self, X, *, is_classifier: bool):
        super().__init__(X, is_classifier=is_classifier)
        self._sum = None

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

    def add_model(self, model, whole) -> None:
        """Add the raw scores of the newest round's ``model``; ``whole`` sums all rounds."""
        if self._link is None and not self._from_scratch:
            # the first round's model alone is the whole model: check the link on it
            self._choose_link(model, model.tree_count_)
        new = self.raw(model, self.X, 0, model.tree_count_)
        self._sum = new if self._sum is None else self._sum + new
        if self._from_scratch:  # the library's own output of the summed model
            self._raw = self.predict(whole, self.X, whole.tree_count_)
        else:
            self._raw = self._sum
        self.n_trees += model.tree_count_
        self.tree_evaluations += model.tree_count_

    @property
    def raw_scores(self) -> np.ndarray:
        """The summed raw scores of every round so far (a baseline for the next)."""
        return self._sum

    @property
    def n_rows(self) -> int:
        return self.X.num_row()


class TrainingPoolSum(CatBoostOutput):
    """The running raw scores on the training rows, read from the training ``Pool``
    itself: a round's model predicts on it *with* the baseline the round started
    from, so its prediction is already the sum of every round so far. No second
    copy of the training rows is needed (CatBoost predicts on quantized pools)."""

    def add_model(self, model, whole) -> None:
        self._sum = self.raw(model, self.X, 0, model.tree_count_)  # baseline included
        self.n_trees += model.tree_count_
        self.tree_evaluations += model.tree_count_


class _StopAfter:
    """CatBoost callback: stop after ``n`` iterations."""

    def __init__(self, n: int):
        self.n = n

    def after_iteration(self, info) -> bool:
        return info.iteration < self.n


class CatBoostBackend(Backend):
    """Mix a CatBoost model round by round, each round from the earlier rounds' scores."""

    step_unit = "iteration"
    #: CatBoost takes missing values; some of its releases declare no tags
    allow_nan = True

    #: every round starts CatBoost's ordered boosting afresh, which costs accuracy
    #: at the log-horizon's many short rounds even with the mixture frozen, and
    #: nothing at 10 rounds (benchmarks/RESULTS.md, "Defaults: ... CatBoost")
    max_auto_rounds = 10

    def check(self) -> None:
        import catboost

        est = self.estimator
        kinds = (catboost.CatBoostClassifier, catboost.CatBoostRegressor)
        check_kind(est, *kinds, is_classifier=self.is_classifier)
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
        from catboost import sum_models

        measure, step = controller.measure, controller.begin()
        if not measure.rounds_matter:
            # the mixture cannot move: one fit, exactly the plain model
            plan = RoundPlan(total_steps=plan.total_steps, steps_per_round=plan.total_steps)
        pool = self._pool(data.X_train, data.y_train, step.sample_weight(data))
        data.drop_copy("X_train")  # the pool holds its own copy of the rows
        round_params = {}
        if plan.n_rounds > 1:
            pool = self._quantized(pool)
            round_params["learning_rate"] = self._learning_rate(pool, plan.total_steps)

        def make(X, rows):  # CatBoost holds the rows in a Pool of its own
            rows_X = X if rows is None else take_rows(X, rows)
            return CatBoostOutput(self._pool(rows_X), is_classifier=self.is_classifier)

        outputs = running_outputs(make, data, controller)
        # the next round's baseline: raw scores of all rounds so far on the training rows
        baseline = outputs.get("train") if measure.train else None
        if baseline is None and plan.n_rounds > 1:
            baseline = outputs["baseline"] = TrainingPoolSum(pool, is_classifier=self.is_classifier)
        whole = None  # the sum of the rounds so far (one model of the trees only)
        for round_index in range(plan.n_rounds):
            if round_index:
                pool.set_weight(step.sample_weight(data))
                pool.set_baseline(baseline.raw_scores)
                round_params["boost_from_average"] = False  # the baseline holds the start
            step = self._fit_round(pool, plan.steps(round_index), round_params)
            # a fitted model keeps CatBoost's state for continuing its fit (about 460 MB
            # at 900,000 rows, 10 classes) until it is freed; a sum keeps only the trees
            if plan.n_rounds > 1:
                whole = sum_models([step] if whole is None else [whole, step])
            else:
                whole = step
            for output in outputs.values():
                output.add_model(step, whole)
            del step
            losses = RoundLosses.from_outputs(round_index + 1, data, measure, outputs)
            step = controller.end_round(losses)
            if step.stop:
                break
        return whole if plan.n_rounds == 1 else self._with_user_params(whole)

    def keep_steps(self, fitted, n_steps: int):
        # the rounds' trees are summed in order: the first n_steps are the best round's
        if fitted.tree_count_ > n_steps:
            fitted.shrink(ntree_end=int(n_steps))
        return fitted

    def _fit_round(self, pool, steps: int, round_params: dict):
        budget_key = self.budget_key or "iterations"
        step = clone(self.estimator).set_params(**{budget_key: steps}, **round_params)
        return step.fit(pool, **self.fit_params)

    def _with_user_params(self, model):
        """The summed model inside an estimator that carries the user's parameters."""
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
