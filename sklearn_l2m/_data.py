"""Input checks, group encoding and the held-out validation split.

Everything here runs once per fit. ``X`` is never converted: rows are taken
with scikit-learn's ``_safe_indexing`` so pandas frames (categorical columns
included) and sparse matrices reach the inner model as the user gave them.
"""

from __future__ import annotations

import sys
from functools import cached_property

import numpy as np
from scipy import sparse
from sklearn.utils import _safe_indexing, check_array, column_or_1d

from ._prior import class_shares_by_group
from ._warnings import warn_user


def check_X(X, *, input_name: str = "X"):
    """Light check of ``X`` that keeps its type (frame, sparse matrix or array).

    Values are left to the inner model, which knows whether it accepts NaN,
    categories or sparse input.
    """
    is_frame = hasattr(X, "iloc") or hasattr(X, "__dataframe__")
    if is_frame and not sparse.issparse(X):
        if len(getattr(X, "shape", (0, 0))) != 2:
            raise ValueError(f"{input_name} must be 2-D; got shape {X.shape}.")
        if X.shape[0] == 0:
            raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) in {input_name}.")
        return X
    X = check_array(
        X,
        accept_sparse=["csr", "csc", "coo"],
        dtype=None,
        ensure_all_finite=False,
        input_name=input_name,
    )
    if sparse.issparse(X) and X.format == "coo":
        X = X.tocsr()  # row indexing
    if X.dtype.kind == "O":
        # Let numbers stored as objects through; strings are the inner model's call.
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError):
            pass
    return X


def _is_tensor(X) -> bool:
    return type(X).__module__.startswith("torch") and hasattr(X, "shape")


def check_net_input(X, *, input_name: str = "X"):
    """Check of a neural net's input along the sample axis only.

    skorch takes arrays and tensors of any rank (images as ``(n, 1, 28, 28)``)
    and dicts of them (several inputs to ``forward``); the net checks the rest.
    2-D arrays, frames and sparse matrices get :func:`check_X`.
    """
    if isinstance(X, dict):
        if not X:
            raise ValueError(f"{input_name} is an empty dict; give the net at least one input.")
        lengths = {
            key: n_rows(check_net_input(v, input_name=f"{input_name}[{key!r}]"))
            for key, v in X.items()
        }
        if len(set(lengths.values())) != 1:
            raise ValueError(
                f"The arrays of the dict {input_name} must have the same number of rows "
                f"(samples); got {lengths}."
            )
        return X
    if _is_tensor(X) or (isinstance(X, np.ndarray) and X.ndim > 2):
        if X.ndim == 0 or X.shape[0] == 0:
            raise ValueError(
                f"Found {input_name} with 0 sample(s) (shape={tuple(X.shape)}); the first "
                "axis is the sample axis."
            )
        return X
    return check_X(X, input_name=input_name)


def is_dask_collection(obj) -> bool:
    """True for dask arrays / frames (without importing dask when it is not loaded)."""
    if "dask" not in sys.modules:
        return False
    import dask

    return dask.is_dask_collection(obj)


def is_plain_table(X) -> bool:
    """Whether ``X`` is what scikit-learn validates: 2-D array, frame or sparse matrix."""
    return not isinstance(X, dict) and not _is_tensor(X) and getattr(X, "ndim", 2) == 2


def n_rows(X) -> int:
    """Number of samples of ``X``, dicts of inputs and tensors included."""
    if isinstance(X, dict):
        return n_rows(next(iter(X.values())))
    if _is_tensor(X) or hasattr(X, "shape"):
        return int(X.shape[0])
    if not hasattr(X, "__len__"):
        raise TypeError(f"Expected an array-like of samples; got {type(X).__name__}.")
    return len(X)


def take_rows(X, rows):
    """Rows ``rows`` of ``X``: scikit-learn's ``_safe_indexing``, extended to dicts and
    tensors (whose ``take`` would flatten)."""
    if isinstance(X, dict):
        return {key: take_rows(value, rows) for key, value in X.items()}
    if _is_tensor(X):
        import torch

        return X[torch.as_tensor(rows, device=X.device)]
    return _safe_indexing(X, rows)


def check_target(y, *, input_name: str = "y") -> np.ndarray:
    """1-D target without NaN or inf."""
    y = column_or_1d(y, warn=True, dtype=None)
    if y.dtype.kind in "fc" and not np.all(np.isfinite(y)):
        raise ValueError(
            f"Input {input_name} contains NaN or infinity. Remove those samples or "
            "impute the target first."
        )
    if y.dtype.kind == "O":
        values = [v for v in y if isinstance(v, float)]
        if any(np.isnan(v) for v in values):
            raise ValueError(f"Input {input_name} contains NaN. Remove those samples first.")
    return y


def check_fit_params(fit_params: dict, X) -> None:
    """Refuse per-sample arrays among the inner model's fit parameters.

    Rows are held out and reweighted before they reach the inner model, so a
    per-sample array (a base margin, an init score) would no longer line up
    with them; fit-wide settings (categorical columns, names, verbosity) pass.
    """
    n_samples = n_rows(X) if not hasattr(X, "dask") else None
    for name, value in fit_params.items():
        if isinstance(value, (list, tuple, str, dict)) or not hasattr(value, "shape"):
            continue
        if len(value.shape) and n_samples is not None and value.shape[0] == n_samples:
            raise ValueError(
                f"The fit parameter {name!r} has one entry per sample; Learn2Mix holds "
                "rows out and reweights them, so per-sample fit parameters cannot reach "
                "the inner model. Pass sample weights as sample_weight, groups as "
                "groups, and give the inner model fit-wide settings only."
            )


#: the message for negative weights, in memory and on Dask
NEGATIVE_WEIGHTS = "Invalid {input_name}: Negative values are not allowed."


def unit_weights(n: int) -> np.ndarray:
    """``n`` weights of one as a read-only broadcast view: no memory per row."""
    return np.broadcast_to(np.float64(1.0), (n,))


def rows_of(vector: np.ndarray, rows) -> np.ndarray:
    """``vector[rows]`` (all of it when ``rows`` is None), a broadcast view staying one."""
    if rows is None:
        return vector
    if vector.ndim == 1 and vector.strides == (0,) and vector.size:
        return np.broadcast_to(vector[0], (len(rows),))
    return vector[rows]


def index_dtype(n: int):
    """The smallest of int32 / intp that indexes ``n`` rows (half the memory of intp)."""
    return np.int32 if n < np.iinfo(np.int32).max else np.intp


def check_weights(sample_weight, X, *, input_name: str = "sample_weight") -> np.ndarray:
    """Non-negative, finite, not all zero; ones (a broadcast view) when ``None``."""
    n_samples = n_rows(X)
    if sample_weight is None:
        return unit_weights(n_samples)
    if np.isscalar(sample_weight):
        weights = np.full(n_samples, sample_weight, dtype=np.float64)
    else:
        try:
            weights = np.asarray(sample_weight, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Invalid {input_name}: expected numbers; {exc}") from exc
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(
            f"Invalid {input_name}: expected shape ({n_samples},), one weight per "
            f"sample; got {weights.shape}."
        )
    if not np.all(np.isfinite(weights)):
        raise ValueError(f"{input_name} contains NaN or infinity.")
    if np.any(weights < 0):
        raise ValueError(NEGATIVE_WEIGHTS.format(input_name=input_name))
    if weights.sum() <= 0:
        raise ValueError(
            f"{input_name} sums to zero: at least one sample needs a non-zero, positive weight."
        )
    return weights


def encode_groups(groups, n_samples: int, *, input_name: str = "groups"):
    """Sorted unique labels and integer codes of a ``groups`` vector."""
    if groups is None:
        raise ValueError(f"{input_name} is None.")
    values = np.asarray(groups)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values.ravel()
    if values.ndim != 1:
        raise ValueError(
            f"{input_name} must be 1-D (one label per sample); got shape {values.shape}."
        )
    if values.shape[0] != n_samples:
        raise ValueError(
            f"{input_name} has {values.shape[0]} entries but X has {n_samples} samples; "
            f"pass one group label per sample."
        )
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise ValueError(f"{input_name} contains NaN; give every sample a group label.")
    if values.dtype.kind == "O":
        if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in values):
            raise ValueError(
                f"{input_name} contains missing values; give every sample a group label."
            )
    try:
        labels, codes = np.unique(values, return_inverse=True)
    except TypeError as exc:
        raise TypeError(
            f"{input_name} labels must be mutually comparable (all numbers or all "
            f"strings); got {exc}."
        ) from None
    return labels, codes.reshape(-1).astype(np.intp)


def codes_for(labels: np.ndarray, values, *, input_name: str) -> np.ndarray:
    """Codes of ``values`` in an existing sorted label set; error on unknowns."""
    values = np.asarray(values)
    codes = np.searchsorted(labels, values)
    codes = np.clip(codes, 0, len(labels) - 1)
    unknown = labels[codes] != values
    if np.any(unknown):
        raise ValueError(
            f"{input_name} contains labels not seen in the training data: "
            f"{np.unique(values[unknown]).tolist()[:10]}. Every validation group "
            "must also appear in training."
        )
    return codes.astype(np.intp)


def stratified_holdout(strata: np.ndarray, fraction: float, rng, weight=None) -> np.ndarray:
    """Boolean mask of validation rows: ``fraction`` of every stratum, rounded.

    Only rows with positive ``weight`` are held out, and every stratum keeps
    at least one of them for training, so no class or group loses its
    training weight; rows of weight 0 stay in training, where they count for
    nothing (so adding or removing them changes neither part). A stratum too
    small for a validation row gets none (the controller then measures that
    group on its training rows and warns).
    """
    positive = np.ones(strata.shape[0], dtype=bool) if weight is None else weight > 0
    mask = np.zeros(strata.shape[0], dtype=bool)
    candidates = np.flatnonzero(positive)
    order = candidates[np.argsort(strata[candidates], kind="stable")]
    bounds = np.flatnonzero(np.diff(strata[order])) + 1
    for members in np.split(order, bounds):
        n_val = min(int(np.floor(fraction * members.size + 0.5)), members.size - 1)
        if n_val > 0:
            mask[rng.choice(members, size=n_val, replace=False)] = True
    return mask


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
    (:class:`sklearn_l2m._dask.DaskTrainingData`) has them too.
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
NO_VALIDATION_DATA = (
    "loss_source='validation' needs validation data: set validation_fraction, pass "
    "X_val and y_val to fit, or use loss_source='train'."
)


def check_validation_pairing(X_val, y_val, groups, groups_val, *, target_without_groups=False):
    """Fit's validation arguments go together; the same rules in memory and on Dask.

    ``target_without_groups``: MixMin's target data may belong to no group, so
    ``groups`` without ``groups_val`` is allowed.
    """
    if (X_val is None) != (y_val is None):
        raise ValueError("Pass both X_val and y_val, or neither.")
    if X_val is None:
        return
    if groups is None and groups_val is not None:
        raise ValueError(
            "fit got groups_val but no groups: pass the group of every training "
            "sample too, or leave groups_val out (then the groups are the classes, or "
            "the target bins of a regressor)."
        )
    if groups is not None and groups_val is None and not target_without_groups:
        raise ValueError(
            "fit got groups but no groups_val: pass the group of every validation "
            "sample too (or, for mixer='mixmin', X_val and y_val alone as the target "
            "data)."
        )


def warn_missing_validation_groups(labels, val_counts, *, explicit=False) -> None:
    """Warn about groups without validation rows (``val_counts``: rows per group)."""
    present = np.asarray(val_counts) > 0
    if present.all():
        return
    missing = np.asarray(labels)[~present].tolist()
    if explicit:
        cause = "no samples in the validation set you passed (X_val / groups_val)"
        fix = "add samples of these groups to X_val to measure them on held-out data"
    else:
        cause = "no validation samples (too few samples for validation_fraction)"
        fix = (
            "raise validation_fraction, or pass X_val and y_val holding every group, "
            "to measure them on held-out data"
        )
    warn_user(
        f"Groups {missing[:10]} have {cause}. Their mixture follows their training "
        f"loss instead; {fix}.",
        UserWarning,
    )


def check_groups_have_weight(labels, group_weight) -> None:
    """Every group needs training samples with positive weight to be mixed."""
    empty = np.asarray(group_weight) <= 0
    if empty.any():
        raise ValueError(
            f"Groups {np.asarray(labels)[empty].tolist()[:10]} have no training "
            "samples with positive sample_weight; a group cannot be mixed without "
            "data. Drop those samples or give them positive weight."
        )
