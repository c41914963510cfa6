"""Backend for LightGBM's scikit-learn estimators (CPU or GPU).

ONE boosting run, like the XGBoost backend. A LightGBM callback runs at the
end of every round of ``steps_per_round`` iterations: it reads the model's
output on the rows whose losses the mixer reads, hands the losses to the
controller, and writes the new mixture into the training ``Dataset`` with
``set_field("weight", ...)``. Rows of the training ``Dataset`` (the training
rows; the held-out rows of an internal split, which train at weight 0) are
read from the scores LightGBM keeps for them (:class:`TrainingSetOutput`);
other rows get the new trees' raw scores added to running outputs (public
``Booster.predict(start_iteration=...)``, so each tree is evaluated once on
each row set; all trees every round under DART, which rescales old trees).

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

from .._training.losses import per_sample_loss_in_chunks
from .._training.round_end import RoundLosses
from ._base import Backend, OutputLosses, check_kind
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
#: at most this many bytes of LightGBM's scores of all training ``Dataset`` rows are
#: read at a round end to score the held-out rows (larger: the held-out rows are predicted)
TRAINING_SCORES_BYTES = 2 << 20
#: objectives whose every weight must be positive (no held-out rows at weight 0)
_POSITIVE_WEIGHTS = {"cross_entropy_lambda", "xentlambda"}
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


class TrainingSetOutput(OutputLosses):
    """LightGBM's own output on rows of its training ``Dataset``.

    LightGBM keeps the score of every training row and updates it with each
    tree (DART's rescaled trees included), and hands these scores, converted
    as ``predict`` converts them, to an evaluation function: the public
    ``Booster.eval_train(feval)``. Reading the training losses this way walks
    no tree again, where predicting the training rows every round cost more
    than the round's trees on small tables. The scores are read in
    :meth:`advance` and used at once: LightGBM reuses their buffer.

    Parameters
    ----------
    rows : ndarray of int or None
        The training rows among the ``Dataset``'s rows (None: all of them).
    is_classifier : bool
        Losses are log losses of probabilities (True) or squared errors.
    """

    def __init__(self, rows, *, is_classifier: bool):
        self.rows = rows
        self.is_classifier = is_classifier
        self._scores = None

    def advance(self, booster, n_trees: int) -> None:
        read = []
        booster.eval_train(lambda preds, _dataset: read.append(preds) or [])
        scores = np.asarray(read[0])
        n_classes = scores.size // booster.train_set.num_data()
        if scores.ndim == 1 and n_classes > 1:  # (a flat array, class by class)
            scores = scores.reshape(-1, n_classes, order="F")
        self._scores = scores

    def output(self) -> np.ndarray:
        return self._scores if self.rows is None else self._scores[self.rows]

    def losses(self, y: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        if self.rows is not None:
            rows = self.rows if rows is None else self.rows[rows]
        return per_sample_loss_in_chunks(
            y, self._scores, identity, is_classifier=self.is_classifier, rows=rows
        )


def _rescales_trees(params: dict) -> bool:
    """Whether the model (its ``get_params()``) changes its earlier trees as it grows
    (DART), so that the new trees' raw scores do not add up to its output."""
    kinds = (params.get(name) for name in ("boosting_type", "boosting", "boost"))
    return any(str(kind).lower() == "dart" for kind in kinds if kind is not None)


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

    def _outputs_and_rows(self, data, controller, params: dict):
        """The running outputs on the rows whose losses the controller reads, and
        ``(X, y, weight buffer)`` to fit on (:meth:`TrainingData.rows_to_fit`).

        Held out of ``X``: LightGBM trains on all of ``X`` with the held-out rows at
        weight 0, so the training rows are never copied (their gradients and
        hessians are 0); but cross_entropy_lambda refuses a weight of 0, so it
        trains on a copy of them. Rows of the training ``Dataset`` are read from
        LightGBM's own scores (:class:`TrainingSetOutput`): the training rows, and
        the held-out ones while all rows' scores take little memory; other rows
        are predicted, tree by tree (all trees every round under DART).
        """
        is_classifier = self.is_classifier
        whole_model = _rescales_trees(params)

        def make(X, rows):  # rows of X are predicted a piece at a time, never copied whole
            return BoosterOutput(X, is_classifier=is_classifier, rows=rows, whole_model=whole_model)

        outputs = running_outputs(make, data, controller)
        in_training_set = params.get("objective") not in _POSITIVE_WEIGHTS
        if "train" in outputs:
            rows = data.train_rows if in_training_set else None
            outputs["train"] = TrainingSetOutput(rows, is_classifier=is_classifier)
        n_classes = data.n_classes or 1  # (regression: None)
        n_scores = data.y.shape[0] * (n_classes if n_classes > 2 else 1)
        small = n_scores * 8 <= TRAINING_SCORES_BYTES
        if "val" in outputs and in_training_set and data.holds_out_rows_of_X and small:
            outputs["val"] = TrainingSetOutput(data.val_rows, is_classifier=is_classifier)
        if in_training_set:
            return outputs, data.rows_to_fit()
        return outputs, (data.X_train, data.y_train, None)

    def train(self, data, plan, controller):
        from sklearn.utils.class_weight import compute_sample_weight

        est = self.estimator
        params = est.get_params()  # read once per fit
        class_weight = params.get("class_weight")
        # LightGBM multiplies class_weight into the weights given to fit only;
        # every round's weights must carry it
        class_factor = (
            compute_sample_weight(class_weight, data.y_train)
            if self.is_classifier and class_weight is not None
            else None
        )

        outputs, (X_fit, y_fit, full_weight) = self._outputs_and_rows(data, controller, params)
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
