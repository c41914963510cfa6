"""Training strategies compared at equal budget (same inner model, same trees / epochs)."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.mixers import Learn2Mix


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


def _class_weighted(inner, X, y, seed, per_class):
    """The inner model with one weight per class: sample weights, or for nets the
    weights of the loss (skorch takes no ``sample_weight``)."""
    if type(inner).__module__.startswith("skorch"):
        torch = __import__("torch")
        torch.manual_seed(seed)
        weight = torch.as_tensor(per_class, dtype=torch.float32)
        return clone(inner).set_params(criterion__weight=weight).fit(X, y)
    return _fit_plain(inner, X, y, per_class[y])


def effective_number(inner, X, y, groups, seed, is_classifier, beta=0.999):
    """Class-balanced weights by the effective number of samples (Cui et al. 2019):
    ``w_c = (1 - beta) / (1 - beta ** n_c)``, scaled so the weights sum to ``n``."""
    counts = np.bincount(y).astype(float)
    per_class = np.where(counts > 0, (1 - beta) / (1 - beta ** np.maximum(counts, 1)), 0.0)
    per_class *= len(y) / np.dot(per_class, counts)
    return _class_weighted(inner, X, y, seed, per_class)


def smote(inner, X, y, groups, seed, is_classifier):
    """imbalanced-learn's SMOTE (k = 5, fewer when the rarest class is smaller), then
    the inner model on the resampled rows."""
    from imblearn.over_sampling import SMOTE

    k = int(min(5, np.bincount(y)[np.bincount(y) > 0].min() - 1))
    if k < 1:  # a class of one row: nothing to interpolate, duplicate instead
        return oversample(inner, X, y, groups, seed, is_classifier)
    X_res, y_res = SMOTE(k_neighbors=k, random_state=seed).fit_resample(X, y)
    if type(inner).__module__.startswith("skorch"):
        __import__("torch").manual_seed(seed)
        X_res = X_res.astype(np.float32)
    return _fit_plain(inner, X_res, y_res)


def _imblearn(name, **params):
    """An imbalanced-learn ensemble at its defaults (the inner model is not used)."""

    def strategy(inner, X, y, groups, seed, is_classifier):
        import imblearn.ensemble

        model = getattr(imblearn.ensemble, name)(random_state=seed, **params)
        return model.fit(X, y)

    strategy.__doc__ = f"imbalanced-learn's {name}({params or ''}) at its defaults"
    strategy.model_free = True  # the same fit whatever the inner model: run once per set
    return strategy


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
    "learn2mix_paper": _wrapped(
        mixer=Learn2Mix(shrinkage=0.0, min_weight=0.0, max_weight=None, pooled_rows=0.0)
    ),
    "learn2mix_uniform": _wrapped(decision_prior="uniform"),
    "learn2mix_refit": _wrapped(refit=True),
    "static_final": static_final(),
    "logit_adjusted": logit_adjusted,
    "group_dro": _wrapped(mixer="group_dro"),
    # balanced by group through the mixing backend (nets take no sample_weight)
    "balanced_mixture": _wrapped(mixer="balanced"),
    "mixmin": _wrapped(mixer="mixmin"),
    "effective_number": effective_number,
    "smote": smote,
    "learn2mix_start_balance": _wrapped(mixer=Learn2Mix(start_balance=0.5)),
    # trained on the mixture, deciding under the training data's own class prior
    "learn2mix_natural": _wrapped(decision_prior="natural"),
    "balanced_random_forest": _imblearn("BalancedRandomForestClassifier", n_estimators=100),
    "balanced_bagging": _imblearn("BalancedBaggingClassifier", n_estimators=100),
    "easy_ensemble": _imblearn("EasyEnsembleClassifier"),
    "rusboost": _imblearn("RUSBoostClassifier", n_estimators=100),
    "focal": focal,
}


def class_recalls(y_true, y_pred, labels):
    return np.array([np.mean(y_pred[y_true == c] == c) for c in labels])


def natural_accuracy(y_true, y_pred, labels, train_prior):
    """Accuracy on test data distributed like the training data: the class recalls
    weighted by the training class shares (equal to the accuracy when the test split
    has the training distribution, e.g. HIV; the estimate for balanced test splits)."""
    return float(np.dot(class_recalls(y_true, y_pred, labels), train_prior))
