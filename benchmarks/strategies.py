"""Training strategies compared at equal budget (same inner model, same trees / epochs)."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor


def _fit_plain(inner, X, y, sample_weight=None):
    if sample_weight is None:
        return clone(inner).fit(X, y)
    return clone(inner).fit(X, y, sample_weight=sample_weight)


def classical(inner, X, y, groups, seed, is_classifier):
    """The inner model alone, on all training rows (what a user runs today)."""
    if type(inner).__module__.startswith("skorch"):
        __import__("torch").manual_seed(seed)
    return _fit_plain(inner, X, y)


def balanced(inner, X, y, groups, seed, is_classifier):
    """scikit-learn's ``class_weight="balanced"`` weights (by group when groups are given)."""
    key = y if groups is None else groups
    if type(inner).__module__.startswith("skorch"):  # nets: class weights in the loss
        torch = __import__("torch")
        torch.manual_seed(seed)
        weight = compute_sample_weight("balanced", y)
        per_class = np.array([weight[y == c][0] for c in np.unique(y)], dtype=np.float32)
        return clone(inner).set_params(criterion__weight=torch.as_tensor(per_class)).fit(X, y)
    return _fit_plain(inner, X, y, compute_sample_weight("balanced", key))


def oversample(inner, X, y, groups, seed, is_classifier):
    """imbalanced-learn's RandomOverSampler, then the inner model (the practitioner's tool)."""
    from imblearn.over_sampling import RandomOverSampler

    X_res, y_res = RandomOverSampler(random_state=seed).fit_resample(X, y)
    return _fit_plain(inner, X_res, y_res)


def _wrapped(**params):
    def strategy(inner, X, y, groups, seed, is_classifier):
        meta = Learn2MixClassifier if is_classifier else Learn2MixRegressor
        model = meta(inner, random_state=seed, **params)
        return model.fit(X, y) if groups is None else model.fit(X, y, groups=groups)

    strategy.__doc__ = f"Learn2Mix meta-estimator with {params or 'defaults'}"
    return strategy


def logit_adjusted(inner, X, y, groups, seed, is_classifier):
    """Post-hoc logit adjustment (Menon et al. 2021): the classical model predicting
    ``argmax p(y | x) / prior(y)``, i.e. under a uniform class prior. No retraining:
    ``mixer="natural"`` trains exactly the plain model on every row."""
    model = Learn2MixClassifier(inner, mixer="natural", decision_prior="uniform", random_state=seed)
    return model.fit(X, y) if groups is None else model.fit(X, y, groups=groups)


def static_final(**params):
    """The inner model trained with the mixture a Learn2Mix fit (``params``) ended at,
    fixed from the first step: what the adaptive trajectory adds beyond its end point."""

    def strategy(inner, X, y, groups, seed, is_classifier, adaptive=None):
        if adaptive is None:
            adaptive = _wrapped(**params)(clone(inner), X, y, groups, seed, is_classifier)
        meta = Learn2MixClassifier if is_classifier else Learn2MixRegressor
        fixed = {k: v for k, v in params.items() if k == "decision_prior"}
        model = meta(inner, mixer=adaptive.mixture_, random_state=seed, **fixed)
        return model.fit(X, y) if groups is None else model.fit(X, y, groups=groups)

    strategy.__doc__ = f"static_final of Learn2Mix with {params or 'defaults'}"
    strategy.source_params = params
    return strategy


def focal(inner, X, y, groups, seed, is_classifier):
    """Focal loss (gamma 2) with inverse-frequency class weights (neural nets only)."""
    from .nets import focal_net

    torch = __import__("torch")
    torch.manual_seed(seed)
    return focal_net(clone(inner), y).fit(X, y)


STRATEGIES = {
    "classical": classical,
    "balanced": balanced,
    "oversample": oversample,
    "learn2mix": _wrapped(),
    "learn2mix_paper": _wrapped(shrinkage=0.0, min_weight=0.0),
    "learn2mix_uniform": _wrapped(decision_prior="uniform"),
    "learn2mix_refit": _wrapped(refit=True),
    "static_final": static_final(),
    "logit_adjusted": logit_adjusted,
    "group_dro": _wrapped(mixer="group_dro"),
    # balanced by group through the mixing backend (nets take no sample_weight)
    "balanced_mixture": _wrapped(mixer="balanced"),
    "mixmin": _wrapped(mixer="mixmin"),
    "focal": focal,
}


def class_recalls(y_true, y_pred, labels):
    return np.array([np.mean(y_pred[y_true == c] == c) for c in labels])


def natural_accuracy(y_true, y_pred, labels, train_prior):
    """Accuracy on test data distributed like the training data: the class recalls
    weighted by the training class shares (equal to the accuracy when the test split
    has the training distribution, e.g. HIV; the estimate for balanced test splits)."""
    return float(np.dot(class_recalls(y_true, y_pred, labels), train_prior))
