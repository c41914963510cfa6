"""What a backend trains on: :class:`TrainingData`, the training and validation
parts of one in-memory fit, encoded."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from .._prior import class_shares_by_group
from .checks import index_dtype, rows_of, take_rows


class TrainingData:
    """What a backend trains on: the training and validation parts, encoded.

    ``y_*`` are class indices for classifiers and floats for regressors;
    ``codes_*`` are group indices in ``0 .. n_groups - 1``; ``weight_*`` are
    the user's sample weights (ones when none were given).

    When the validation part is held out of ``X`` itself, ``train_rows`` and
    ``val_rows`` index ``X`` and the copies ``X_train`` / ``X_val`` are made
    only when a backend first asks for them: a backend that can train on all
    of ``X`` with the held-out rows weighted 0 (XGBoost) never copies the
    training rows.

    The controller reads every fit's data through the same few members
    (:attr:`group_weight`, :attr:`validation_counts`, :attr:`has_validation`,
    :meth:`class_shares`); the distributed fit's data
    (:class:`sklearn_l2m._prepare.dask_data.DaskTrainingData`) has them too.
    """

    #: the rows are arrays on this machine (the controller may take subsets)
    rows_on_client = True

    def __init__(
        self,
        X,
        y,
        weight,
        codes,
        *,
        n_groups,
        n_classes,
        train_rows=None,
        val_rows=None,
        X_val=None,
        y_val=None,
        weight_val=None,
        codes_val=None,
        group_labels=None,
    ):
        self.group_labels = group_labels
        self.X = X
        self.y = y
        self.weight, self.codes = weight, codes
        if train_rows is not None:
            self.__dict__["train_rows"] = train_rows
        self.val_rows = val_rows
        self.n_groups = n_groups
        self.n_classes = n_classes  # None for regression
        if val_rows is not None:
            self.y_val, self.weight_val = y[val_rows], rows_of(weight, val_rows)
            self.codes_val = codes[val_rows]
        else:
            self.y_val, self.weight_val, self.codes_val = y_val, weight_val, codes_val
        self._X_val = X_val

    @cached_property
    def train_rows(self) -> np.ndarray | None:
        """Indices of the training rows in ``X`` (None: all of them), the rows not
        held out; recomputed when read after :meth:`drop_copy`."""
        if self.val_rows is None:
            return None
        kept = np.ones(self.y.shape[0], dtype=bool)
        kept[self.val_rows] = False
        return np.flatnonzero(kept).astype(index_dtype(kept.size), copy=False)

    # the training part's vectors are taken when first read: a backend that trains on
    # all of X (XGBoost) never needs y_train, and unit weights stay a broadcast view
    @cached_property
    def y_train(self) -> np.ndarray:
        return rows_of(self.y, self.train_rows)

    @cached_property
    def weight_train(self) -> np.ndarray:
        return rows_of(self.weight, self.train_rows)

    @cached_property
    def codes_train(self) -> np.ndarray:
        if self.codes is self.y:  # a classifier's default groups are its classes
            return self.y_train
        return rows_of(self.codes, self.train_rows)

    def rows_to_fit(self):
        """``(X, y, weight_buffer)`` for a booster that takes weights: all of ``X``
        with a float32 buffer for the weights of its rows, held-out rows at 0
        (the controller's ``sample_weight_of_X``), when the validation rows are
        rows of ``X`` (no copy of the training rows); else the training part and
        None.

        The training part's cached vectors (its row indices included) are
        forgotten: the weights of all of ``X`` are looked up from
        :attr:`codes_of_X`.
        """
        if self.holds_out_rows_of_X:
            self.drop_copy("train_rows", "y_train", "codes_train", "weight_train")
            return self.X, self.y, np.zeros(self.y.shape[0], dtype=np.float32)
        return self.X_train, self.y_train, None

    @cached_property
    def codes_of_X(self) -> np.ndarray:
        """The group code of every row of ``X``, ``n_groups`` for a held-out row,
        in the smallest unsigned integer type (one byte a row for up to 255 groups)."""
        codes = self.codes.astype(np.min_scalar_type(self.n_groups))
        if self.val_rows is not None:
            codes[self.val_rows] = self.n_groups
        return codes

    def spread(self, weight: np.ndarray, buffer) -> np.ndarray:
        """The training rows' ``weight`` in the rows of ``X`` (see :meth:`rows_to_fit`)."""
        if buffer is None:
            return weight
        buffer[self.train_rows] = weight  # cast on assignment, no copy
        return buffer

    def part_of_X(self, part: str):
        """``(X, rows)``: the ``"train"`` or ``"val"`` part as rows of a data set
        (``rows`` None: all of it), without copying them; for a backend that
        reads the part a piece at a time."""
        if part == "train":
            return self.X, self.train_rows
        if self.holds_out_rows_of_X:
            return self.X, self.val_rows
        return self._X_val, None

    def drop_copy(self, *names: str) -> None:
        """Forget cached parts (``"X_train"``, ``"X_val"``, ``"y_train"``, ...) once the
        library holds the rows in its own format (taken again if read later)."""
        for name in names:
            self.__dict__.pop(name, None)

    def all_rows(self) -> TrainingData:
        """The same rows of ``X`` with nothing held out: for the final fit once the
        held-out part has been read (an offline mixer's search)."""
        return TrainingData(
            self.X,
            self.y,
            self.weight,
            self.codes,
            n_groups=self.n_groups,
            n_classes=self.n_classes,
            group_labels=self.group_labels,
        )

    def sampled(self, shares, rng) -> TrainingData:
        """The training rows of group ``g`` sampled at ``shares[g]`` (by class too for a
        classifier, at least one row of each), each kept row weighing ``n / k`` times
        its weight so that every group keeps its total; the validation part as it is.
        For a run that decides a schedule on fewer rows (the final model replays it
        on every row)."""
        train = np.arange(self.y.shape[0]) if self.train_rows is None else self.train_rows
        strata = self.codes[train] if self.n_classes is None else (
            self.codes[train] * self.n_classes + self.y[train]
        )  # fmt: skip
        share_of_row = np.asarray(shares, dtype=np.float64)[self.codes[train]]
        kept, scale = [], []
        by_stratum = np.argsort(strata, kind="stable")  # (each stratum's rows in order)
        starts = np.unique(strata[by_stratum], return_index=True)[1]
        for rows in np.split(by_stratum, starts[1:]):
            k = min(rows.size, max(1, int(np.ceil(share_of_row[rows[0]] * rows.size))))
            kept.append(rows if k == rows.size else rng.choice(rows, k, replace=False))
            scale.append(np.full(k, rows.size / k))
        order = np.argsort(np.concatenate(kept), kind="stable")
        rows = train[np.concatenate(kept)[order]]
        weight = rows_of(self.weight, rows) * np.concatenate(scale)[order]
        common = dict(n_groups=self.n_groups, n_classes=self.n_classes,
                      group_labels=self.group_labels)  # fmt: skip
        if not self.holds_out_rows_of_X:
            return TrainingData(
                take_rows(self.X, rows), self.y[rows], weight, self.codes[rows], X_val=self._X_val,
                y_val=self.y_val, weight_val=self.weight_val, codes_val=self.codes_val, **common,
            )  # fmt: skip
        both = np.r_[rows, self.val_rows]
        return TrainingData(
            take_rows(self.X, both), self.y[both], np.r_[weight, self.weight_val],
            self.codes[both], train_rows=np.arange(rows.size),
            val_rows=np.arange(rows.size, both.size), **common,
        )  # fmt: skip

    @property
    def n_train(self) -> int:
        return int(self.y_train.shape[0])

    @cached_property
    def group_weight(self) -> np.ndarray:
        """Each group's total training weight."""
        return np.bincount(self.codes_train, weights=self.weight_train, minlength=self.n_groups)

    @cached_property
    def validation_counts(self) -> np.ndarray | None:
        """Validation rows per group (None without a validation part)."""
        if not self.has_validation:
            return None
        return np.bincount(self.codes_val, minlength=self.n_groups)

    def class_shares(self) -> np.ndarray:
        """``(n_groups, n_classes)``: the class shares within each group's training weight."""
        return class_shares_by_group(
            self.codes_train, self.y_train, self.weight_train, self.n_groups, self.n_classes
        )

    @cached_property
    def X_train(self):
        return self.X if self.train_rows is None else take_rows(self.X, self.train_rows)

    @cached_property
    def X_val(self):
        if self.val_rows is not None:
            return take_rows(self.X, self.val_rows)
        return self._X_val

    @property
    def holds_out_rows_of_X(self) -> bool:
        """Whether the validation rows are rows of ``X`` (an internal split)."""
        return self.val_rows is not None

    def X_train_as(self, dtype):
        """The training rows as a C-ordered array of ``dtype``, made in one copy.

        For models that convert their input to ``dtype`` in every ``fit``
        (HistGradientBoosting: float64, forests: float32): converting once here
        saves a conversion per round, and taking the rows and converting in
        chunks never holds a second copy of them. Frames, sparse matrices and
        non-numeric arrays are returned as :attr:`X_train`.
        """
        X = self.X
        if not isinstance(X, np.ndarray) or X.dtype.kind not in "fiub" or X.ndim != 2:
            return self.X_train
        if self.train_rows is None:
            return np.ascontiguousarray(X, dtype=dtype)
        if "X_train" in self.__dict__ and self.X_train.dtype == dtype:
            return np.ascontiguousarray(self.X_train)
        out = np.empty((self.train_rows.size, X.shape[1]), dtype=dtype)
        step = max(1, (1 << 22) // max(X.shape[1], 1))  # about 32 MB of float64 at a time
        for start in range(0, self.train_rows.size, step):
            out[start : start + step] = X[self.train_rows[start : start + step]]
        return out

    def train_subset(self, rows: np.ndarray):
        """Rows ``rows`` (indices into the training part), without copying the rest."""
        source = rows if self.train_rows is None else self.train_rows[rows]
        return take_rows(self.X, source)

    @property
    def has_validation(self) -> bool:
        return self.y_val is not None and len(self.y_val) > 0


#: the error for ``loss_source="validation"`` without any validation data
