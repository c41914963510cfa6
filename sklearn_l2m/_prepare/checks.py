"""Input checks that keep the user's types: X, y, sample weights, fit parameters.

``X`` is never converted: rows are taken with scikit-learn's ``_safe_indexing``
(a documented utility) so pandas frames (categorical columns included) and
sparse matrices reach the inner model as the user gave them.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import sparse
from sklearn.utils import _safe_indexing, check_array, column_or_1d


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
    if type(X) is np.ndarray:  # the common case, without _safe_indexing's type checks
        return X.take(rows, axis=0)
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
