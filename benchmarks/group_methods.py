"""Group-robust methods from outside the library, as estimators :func:`compare` can run.

* :class:`JTT`: Just Train Twice (Liu et al., ICML 2021): train the plain
  model, up-weight the training rows it got wrong, train again. The second
  fit goes through :class:`~sklearn_l2m.Learn2MixClassifier` with a fixed
  mixture over two groups (the errors and the rest), so that every backend,
  the skorch net included, gets the up-weighting the same way.
* :class:`FairlearnBoundedGroupLoss`: fairlearn's ``ExponentiatedGradient``
  with the ``BoundedGroupLoss`` constraint (zero-one loss): a reduction that
  refits the model once per oracle call; ``n_fits_`` is its
  ``n_oracle_calls_``. Binary tasks only.
* :class:`FairlearnThresholdOptimizer`: fairlearn's post-processing, one
  threshold per group under equalized odds, accuracy objective; its
  predictions need the test rows' groups (``predict(X, groups=...)``, which
  :func:`compare` passes); a group with one class only in its training rows,
  or unseen in training, uses the largest group's threshold. Binary tasks only.

fairlearn's predictions are randomized; ``predict_proba`` is the
probability of each class under that randomization (for the reduction: the
weighted vote of its ``predictors_``; for the thresholds: fairlearn's
``_pmf_predict``), so a log loss can be computed.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from sklearn_l2m import Learn2MixClassifier


class JTT(ClassifierMixin, BaseEstimator):
    """Just Train Twice: errors of a first fit up-weighted ``upweight`` times."""

    def __init__(self, estimator=None, upweight=5.0, random_state=None):
        self.estimator = estimator
        self.upweight = upweight
        self.random_state = random_state

    def _seeded(self):
        model = clone(self.estimator)
        if "random_state" in model.get_params(deep=False):
            model.set_params(random_state=self.random_state)
        return model

    def fit(self, X, y, groups=None):  # groups unused: JTT needs no group labels
        first = self._seeded().fit(X, y)
        wrong = np.asarray(first.predict(X)) != np.asarray(y)
        self.n_errors_ = int(wrong.sum())
        self.n_fits_ = 2
        if self.n_errors_ == 0 or self.n_errors_ == len(wrong):
            self.model_ = first  # nothing to up-weight
        else:
            flags = np.where(wrong, "error", "correct")
            mass = {"error": self.upweight * wrong.sum(), "correct": float((~wrong).sum())}
            total = sum(mass.values())
            mixture = {k: v / total for k, v in mass.items()}
            self.model_ = Learn2MixClassifier(
                self._seeded(), mixer=mixture, random_state=self.random_state
            ).fit(X, y, groups=flags)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


class _Float64Proba(ClassifierMixin, BaseEstimator):
    """``estimator`` with float64 probabilities: fairlearn 0.15's thresholds cannot
    write into XGBoost's float32 output (a pandas ``TypeError``)."""

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X, y, **fit_params):
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        return np.asarray(self.estimator_.predict_proba(X), dtype=np.float64)


class _Fairlearn(ClassifierMixin, BaseEstimator):
    def _encode(self, y):
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        if len(self.classes_) != 2:
            raise ValueError(f"{type(self).__name__} runs on binary tasks only.")
        return codes

    def _seeded(self):
        model = clone(self.estimator)
        if "random_state" in model.get_params(deep=False):
            model.set_params(random_state=self.random_state)
        return model

    def predict(self, X, groups=None):
        return self.classes_[np.argmax(self.predict_proba(X, groups=groups), axis=1)]


class FairlearnBoundedGroupLoss(_Fairlearn):
    """``ExponentiatedGradient(estimator, BoundedGroupLoss(ZeroOneLoss(), upper_bound))``."""

    def __init__(self, estimator=None, upper_bound=0.1, random_state=None):
        self.estimator = estimator
        self.upper_bound = upper_bound
        self.random_state = random_state

    def fit(self, X, y, groups=None):
        from fairlearn.reductions import BoundedGroupLoss, ExponentiatedGradient, ZeroOneLoss

        codes = self._encode(y)
        constraint = BoundedGroupLoss(ZeroOneLoss(), upper_bound=self.upper_bound)
        self.model_ = ExponentiatedGradient(self._seeded(), constraints=constraint)
        self.model_.fit(X, codes, sensitive_features=np.asarray(groups).astype(str))
        self.n_fits_ = int(self.model_.n_oracle_calls_)
        return self

    def predict_proba(self, X, groups=None):
        # the randomized classifier: predictor t with probability weights_[t]
        positive = sum(
            weight * np.asarray(predictor.predict(X), dtype=np.float64)
            for weight, predictor in zip(self.model_.weights_, self.model_.predictors_)
            if weight > 0
        )
        positive = np.clip(positive, 0.0, 1.0)  # the weights sum to 1 up to rounding
        return np.column_stack([1.0 - positive, positive])


class FairlearnThresholdOptimizer(_Fairlearn):
    """``ThresholdOptimizer``: per-group thresholds, equalized odds, accuracy objective."""

    def __init__(self, estimator=None, random_state=None):
        self.estimator = estimator
        self.random_state = random_state

    def _thresholded_groups(self, groups):
        """Groups without a threshold of their own (one class only in training,
        or unseen) use the largest group's: fairlearn refuses degenerate groups."""
        groups = np.asarray(groups).astype(str)
        return np.where(np.isin(groups, self.own_threshold_), groups, self.largest_group_)

    def fit(self, X, y, groups=None):
        from fairlearn.postprocessing import ThresholdOptimizer

        codes = self._encode(y)
        groups = np.asarray(groups).astype(str)
        labels, counts = np.unique(groups, return_counts=True)
        self.largest_group_ = labels[np.argmax(counts)]
        both_classes = [g for g in labels if len(np.unique(codes[groups == g])) == 2]
        self.own_threshold_ = np.array(sorted({*both_classes, self.largest_group_}))
        self.model_ = ThresholdOptimizer(
            estimator=_Float64Proba(self._seeded()),
            constraints="equalized_odds",
            objective="accuracy_score",
            predict_method="predict_proba",
        )
        self.model_.fit(X, codes, sensitive_features=self._thresholded_groups(groups))
        self.n_fits_ = 1
        return self

    def predict_proba(self, X, groups=None):
        if groups is None:
            raise ValueError("ThresholdOptimizer needs the rows' groups to predict.")
        pmf = self.model_._pmf_predict(X, sensitive_features=self._thresholded_groups(groups))
        return np.asarray(pmf, dtype=np.float64)
