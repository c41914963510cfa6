"""Learn2MixClassifier."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.metaestimators import available_if

from ._base import BaseLearn2Mix, _estimator_has
from ._compat import StrOptions, validate_params
from ._data import is_dask_collection
from ._prior import (
    PRIOR_NAMES,
    adjust_proba,
    prior_ratio,
    prior_under_mixtures,
    resolve_decision_prior,
)
from ._target import ClassTarget
from .backends import backend_class


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
    mixer : str, dict, array-like or BaseMixer, default="learn2mix"
        The mixing strategy: ``"learn2mix"``, ``"natural"`` (classical
        training), ``"balanced"``, ``"group_dro"``, ``"doremi"``,
        ``"mixmin"``; a fixed mixture (dict ``{group: weight}`` or array in
        sorted group order, summing to 1); or a mixer object.
    mixing_rate : float in [0, 1], default=0.1
        How fast the mixture moves, for every adaptive mixer: Learn2Mix's
        ``gamma`` (the share of the way towards the loss shares covered each
        round); ``"group_dro"`` and ``"doremi"`` take ``step_size = 10 *
        mixing_rate``. 0 is classical training (nothing is held out then).
        Mixers that do not move (``"natural"``, ``"balanced"``, fixed
        mixtures, MixMin, mixer objects) ignore it, with a warning when it is
        set away from its default.
    shrinkage : float in [0, 1], default=0.7
        Used by ``"learn2mix"``: pulls its target towards the natural mixture,
        ``target = (1 - shrinkage) * L / sum(L) + shrinkage * pi``. 0 is the
        paper's rule. The default was chosen on the benchmarks so that
        accuracy on naturally distributed test data stays within about 1
        point of classical training, which the paper's rule does not (the
        README's "Defaults, and what they cost" gives the numbers); tune it
        with GridSearchCV, where ``mixing_rate=0`` is classical training.
    n_rounds : int or "auto", default="auto"
        Number of mixture updates. "auto": the budget divided by
        ``steps_per_round`` (20 rounds for models without a budget). An int
        with ``steps_per_round="auto"`` spreads the budget over that many
        rounds; both ints set the budget to ``n_rounds * steps_per_round``.
    steps_per_round : int or "auto", default="auto"
        Inner steps between mixture updates (the horizon), in the inner
        model's own unit: epochs for skorch nets (1 = every epoch, the
        paper's setting), boosting rounds for XGBoost, iterations for
        LightGBM, CatBoost and HistGradientBoosting, members for forests and
        other warm-start ensembles, passes for ``partial_fit`` models. "auto"
        follows "Less is More": about ``log N`` boosting rounds for a budget
        of ``N`` rounds; for nets about ``sqrt(N log N)`` parameter updates
        (``N`` = epochs x batches per epoch), rounded to whole epochs. A plan
        of a single round warns: the mixture would never be used.
    validation_fraction : float in (0, 1) or None, default=0.1
        Share of every (group, class) stratum held out to measure the
        per-group losses. Ignored when ``X_val`` / ``y_val`` are passed.
        ``None``: no held-out part (then ``loss_source`` must be "train").
        Rows are held out only when something reads them: validation losses,
        MixMin's target, or ``early_stopping``; ``loss_source="train"``, a
        fixed mixture and ``mixing_rate=0`` train on every row.
    loss_source : {"auto", "validation", "train"}, default="auto"
        Losses that drive the mixture: the held-out part's ("validation"),
        or the training data's ("train", the paper's way). "auto": the
        validation part's when ``X_val`` is passed or when
        ``validation_fraction`` would give every group at least 10 held-out
        rows; otherwise no rows are held out and the training losses drive
        the mixture (small groups are measured too noisily on a handful of
        rows, and those rows are worth more as training data).
        ``loss_source_`` records the choice.
    mixing_mode : {"auto", "reweight", "resample"}, default="auto"
        How the mixture reaches training: per-sample weights ("reweight",
        every backend) or batch composition ("resample", skorch nets only:
        each batch takes about ``alpha_g * batch_size`` rows of group g, the
        paper's way). "auto": "resample" for skorch nets, else "reweight".
    min_weight : float in [0, 1), default=0.1
        Floor on every group's per-sample multiplier ``alpha_g / pi_g``: no
        group ever counts less than ``min_weight`` of its natural weight, so
        none is starved.
    early_stopping : bool, default=False
        Stop when the validation loss has not improved by ``tol`` for
        ``n_iter_no_change`` rounds; holds out ``validation_fraction`` even
        when the mixture does not need it. What the fitted model keeps differs
        by family: XGBoost uses its own early stopping (patience
        ``n_iter_no_change * steps_per_round`` trees) and predicts with its
        best iteration; every other inner model keeps all it trained, up to
        ``n_iter_no_change`` rounds past the best one. ``best_round_`` names
        the best round in both cases.
    n_iter_no_change : int, default=3
        Patience in rounds.
    tol : float, default=1e-4
        Minimum improvement of the validation loss.
    refit : bool, default=False
        Once the adaptive run is over, train a fresh inner model on every
        row of ``X``, the held-out validation rows included, under the same
        mixtures round by round (``mixture_history_``; after an early stop,
        up to ``best_round_``, with the inner model's own early stopping
        off). It costs a second fit and
        does nothing when no rows of ``X`` were held out (training losses
        drive the mixture, or ``X_val`` is passed). The histories describe the
        adaptive run; ``refit_rounds_`` says how many rounds were replayed.
        Fixed mixtures and MixMin train on every row anyway, unless
        ``early_stopping`` holds rows out.
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
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split and inner models that have no seed. For
        skorch nets an int also goes to ``torch.manual_seed`` right before the
        net is initialised, so ``torch.manual_seed(s); net.fit(X, y)`` starts
        from the same weights as this estimator with ``random_state=s``:
        compare the two by seed, like for like.
    verbose : int, default=0
        0: silent. 1: a progress bar over rounds (tqdm, if installed) showing
        the worst group loss and the validation loss. 2 and above: also one
        line per round with the mixture and the group losses.

    Attributes
    ----------
    estimator_ : estimator
        The fitted inner model; usable (and savable) on its own, predicting
        class indices ``0 .. n_classes - 1``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    groups_ : ndarray of shape (n_groups,)
        Group labels (the classes when no ``groups`` were passed).
    mixer_ : BaseMixer
        The fitted mixer.
    natural_mixture_ : ndarray of shape (n_groups,)
        The groups' shares of the training part, ``pi``.
    mixture_ : ndarray of shape (n_groups,)
        The final mixture ``alpha``.
    mixture_history_ : ndarray of shape (``n_rounds_ + 1``, n_groups)
        ``alpha`` before the first round and after every round.
    group_loss_history_ : ndarray of shape (``n_rounds_``, n_groups)
        The per-group losses that drove each update (NaN: not measured).
    validation_loss_history_ : ndarray of shape (``n_rounds_``,)
        Mean validation loss after each round (empty without validation).
    n_rounds_ : int
        Rounds completed.
    steps_per_round_ : int
        The resolved horizon.
    stop_reason_ : {"budget", "early_stopping"}
        Why training stopped.
    best_round_ : int or None
        The round (1-based) with the lowest validation loss; None without a
        validation part.
    loss_source_ : str
        The loss source actually used.
    training_prior_ : ndarray of shape (n_classes,)
        The class shares of the training data under the mixtures the model
        was trained with, averaged over rounds (each round trains the same
        number of steps). With groups other than the classes, the class
        shares within each group carry the mixture over to the classes.
    decision_prior_ : ndarray of shape (n_classes,)
        The resolved ``decision_prior`` (equal to ``training_prior_`` for
        "mixture").
    train_time_ : float
        Seconds spent in the inner model's training loop (for MixMin, the
        proxy search is ``mixer_.search_time_``, on top), the ``refit``
        included.
    refit_rounds_ : int
        Rounds replayed on every row by ``refit`` (0: no refit).
    n_features_in_ : int
        Number of features seen in fit; only for 2-D ``X`` (not set when a
        net is fitted on images or a dict of inputs).
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Feature names seen in fit, when ``X`` has string column names.

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
        mixing_rate=0.1,
        shrinkage=0.7,
        n_rounds="auto",
        steps_per_round="auto",
        validation_fraction=0.1,
        loss_source="auto",
        mixing_mode="auto",
        min_weight=0.1,
        early_stopping=False,
        n_iter_no_change=3,
        tol=1e-4,
        refit=False,
        decision_prior="mixture",
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            estimator,
            mixer=mixer,
            mixing_rate=mixing_rate,
            shrinkage=shrinkage,
            n_rounds=n_rounds,
            steps_per_round=steps_per_round,
            validation_fraction=validation_fraction,
            loss_source=loss_source,
            mixing_mode=mixing_mode,
            min_weight=min_weight,
            early_stopping=early_stopping,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            refit=refit,
            random_state=random_state,
            verbose=verbose,
        )
        self.decision_prior = decision_prior

    def fit(
        self,
        X,
        y,
        groups=None,
        sample_weight=None,
        X_val=None,
        y_val=None,
        groups_val=None,
        sample_weight_val=None,
        **fit_params,
    ):
        """Fit the inner classifier under an adaptive mixture of groups.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training input, passed to the inner model as given.
        y : array-like of shape (n_samples,)
            Class labels.
        groups : array-like of shape (n_samples,), default=None
            Group of every sample (data source, assay, subgroup). Default: the
            classes. Routed by metadata routing when it is enabled.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights; multiplied by the mixture weights.
        X_val, y_val : validation set, default=None
            Explicit validation data instead of ``validation_fraction``.
        groups_val : array-like of shape (n_val,), default=None
            Groups of the validation samples (required when ``groups`` is given).
        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples.
        **fit_params : dict
            Further arguments of the inner model's ``fit`` (LightGBM's
            ``categorical_feature``, a skorch net's fit arguments, ...), passed
            to every ``fit`` call of the inner model. With metadata routing
            enabled they go where the inner model requests them
            (``inner.set_fit_request(name=True)``), as in ``BaggingClassifier``.
            Per-sample arrays are refused: rows are held out and reweighted.

        Returns
        -------
        self : Learn2MixClassifier
            The fitted estimator.
        """
        validate_params(self)
        validation = (X_val, y_val, groups_val, sample_weight_val)
        return self._fit(X, y, groups, sample_weight, validation, fit_params)

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
        X = self._check_predict_input(X)
        with backend_class(self.estimator_).inference():
            proba = self.estimator_.predict_proba(X)
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
        X = self._check_predict_input(X)
        with backend_class(self.estimator_).inference():
            return self.estimator_.decision_function(X)
