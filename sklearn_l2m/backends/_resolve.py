"""Pick the backend for an inner estimator without importing unused libraries."""

from __future__ import annotations

from ._base import Backend


def _module_root(estimator) -> str:
    return type(estimator).__module__.split(".")[0]


def _is_instance_of(estimator, module: str, class_path: str) -> bool:
    """isinstance check that imports ``module`` only if the estimator comes from it."""
    if _module_root(estimator) != module and not any(
        cls.__module__.split(".")[0] == module for cls in type(estimator).__mro__
    ):
        return False
    import importlib

    mod_name, _, cls_name = class_path.rpartition(".")
    cls = getattr(importlib.import_module(mod_name), cls_name)
    return isinstance(estimator, cls)


def backend_class(estimator) -> type[Backend]:
    """The backend class for ``estimator``: XGBoost, LightGBM, CatBoost, skorch or scikit-learn."""
    if _is_instance_of(estimator, "xgboost", "xgboost.sklearn.XGBModel"):
        from ._xgboost import XGBoostBackend

        return XGBoostBackend
    if _is_instance_of(estimator, "lightgbm", "lightgbm.sklearn.LGBMModel"):
        from ._lightgbm import LightGBMBackend

        return LightGBMBackend
    if _is_instance_of(estimator, "catboost", "catboost.CatBoost"):
        from ._catboost import CatBoostBackend

        return CatBoostBackend
    if _is_instance_of(estimator, "skorch", "skorch.net.NeuralNet"):
        from ._skorch import SkorchBackend

        return SkorchBackend
    from ._sklearn import SklearnBackend

    return SklearnBackend
