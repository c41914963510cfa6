"""The offline search of an offline mixer (MixMin), driven by the training run.

The run trains one cheap proxy per group, built like the inner model itself
(``make_backend``: a seeded clone with the fit parameters), predicts the target
rows with each, and hands the predictions to the mixer, which returns the
mixture. The mixer never sees a backend and never writes the controller.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.validation import has_fit_parameter

from .._prepare.checks import take_rows

_EPS = 1e-12


def offline_mixture(mixer, data, make_backend: Callable, *, is_classifier: bool) -> np.ndarray:
    """The mixture ``mixer`` finds from one proxy per group (``mixer.start`` done)."""
    began = time.perf_counter()
    rows, weight = mixer.target_rows(data)
    X_target, y_target = take_rows(data.X_val, rows), data.y_val[rows]
    predictions = np.column_stack(
        [
            _proxy_prediction(mixer, make_backend, data, g, X_target, y_target, is_classifier)
            for g in range(data.n_groups)
        ]
    )  # (n_target, n_groups)
    return mixer.find_mixture(
        predictions,
        y_target,
        weight,
        is_classifier=is_classifier,
        proxy_seconds=time.perf_counter() - began,
    )


def _proxy_prediction(mixer, make_backend, data, group, X_target, y_target, is_classifier):
    """One group's proxy on the target rows: ``p_g(y | x)`` of the true class, or ``f_g(x)``."""
    rows = np.flatnonzero(data.codes_train == group)
    X_g, y_g, w_g = data.train_subset(rows), data.y_train[rows], data.weight_train[rows]
    if not is_classifier:
        proxy = _fit_proxy(mixer, make_backend, X_g, y_g, w_g)
        return np.asarray(proxy.predict(X_target), dtype=np.float64).reshape(-1)
    encoder = LabelEncoder().fit(y_g)
    proba = np.full((len(y_target), data.n_classes), _EPS)
    if encoder.classes_.size == 1:  # a one-class source predicts its one class
        proba[:, encoder.classes_] = 1.0
    else:
        proxy = _fit_proxy(mixer, make_backend, X_g, encoder.transform(y_g), w_g)
        proba[:, encoder.classes_] = np.asarray(proxy.predict_proba(X_target))
    return proba[np.arange(len(y_target)), y_target]


def _fit_proxy(mixer, make_backend, X, y, weight):
    """A proxy built as the inner model is (seeded clone, fit parameters), with
    ``mixer.proxy_budget`` of the budget, or the mixer's own ``proxy`` model."""
    backend = make_backend(mixer.proxy)
    if mixer.proxy is None:
        budget = backend.budget()
        if budget is not None:
            backend.set_budget(max(1, int(round(mixer.proxy_budget * budget))))
    proxy, fit_params = backend.estimator, backend.fit_params
    if has_fit_parameter(proxy, "sample_weight"):
        fit_params = {**fit_params, "sample_weight": weight}
    with backend.seeded():  # a net's initial weights too: the same mixture every fit
        return proxy.fit(X, y, **fit_params)
