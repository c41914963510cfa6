"""Preparing a fit on Dask collections (client side).

The client turns the user's dask collections into lazy ones the workers
train on (encoded target, group codes, training weights, the validation
part) and pulls only per-group totals; the
:class:`~sklearn_l2m.backends._xgboost_dask.XGBoostDaskBackend` then trains in one
distributed run. Nothing here reads or sets the estimator: it states what it
needs in a :class:`~sklearn_l2m._prepare.in_memory.Task` (the in-memory preparation's
too) and returns a :class:`DaskTrainingData`.
"""

from __future__ import annotations

import numpy as np

from .._prior import class_shares_from_joint
from .checks import NEGATIVE_WEIGHTS, is_dask_collection
from .groups import NO_VALIDATION_DATA, check_groups_have_weight, check_validation_pairing
from .in_memory import Task
from .target import bin_codes, check_class_count, check_numeric_dtype


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


def check_dask_features(X, name="X"):
    """Raise unless ``X`` is a 2-D dask array or a dask DataFrame."""
    if not is_dask_collection(X):
        raise TypeError(
            f"An xgboost.dask estimator needs {name} as a dask array or dask DataFrame; "
            f"got {type(X).__name__}. Wrap it with dask.array.from_array or "
            "dask.dataframe.from_pandas."
        )
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-dimensional; got shape {X.shape}.")
    return X


def _as_features(X, name="X"):
    """X as a dask array (2-D, row-partitioned) or dask DataFrame, and its row chunks."""
    import dask.array as da

    check_dask_features(X, name)
    if isinstance(X, da.Array):
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


class DaskTrainingData:
    """What the distributed backend trains on: lazy collections on the cluster
    and the per-group totals the client pulled.

    It offers the members the controller reads of in-memory data
    (:attr:`group_weight`, :attr:`validation_counts`, :attr:`has_validation`,
    :meth:`class_shares`); its rows stay on the workers (``rows_on_client``).
    Held-out rows stay rows of ``X`` (``held_out`` marks them), at training
    weight 0.
    """

    rows_on_client = False

    def __init__(self, X, y, codes, weight, *, group_labels, classes, target_bins):
        self.X, self.y, self.codes, self.weight = X, y, codes, weight
        self.weight_train = weight
        self.group_labels = np.asarray(group_labels)
        self.n_groups = len(group_labels)
        self.classes = classes  # None for a regressor
        self.n_classes = None if classes is None else len(classes)
        #: a regressor's target-bin edges and the bins present (groups without ``groups``)
        self.target_bin_edges, self.bin_labels = target_bins
        self.X_val = self.y_val = self.codes_val = self.weight_val = None
        self.held_out = None  # lazy mask of the rows held out of X
        self._holdout_rule = None  # (fraction, seed): the rule that drew them
        self.group_weight = self.validation_counts = self.shares = None
        self.n_train = 0

    @property
    def has_validation(self) -> bool:
        return self.X_val is not None or self.held_out is not None

    @property
    def holds_out_rows_of_X(self) -> bool:
        return self.held_out is not None

    def class_shares(self) -> np.ndarray:
        """Class shares within each group (the groups are the classes without ``groups``)."""
        return np.eye(self.n_classes) if self.shares is None else self.shares

    def hold_out(self, fraction, seed) -> None:
        """Hold out the rows :func:`_holdout_block` draws; they train at weight 0."""
        import dask.array as da

        mask = self.codes.map_blocks(_holdout_block, fraction, seed, dtype=bool)
        self.held_out, self._holdout_rule = mask, (fraction, seed)
        self.y_val, self.codes_val = self.y[mask], self.codes[mask]
        self.weight_val = self.weight[mask]
        self.weight_train = da.where(mask, 0.0, self.weight)

    def held_out_features(self):
        """The held-out rows of ``X`` as a collection of their own (lazy)."""
        import dask.array as da

        if isinstance(self.X, da.Array):
            return self.X[self.held_out]
        # frames: the same rule per partition (partition i is row chunk i)
        from dask.dataframe.utils import make_meta

        fraction, seed = self._holdout_rule
        return self.X.map_partitions(_holdout_rows, fraction, seed, meta=make_meta(self.X))

    def validation_weight_in_training(self):
        """Every row's validation weight (0 for training rows), lazy."""
        import dask.array as da

        return da.where(self.held_out, self.weight, 0.0)

    def training_weight(self, per_group):
        """Lazy training weights: ``per_group[code]`` times the training weight."""
        return self.codes.map_blocks(_lookup, per_group, dtype=np.float64) * self.weight_train


def prepare_dask_data(X, y, groups, sample_weight, validation, task: Task):
    """The lazy training data of a distributed fit, and the loss source.

    ``validation`` is fit's ``(X_val, y_val, groups_val, sample_weight_val)``.
    """
    return _Preparation(task).run(X, y, groups, sample_weight, validation)


class _Preparation:
    """The steps of :func:`prepare_dask_data`, in order of :meth:`run`."""

    def __init__(self, task: Task):
        self.task = task

    def run(self, X, y, groups, sample_weight, validation):
        task = self.task
        X, y, groups, weight = self._check_data(X, y, groups, sample_weight)
        data, counts, prefetched = self._labels_and_totals(X, y, groups, weight)
        explicit = validation[0] is not None or validation[1] is not None
        loss_source, fraction = task.choose_signal(counts, explicit_validation=explicit)
        if explicit:
            self._explicit_validation(data, validation, groups)
        elif fraction is not None:
            data.hold_out(fraction, task.split_seed)
        if loss_source == "validation" and not data.has_validation:
            raise ValueError(NO_VALIDATION_DATA)
        self._group_totals(data, counts, None if explicit else prefetched.get(fraction))
        if task.is_classifier and groups is not None:  # for the decision prior
            data.shares = self._class_shares(data)
        return data, loss_source

    def _check_data(self, X, y, groups, sample_weight):
        """X, y, groups and weights as dask collections with X's row chunks."""
        import dask.array as da

        X, chunks = _as_features(X)
        if y is None:
            raise ValueError("y is required.")
        y = _as_rows(y, chunks, "y")
        groups = _as_rows(groups, chunks, "groups")
        weight = _as_rows(sample_weight, chunks, "sample_weight")
        weight = da.ones(sum(chunks), chunks=(chunks,)) if weight is None else weight
        return X, y, groups, weight

    def _encode_target(self, y, classes):
        """Lazy class codes (``classes``: the target's distinct labels), or a float target."""
        if self.task.is_classifier:
            check_class_count(classes)
            return _codes_of(y, classes)
        check_numeric_dtype(y.dtype)
        return y.astype(np.float64)

    def _target_bins(self, y_enc):
        """A regressor's groups without ``groups``: quantile bins of the target
        (dask's approximate quantiles); the edges, the bins present, lazy codes."""
        import dask.array as da

        q = np.linspace(0, 100, self.task.n_target_bins + 1)[1:-1]
        edges = np.unique(da.percentile(y_enc, q).compute())
        bins = y_enc.map_blocks(_searchsorted, edges, side="right", dtype=np.intp)
        present = np.flatnonzero(da.bincount(bins, minlength=edges.size + 1).compute())
        lookup = np.searchsorted(present, np.arange(edges.size + 1)).clip(0, present.size - 1)
        return edges, present, bins.map_blocks(_lookup, lookup, dtype=np.intp)

    def _labels_and_totals(self, X, y, groups, weight):
        """The data with its encoded target and group codes, the per-group row
        counts, and the per-group totals the client needs (``{fraction: (train
        weight, held-out rows, any negative weight)}``), in as few passes over
        the data as possible.

        Classes and groups come with every total in ONE pass; a regressor
        without groups first needs the quantiles of its target (its groups).
        """
        import dask
        import dask.array as da

        task = self.task
        fraction = task.validation_fraction
        if task.is_classifier or groups is not None:
            classes, labels, counts, total, kept, held, negative = one_pass_label_stats(
                y, groups, weight, fraction, task.split_seed, classes=task.is_classifier
            )
            classes = classes if task.is_classifier else None
            y_enc = self._encode_target(y, classes)
            codes = y_enc if groups is None else _codes_of(groups, labels)
            target_bins = (None, None)
        else:
            y_enc = self._encode_target(y, None)
            classes = None
            edges, labels, codes = self._target_bins(y_enc)
            target_bins = (edges, labels)
            mask = (
                codes.map_blocks(_holdout_block, fraction, task.split_seed, dtype=bool)
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
        data = DaskTrainingData(
            X, y_enc, codes, weight, group_labels=labels, classes=classes, target_bins=target_bins
        )
        prefetched = {None: (total, None, negative)}
        if fraction is not None:
            prefetched[fraction] = (kept, held, negative)
        return data, counts, prefetched

    def _explicit_validation(self, data, validation, groups):
        """``X_val, y_val, groups_val, sample_weight_val`` as the lazy validation part."""
        import dask.array as da

        X_val, y_val, groups_val, weight_val = validation
        check_validation_pairing(X_val, y_val, groups, groups_val)
        X_val, val_chunks = _as_features(X_val, "X_val")
        y_val = _as_rows(y_val, val_chunks, "y_val")
        if self.task.is_classifier:
            y_val = _codes_of(y_val, data.classes)
        else:
            y_val = y_val.astype(np.float64)
        if groups_val is not None:
            codes_val = _codes_of(_as_rows(groups_val, val_chunks, "groups_val"), data.group_labels)
        elif self.task.is_classifier:
            codes_val = y_val
        else:
            edges, present = data.target_bin_edges, data.bin_labels
            codes_val = y_val.map_blocks(bin_codes, edges, present, dtype=np.intp)
        weight_val = _as_rows(weight_val, val_chunks, "sample_weight_val")
        if weight_val is None:
            weight_val = da.ones(sum(val_chunks), chunks=(val_chunks,))
        data.X_val, data.y_val = X_val, y_val
        data.codes_val, data.weight_val = codes_val, weight_val

    def _group_totals(self, data, counts, totals):
        """Each group's training weight and validation rows: the only reductions
        pulled to the client (``totals``: already fetched)."""
        import dask
        import dask.array as da

        n_groups = data.n_groups
        if totals is not None:
            group_weight, val_count, negative = totals
        else:
            group_weight, val_count, negative = dask.compute(
                da.bincount(data.codes, weights=data.weight_train, minlength=n_groups),
                da.bincount(data.codes_val, minlength=n_groups) if data.has_validation else None,
                (data.weight < 0).any(),
            )
        if negative:
            raise ValueError(NEGATIVE_WEIGHTS.format(input_name="sample_weight"))
        check_groups_have_weight(data.group_labels, group_weight)
        data.group_weight = np.asarray(group_weight, dtype=np.float64)
        data.validation_counts = val_count if data.has_validation else None
        held = np.sum(val_count) if data.holds_out_rows_of_X else 0
        data.n_train = int(np.sum(counts) - held)

    def _class_shares(self, data):
        """Class shares within each group (the decision prior's carry-over)."""
        import dask.array as da

        n_groups, n_classes = data.n_groups, data.n_classes
        joint = da.bincount(
            data.codes * n_classes + data.y,
            weights=data.weight_train,
            minlength=n_groups * n_classes,
        ).compute()
        return class_shares_from_joint(joint, n_groups, n_classes)
