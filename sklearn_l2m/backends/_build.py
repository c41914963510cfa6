"""Building the backend of one fit: clone, kind check, seed, mixing mode, fit parameters.

The meta-estimator and MixMin (for its proxies) build backends here only.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from .._compat.sklearn_tags import estimator_kind
from ._base import Backend
from ._resolve import backend_class


def clone_inner(estimator):
    """``clone`` with a fix-it hint for models whose constructor copies lists."""
    try:
        return clone(estimator)
    except RuntimeError as error:
        if "Cannot clone object" not in str(error):
            raise
        raise TypeError(
            f"{error}. Learn2Mix trains a clone of the inner model. CatBoost copies "
            "list-valued parameters, which scikit-learn's clone rejects: pass them as "
            "tuples, e.g. CatBoostClassifier(cat_features=('color',))."
        ) from error


def check_inner_kind(inner, *, is_classifier: bool) -> None:
    """Refuse a regressor inside the classifier and a classifier inside the regressor."""
    wanted, other = ("classifier", "regressor") if is_classifier else ("regressor", "classifier")
    if estimator_kind(inner) != other:
        return
    mine = f"Learn2Mix{wanted.capitalize()}"
    theirs = f"Learn2Mix{other.capitalize()}"
    raise TypeError(
        f"{mine} needs a {wanted} as estimator, but {type(inner).__name__} is a {other}. "
        f"Use {theirs} for a {other}, or pass a {wanted}."
    )


def seed_inner(inner, seed: int) -> None:
    """Give the inner model a seed derived from ``random_state`` if it has none."""
    params = inner.get_params(deep=False)
    if "random_state" in params and params["random_state"] is None:
        inner.set_params(random_state=seed)


def build_backend(
    estimator,
    *,
    is_classifier: bool,
    seed: int,
    init_seed: int,
    mixing_mode: str = "auto",
    fit_params: dict | None = None,
) -> Backend:
    """A checked backend around a seeded clone of ``estimator``.

    Parameters
    ----------
    estimator : estimator
        The user's inner model (left untouched).
    is_classifier : bool
        Whether the meta-estimator is a classifier.
    seed : int
        The inner model's seed (when it has none) and the backend's.
    init_seed : int
        Seed of the initial parameters (nets).
    mixing_mode : {"auto", "reweight", "resample"}
        How the mixture reaches training; "auto": the backend's first mode.
    fit_params : dict, optional
        Further arguments of the inner model's ``fit``.
    """
    inner = clone_inner(estimator)
    seed_inner(inner, seed)
    backend = backend_class(inner)(
        inner, is_classifier=is_classifier, random_state=seed, init_seed=init_seed
    )
    backend.fit_params = dict(fit_params or {})
    backend.check()
    mode = backend.mixing_modes[0] if mixing_mode == "auto" else mixing_mode
    if mode not in backend.mixing_modes:
        raise ValueError(
            f"mixing_mode={mixing_mode!r} is not available for {type(inner).__name__}; it "
            f"supports {list(backend.mixing_modes)} (batch resampling needs a neural-net "
            "backend)."
        )
    backend.mixing_mode = mode
    return backend


def cast_input(X, dtype):
    """Float arrays in the dtype the inner model computes in (nets: float32); None: as given."""
    if isinstance(X, dict):
        return {key: cast_input(value, dtype) for key, value in X.items()}
    if dtype is not None and isinstance(X, np.ndarray) and X.dtype != dtype:
        if X.dtype.kind in "fiu":
            return X.astype(dtype)
    return X
