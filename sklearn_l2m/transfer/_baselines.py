"""The target's rows alone, or every row pooled with the target's weight tuned on
held-out target rows or set to a fixed share: the baselines a target is judged
against, and the pooled member of :class:`~sklearn_l2m.transfer.TargetBlend`."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import clone, is_classifier

from .._global_seed import global_seed
from ..metrics import resolve_metric
from ..mixers._target import share_factor
from ._common import _fit, _ForTarget, _rows, _seeded_clone


class NaturalPool(_ForTarget):
    """The inner model on every row, unweighted: natural pooling.

    The plain model of a target experiment and the first of the baselines
    :func:`~sklearn_l2m.model_selection.compare` judges a target's models
    against; ``target`` is only checked (a model for it must have rows of it
    and of another group). Class labels of any kind are taken, as every model
    here takes them (XGBoost alone takes only the codes ``0 .. k-1``).

    Parameters
    ----------
    estimator : estimator
        The inner model (cloned).
    target : group label
        The group to predict for.
    random_state : int, default=None
        Given to the inner model where it has ``random_state``; numpy's and
        torch's global generators are seeded with it during the fit (a skorch
        net's initial weights): what ``compare`` does for the plain model.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn_l2m.transfer import NaturalPool
    >>> X = np.arange(8.0).reshape(-1, 1); y = np.r_[X[:4, 0], 10 + X[4:, 0]]
    >>> model = NaturalPool(LinearRegression(), target="b").fit(X, y, groups=list("aaaabbbb"))
    >>> model.predict([[8.0]]).round(3)  # one line through both groups
    array([21.571])
    """

    def __init__(self, estimator, target, *, random_state=None):
        self.estimator = estimator
        self.target = target
        self.random_state = random_state

    def fit(self, X, y, groups=None, sample_weight=None):
        self._fit_rows(X, y, groups)
        model = _seeded_clone(self.estimator, self.random_state)
        with global_seed(self.random_state):  # a net's initial weights (no random_state)
            self.estimator_ = _fit(model, X, np.asarray(y), sample_weight)
        return self


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
        mask = self._fit_rows(X, y, groups)
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
        Seeds the held-out rows and the inner model (where it has ``random_state``;
        otherwise numpy's and torch's global generators during the fit, as for a
        skorch net's initial weights).

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
        return _seeded_clone(self.estimator, self.random_state)

    def fit(self, X, y, groups=None, sample_weight=None):
        with global_seed(self.random_state):  # a net's initial weights (no random_state)
            return self._fit_factors(X, y, groups, sample_weight)

    def _fit_factors(self, X, y, groups, sample_weight):
        y = np.asarray(y)
        mask = self._fit_rows(X, y, groups)
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


def _share_factors(base, is_target, share: float) -> np.ndarray:
    """Each row's factor on ``base`` that gives the target's rows ``share`` of the
    total weight (1 for a source row; never below 1 for a target row)."""
    factor = share_factor(share, base[is_target].sum(), base[~is_target].sum())
    return np.where(is_target, factor, 1.0)


def _check_share(share, must_be: str) -> float:
    if isinstance(share, bool) or not (isinstance(share, numbers.Real) and 0 < share < 1):
        raise ValueError(
            f"{must_be} the target's share of the pooled model's training weight, "
            f"in (0, 1); got {share!r}."
        )
    return float(share)


class TargetShare(_ForTarget):
    """Every row pooled, the target's rows holding a fixed share of the training weight.

    What a tuned target weight reaches without tuning it: no target row is
    held out and the model is fitted once. Each target row weighs ``share /
    (1 - share)`` times the sources' total weight over the target's (at least
    1: a target is never down-weighted below a source row).

    Parameters
    ----------
    estimator : estimator
        The inner model (cloned).
    target : group label
        The group to train for.
    share : float in (0, 1), default=0.35
        The target's share of the training weight.

    Attributes
    ----------
    factor_ : float
        The factor on each target row's weight.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn_l2m.transfer import TargetShare
    >>> X = np.arange(8.0).reshape(-1, 1); groups = list("aaaaaabb")
    >>> model = TargetShare(LinearRegression(), "b", share=0.5).fit(X, X[:, 0], groups=groups)
    >>> model.factor_  # 6 source rows, 2 target rows: each target row weighs 3
    3.0
    """

    def __init__(self, estimator, target, *, share=0.35):
        self.estimator = estimator
        self.target = target
        self.share = share

    def fit(self, X, y, groups=None, sample_weight=None):
        mask = self._fit_rows(X, y, groups)
        share = _check_share(self.share, "share must be")
        base = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        factors = _share_factors(base, mask, share)
        self.factor_ = float(factors[mask][0])
        self.estimator_ = _fit(clone(self.estimator), X, np.asarray(y), base * factors)
        return self


def _held_out_score(model, metric, X, y) -> float:
    from ..metrics import _score

    pred = getattr(model, metric.response_method)(X)
    return float(_score(metric, y, pred, getattr(model, "classes_", None), None))
