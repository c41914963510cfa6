"""Backend for XGBoost's scikit-learn estimators (CPU or GPU).

ONE boosting run. A ``TrainingCallback`` runs at the end of every round of
``steps_per_round`` trees: it reads the per-group losses from the booster's
predictions on the validation matrix (incremental: XGBoost caches the
predictions of every matrix it evaluates, so only the new trees are applied)
and writes the new mixture into the training matrix with
``DMatrix.set_weight``; the next tree's gradients use those weights. Nothing
is retrained or re-binned.

When the validation part is held out of ``X``, the training matrix is built
from all of ``X`` with the held-out rows at weight 0 (they add nothing to
gradients, hessians, the weighted sketch or the intercept), so the training
rows are never copied; only the small validation part is.

Everything the user set on the estimator (``n_estimators`` as the total
budget, ``device``, ``tree_method``, ``enable_categorical``, callbacks, ...)
is passed through; ``estimator_`` is an ordinary fitted XGBoost estimator.

The training matrix is reached through a private hook (``_compat``). Where
it is missing or switched off, each round is one public ``fit`` that
continues the previous booster (``xgb_model``) under the round's weights:
the same schedule of weights, at the cost of building the training matrix
again every round.
"""

from __future__ import annotations

import numpy as np

from .._compat.xgboost import xgboost_can_capture, xgboost_capture_matrices
from .._training.round_end import RoundLosses
from ._base import Backend, check_kind
from ._output import booster_sample_loss


def _mixture_callback_class():
    import xgboost

    class MixtureCallback(xgboost.callback.TrainingCallback):
        """Round ends inside one boosting run: losses to the controller, weights back."""

        def __init__(self, backend, controller, plan, matrices, evaluated, full_weight):
            super().__init__()
            self.full_weight = full_weight  # all rows of X, held-out rows at 0
            self.backend = backend
            self.controller = controller
            self.round_ends = plan.round_ends()
            self.measure = controller.measure
            self.matrices = matrices
            self.evaluated = evaluated  # the validation rows are XGBoost's eval set
            self.like_training = None  # builds a matrix as the training one (set in fit)

        def before_training(self, model):
            data = self.controller.data
            self.dtrain = self.matrices[0]
            self.dval = None
            if self.evaluated:
                self.dval = self.matrices[1]
            elif data.has_validation:  # predicted at round ends only, never scored per tree
                self.dval = self.like_training(data=data.X_val, label=data.y_val)
            # the validation rows now live binned in dval: drop the array copy of them
            # (fit's eval_set is this list; XGBoost keeps only the matrices)
            self.backend.eval_set.clear()
            data.drop_copy("X_val")
            return model

        def after_iteration(self, model, epoch, evals_log):
            if epoch + 1 not in self.round_ends:
                return False
            data, measure = self.controller.data, self.measure
            val_loss = train_loss = None
            if self.dval is not None:
                val_loss = self.backend.sample_loss(model, self.dval, data.y_val)
            if measure.train_rows:
                # training predictions are cached by XGBoost: no extra tree walk
                if self.full_weight is None:
                    train_loss = self.backend.sample_loss(model, self.dtrain, data.y_train)
                else:  # the matrix holds all of X: keep the training rows
                    train_loss = self.backend.sample_loss(model, self.dtrain, data.y)
                    train_loss = train_loss[data.train_rows]
            losses = RoundLosses.from_samples(
                self.round_ends[epoch + 1], data, measure, val=val_loss, train=train_loss
            )
            step = self.controller.end_round(losses)
            self.dtrain.set_weight(self.backend.training_weight(step, data, self.full_weight))
            return step.stop

    return MixtureCallback


class XGBoostBackend(Backend):
    """Mix inside one XGBoost boosting run."""

    step_unit = "boosting round"

    handles_early_stopping = True

    def check(self) -> None:
        import xgboost

        kinds = (xgboost.XGBClassifier, xgboost.XGBRegressor)
        check_kind(self.estimator, *kinds, is_classifier=self.is_classifier)

    def budget(self) -> int:
        return int(self.estimator.get_num_boosting_rounds())

    def set_budget(self, total_steps: int) -> None:
        self.estimator.set_params(n_estimators=int(total_steps))

    def keep_steps(self, fitted, n_steps: int):
        # XGBoost's predict uses the booster's best_iteration (0-based)
        fitted.get_booster().set_attr(best_iteration=str(n_steps - 1))
        return fitted

    def configure_early_stopping(self, patience_steps: int) -> None:
        if self.estimator.get_params().get("early_stopping_rounds") is None:
            self.estimator.set_params(early_stopping_rounds=int(patience_steps))

    def disable_early_stopping(self) -> None:
        self.estimator.set_params(early_stopping_rounds=None)

    def sample_loss(self, booster, dmatrix, y) -> np.ndarray:
        return booster_sample_loss(booster, dmatrix, y, self.is_classifier)

    @staticmethod
    def training_weight(step, data, full_weight) -> np.ndarray:
        """The training matrix's weights under ``step`` (a ``RoundEnd``): the
        mixture's, held-out rows at 0."""
        if full_weight is not None:
            return step.sample_weight_of_X(data, full_weight)
        return step.sample_weight(data).astype(np.float32)

    def train(self, data, plan, controller):
        if not xgboost_can_capture(self.estimator):
            return self._train_by_rounds(data, plan, controller)
        est = self.estimator
        params = est.get_params()
        user_callbacks = params.get("callbacks")
        matrices: list = []
        X_fit, y_fit, full_weight = data.rows_to_fit()  # no copy of the training rows
        # XGBoost scores an eval set with its metric after every tree: only its early
        # stopping and the user's callbacks read that; the round ends just predict
        stops = params.get("early_stopping_rounds") is not None
        evaluated = data.has_validation and (stops or bool(user_callbacks))
        callback = _mixture_callback_class()(
            self, controller, plan, matrices, evaluated, full_weight
        )
        est.set_params(callbacks=[*(user_callbacks or []), callback])
        eval_kwargs = self._eval_kwargs(data) if evaluated else {}
        self.eval_set = eval_kwargs.get("eval_set", [])
        fit_kwargs = {
            "sample_weight": self.training_weight(controller.begin(), data, full_weight),
            "verbose": False,
            **eval_kwargs,
            **self.fit_params,
        }
        try:
            with xgboost_capture_matrices(est, matrices) as callback.like_training:
                est.fit(X_fit, y_fit, **fit_kwargs)
        finally:
            # the fitted estimator must not keep our callback (it holds the data)
            est.set_params(callbacks=user_callbacks)
            self.eval_set = []
        if est.get_booster().num_boosted_rounds() < plan.total_steps:
            self.stop_reason = "early_stopping"
        return est

    @staticmethod
    def _eval_kwargs(data) -> dict:
        if not data.has_validation:
            return {}
        return {"eval_set": [(data.X_val, data.y_val)], "sample_weight_eval_set": [data.weight_val]}

    def _train_by_rounds(self, data, plan, controller):
        """The public fallback: one ``fit`` per round, each continuing the booster.

        XGBoost's own early stopping (``early_stopping_rounds``) is applied across
        the rounds here, on the eval metric of every iteration, as one run would.
        """
        est = self.estimator
        params = est.get_params()
        saved = {k: params[k] for k in ("n_estimators", "early_stopping_rounds")}
        patience = saved["early_stopping_rounds"] if data.has_validation else None
        measure, step = controller.measure, controller.begin()
        measured = self._measured_rows(data, measure)
        watch = _EvalWatch(patience)
        booster = None
        try:
            est.set_params(early_stopping_rounds=None)
            for round_index in range(plan.n_rounds):
                est.set_params(n_estimators=plan.steps(round_index))
                est.fit(
                    data.X_train,
                    data.y_train,
                    sample_weight=step.sample_weight(data).astype(np.float32),
                    xgb_model=booster,
                    verbose=False,
                    **self._eval_kwargs(data),
                    **self.fit_params,
                )
                booster = est.get_booster()
                stopped = watch.add(est.evals_result() if data.has_validation else None)
                losses = {
                    name: self.sample_loss(booster, *rows)
                    for name, rows in measured.items()
                    if rows is not None
                }
                losses = RoundLosses.from_samples(round_index + 1, data, measure, **losses)
                step = controller.end_round(losses)
                if step.stop or stopped:
                    break
        finally:
            est.set_params(**saved)
        if watch.stopped:
            self.stop_reason = "early_stopping"
        if watch.best is not None and patience:
            best_score = str(watch.scores[watch.best])
            booster.set_attr(best_iteration=str(watch.best), best_score=best_score)
        return est

    def _measured_rows(self, data, measure) -> dict:
        """The matrices whose losses the round ends read (predicted with all trees)."""
        import xgboost

        est = self.estimator

        def matrix(X):
            return xgboost.DMatrix(
                X, missing=est.missing, enable_categorical=est.enable_categorical
            )

        needs_train = measure.train_rows
        return {
            "val": (matrix(data.X_val), data.y_val) if data.has_validation else None,
            "train": (matrix(data.X_train), data.y_train) if needs_train else None,
        }


class _EvalWatch:
    """XGBoost's early stopping across round-by-round fits: the eval metric of
    every iteration, the best one, and whether ``patience`` iterations passed
    without improvement (XGBoost's rule: ``iteration - best >= patience``)."""

    _MAXIMISED = ("auc", "aucpr", "map", "ndcg", "pre")

    def __init__(self, patience: int | None):
        self.patience = patience
        self.scores: list = []
        self.best = None
        self.stopped = False

    def add(self, evals_result) -> bool:
        if not self.patience or not evals_result:
            return False
        metrics = evals_result[list(evals_result)[-1]]
        name = list(metrics)[-1]  # XGBoost stops on the last metric of the last set
        self.scores += list(metrics[name])
        scores = np.asarray(self.scores)
        maximise = name.split("@")[0] in self._MAXIMISED
        self.best = int(np.argmax(scores) if maximise else np.argmin(scores))
        self.stopped = len(self.scores) - 1 - self.best >= self.patience
        return self.stopped
