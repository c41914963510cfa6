"""Models that reach a label offset between sources through features: the group as
one-hot columns, or the sources' model's prediction as a column of the target's
model."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone, is_classifier

from ._common import _fit, _ForTarget, _rows


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
        self._fit_rows(X, y, groups)
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
        mask = self._fit_rows(X, y, groups)
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
