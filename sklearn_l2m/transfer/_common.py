"""What every model for a target shares: the target's rows, and delegation to the
fitted inner model."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.utils.validation import check_is_fitted, validate_data

from ..backends._resolve import _is_instance_of


def target_rows(groups, target, n_samples: int) -> np.ndarray:
    """Boolean mask of the target's rows, with clear errors for bad input."""
    if groups is None:
        raise ValueError(
            f"A model for target {target!r} needs groups=...: one group label per row "
            "(the target's rows and the sources'). Pass it to fit."
        )
    groups = np.asarray(groups)
    if groups.shape[0] != n_samples:
        raise ValueError(f"groups has {groups.shape[0]} rows but X has {n_samples}.")
    mask = groups == target
    labels = np.unique(groups).tolist()
    if not mask.any():
        raise ValueError(
            f"The target {target!r} has no rows: it is not among the groups {labels[:20]}"
            f"{' ...' if len(labels) > 20 else ''}. Pass a target that is one of them."
        )
    if mask.all():
        raise ValueError(
            f"The target {target!r} is the only group: there are no sources to learn "
            "from. Fit the inner model on its own, or pass the sources' rows too."
        )
    return mask


def _rows(X, mask):
    if hasattr(X, "iloc"):
        return X.iloc[np.flatnonzero(mask)]
    if sp.issparse(X):
        return X.tocsr()[np.flatnonzero(mask)]
    return np.asarray(X)[mask]


def _takes_sample_weight(model) -> bool:
    """Whether ``model.fit`` names ``sample_weight`` or takes any keyword (a
    ``Pipeline``, which routes it to a step that requests it)."""
    import inspect

    params = inspect.signature(model.fit).parameters
    keywords = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return "sample_weight" in params or keywords


class _ConstantProba(BaseEstimator):
    """Stands in for a classifier whose training rows hold one class only."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.ones((X.shape[0], 1))

    def predict(self, X):
        return np.full(X.shape[0], self.classes_[0])


class _Relabelled:
    """A classifier fitted on class codes ``0 .. k-1`` that answers in the class
    labels: ``classes_`` are the labels and ``predict`` returns them; everything
    else (``predict_proba``, its columns in the labels' order, the booster) is the
    fitted model's."""

    def __init__(self, model, classes):
        self.model, self.classes_ = model, classes

    def predict(self, X):
        return self.classes_[np.asarray(self.model.predict(X), dtype=np.intp)]

    def __sklearn_tags__(self):
        return self.model.__sklearn_tags__()

    def __getattr__(self, name):
        model = self.__dict__.get("model")  # absent while unpickling
        if model is None:
            raise AttributeError(name)
        return getattr(model, name)


def _seeded_clone(estimator, random_state):
    """A clone of ``estimator``, given ``random_state`` where it has one and one is set."""
    model = clone(estimator)
    if random_state is not None and "random_state" in model.get_params():
        model.set_params(random_state=random_state)
    return model


def class_codes(y) -> tuple[np.ndarray, np.ndarray]:
    """A classifier's labels (sorted) and each row's code ``0 .. k-1`` among them."""
    return np.unique(np.asarray(y), return_inverse=True)


def _fit(model, X, y, sample_weight=None):
    """``model`` fitted on the rows, under ``sample_weight`` where given.

    A classifier whose rows hold one class is that class (:class:`_ConstantProba`).
    A classifier whose labels are not the codes ``0 .. k-1`` (strings, or a
    subset of the classes such as a target's rows that lack one) is fitted on
    the codes and answers in the labels (:class:`_Relabelled`): XGBoost and
    skorch nets take codes only, and every inner model then takes any labels,
    as a Learn2Mix estimator does.
    """
    if is_classifier(model):
        labels, codes = class_codes(y)
        if labels.size < 2:  # one class: it, with probability 1 (many models refuse this)
            return _ConstantProba().fit(X, y)
        if not (labels.dtype.kind in "iu" and np.array_equal(labels, np.arange(labels.size))):
            return _Relabelled(_fit_as_given(model, X, codes, sample_weight), labels)
    return _fit_as_given(model, X, y, sample_weight)


def _fit_as_given(model, X, y, sample_weight=None):
    """``model`` fitted on ``y`` as given.

    A skorch net's ``fit`` takes no ``sample_weight`` (skorch hands unknown
    fit parameters to the module's ``forward``): it trains inside a Learn2Mix
    estimator at the natural mixture, which weighs each row's loss by its
    weight (``mixing_mode="reweight"``) and holds nothing out, and which
    predicts as the trained net. Any other model must take ``sample_weight``.
    """
    if sample_weight is None:
        return model.fit(X, y)
    if _is_instance_of(model, "skorch", "skorch.net.NeuralNet"):
        from .._classifier import Learn2MixClassifier
        from .._regressor import Learn2MixRegressor

        meta = Learn2MixClassifier if is_classifier(model) else Learn2MixRegressor
        weighted = meta(model, mixer="natural", mixing_mode="reweight")
        return weighted.fit(X, y, sample_weight=sample_weight)
    if not _takes_sample_weight(model):
        raise TypeError(
            f"This model for a target weighs rows (the target's share of a pooled fit, "
            f"or your sample_weight), but {type(model).__name__}.fit takes no "
            "sample_weight. Use an inner model that takes it (scikit-learn's boosting "
            "and forests, XGBoost, LightGBM, CatBoost, a skorch net), or, with "
            "TargetBlend, pooled_share=None and no sample_weight."
        )
    return model.fit(X, y, sample_weight=sample_weight)


class _ForTarget(MetaEstimatorMixin, BaseEstimator):
    """Shared delegation: predictions of the fitted model for the target's rows."""

    # a model for a target cannot fit without the groups: with metadata routing on,
    # a search, a pipeline or cross_validate passes them here unasked (as to Learn2Mix)
    __metadata_request__fit = {"groups": True}

    def __init__(self, estimator, target):
        self.estimator = estimator
        self.target = target

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = clone(self.estimator).__sklearn_tags__()
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags, tags.regressor_tags = inner.classifier_tags, inner.regressor_tags
        return tags

    def _fit_rows(self, X, y, groups) -> np.ndarray:
        """The target's rows of this fit (checked); remembers X's columns
        (``n_features_in_``, ``feature_names_in_``) for :meth:`_checked`."""
        validate_data(self, X, reset=True, skip_check_array=True)
        return target_rows(groups, self.target, len(y))

    def _checked(self, X):
        """``X`` at predict time, with a clear error where its columns are not the fit's."""
        check_is_fitted(self)
        validate_data(self, X, reset=False, skip_check_array=True)
        return X

    def _features(self, X):
        return X

    def predict(self, X):
        return self.estimator_.predict(self._features(self._checked(X)))

    def predict_proba(self, X):
        return self.estimator_.predict_proba(self._features(self._checked(X)))

    @property
    def classes_(self):
        return self.estimator_.classes_

    def score(self, X, y, sample_weight=None):
        from sklearn.metrics import accuracy_score, r2_score

        metric = accuracy_score if is_classifier(self) else r2_score
        return metric(y, self.predict(X), sample_weight=sample_weight)


def _mask(n: int, rows) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask
