"""Learn2MixClassifier."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.metaestimators import available_if

from ._base import BaseLearn2Mix, _estimator_has
from ._compat.sklearn_params import StrOptions
from ._docs import fill_doc
from ._prepare.checks import is_dask_collection
from ._prepare.target import ClassTarget
from ._prior import (
    PRIOR_NAMES,
    adjust_proba,
    prior_ratio,
    prior_under_mixtures,
    resolve_decision_prior,
)


@fill_doc
class Learn2MixClassifier(ClassifierMixin, BaseLearn2Mix):
    """Classifier that re-weights classes or groups every round from their losses.

    Wraps an inner model (XGBoost, a skorch net, or any scikit-learn
    classifier whose ``fit`` takes ``sample_weight``) and trains it in ONE run
    of its own loop. Every ``steps_per_round`` steps (boosting rounds, epochs,
    ensemble members) the per-group losses on a held-out validation part move
    the mixture ``alpha`` over groups (Learn2Mix: towards the groups' shares of
    the total loss); sample ``i`` of group ``g`` then counts
    ``alpha_g / pi_g`` times its own ``sample_weight`` (``pi_g``: the group's
    share of the training data). Groups are the classes unless ``groups`` is
    passed to :meth:`fit`.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    estimator : estimator, default=None
        The inner classifier. ``None`` means
        ``HistGradientBoostingClassifier(early_stopping=False)``, which grows by
        warm start. Its own budget (``n_estimators``, ``max_iter``,
        ``max_epochs``) is the total budget of the fit.
    %(mixer)s
    %(n_rounds)s
    %(steps_per_round)s
    %(validation_fraction)s
    %(loss_source)s
    %(mixing_mode)s
    %(early_stopping)s
    %(refit)s
    decision_prior : {"mixture", "natural", "uniform"}, dict or array-like, \
            default="mixture"
        The class prior that :meth:`predict` and :meth:`predict_proba` assume.
        A model trained on a mixture predicts as if that mixture's class
        shares (``training_prior_``) were the prior of the data it will see.
        Any other prior corrects its probabilities by Bayes' rule, without
        retraining: ``p(c | x) * decision_prior[c] / training_prior_[c]``,
        renormalised (logit adjustment, Menon et al. 2021). "mixture": no
        correction. "natural": the class shares of the training data, for
        data distributed like it (the best choice for accuracy). "uniform":
        every class equally likely (the best choice for balanced accuracy).
        A dict ``{class: weight}`` or an array in ``classes_`` order: the
        prior you deploy under. ``mixer="natural", decision_prior="uniform"``
        is post-hoc logit adjustment of the plain model. Needs an inner model
        with ``predict_proba``; ``decision_function`` then returns the
        corrected log-probabilities (log-odds for two classes).
    %(random_state)s
    %(verbose)s

    Attributes
    ----------
    estimator_ : estimator
        The fitted inner model; usable (and savable) on its own, predicting
        class indices ``0 .. n_classes - 1``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    groups_ : ndarray of shape (n_groups,)
        Group labels (the classes when no ``groups`` were passed).
    %(attributes)s
    training_prior_ : ndarray of shape (n_classes,)
        The class shares of the training data under the mixtures the model
        was trained with, averaged over rounds (each round trains the same
        number of steps). With groups other than the classes, the class
        shares within each group carry the mixture over to the classes.
    decision_prior_ : ndarray of shape (n_classes,)
        The resolved ``decision_prior`` (equal to ``training_prior_`` for
        "mixture").

    See Also
    --------
    Learn2MixRegressor : The same for regression.
    sklearn_l2m.mixers.Learn2Mix : The update rule.

    References
    ----------
    .. [1] S. Venkatasubramanian, V. Tarokh. "Learn2Mix: Training Neural
       Networks Using Adaptive Data Integration", arXiv:2412.16482.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_l2m import Learn2MixClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = Learn2MixClassifier(random_state=0).fit(X, y)
    >>> clf.mixture_history_.shape
    (21, 10)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    _is_classifier = True

    _parameter_constraints: dict = {
        **BaseLearn2Mix._parameter_constraints,
        "decision_prior": [StrOptions(set(PRIOR_NAMES)), dict, "array-like"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        mixer="learn2mix",
        n_rounds="auto",
        steps_per_round="auto",
        validation_fraction=0.1,
        loss_source="auto",
        mixing_mode="auto",
        early_stopping=False,
        refit=False,
        decision_prior="mixture",
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            estimator,
            mixer=mixer,
            n_rounds=n_rounds,
            steps_per_round=steps_per_round,
            validation_fraction=validation_fraction,
            loss_source=loss_source,
            mixing_mode=mixing_mode,
            early_stopping=early_stopping,
            refit=refit,
            random_state=random_state,
            verbose=verbose,
        )
        self.decision_prior = decision_prior

    def _default_estimator(self):
        return HistGradientBoostingClassifier(early_stopping=False)

    def _target_encoding(self):
        return ClassTarget()

    def _adopt_target(self, target) -> None:
        self.classes_ = target.classes
        self._check_decision_prior()

    def _adopt_target_encoding(self, data) -> None:
        self.classes_ = data.classes
        self._check_decision_prior()

    def _corrects_prior(self) -> bool:
        return not (isinstance(self.decision_prior, str) and self.decision_prior == "mixture")

    def _check_decision_prior(self) -> None:
        """Fail before training on a prior that cannot be applied."""
        if not self._corrects_prior():
            return
        uniform = np.full(len(self.classes_), 1.0 / len(self.classes_))
        resolve_decision_prior(self.decision_prior, self.classes_, uniform)
        inner = self._inner_estimator()
        if not hasattr(inner, "predict_proba"):
            raise ValueError(
                f"decision_prior={self.decision_prior!r} corrects predicted probabilities, "
                f"but {type(inner).__name__} has no predict_proba. Use "
                "decision_prior='mixture' or an inner model with predict_proba (for "
                "SVC: probability=True)."
            )

    def _set_decision_state(self, controller) -> None:
        shares = controller.data.class_shares()
        in_force = self.mixture_history_[: max(self.n_rounds_, 1)]
        self.training_prior_ = prior_under_mixtures(in_force, shares)
        natural = prior_under_mixtures(self.natural_mixture_, shares)
        decision = resolve_decision_prior(self.decision_prior, self.classes_, natural)
        self.decision_prior_ = self.training_prior_ if decision is None else decision
        # per-class factor on the probabilities; None: predict as trained
        self._prior_ratio = (
            None if decision is None else prior_ratio(decision, self.training_prior_)
        )

    def _decode_prediction(self, prediction):
        if is_dask_collection(prediction):  # stays lazy on the cluster
            classes = self.classes_
            return prediction.map_blocks(
                lambda p: classes[np.asarray(p).astype(np.intp)], dtype=classes.dtype
            )
        prediction = np.asarray(prediction)
        if prediction.ndim == 2 and prediction.shape[1] == 1:  # CatBoost's (n, 1) column
            prediction = prediction.ravel()
        return self.classes_[prediction.astype(np.intp)]

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the inner model, columns in ``classes_`` order.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Input.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities.
        """
        proba = self._inner_call("predict_proba", X)
        proba = proba if is_dask_collection(proba) else np.asarray(proba)
        ratio = getattr(self, "_prior_ratio", None)
        return proba if ratio is None else adjust_proba(proba, ratio)

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict class labels, under ``decision_prior``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Input in any form the inner model accepts.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted class labels.
        """
        if getattr(self, "_prior_ratio", None) is None:
            return super().predict(X)
        return self._decode_prediction(self.predict_proba(X).argmax(axis=1))

    @available_if(_estimator_has("predict_proba"))
    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Input.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the inner model.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Input.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Scores, as the inner model returns them; under a ``decision_prior``
            other than "mixture", the corrected log-probabilities (log-odds for
            two classes), so that :meth:`predict` is their argmax.
        """
        if getattr(self, "_prior_ratio", None) is not None:
            with np.errstate(divide="ignore"):
                log_proba = np.log(self.predict_proba(X))
            if log_proba.shape[1] == 2:  # log-odds, like a binary decision function
                return log_proba[:, 1] - log_proba[:, 0]
            return log_proba
        return self._inner_call("decision_function", X)
