"""Fit parameters for the inner model: metadata routing, as in ``BaggingClassifier``."""

from __future__ import annotations

from sklearn import get_config
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing

from ._prepare.checks import check_fit_params


def metadata_router(meta, inner) -> MetadataRouter:
    """``groups``, ``sample_weight`` and the validation set are ``meta``'s own; other
    fit parameters go to ``inner.fit`` where it requests them."""
    router = MetadataRouter(owner=type(meta).__name__).add_self_request(meta)
    mapping = MethodMapping().add(caller="fit", callee="fit")
    return router.add(estimator=inner, method_mapping=mapping)


def inner_fit_params(meta, fit_params: dict, X) -> dict:
    """The arguments of ``meta.fit`` that go to the inner model's ``fit``.

    With metadata routing enabled, those the inner model requests
    (:func:`~sklearn.utils.metadata_routing.process_routing` raises on the
    rest); otherwise all of them, as ``Pipeline`` passes fit parameters.
    Per-sample arrays are refused (:func:`~sklearn_l2m._prepare.checks.check_fit_params`).
    """
    if not fit_params:
        return {}
    if get_config().get("enable_metadata_routing", False):
        fit_params = dict(process_routing(meta, "fit", **fit_params).estimator.fit)
    check_fit_params(fit_params, X)
    return fit_params
