"""Models for one target group trained with many related sources: the baselines
and alternatives that :class:`~sklearn_l2m.mixers.TargetMix` is measured against.

Every estimator here wraps an inner model, takes ``fit(X, y, groups=...)``
with one group label per row, and predicts *for the target*: a new row is
taken to come from ``target``.

* :class:`TargetOnly`: the target's rows alone.
* :class:`TargetWeighted`: every row pooled, the target's rows up-weighted by
  the factor that scores best on held-out target rows, then refitted.
* :class:`GroupFeature`: every row pooled, the group as one-hot features (at
  predict time the target's own); reaches label offsets between sources
  that re-weighting cannot.
* :class:`PoolStacking`: a model of the sources, whose prediction is one
  more feature of a model of the target's rows.

``sklearn_l2m.model_selection.compare(..., target=...)`` builds the first
two (and the natural pool) itself.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.utils.validation import check_is_fitted

from .metrics import resolve_metric

__all__ = ["GroupFeature", "PoolStacking", "TargetOnly", "TargetWeighted", "target_rows"]


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


def _fit(model, X, y, sample_weight=None):
    if sample_weight is None:
        return model.fit(X, y)
    return model.fit(X, y, sample_weight=sample_weight)


class _ForTarget(MetaEstimatorMixin, BaseEstimator):
    """Shared delegation: predictions of the fitted model for the target's rows."""

    def __init__(self, estimator, target):
        self.estimator = estimator
        self.target = target

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = clone(self.estimator).__sklearn_tags__()
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags, tags.regressor_tags = inner.classifier_tags, inner.regressor_tags
        return tags

    def _features(self, X):
        return X

    def predict(self, X):
        check_is_fitted(self)
        return self.estimator_.predict(self._features(X))

    def predict_proba(self, X):
        check_is_fitted(self)
        return self.estimator_.predict_proba(self._features(X))

    @property
    def classes_(self):
        return self.estimator_.classes_

    def score(self, X, y, sample_weight=None):
        from sklearn.metrics import accuracy_score, r2_score

        metric = accuracy_score if is_classifier(self) else r2_score
        return metric(y, self.predict(X), sample_weight=sample_weight)


class TargetOnly(_ForTarget):
    """The inner model trained on the target's rows alone.

    Parameters
    ----------
    estimator : estimator
        The inner model (cloned).
    target : group label
        The group to train for.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn_l2m.transfer import TargetOnly
    >>> X = np.arange(8.0).reshape(-1, 1); y = np.r_[X[:4, 0], 10 + X[4:, 0]]
    >>> model = TargetOnly(LinearRegression(), target="b").fit(X, y, groups=list("aaaabbbb"))
    >>> model.predict([[8.0]]).round(3)
    array([18.])
    """

    def fit(self, X, y, groups=None, sample_weight=None):
        mask = target_rows(groups, self.target, len(y))
        weight = None if sample_weight is None else np.asarray(sample_weight)[mask]
        self.estimator_ = _fit(clone(self.estimator), _rows(X, mask), np.asarray(y)[mask], weight)
        return self


class TargetWeighted(_ForTarget):
    """Every row pooled, the target's rows up-weighted by a factor tuned on the target.

    ``held_out`` of the target's rows are set aside; the model is fitted once per
    factor in ``weights`` (each target row counts ``w`` times, each source row
    once) and scored on them; then refitted on every row with the best factor.
    With fewer than 2 held-out rows the first factor is kept.

    Parameters
    ----------
    estimator : estimator
        The inner model (cloned).
    target : group label
        The group to train for.
    weights : sequence of float, default=(1, 3, 10, 30, 100)
        The factors tried (1: natural pooling).
    held_out : float in (0, 1), default=0.25
        Share of the target's rows that scores the factors.
    scoring : str, default=None
        A metric of :data:`sklearn_l2m.metrics.GROUP_METRICS`; None: log loss
        for classifiers, mean squared error for regressors.
    random_state : int, default=None
        Seeds the held-out rows and the inner model (where it has ``random_state``).

    Attributes
    ----------
    weight_ : float
        The chosen factor.
    scores_ : dict
        Held-out target score of every factor.
    """

    def __init__(
        self,
        estimator,
        target,
        *,
        weights=(1, 3, 10, 30, 100),
        held_out=0.25,
        scoring=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.target = target
        self.weights = weights
        self.held_out = held_out
        self.scoring = scoring
        self.random_state = random_state

    def _model(self):
        model = clone(self.estimator)
        if "random_state" in model.get_params() and self.random_state is not None:
            model.set_params(random_state=self.random_state)
        return model

    def fit(self, X, y, groups=None, sample_weight=None):
        y = np.asarray(y)
        mask = target_rows(groups, self.target, len(y))
        weights = [float(w) for w in self.weights]
        if not weights or min(weights) <= 0:
            raise ValueError(f"weights must be positive factors; got {self.weights!r}.")
        base = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        rng = np.random.RandomState(self.random_state)
        own = np.flatnonzero(mask)
        n_val = int(np.floor(self.held_out * own.size + 0.5))
        self.scores_ = {}
        if n_val >= 2 and len(weights) > 1:
            val = np.zeros(len(y), dtype=bool)
            val[rng.choice(own, n_val, replace=False)] = True
            name, metric = resolve_metric(self.scoring or self._default_scoring())
            for w in weights:
                model = _fit(
                    self._model(), _rows(X, ~val), y[~val], (base * (1 + (w - 1) * mask))[~val]
                )
                self.scores_[w] = _held_out_score(model, metric, _rows(X, val), y[val])
            sign = 1 if metric.greater_is_better else -1
            self.weight_ = max(self.scores_, key=lambda w: sign * self.scores_[w])
        else:
            self.weight_ = weights[0]
        self.estimator_ = _fit(self._model(), X, y, base * (1 + (self.weight_ - 1) * mask))
        return self

    def _default_scoring(self):
        return "log_loss" if is_classifier(self.estimator) else "mean_squared_error"


def _held_out_score(model, metric, X, y) -> float:
    from .metrics import _score

    pred = getattr(model, metric.response_method)(X)
    return float(_score(metric, y, pred, getattr(model, "classes_", None), None))


def _group_columns(groups, labels):
    return (np.asarray(groups)[:, None] == np.asarray(labels)[None, :]).astype(np.float32)


def _append(X, columns):
    if sp.issparse(X):
        return sp.hstack([X, sp.csr_matrix(columns)], format="csr")
    if hasattr(X, "iloc"):
        X = X.to_numpy()
    X = np.asarray(X)
    dtype = np.result_type(X.dtype, np.float32)
    return np.hstack([X.astype(dtype, copy=False), columns.astype(dtype, copy=False)])


class GroupFeature(_ForTarget):
    """Every row pooled, with the group as one-hot features; predicts as the target.

    The model can learn a label offset per source (a related assay measured on
    another scale, a site with another baseline), which re-weighting rows
    cannot. At predict time every row is the target's.

    Parameters
    ----------
    estimator : estimator
        The inner model (cloned).
    target : group label
        The group to predict for.

    Attributes
    ----------
    groups_ : ndarray
        The group labels, in the order of the appended columns.
    """

    def fit(self, X, y, groups=None, sample_weight=None):
        target_rows(groups, self.target, len(y))
        self.groups_ = np.unique(np.asarray(groups))
        X_aug = _append(X, _group_columns(groups, self.groups_))
        self.estimator_ = _fit(clone(self.estimator), X_aug, np.asarray(y), sample_weight)
        return self

    def _features(self, X):
        n = X.shape[0]
        return _append(X, _group_columns(np.full(n, self.target, dtype=object), self.groups_))


class PoolStacking(_ForTarget):
    """A model of the sources, whose prediction is a feature of the target's model.

    The sources' model never sees the target's rows, so its predictions on
    them are honest out-of-sample features; the target's model learns how the
    sources' answer maps to the target's (an offset, a scale, a correction).

    Parameters
    ----------
    estimator : estimator
        The inner model (cloned for both stages).
    target : group label
        The group to predict for.

    Attributes
    ----------
    pool_ : estimator
        The sources' model.
    """

    def fit(self, X, y, groups=None, sample_weight=None):
        y = np.asarray(y)
        mask = target_rows(groups, self.target, len(y))
        weight = None if sample_weight is None else np.asarray(sample_weight)
        self.pool_ = _fit(
            clone(self.estimator),
            _rows(X, ~mask),
            y[~mask],
            None if weight is None else weight[~mask],
        )
        X_target = _rows(X, mask)
        self.estimator_ = _fit(
            clone(self.estimator),
            _append(X_target, self._pool_output(X_target)),
            y[mask],
            None if weight is None else weight[mask],
        )
        return self

    def _pool_output(self, X):
        if is_classifier(self.pool_):
            return np.asarray(self.pool_.predict_proba(X))[:, 1:]
        return np.asarray(self.pool_.predict(X), dtype=np.float64).reshape(-1, 1)

    def _features(self, X):
        return _append(X, self._pool_output(X))
