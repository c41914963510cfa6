"""Learn2Mix inside ONE distributed ``xgboost.dask`` boosting run.

The same design as the single-machine XGBoost backend, spread over the
workers: every worker trains on its local partitions, and a copy of
:class:`DaskMixtureCallback` runs on each of them at every round end.

* Losses are computed where the data lives: each worker evaluates its local
  validation (and, if needed, training) rows from the booster's cached
  predictions and sums them per group; one ``xgboost.collective.allreduce``
  of ``4 x n_groups`` numbers gives every worker the global per-group means.
* Every worker holds the same controller and receives the same numbers, so
  all of them compute the same mixture without further communication, and
  write it into their local training matrix with ``DMatrix.set_weight``.
* Each row's group code travels inside the training matrix as its
  ``label_lower_bound`` (a field only the ``survival:aft`` objective reads,
  which this backend refuses), so the codes are partitioned and placed with
  the rows by XGBoost itself.
* Rows held out of ``X`` stay in the training matrix at weight 0 (as on one
  machine) with their validation weight in ``label_upper_bound``; their
  losses come from the training matrix's cached predictions, so no
  validation matrix is built. An explicit ``X_val``, a user's
  ``eval_metric`` or early stopping (which need XGBoost's own evaluation),
  and data whose margins take more than :data:`IN_TRAINING_MARGIN_BYTES`
  (XGBoost returns the margins of every training row) use a separate
  validation matrix.
* The per-group losses come back with the booster (a booster attribute); the
  client replays them through its own controller, which reproduces the
  workers' mixture history exactly.

Nothing row-sized is pulled to the client: only per-group sums, the classes
and the target-bin edges.
"""

from __future__ import annotations

import json

import numpy as np
from sklearn.base import clone

from .._compat.hooks import PUBLIC_ONLY_ENV
from .._compat.xgboost import xgboost_dask_local_matrices
from .._prepare.checks import unit_weights
from .._prepare.dask_data import check_dask_features
from .._training.losses import group_sums
from .._training.round_end import RoundLosses, lookup_weights
from ._base import check_kind
from ._output import booster_sample_loss
from ._xgboost import XGBoostBackend

#: the oldest XGBoost major release the Dask backend is tested with
MIN_XGBOOST_MAJOR = 3

#: the held-out rows are measured inside the training matrix while the margins of
#: all its rows (rows x outputs x 4 bytes, over the cluster) stay below this; XGBoost
#: returns the margins of every row, and the first such call on a worker holds about
#: three copies of its rows' margins (115 MB per million rows of 10 classes:
#: ``python -m benchmarks distributed --predict-cost``). Above it, the held-out rows
#: get a validation matrix of their own (10% of the rows by default).
IN_TRAINING_MARGIN_BYTES = 256 << 20

#: booster attribute carrying the per-round losses back to the client
HISTORY_ATTR = "sklearn_l2m_history"


def _local_matrices():
    """The worker-local training matrix and eval list of the running ``xgboost.train``."""
    found = xgboost_dask_local_matrices()
    if found is not None:
        return found
    import xgboost

    raise RuntimeError(
        f"sklearn_l2m could not reach the worker's training matrix in xgboost "
        f"{xgboost.__version__} (or {PUBLIC_ONLY_ENV}=1 is set), and a distributed fit "
        "cannot change its rows' weights without it. Fit an in-memory XGBoost model "
        "on X.compute(), or use an xgboost version listed in the documentation."
    )


class _DaskRoundEnds:
    """What the callback does at a round end on one worker (XGBoost-free logic).

    Local per-group loss sums, one allreduce, the controller's round end, new
    local weights. Every round's summed losses are kept for the client's replay.
    """

    def __init__(self, controller, round_ends, is_classifier, val_in_train=False):
        super().__init__()
        self.val_in_train = val_in_train  # held-out rows ride in dtrain (weight 0)
        self.controller = controller
        self.round_ends = dict(round_ends)
        self.is_classifier = is_classifier
        #: the per-group factor the training weights were sent with
        self.start_scale = controller.begin().scale
        self.dtrain = None
        #: every round's (val, train) sums as lists, for the client's replay
        self.sums_history: list = []

    def _bind(self):
        self.dtrain, evals = _local_matrices()
        self.dval = next((m for m, name in evals if name == "validation"), None)
        # per-row vectors in their smallest types (the worker holds millions of rows)
        n_groups = self.controller.group_weight.size
        codes = self.dtrain.get_float_info("label_lower_bound")
        self.codes = codes.astype(np.min_scalar_type(n_groups))
        # weights as sent: user weight x start scale (0 if held out), float32 as stored
        self.base_weight = self.dtrain.get_weight()
        if self.base_weight.size == 0:
            self.base_weight = unit_weights(self.codes.size)
        self.weight_buffer = np.empty(self.codes.size, dtype=np.float32)
        # the user's weights of the local rows, read only for training losses
        self.user_weight = (
            self.base_weight / self.start_scale[self.codes]
            if self.controller.needs_train_loss
            else None
        )
        if self.val_in_train:
            val_weight = self.dtrain.get_float_info("label_upper_bound")
            self.val_rows = np.flatnonzero(val_weight > 0)
            self.val_weight = val_weight[self.val_rows].astype(np.float64)

    def _val_sums(self, model):
        if not self.val_in_train:
            return self._sums(model, self.dval)
        n_groups = self.controller.group_weight.size
        if self.val_rows.size == 0:
            return np.zeros(n_groups), np.zeros(n_groups)
        y = self.dtrain.get_label()[self.val_rows]
        loss = booster_sample_loss(model, self.dtrain, y, self.is_classifier, self.val_rows)
        return group_sums(loss, self.codes[self.val_rows], n_groups, self.val_weight)

    def _sums(self, model, dmatrix, weight=None):
        n_groups = self.controller.group_weight.size
        if dmatrix is None or dmatrix.num_row() == 0:
            return np.zeros(n_groups), np.zeros(n_groups)
        loss = booster_sample_loss(model, dmatrix, dmatrix.get_label(), self.is_classifier)
        codes = dmatrix.get_float_info("label_lower_bound").astype(np.intp)
        if weight is None:
            weight = dmatrix.get_weight()
            weight = weight if weight.size else None
        return group_sums(loss, codes, n_groups, weight)

    def after_iteration(self, model, epoch, evals_log):
        if epoch + 1 not in self.round_ends:
            return False
        from xgboost import collective

        if self.dtrain is None:
            self._bind()
        val = self._val_sums(model)
        wants_train = self.controller.needs_train_loss
        train = self._sums(model, self.dtrain, self.user_weight) if wants_train else val
        total = collective.allreduce(np.concatenate([*val, *train]), collective.Op.SUM)
        val_loss, val_weight, train_loss, train_weight = np.split(total, 4)
        has_val = self.dval is not None or self.val_in_train
        losses = RoundLosses(
            self.round_ends[epoch + 1],
            val=(val_loss, val_weight) if has_val else None,
            train=(train_loss, train_weight) if wants_train else None,
        )
        self.sums_history.append(
            [
                None if s is None else [part.tolist() for part in s]
                for s in (losses.val, losses.train)
            ]
        )
        step = self.controller.end_round(losses)
        scale = step.scale / self.start_scale
        weight = lookup_weights(scale, self.codes, self.base_weight, self.weight_buffer)
        self.dtrain.set_weight(weight)
        return step.stop

    def after_training(self, model):
        model.set_attr(**{HISTORY_ATTR: json.dumps(self.sums_history)})
        return model


def _mixture_callback_class():
    """The XGBoost callback class (built lazily: xgboost is optional)."""
    import xgboost

    class DaskMixtureCallback(_DaskRoundEnds, xgboost.callback.TrainingCallback):
        """Round ends inside one distributed boosting run (see :class:`_DaskRoundEnds`)."""

    return DaskMixtureCallback


class XGBoostDaskBackend(XGBoostBackend):
    """Mix inside ONE distributed ``xgboost.dask`` boosting run (see the module).

    Trains on :class:`~sklearn_l2m._prepare.dask_data.DaskTrainingData`; the controller it
    is given stays on the client and replays the workers' losses, so it ends
    in the same state as theirs.
    """

    distributed = True

    def check(self) -> None:
        import xgboost
        import xgboost.dask as xd

        if int(xgboost.__version__.split(".")[0]) < MIN_XGBOOST_MAJOR:
            raise ImportError(
                f"The Dask backend needs xgboost>={MIN_XGBOOST_MAJOR}.0; xgboost "
                f"{xgboost.__version__} is installed (its Dask models loaded from a "
                "booster predict probabilities of the wrong shape). Upgrade with "
                "pip install 'sklearn-l2m[dask]', or fit an in-memory model on X.compute()."
            )
        est = self.estimator
        check_kind(est, xd.DaskXGBClassifier, xd.DaskXGBRegressor, is_classifier=self.is_classifier)
        if self.fit_params:
            raise TypeError(
                f"Fit parameters {sorted(self.fit_params)} cannot reach a distributed fit "
                "(it trains with xgboost.dask.train, not the model's fit); set them on "
                "the DaskXGBClassifier / DaskXGBRegressor instead."
            )
        if callable(est.objective) or str(est.objective).startswith("survival:"):
            raise ValueError(
                f"objective={est.objective!r} is not supported by the Dask backend; use a "
                "built-in classification or regression objective."
            )

    @classmethod
    def check_input(cls, X, *, input_name="X"):
        return check_dask_features(X, input_name)

    def train(self, data, plan, controller):
        """One ``xgboost.dask.train`` run; the workers' losses replayed on the client."""
        import xgboost.dask as xd

        est = self.estimator
        # the held-out rows are measured inside the training matrix, from its
        # cached predictions, unless XGBoost itself must evaluate them (early
        # stopping, a user's eval_metric) or the margins of all rows are large
        n_outputs = data.n_classes if data.n_classes and data.n_classes > 2 else 1
        margin_bytes = 4 * n_outputs * sum(data.codes.chunks[0])
        val_in_train = data.holds_out_rows_of_X and (
            est.early_stopping_rounds is None
            and est.eval_metric is None
            and margin_bytes <= IN_TRAINING_MARGIN_BYTES
        )
        round_ends = sorted(plan.round_ends().items())
        callback = _mixture_callback_class()(
            controller.detached(), round_ends, self.is_classifier, val_in_train
        )
        # starting weights: the start mixture's, with the user's total weight (held-out rows 0)
        weight0 = data.training_weight(callback.start_scale)
        params, Matrix = self._booster_params(data)
        dtrain, evals = self._matrices(data, weight0.astype(np.float32), Matrix, val_in_train)
        early = est.early_stopping_rounds if evals else None
        if evals and early is None and params.get("eval_metric") is None:
            # the mixture reads the validation predictions at round ends (XGBoost's
            # cache adds only the new trees); no metric is needed at every
            # iteration, each of which would cost an evaluation and an allreduce
            params["disable_default_eval_metric"] = True
        workers = _worker_addresses(est.client)
        try:
            booster = xd.train(
                est.client,
                params,
                dtrain,
                num_boost_round=plan.total_steps,
                evals=evals,
                early_stopping_rounds=early,
                verbose_eval=False,
                callbacks=[*(est.callbacks or []), callback],
            )["booster"]
        except Exception as exc:
            lost = workers - _worker_addresses(est.client)
            if lost:
                raise RuntimeError(
                    f"A Dask worker was lost during the distributed fit ({sorted(lost)}); "
                    "the estimator keeps its previous model. Check the worker's memory "
                    "and logs, then fit again."
                ) from exc
            raise
        _replay_history(booster, controller)
        fitted = clone(est).set_params(n_estimators=plan.total_steps)
        fitted.load_model(bytearray(booster.save_raw("ubj")))
        if booster.num_boosted_rounds() < plan.total_steps:
            self.stop_reason = "early_stopping"
        return fitted

    def _booster_params(self, data):
        """The inner model's XGBoost parameters with the objective for the encoded
        target, and the distributed matrix type to build."""
        import xgboost.dask as xd

        params = self.estimator.get_xgb_params()
        params.pop("coll_cfg", None)
        params = {k: v for k, v in params.items() if v is not None}
        if self.is_classifier and data.n_classes > 2:
            params.update(objective="multi:softprob", num_class=int(data.n_classes))
        elif self.is_classifier:
            params.setdefault("objective", "binary:logistic")
        quantile = params.get("tree_method") in (None, "hist") and params.get("booster") in (
            None,
            "gbtree",
            "dart",
        )
        return params, (xd.DaskQuantileDMatrix if quantile else xd.DaskDMatrix)

    def _matrices(self, data, weight0, Matrix, val_in_train):
        """The distributed training matrix (group codes in ``label_lower_bound``,
        held-out rows' validation weights in ``label_upper_bound``) and the
        evaluation list."""
        import xgboost.dask as xd

        est = self.estimator
        common = dict(enable_categorical=est.enable_categorical, missing=est.missing)
        if Matrix is xd.DaskQuantileDMatrix and est.max_bin is not None:
            common["max_bin"] = est.max_bin  # the booster checks its matrices' bins
        extra = {}
        if val_in_train:
            extra["label_upper_bound"] = data.validation_weight_in_training().astype(np.float32)
        dtrain = Matrix(
            est.client,
            data.X,
            data.y,
            weight=weight0,
            label_lower_bound=data.codes.astype(np.float32),
            **common,
            **extra,
        )
        if not data.has_validation or val_in_train:
            return dtrain, None
        X_val = data.X_val if data.X_val is not None else data.held_out_features()
        ref = {"ref": dtrain} if Matrix is xd.DaskQuantileDMatrix else {}
        dval = Matrix(
            est.client,
            X_val,
            data.y_val,
            weight=data.weight_val,
            label_lower_bound=data.codes_val.astype(np.float32),
            **ref,
            **common,
        )
        return dtrain, [(dval, "validation")]


def _worker_addresses(client) -> set:
    """The addresses of the cluster's workers now (a restarted worker gets a new one)."""
    client = client if client is not None else _default_client()
    try:
        info = client.scheduler_info(n_workers=-1)  # newer distributed lists 5 by default
    except TypeError:
        info = client.scheduler_info()
    return set(info["workers"])


def _default_client():
    from distributed import default_client

    return default_client()


def _replay_history(booster, controller) -> None:
    """Replay the workers' per-round loss sums (a booster attribute) through the
    client's controller, which then ends in the workers' state."""
    history = json.loads(booster.attr(HISTORY_ATTR))
    booster.set_attr(**{HISTORY_ATTR: None})
    for round_index, sums in enumerate(history, start=1):
        val, train = (None if s is None else tuple(np.asarray(a) for a in s) for s in sums)
        controller.end_round(RoundLosses(round_index, val=val, train=train))
