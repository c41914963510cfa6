"""The registry of private hooks: each one's probe, its switch and its fallback warning.

The fast paths of the backends reach into scikit-learn, XGBoost and
xgboost.dask internals that no release promises to keep. Each such use lives
here, under a name in :data:`HOOKS`, and is taken only when

* its probe finds the internal with the shape this library was written for, and
* it is not switched off (:func:`public_api_only`, or the environment
  variable ``SKLEARN_L2M_PUBLIC_API_ONLY=1``).

Otherwise the backend takes a public fallback that gives the same model and
costs more time, and :func:`fast_path` warns once per hook and process, naming
the library version and the cost. So a new upstream release can make a fit
slower, never wrong or broken.

"""

from __future__ import annotations

import contextlib
import inspect
import os
import threading
from dataclasses import dataclass

#: environment variable that switches every private hook off (value "1")
PUBLIC_ONLY_ENV = "SKLEARN_L2M_PUBLIC_API_ONLY"


@dataclass(frozen=True)
class PrivateHook:
    """One use of another library's internals: what it is and what its fallback costs."""

    library: str
    uses: str
    fallback_cost: str


HOOKS = {
    "hgb_bin_once": PrivateHook(
        "scikit-learn",
        "HistGradientBoosting._bin_data, _preprocess_X and _encode_y (check, encode and "
        "bin the training rows once per fit)",
        "each round's warm start checks and bins the training rows again (about 0.07 s "
        "per feature per round on small data)",
    ),
    "sklearn_running_output": PrivateHook(
        "scikit-learn",
        "the ensembles' _raw_predict, _predict_iterations, _baseline_prediction, _loss, "
        "_predictors, _raw_predict_init, _validate_X_predict (add only new members' "
        "outputs each round)",
        "each round predicts every member again: the cost of the round-end losses "
        "grows with rounds x budget",
    ),
    "sklearn_keep_best_round": PrivateHook(
        "scikit-learn",
        "HistGradientBoosting._predictors (drop the iterations after the best round "
        "when the library runs the early stopping)",
        "after early stopping run by the library, HistGradientBoosting keeps every "
        "iteration it fitted, not only the best round's",
    ),
    "xgboost_training_matrix": PrivateHook(
        "xgboost",
        "XGBModel._create_dmatrix (change the training weights inside one boosting run)",
        "one fit per round continuing the previous booster (xgb_model): the training "
        "matrix is built again every round",
    ),
    "sklearn_param_validation": PrivateHook(
        "scikit-learn",
        "sklearn.utils._param_validation (the parameter checks of scikit-learn's own estimators)",
        "this library's own checks of the same constraints: no measurable cost",
    ),
    "xgboost_dask_training_matrix": PrivateHook(
        "xgboost",
        "the worker-local training matrix of xgboost.dask.train, read from its frames",
        "none: a distributed fit cannot re-weight its rows without it and raises",
    ),
}

_state = threading.local()
_warned: set[str] = set()
_warned_lock = threading.Lock()


def _forced_off() -> bool:
    return bool(getattr(_state, "public_only", False)) or os.environ.get(PUBLIC_ONLY_ENV) == "1"


@contextlib.contextmanager
def public_api_only():
    """Within the block (in this thread), every private hook is off: fits take the
    public fallbacks. For tests, and to check that a fit does not depend on them."""
    before = getattr(_state, "public_only", False)
    _state.public_only = True
    try:
        yield
    finally:
        _state.public_only = before


def _version(library: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(library)
    except PackageNotFoundError:
        return "unknown"


def fast_path(name: str, available: bool = True) -> bool:
    """Whether to use private hook ``name``; warns once per process when it is off.

    ``available`` is the hook's probe result.
    """
    if available and not _forced_off():
        return True
    hook = HOOKS[name]
    with _warned_lock:
        first = name not in _warned
        _warned.add(name)
    if first:
        reason = (
            f"switched off ({PUBLIC_ONLY_ENV}=1 or public_api_only())"
            if available
            else f"not found in {hook.library} {_version(hook.library)}"
        )
        from .._warnings import warn_user

        warn_user(
            f"sklearn_l2m's fast path through {hook.uses} is {reason}. It uses the public "
            f"API instead (the same model): {hook.fallback_cost}.",
            FallbackWarning,
        )
    return False


def reset_warnings() -> None:
    """Forget which fallbacks have warned (tests)."""
    with _warned_lock:
        _warned.clear()


class FallbackWarning(UserWarning):
    """A fast path through another library's internals is unavailable or switched off.

    Raised once per process and hook when an installed version of scikit-learn
    or XGBoost lacks an internal this library uses for speed (or when
    ``SKLEARN_L2M_PUBLIC_API_ONLY=1`` is set). The fit then takes the public
    API: the same model, at the cost named in the message.

    Examples
    --------
    >>> import warnings
    >>> from sklearn_l2m.exceptions import FallbackWarning
    >>> warnings.filterwarnings("ignore", category=FallbackWarning)
    """


FallbackWarning.__module__ = "sklearn_l2m.exceptions"


def _parameters(func) -> list[str]:
    try:
        return list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return []
