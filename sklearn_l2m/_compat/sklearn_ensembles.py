"""scikit-learn's ensemble internals: HistGradientBoosting's binning, the running
outputs of growing ensembles and keeping the best round, each behind a probe
(:mod:`.hooks`)."""

from __future__ import annotations

import contextlib

import numpy as np
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

from .hooks import _parameters, fast_path

#: the scikit-learn ensembles whose internals the running outputs use
HGB = (HistGradientBoostingClassifier, HistGradientBoostingRegressor)
GB = (GradientBoostingClassifier, GradientBoostingRegressor)
FORESTS = (RandomForestClassifier, RandomForestRegressor, ExtraTreesClassifier, ExtraTreesRegressor)


# -- scikit-learn: HistGradientBoosting bins once ---------------------------------------
def _bin_data_signature(estimator_class) -> list[str] | None:
    """``_bin_data``'s parameters if they are a shape this library knows, else None."""
    original = getattr(estimator_class, "_bin_data", None)
    params = _parameters(original) if callable(original) else []
    known = (["self", "X", "is_training_data"], ["self", "X", "sample_weight", "is_training_data"])
    return params if params in known else None


@contextlib.contextmanager
def hgb_bin_once(estimator, X_train, user_weight):
    """Make HistGradientBoosting check, encode and bin the training data once, not
    once per round.

    On every warm-start fit HGB re-bins the training data (with the current
    sample weights where the version bins by weight), so the bins would move
    with the mixture and cost more than the trees. Here the first binning, done
    with the user's own weights, is reused by every round; so are the first
    round's checks of ``X`` (``_preprocess_X``) and encoding of ``y``
    (``_encode_y``), which on small tables cost as much as a round's trees.
    Yields a dict that holds ``"binned"`` (the binned training matrix) after the
    first fit; empty on the fallback, where HGB does all of it every round.
    """
    cache = {}
    if not isinstance(estimator, HGB):
        yield cache  # other models bin nothing
        return
    signature = _bin_data_signature(type(estimator))
    if not fast_path("hgb_bin_once", signature is not None):
        yield cache
        return
    original = type(estimator)._bin_data
    by_weight = "sample_weight" in signature
    bin_weight = None if np.all(user_weight == user_weight[0]) else user_weight

    def call(X, weight, is_training_data):
        if by_weight:
            return original(estimator, X, weight, is_training_data)
        return original(estimator, X, is_training_data)

    def binned(X, weight, is_training_data):
        is_ours = X is X_train or getattr(X, "shape", None) == X_train.shape
        if not is_training_data or not is_ours:
            return call(X, weight, is_training_data)
        if "binned" not in cache:
            cache["binned"] = call(X, bin_weight, True)
            cache["mapper"] = estimator._bin_mapper
        else:
            estimator._bin_mapper = cache["mapper"]
        return cache["binned"]

    # the known signatures, bound by Python itself (inspect's bind costs as much as a
    # small table's round of trees)
    if by_weight:

        def bin_data(X, sample_weight, is_training_data):
            return binned(X, sample_weight, is_training_data)

    else:

        def bin_data(X, is_training_data):
            return binned(X, None, is_training_data)

    estimator._bin_data = bin_data
    checks = _check_training_once(estimator, X_train, cache)
    try:
        yield cache
    finally:
        for name in ("_bin_data", *checks):
            estimator.__dict__.pop(name, None)


def _check_training_once(estimator, X_train, cache) -> list[str]:
    """Reuse the first round's ``_preprocess_X(X_train, reset=True)`` and
    ``_encode_y`` (the attributes they set stay on the estimator between warm
    starts); returns the names patched (none where their shapes are unknown)."""
    patched = []
    preprocess = getattr(type(estimator), "_preprocess_X", None)
    if callable(preprocess) and _parameters(preprocess) == ["self", "X", "reset"]:

        def preprocess_X(X, *, reset):
            if not (reset and X is X_train):
                return preprocess(estimator, X, reset=reset)
            if "X_checked" not in cache:
                cache["X_checked"] = preprocess(estimator, X, reset=True)
            return cache["X_checked"]

        estimator._preprocess_X = preprocess_X
        patched.append("_preprocess_X")
    encode = getattr(type(estimator), "_encode_y", None)
    if callable(encode) and _parameters(encode) == ["self", "y"]:

        def encode_y(y):  # within the block, every fit is a round's, on the training y
            if "y_encoded" not in cache or cache["y_encoded"].shape[0] != len(y):
                cache["y_encoded"] = encode(estimator, y)
            return cache["y_encoded"]

        estimator._encode_y = encode_y
        patched.append("_encode_y")
    return patched


# -- scikit-learn: running outputs of growing ensembles ---------------------------------
def _has(obj, *names) -> bool:
    return all(callable(getattr(obj, name, None)) for name in names)


def sklearn_ensemble_family(estimator) -> str | None:
    """``"hgb"``, ``"gb"`` or ``"forest"`` where the running-output hooks of that
    family are present and on; None: predict from scratch (the fallback)."""
    if isinstance(estimator, HGB):
        family = "hgb"
        probe = _has(estimator, "_raw_predict", "_predict_iterations", "_preprocess_X")
    elif isinstance(estimator, GB):
        family = "gb"
        probe = _has(estimator, "_raw_predict", "_raw_predict_init")
        probe = probe and _predict_stages() is not None
    elif isinstance(estimator, FORESTS):
        family = "forest"
        probe = _has(estimator, "_validate_X_predict")
    else:
        return None
    return family if fast_path("sklearn_running_output", probe) else None


def _predict_stages():
    try:
        from sklearn.ensemble._gradient_boosting import predict_stages
    except ImportError:
        return None
    return predict_stages


@contextlib.contextmanager
def answer_raw_predict(estimator, answer):
    """Within the block, ``estimator._raw_predict(X)`` returns ``answer(X)`` where
    that is not None (the running training output), else predicts as usual."""
    original = estimator._raw_predict

    def raw_predict(X, *args, **kwargs):
        out = answer(X)
        return out if out is not None else original(X, *args, **kwargs)

    estimator._raw_predict = raw_predict
    try:
        yield
    finally:
        estimator.__dict__.pop("_raw_predict", None)


def hgb_rows(estimator, X):
    """``X`` as HistGradientBoosting predicts on it."""
    return estimator._preprocess_X(X, reset=False)


def hgb_start(estimator, n: int) -> np.ndarray:
    """Raw scores of an HGB model with no iterations (its baseline), for ``n`` rows."""
    base = estimator._baseline_prediction
    raw = np.zeros((n, estimator.n_trees_per_iteration_), dtype=base.dtype, order="F")
    raw += base
    return raw


def hgb_members(estimator) -> list:
    return estimator._predictors


def hgb_add(estimator, X, members, raw, *, is_binned: bool) -> None:
    """Add the raw scores of ``members`` (iterations) on rows ``X`` to ``raw``."""
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

    estimator._predict_iterations(
        X, members, raw, is_binned=is_binned, n_threads=_openmp_effective_n_threads()
    )


def boosting_output(estimator, raw: np.ndarray, *, is_classifier: bool) -> np.ndarray:
    """Probabilities (classifiers) or predictions from HGB / GB raw scores."""
    loss = estimator._loss
    if is_classifier:
        return loss.predict_proba(raw)
    return loss.link.inverse(raw.ravel())


def gb_rows(estimator, X):
    """``X`` as GradientBoosting predicts on it (float32, C order or CSR)."""
    return estimator.estimators_[0, 0]._validate_X_predict(X, check_input=True)


def gb_start(estimator, X) -> np.ndarray:
    return estimator._raw_predict_init(X)


def gb_add(estimator, X, members, raw) -> None:
    _predict_stages()(members, X, estimator.learning_rate, raw)


def forest_rows(estimator, X):
    """``X`` as a forest's trees predict on it."""
    return estimator._validate_X_predict(X)


# -- the best round's model after an early stop -------------------------------------------
def keep_first_steps(estimator, n_steps: int) -> bool:
    """Make a fitted growing ensemble predict with its first ``n_steps`` iterations
    (boosting) or members (forests) only, as if it had been grown to ``n_steps``.
    False where that cannot be done here (it then keeps every step)."""
    n = int(n_steps)
    if isinstance(estimator, HGB):
        members = getattr(estimator, "_predictors", None)
        probe = isinstance(members, list) and len(members) == getattr(estimator, "n_iter_", -1)
        if not fast_path("sklearn_keep_best_round", probe):
            return False
        estimator._predictors = members[:n]
        if not isinstance(getattr(type(estimator), "n_iter_", None), property):
            estimator.n_iter_ = len(estimator._predictors)  # a property in newer releases
        for name in ("train_score_", "validation_score_"):  # one score per iteration + start
            scores = getattr(estimator, name, None)
            if scores is not None and len(scores) > n + 1:
                setattr(estimator, name, scores[: n + 1])
        return True
    if isinstance(estimator, GB):  # public fitted attributes only
        estimator.estimators_ = estimator.estimators_[:n]
        estimator.n_estimators_ = estimator.estimators_.shape[0]
        for name in ("train_score_", "oob_improvement_", "oob_scores_"):
            if hasattr(estimator, name):
                setattr(estimator, name, getattr(estimator, name)[:n])
        if hasattr(estimator, "oob_scores_"):
            estimator.oob_score_ = float(estimator.oob_scores_[-1])
        return True
    if isinstance(estimator, FORESTS):
        if getattr(estimator, "oob_score", False):  # its out-of-bag figures cover every tree
            return False
        estimator.estimators_ = estimator.estimators_[:n]
        return True
    return False
