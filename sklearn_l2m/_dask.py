"""Fitting on Dask collections with an ``xgboost.dask`` inner model (client side).

The client prepares lazy dask collections (encoded target, group codes,
training weights, the held-out validation part) and reduces only per-group
totals; the workers train (see :mod:`sklearn_l2m.backends._xgboost_dask`).
"""

from __future__ import annotations

import json
import sys

import numpy as np
from sklearn.base import clone

from ._controller import MixingController
from ._data import (
    NO_VALIDATION_DATA,
    check_groups_have_weight,
    check_validation_pairing,
    warn_missing_validation_groups,
)
from ._prior import class_shares_from_joint
from ._schedule import plan_rounds, warn_single_round
from .mixers import check_mixer


def is_dask_collection(obj) -> bool:
    """True for dask arrays / frames (without importing dask when it is not loaded)."""
    if "dask" not in sys.modules:
        return False
    import dask

    return dask.is_dask_collection(obj)


def is_dask_estimator(estimator) -> bool:
    """True for ``xgboost.dask`` estimators (DaskXGBClassifier, DaskXGBRegressor, ...)."""
    return type(estimator).__module__.startswith("xgboost.dask")


def _as_rows(obj, chunks, name):
    """A 1-D dask array whose row chunks match ``chunks`` (X's partitions)."""
    import dask.array as da

    if obj is None:
        return None
    if is_dask_collection(obj) and not isinstance(obj, da.Array):  # dask Series / frame
        obj = obj.to_dask_array(lengths=True)
    if isinstance(obj, da.Array):
        if obj.ndim == 2 and obj.shape[1] == 1:
            obj = obj[:, 0]
        if obj.ndim != 1:
            raise ValueError(f"{name} must be 1-dimensional; got shape {obj.shape}.")
        if obj.shape[0] != sum(chunks):
            raise ValueError(f"{name} has {obj.shape[0]} rows but X has {sum(chunks)}.")
        return obj.rechunk((chunks,)) if obj.chunks[0] != chunks else obj
    values = np.asarray(obj)
    if values.ndim != 1 or values.shape[0] != sum(chunks):
        raise ValueError(
            f"{name} must be 1-dimensional with one entry per row of X ({sum(chunks)}); "
            f"got shape {values.shape}."
        )
    return da.from_array(values, chunks=(chunks,))


def _as_features(X, name="X"):
    """X as a dask array (2-D, row-partitioned) or dask DataFrame, and its row chunks."""
    import dask.array as da

    if not is_dask_collection(X):
        raise TypeError(
            f"An xgboost.dask estimator needs {name} as a dask array or dask DataFrame; "
            f"got {type(X).__name__}. Wrap it with dask.array.from_array or "
            "dask.dataframe.from_pandas."
        )
    if isinstance(X, da.Array):
        if X.ndim != 2:
            raise ValueError(f"{name} must be 2-dimensional; got shape {X.shape}.")
        if len(X.chunks[1]) > 1:
            X = X.rechunk({1: -1})  # XGBoost needs row partitions holding every column
        if any(np.isnan(c) for c in X.chunks[0]):
            X = X.compute_chunk_sizes()
        return X, X.chunks[0]
    lengths = tuple(int(n) for n in X.map_partitions(len).compute())
    return X, lengths


# Block functions take their tables as arguments, never in a closure: dask names
# a task by its function and arguments, and two fits with different tables must
# not share task names on one cluster.
def _searchsorted(block, sorted_values, side="left"):
    return np.searchsorted(sorted_values, block, side=side)


def _lookup(block, table):
    return table[block]


def _bin_codes(block, edges, present):
    """A regressor's group codes: the target bin of every value, among the bins present."""
    bins = np.searchsorted(edges, block, side="right")
    return np.searchsorted(present, bins).clip(0, present.size - 1)


def _codes_of(values, labels):
    """Lazy codes: the index of every value in the sorted ``labels``."""
    return values.map_blocks(_searchsorted, labels, dtype=np.intp)


def _holdout(n_rows, fraction, seed, partition):
    """Rows of one partition held out for validation (deterministic per partition)."""
    return np.random.default_rng([seed, partition]).random(n_rows) < fraction


def _holdout_block(codes, fraction, seed, block_info=None):
    return _holdout(codes.shape[0], fraction, seed, block_info[0]["chunk-location"][0])


def _holdout_rows(part, fraction, seed, partition_info=None):
    return part[_holdout(len(part), fraction, seed, partition_info["number"])]


def _held_out_features(X, mask, fraction, seed):
    """The held-out rows of X (the same rows ``mask`` marks in the 1-D arrays)."""
    import dask.array as da

    if isinstance(X, da.Array):
        return X[mask]
    # frames: the same rule per partition (partition i is row chunk i)
    return X.map_partitions(_holdout_rows, fraction, seed, meta=X._meta)


def _block_stats(y, key, weight, fraction, seed, partition, classes=True):
    """One block's labels and per-key totals: what the client needs before training.

    ``y``'s distinct labels (the classes; none for a regressor, ``classes=False``),
    the distinct ``key`` labels (the
    groups: ``groups``, or the classes when ``key`` is None), and per key the
    row count, the weight, the weight left for training and the rows held out
    at ``fraction`` (None: no hold-out), the rows :func:`_holdout_block` marks.
    """
    keys, inverse = np.unique(y if key is None else key, return_inverse=True)
    inverse = inverse.reshape(-1)
    held = (
        np.zeros(inverse.size, dtype=bool)
        if fraction is None
        else _holdout(inverse.size, fraction, seed, partition)
    )
    n = keys.size
    return (
        (keys if key is None else np.unique(y)) if classes else np.empty(0),
        keys,
        np.bincount(inverse, minlength=n),
        np.bincount(inverse, weights=weight, minlength=n),
        np.bincount(inverse, weights=np.where(held, 0.0, weight), minlength=n),
        np.bincount(inverse, weights=held.astype(np.float64), minlength=n),
        bool((weight < 0).any()),
    )


def _merge_block_stats(parts):
    """Classes, group labels and per-group totals over all blocks (client side)."""
    classes = np.unique(np.concatenate([p[0] for p in parts]))
    labels = np.unique(np.concatenate([p[1] for p in parts]))
    totals = np.zeros((4, labels.size))
    for part in parts:
        at = np.searchsorted(labels, part[1])
        for row, values in enumerate(part[2:6]):
            np.add.at(totals[row], at, values)
    counts, total, kept, held = totals
    return classes, labels, counts, total, kept, held, any(p[6] for p in parts)


def one_pass_label_stats(y, groups, weight, fraction, seed, *, classes=True):
    """:func:`_block_stats` of every row block, merged: one ``dask.compute``."""
    import dask

    keys = [None] * y.numblocks[0] if groups is None else groups.to_delayed()
    stats = dask.delayed(_block_stats, pure=True)
    parts = [
        stats(yb, kb, wb, fraction, seed, i, classes)
        for i, (yb, kb, wb) in enumerate(zip(y.to_delayed(), keys, weight.to_delayed()))
    ]
    return _merge_block_stats(dask.compute(*parts))


def check_dask_estimator(inner, meta) -> None:
    import xgboost.dask as xd

    expected = xd.DaskXGBClassifier if meta._is_classifier else xd.DaskXGBRegressor
    if not isinstance(inner, expected):
        raise TypeError(
            f"{type(meta).__name__} on Dask collections needs an xgboost.dask."
            f"{expected.__name__} as estimator; got {type(inner).__name__}."
        )
    if callable(inner.objective) or str(inner.objective).startswith("survival:"):
        raise ValueError(
            f"objective={inner.objective!r} is not supported by the Dask backend; use a "
            "built-in classification or regression objective."
        )
    if meta.mixing_mode == "resample":
        raise ValueError(
            "mixing_mode='resample' is not available for xgboost.dask estimators; they "
            "support ['reweight']."
        )


class DaskFit:
    """One ``fit`` of a Learn2Mix meta-estimator on dask collections."""

    def __init__(self, meta, inner, split_seed: int):
        self.meta = meta
        self.inner = inner
        self.split_seed = split_seed

    # -- target and groups (lazy, with small reductions) ----------------------
    def _encode_target(self, y, classes):
        """Lazy class codes (``classes``: the target's distinct labels), or a float target."""
        meta = self.meta
        if meta._is_classifier:
            if classes.size < 2:
                raise ValueError(
                    "Learn2MixClassifier needs samples of at least 2 classes; got "
                    f"{classes.size} class. Check the target."
                )
            meta.classes_ = classes
            return _codes_of(y, classes)
        if y.dtype.kind not in "fiub":
            raise ValueError(f"Learn2MixRegressor needs a numeric target; got dtype {y.dtype}.")
        return y.astype(np.float64)

    def _target_bins(self, y_enc):
        """A regressor's groups without ``groups``: quantile bins of the target (lazy codes)."""
        import dask.array as da

        meta = self.meta
        q = np.linspace(0, 100, meta.n_target_bins + 1)[1:-1]
        edges = np.unique(da.percentile(y_enc, q).compute())  # dask's approximate quantiles
        meta.target_bin_edges_ = edges
        bins = y_enc.map_blocks(_searchsorted, edges, side="right", dtype=np.intp)
        present = np.flatnonzero(da.bincount(bins, minlength=edges.size + 1).compute())
        meta._bin_labels = present
        lookup = np.searchsorted(present, np.arange(edges.size + 1)).clip(0, present.size - 1)
        return present, bins.map_blocks(_lookup, lookup, dtype=np.intp)

    def _labels_and_totals(self, y, groups, weight):
        """Encoded target, group labels and codes, per-group row counts, and the
        per-group totals the client needs (``{fraction: (train weight, held-out
        rows, any negative weight)}``), in as few passes over the data as possible.

        Classes and groups come with every total in ONE pass; a regressor
        without groups first needs the quantiles of its target (its groups).
        """
        import dask
        import dask.array as da

        meta = self.meta
        fraction = meta.validation_fraction
        if meta._is_classifier or groups is not None:
            classes, labels, counts, total, kept, held, negative = one_pass_label_stats(
                y, groups, weight, fraction, self.split_seed, classes=meta._is_classifier
            )
            y_enc = self._encode_target(y, classes if meta._is_classifier else None)
            codes = y_enc if groups is None else _codes_of(groups, labels)
        else:
            y_enc = self._encode_target(y, None)
            labels, codes = self._target_bins(y_enc)
            mask = (
                codes.map_blocks(_holdout_block, fraction, self.split_seed, dtype=bool)
                if fraction is not None
                else da.zeros_like(codes, dtype=bool)
            )
            n = len(labels)
            counts, total, kept, held, negative = dask.compute(
                da.bincount(codes, minlength=n),
                da.bincount(codes, weights=weight, minlength=n),
                da.bincount(codes, weights=da.where(mask, 0.0, weight), minlength=n),
                da.bincount(codes, weights=mask.astype(np.float64), minlength=n),
                (weight < 0).any(),
            )
        prefetched = {None: (total, np.zeros(len(labels)), negative)}
        if fraction is not None:
            prefetched[fraction] = (kept, held, negative)
        return y_enc, labels, codes, counts, prefetched

    # -- fit ----------------------------------------------------------------------
    def fit(self, X, y, groups, sample_weight, validation):
        """Prepare the data, choose the signal, build the run, train; return the
        run's :class:`~sklearn_l2m._base.FitResult`."""
        from ._base import FitResult

        mixer = self._check_mixer()
        X, y, groups, weight = self._check_data(X, y, groups, sample_weight)
        y_enc, labels, codes, counts, prefetched = self._labels_and_totals(y, groups, weight)
        explicit = validation[0] is not None or validation[1] is not None
        loss_source, fraction = self.meta._resolve_loss_source(counts, explicit_validation=explicit)
        if explicit:
            part = self._explicit_validation(validation, groups, labels, weight)
        else:
            part = self._held_out_part(X, y_enc, codes, weight, fraction)
        if loss_source == "validation" and not part.has_val:
            raise ValueError(NO_VALIDATION_DATA)
        totals = None if explicit else prefetched.get(fraction)
        group_weight, missing = self._group_totals(codes, weight, part, labels, loss_source, totals)
        plan, controller = self._run(mixer, labels, loss_source, group_weight, missing)
        if self.meta._is_classifier and groups is not None:  # for the decision prior
            controller.class_shares = self._class_shares(codes, y_enc, part, len(labels))
        fitted, stop = self._train(X, y_enc, codes, part, plan, controller)
        return FitResult(fitted, mixer, labels, controller, plan, stop, loss_source)

    def _check_mixer(self):
        mixer = check_mixer(self.meta.mixer, self.meta.mixing_rate, self.meta.shrinkage)
        check_dask_estimator(self.inner, self.meta)
        if mixer.offline:
            raise ValueError(
                f"{type(mixer).__name__} trains proxy models before the fit and is not "
                "supported on Dask collections; use an adaptive or static mixer."
            )
        return mixer

    def _check_data(self, X, y, groups, sample_weight):
        """X, y, groups and weights as dask collections with X's row chunks."""
        import dask.array as da

        X, chunks = _as_features(X)
        self.meta.n_features_in_ = int(X.shape[1])
        if y is None:
            raise ValueError("y is required.")
        y = _as_rows(y, chunks, "y")
        groups = _as_rows(groups, chunks, "groups")
        weight = _as_rows(sample_weight, chunks, "sample_weight")
        weight = da.ones(sum(chunks), chunks=(chunks,)) if weight is None else weight
        return X, y, groups, weight

    def _explicit_validation(self, validation, groups, labels, weight):
        """``X_val, y_val, groups_val, sample_weight_val`` as a lazy validation part."""
        import dask.array as da

        meta = self.meta
        X_val, y_val, groups_val, weight_val = validation
        check_validation_pairing(X_val, y_val, groups, groups_val)
        X_val, val_chunks = _as_features(X_val, "X_val")
        y_val = _as_rows(y_val, val_chunks, "y_val")
        y_val = _codes_of(y_val, meta.classes_) if meta._is_classifier else y_val.astype(np.float64)
        if groups_val is not None:
            codes_val = _codes_of(_as_rows(groups_val, val_chunks, "groups_val"), labels)
        elif meta._is_classifier:
            codes_val = y_val
        else:
            edges, present = meta.target_bin_edges_, meta._bin_labels
            codes_val = y_val.map_blocks(_bin_codes, edges, present, dtype=np.intp)
        weight_val = _as_rows(weight_val, val_chunks, "sample_weight_val")
        if weight_val is None:
            weight_val = da.ones(sum(val_chunks), chunks=(val_chunks,))
        return _ValidationPart(
            X_val, y_val, codes_val, weight_val, weight_train=weight, explicit=True
        )

    def _held_out_part(self, X, y_enc, codes, weight, fraction):
        """The rows held out of ``X`` (none when ``fraction`` is None)."""
        import dask.array as da

        if fraction is None:
            return _ValidationPart(None, None, None, None, weight_train=weight)
        meta, inner = self.meta, self.inner
        held_out = codes.map_blocks(_holdout_block, fraction, self.split_seed, dtype=bool)
        # the held-out rows stay in the training matrix at weight 0 and their
        # losses come from its cached predictions, unless XGBoost itself must
        # evaluate them (early stopping, a user's eval_metric)
        val_in_train = not (
            meta.early_stopping
            or inner.early_stopping_rounds is not None
            or inner.eval_metric is not None
        )
        X_val = None if val_in_train else _held_out_features(X, held_out, fraction, self.split_seed)
        return _ValidationPart(
            X_val,
            y_enc[held_out],
            codes[held_out],
            weight[held_out],
            weight_train=da.where(held_out, 0.0, weight),
            val_weight_in_train=da.where(held_out, weight, 0.0) if val_in_train else None,
        )

    def _group_totals(self, codes, weight, part, labels, loss_source, totals):
        """Each group's training weight and the groups without validation rows:
        the only reductions pulled to the client (``totals``: already fetched)."""
        import dask
        import dask.array as da

        n_groups = len(labels)
        if totals is not None:
            group_weight, val_count, negative = totals
        else:
            group_weight, val_count, negative = dask.compute(
                da.bincount(codes, weights=part.weight_train, minlength=n_groups),
                da.bincount(part.codes_val, minlength=n_groups)
                if part.has_val
                else np.zeros(n_groups),
                (weight < 0).any(),
            )
        if negative:
            raise ValueError("sample_weight must be non-negative.")
        check_groups_have_weight(labels, group_weight)
        missing = np.zeros(n_groups, dtype=bool)
        if part.has_val and loss_source == "validation":
            missing = val_count == 0
            warn_missing_validation_groups(labels, val_count, explicit=part.explicit)
        return group_weight, missing

    def _run(self, mixer, labels, loss_source, group_weight, missing):
        """The round plan and the client's controller."""
        meta = self.meta
        plan = plan_rounds(
            n_rounds=meta.n_rounds,
            steps_per_round=meta.steps_per_round,
            budget=int(self.inner.get_num_boosting_rounds()),
            stochastic=False,
        )
        if plan.n_rounds == 1 and mixer.moves:
            warn_single_round(plan, "boosting round")
        controller = MixingController(
            mixer,
            None,
            loss_source=loss_source,
            min_weight=meta.min_weight,
            group_labels=labels,
            group_weight=group_weight,
            missing=missing,
        )
        return plan, controller

    def _class_shares(self, codes, y_enc, part, n_groups):
        """Class shares within each group (the decision prior's carry-over)."""
        import dask.array as da

        n_classes = len(self.meta.classes_)
        joint = da.bincount(
            codes * n_classes + y_enc, weights=part.weight_train, minlength=n_groups * n_classes
        ).compute()
        return class_shares_from_joint(joint, n_groups, n_classes)

    def _train(self, X, y_enc, codes, part, plan, controller):
        """One ``xgboost.dask.train`` run; the workers' losses replayed on the client."""
        import xgboost.dask as xd

        from .backends._xgboost_dask import HISTORY_ATTR, _mixture_callback_class

        meta, inner = self.meta, self.inner
        round_ends = [plan.steps_done(r + 1) for r in range(plan.n_rounds)]
        callback = _mixture_callback_class()(
            controller, round_ends, meta._is_classifier, part.val_weight_in_train is not None
        )
        # starting weights: the start mixture's, with the user's total weight (held-out rows 0)
        start = callback.start_multiplier * callback.start_norm
        weight0 = codes.map_blocks(_lookup, start, dtype=np.float64) * part.weight_train
        params, Matrix = self._booster_params()
        dtrain, evals = self._matrices(X, y_enc, codes, weight0.astype(np.float32), part, Matrix)
        # the user's own early_stopping_rounds applies, as on one machine
        early = inner.early_stopping_rounds if evals else None
        if early is None and meta.early_stopping and evals:
            early = meta.n_iter_no_change * plan.steps_per_round
        if evals and early is None and params.get("eval_metric") is None:
            # the mixture reads the validation predictions at round ends (XGBoost's
            # cache adds only the new trees); no metric is needed at every
            # iteration, each of which would cost an evaluation and an allreduce
            params["disable_default_eval_metric"] = True
        booster = xd.train(
            inner.client,
            params,
            dtrain,
            num_boost_round=plan.total_steps,
            evals=evals,
            early_stopping_rounds=early,
            verbose_eval=False,
            callbacks=[*(inner.callbacks or []), callback],
        )["booster"]
        history = json.loads(booster.attr(HISTORY_ATTR))
        booster.set_attr(**{HISTORY_ATTR: None})
        # replay the workers' losses: the client's controller ends in the same state
        objectives = history["objective"] or [None] * len(history["losses"])
        for losses, objective in zip(history["losses"], objectives):
            controller.record(np.asarray(losses, dtype=np.float64), objective)
        fitted = clone(inner).set_params(n_estimators=plan.total_steps)
        fitted.load_model(bytearray(booster.save_raw("ubj")))
        stop = "early_stopping" if booster.num_boosted_rounds() < plan.total_steps else "budget"
        return fitted, stop

    def _booster_params(self):
        """The inner model's XGBoost parameters with the objective for the encoded
        target, and the distributed matrix type to build."""
        import xgboost.dask as xd

        meta = self.meta
        params = self.inner.get_xgb_params()
        params.pop("coll_cfg", None)
        params = {k: v for k, v in params.items() if v is not None}
        if meta._is_classifier and meta.classes_.size > 2:
            params.update(objective="multi:softprob", num_class=int(meta.classes_.size))
        elif meta._is_classifier:
            params.setdefault("objective", "binary:logistic")
        quantile = params.get("tree_method") in (None, "hist") and params.get("booster") in (
            None,
            "gbtree",
            "dart",
        )
        return params, (xd.DaskQuantileDMatrix if quantile else xd.DaskDMatrix)

    def _matrices(self, X, y_enc, codes, weight0, part, Matrix):
        """The distributed training matrix (group codes in ``label_lower_bound``,
        held-out rows' validation weights in ``label_upper_bound``) and the
        evaluation list."""
        import xgboost.dask as xd

        inner = self.inner
        common = dict(enable_categorical=inner.enable_categorical, missing=inner.missing)
        if Matrix is xd.DaskQuantileDMatrix and inner.max_bin is not None:
            common["max_bin"] = inner.max_bin  # the booster checks its matrices' bins
        extra = {}
        if part.val_weight_in_train is not None:
            extra["label_upper_bound"] = part.val_weight_in_train.astype(np.float32)
        dtrain = Matrix(
            inner.client,
            X,
            y_enc,
            weight=weight0,
            label_lower_bound=codes.astype(np.float32),
            **common,
            **extra,
        )
        if part.X_val is None:
            return dtrain, None
        ref = {"ref": dtrain} if Matrix is xd.DaskQuantileDMatrix else {}
        dval = Matrix(
            inner.client,
            part.X_val,
            part.y_val,
            weight=part.weight_val,
            label_lower_bound=part.codes_val.astype(np.float32),
            **ref,
            **common,
        )
        return dtrain, [(dval, "validation")]


class _ValidationPart:
    """The lazy validation part of a distributed fit, and the training weights
    that go with it (held-out rows at 0).

    ``val_weight_in_train``: the validation weight of every row of ``X`` (0 for
    training rows) when the held-out rows are measured inside the training
    matrix; None otherwise (``X_val`` is then a matrix of its own, or absent).
    """

    def __init__(
        self,
        X_val,
        y_val,
        codes_val,
        weight_val,
        *,
        weight_train,
        val_weight_in_train=None,
        explicit=False,
    ):
        self.explicit = explicit  # the user's X_val (not rows held out of X)
        self.X_val, self.y_val = X_val, y_val
        self.codes_val, self.weight_val = codes_val, weight_val
        self.weight_train = weight_train
        self.val_weight_in_train = val_weight_in_train

    @property
    def has_val(self) -> bool:
        return self.X_val is not None or self.val_weight_in_train is not None
