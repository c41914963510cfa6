"""Backend for LightGBM's scikit-learn estimators (CPU or GPU).

ONE boosting run, like the XGBoost backend. A LightGBM callback runs at the
end of every round of ``steps_per_round`` iterations: it adds the new trees'
raw scores to running outputs on the rows whose losses the mixer reads
(public ``Booster.predict(start_iteration=...)``, so each tree is evaluated
once on each row set), hands the losses to the controller, and writes the new
mixture into the training ``Dataset`` with ``set_field("weight", ...)``.

Why that is exact: LightGBM's objective functions keep a pointer to the
``Dataset``'s weight array (``Metadata::weights()``) and read it at every
gradient computation; ``set_field`` overwrites that array in place when it
already exists, so the next iteration's gradients and hessians use the new
weights. ``tests/backends/test_lightgbm.py`` replays the recorded mixtures as separate
continued trainings and gets the same model bit for bit.

When the validation part is held out of ``X``, LightGBM trains on all of ``X``
with the held-out rows at weight 0, as the XGBoost backend does: their
gradients and hessians are 0, so their labels never reach a tree, and the
training rows are never copied. Their features still count where LightGBM
counts rows rather than weight (``min_data_in_leaf``, the sample its bin
boundaries come from).

One trap: the Python package drops a weight vector of all ones (``weight=None``),
so the C++ side then has no array and later weights would be silently
ignored. The first round's weights are therefore handed over with one entry
at the float64 number just above 1, which LightGBM's check does not see as
one and its float32 storage rounds back to exactly 1.0. The first round
verifies that the weight field exists and stops with an error otherwise.

Everything the user set (``n_estimators`` as the total budget, ``device_type``,
``class_weight``, categorical columns of a DataFrame, ...) passes through;
``estimator_`` is an ordinary fitted LightGBM estimator.
"""

from __future__ import annotations

import numpy as np

from .._training.round_end import RoundLosses
from ._base import Backend, check_kind
from ._output import (
    RawScoreOutput,
    identity,
    running_outputs,
    sigmoid,
    softmax,
)

_IDENTITY = {
    "regression", "regression_l2", "l2", "mean_squared_error", "mse", "l2_root",
    "root_mean_squared_error", "rmse", "regression_l1", "l1", "mean_absolute_error",
    "mae", "huber", "fair", "quantile", "mape", "mean_absolute_percentage_error",
}  # fmt: skip
_EXP = {"poisson", "gamma", "tweedie"}
_SIGMOID = {"binary", "multiclassova", "multiclass_ova", "ova", "ovr"}


class BoosterOutput(RawScoreOutput):
    """A LightGBM ``Booster``'s output on fixed rows."""

    def raw(self, booster, X, start, stop):
        return booster.predict(X, start_iteration=start, num_iteration=stop - start, raw_score=True)

    def predict(self, booster, X, stop):
        return booster.predict(X, num_iteration=stop)

    def link(self, booster):
        objective = str(booster.params.get("objective", "regression"))
        scale = float(booster.params.get("sigmoid", 1.0))
        if self.is_classifier:
            if objective in _SIGMOID:
                return lambda raw: sigmoid(scale * raw)
            if objective in ("multiclass", "softmax"):
                return softmax
            if objective in ("cross_entropy", "xentropy"):
                return sigmoid
            return None
        if objective in _IDENTITY:
            return identity
        return np.exp if objective in _EXP else None


def _live_weight(weight: np.ndarray) -> np.ndarray:
    """Weights LightGBM stores even when they are all ones (see the module docstring)."""
    if weight.size and np.all(weight == 1.0):
        weight = np.array(weight, dtype=np.float64)
        weight[0] = np.nextafter(1.0, 2.0)  # float32(1 + 2**-52) == 1.0
    return weight


def _mixture_callback(backend, controller, plan, outputs, class_factor, full_weight):
    import lightgbm

    round_ends, data, measure = plan.round_ends(), controller.data, controller.measure

    def callback(env):
        done = env.iteration + 1 - env.begin_iteration
        if done == 1 and env.model.train_set.get_field("weight") is None:
            raise RuntimeError(
                "LightGBM dropped the training weights, so Learn2Mix cannot change them "
                "during the run. This LightGBM version is not supported by the in-run "
                "backend; please report it with `lightgbm.__version__`."
            )
        if done not in round_ends:
            return
        for output in outputs.values():
            output.advance(env.model, done)
        losses = RoundLosses.from_outputs(round_ends[done], data, measure, outputs)
        step = controller.end_round(losses)
        if step.stop:
            raise lightgbm.callback.EarlyStopException(env.iteration, [])
        weight = backend.training_weight(step, data, class_factor, full_weight)
        env.model.train_set.set_field("weight", weight.astype(np.float32, copy=False))

    callback.order = 100  # after LightGBM's own callbacks (logging, recording)
    return callback


class LightGBMBackend(Backend):
    """Mix inside one LightGBM boosting run."""

    step_unit = "boosting iteration"

    def keep_steps(self, fitted, n_steps: int):
        # LightGBM's predict uses the booster's best_iteration (a public attribute)
        fitted.booster_.best_iteration = int(n_steps)
        return fitted

    def check(self) -> None:
        import lightgbm

        est = self.estimator
        kinds = (lightgbm.LGBMClassifier, lightgbm.LGBMRegressor)
        check_kind(est, *kinds, is_classifier=self.is_classifier)
        if callable(est.get_params().get("objective")):
            raise ValueError(
                "Learn2Mix cannot read per-sample losses from a LightGBM model with a "
                "custom objective function; use a built-in objective (a string)."
            )

    def budget(self) -> int:
        return int(self.estimator.get_params()["n_estimators"])

    def set_budget(self, total_steps: int) -> None:
        self.estimator.set_params(n_estimators=int(total_steps))

    @staticmethod
    def training_weight(step, data, class_factor, full_weight=None) -> np.ndarray:
        """The mixture's weights (``step``: a ``RoundEnd``) times LightGBM's own
        ``class_weight`` factor; with ``full_weight``, written into the rows of all
        of ``X`` (held-out rows at 0)."""
        if class_factor is None:
            if full_weight is not None:
                return step.sample_weight_of_X(data, full_weight)
            return step.sample_weight(data)
        weight = step.sample_weight(data) * class_factor
        return data.spread(weight, full_weight)

    def train(self, data, plan, controller):
        from sklearn.utils.class_weight import compute_sample_weight

        est = self.estimator
        class_weight = est.get_params().get("class_weight")
        # LightGBM multiplies class_weight into the weights given to fit only;
        # every round's weights must carry it
        class_factor = (
            compute_sample_weight(class_weight, data.y_train)
            if self.is_classifier and class_weight is not None
            else None
        )

        def make(X, rows):  # rows of X are predicted a piece at a time, never copied whole
            return BoosterOutput(X, is_classifier=self.is_classifier, rows=rows)

        outputs = running_outputs(make, data, controller)
        # held out of X: train on all of X with the held-out rows at weight 0, so the
        # training rows are never copied (their gradients and hessians are 0)
        X_fit, y_fit, full_weight = data.rows_to_fit()
        callback = _mixture_callback(self, controller, plan, outputs, class_factor, full_weight)
        first = self.training_weight(controller.begin(), data, class_factor, full_weight)
        first = _live_weight(first)
        # the class factor is in every round's weights: LightGBM must not add it again
        est.set_params(class_weight=None)
        try:
            est.fit(
                X_fit,
                y_fit,
                sample_weight=first,
                callbacks=[callback],
                **self.fit_params,
            )
        finally:
            est.set_params(class_weight=class_weight)
        return est
