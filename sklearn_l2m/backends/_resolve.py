"""Pick the backend for an inner estimator without importing unused libraries."""

from __future__ import annotations

from ._base import Backend


def _from_module(cls: type, module: str) -> bool:
    return cls.__module__ == module or cls.__module__.startswith(module + ".")


def _is_instance_of(estimator, module: str, class_path: str) -> bool:
    """isinstance check that imports ``module`` only if the estimator's class (or
    a base class) comes from it: resolving a backend never imports a library
    the user has not (``xgboost.dask`` pulls in dask and distributed)."""
    if not any(_from_module(cls, module) for cls in type(estimator).__mro__):
        return False
    import importlib

    mod_name, _, cls_name = class_path.rpartition(".")
    cls = getattr(importlib.import_module(mod_name), cls_name)
    return isinstance(estimator, cls)


#: (estimator class, backend class) pairs added by :func:`register_backend`,
#: consulted before the built-in families, the latest first
_REGISTERED: list[tuple[type, type[Backend]]] = []


def register_backend(estimator_class: type, backend: type[Backend]) -> None:
    """Train instances of ``estimator_class`` (and its subclasses) with ``backend``.

    For model families with a training loop of their own that the built-in
    backends do not know. A registration takes precedence over the built-in
    families and over earlier registrations. See the "Extending" page.

    Parameters
    ----------
    estimator_class : type
        The inner model's class.
    backend : subclass of :class:`Backend`
        Implements ``check`` and ``train`` (and ``budget`` / ``set_budget``
        when the model has a budget of its own).

    Examples
    --------
    >>> from sklearn.linear_model import Perceptron
    >>> from sklearn_l2m.backends import backend_class, register_backend
    >>> from sklearn_l2m.backends._sklearn import SklearnBackend
    >>> class MyBackend(SklearnBackend):
    ...     pass
    >>> register_backend(Perceptron, MyBackend)
    >>> backend_class(Perceptron()).__name__
    'MyBackend'
    >>> from sklearn_l2m.backends import unregister_backend
    >>> unregister_backend(Perceptron)
    """
    if not (isinstance(backend, type) and issubclass(backend, Backend)):
        raise TypeError(
            f"backend must be a subclass of sklearn_l2m.backends.Backend; got {backend!r}."
        )
    if not isinstance(estimator_class, type):
        raise TypeError(f"estimator_class must be a class; got {estimator_class!r}.")
    unregister_backend(estimator_class)
    _REGISTERED.insert(0, (estimator_class, backend))


def unregister_backend(estimator_class: type) -> None:
    """Forget a :func:`register_backend` registration (none: nothing happens)."""
    _REGISTERED[:] = [(cls, b) for cls, b in _REGISTERED if cls is not estimator_class]


def backend_class(estimator) -> type[Backend]:
    """The backend class for ``estimator``: a registered one, else xgboost.dask, XGBoost, LightGBM,
    CatBoost, skorch, and for every other model the scikit-learn backend (warm
    start, ``partial_fit``, or a refit every round)."""
    for cls, backend in _REGISTERED:
        if isinstance(estimator, cls):
            return backend
    if _is_instance_of(estimator, "xgboost.dask", "xgboost.dask.DaskScikitLearnBase"):
        from ._xgboost_dask import XGBoostDaskBackend

        return XGBoostDaskBackend
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
