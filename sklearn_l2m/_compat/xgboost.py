"""XGBoost's internals: the training matrix inside one boosting run, in memory and
on Dask workers, each behind a probe (:mod:`.hooks`)."""

from __future__ import annotations

import contextlib

from .hooks import _forced_off, _parameters, fast_path


def xgboost_can_capture(estimator) -> bool:
    """Whether the training matrix can be captured for this XGBoost model."""
    create = getattr(type(estimator), "_create_dmatrix", None)
    probe = callable(create) and _parameters(create)[:2] == ["self", "ref"]
    return fast_path("xgboost_training_matrix", probe)


#: what makes another matrix read its features as the training matrix does
_MATRIX_SETTINGS = ("missing", "enable_categorical", "feature_types")


@contextlib.contextmanager
def xgboost_capture_matrices(estimator, created: list):
    """Record the matrices XGBoost's ``fit`` builds (training first, then eval sets).

    The callback needs the training matrix to change its weights; XGBoost
    builds it inside ``fit``, through the estimator's ``_create_dmatrix``.
    Yields ``like_training(**fields)``: during the fit, it builds one more
    matrix with the training matrix's settings (missing value, categories,
    feature types) and bins, as XGBoost builds an eval set's, without making it
    an eval set (which XGBoost would score with its metric at every iteration).
    """
    original = estimator._create_dmatrix
    settings: dict = {}

    def create(*args, **kwargs):
        matrix = original(*args, **kwargs)
        if not created:
            settings.update({k: kwargs[k] for k in _MATRIX_SETTINGS if k in kwargs})
        created.append(matrix)
        return matrix

    def like_training(**fields):
        return original(ref=created[0], **settings, **fields)

    estimator._create_dmatrix = create
    try:
        yield like_training
    finally:
        estimator.__dict__.pop("_create_dmatrix", None)


# -- xgboost.dask: the worker-local training matrix -------------------------------------
def xgboost_dask_local_matrices(depth: int = 8):
    """The worker-local training matrix and eval list of the running ``xgboost.train``.

    XGBoost hands callbacks only the booster; its callback container, one
    frame up, holds ``dtrain`` and ``evals`` (true since XGBoost 1.3). Returns
    None where they cannot be found (or the hook is off).
    """
    import sys

    from xgboost import DMatrix

    if _forced_off():
        return None
    frame = sys._getframe(1)
    for _ in range(depth):
        if frame is None:
            break
        dtrain = frame.f_locals.get("dtrain")
        if isinstance(dtrain, DMatrix):
            return dtrain, list(frame.f_locals.get("evals") or [])
        frame = frame.f_back
    return None
