"""Learn2MixRegressor."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor

from ._base import BaseLearn2Mix
from ._compat import Interval, validate_params
from ._data import is_dask_collection
from ._target import BinnedTarget


class Learn2MixRegressor(RegressorMixin, BaseLearn2Mix):
    """Regressor that re-weights groups every round from their losses.

    The same method as :class:`Learn2MixClassifier`, with squared error as
    the per-group loss. Without ``groups``, the groups are ``n_target_bins``
    quantile bins of the training target, so the mixture moves towards the
    ranges of ``y`` that are predicted worst (often the tails).

    Parameters
    ----------
    estimator : estimator, default=None
        The inner regressor. ``None`` means
        ``HistGradientBoostingRegressor(early_stopping=False)``.
    mixer : str, dict, array-like or BaseMixer, default="learn2mix"
        The mixing strategy; see :class:`Learn2MixClassifier`.
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
        paper's rule. The default is the classifier's, chosen there so that
        the natural-distribution score stays close to classical training
        (the README's "Defaults, and what they cost"); for regression, tune it
        with GridSearchCV on the error that matters to you, where
        ``mixing_rate=0`` is classical training.
    n_rounds : int or "auto", default="auto"
        Number of mixture updates; see :class:`Learn2MixClassifier`.
    steps_per_round : int or "auto", default="auto"
        Inner steps between mixture updates, in the inner model's own unit
        (epochs for skorch nets, boosting rounds or iterations for boosting,
        members for forests); see :class:`Learn2MixClassifier`.
    validation_fraction : float in (0, 1) or None, default=0.1
        Share of every group held out to measure its loss.
    loss_source : {"auto", "validation", "train"}, default="auto"
        Losses that drive the mixture. "auto": the held-out part's when
        ``X_val`` is passed or every group gets at least 10 held-out rows,
        else the training losses of all rows (nothing held out); see
        :class:`Learn2MixClassifier`.
    mixing_mode : {"auto", "reweight", "resample"}, default="auto"
        How the mixture reaches training: per-sample weights ("reweight",
        every backend) or batch composition ("resample", skorch nets only:
        each batch takes about ``alpha_g * batch_size`` rows of group g, the
        paper's way). "auto": "resample" for skorch nets, else "reweight".
    min_weight : float in [0, 1), default=0.1
        Floor on every group's per-sample multiplier ``alpha_g / pi_g``.
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
    n_target_bins : int, default=5
        Number of quantile bins of ``y`` used as groups when ``groups`` is None.
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
        The fitted inner model.
    groups_ : ndarray of shape (n_groups,)
        Group labels (bin indices when no ``groups`` were passed).
    target_bin_edges_ : ndarray or None
        Inner edges of the target bins (None when ``groups`` were passed).
    mixer_ : BaseMixer
        The fitted mixer.
    natural_mixture_ : ndarray of shape (n_groups,)
        The groups' shares of the training part.
    mixture_ : ndarray of shape (n_groups,)
        The final mixture.
    mixture_history_ : ndarray of shape (``n_rounds_ + 1``, n_groups)
        ``alpha`` before the first round and after every round.
    group_loss_history_ : ndarray of shape (``n_rounds_``, n_groups)
        Per-group losses that drove each update.
    validation_loss_history_ : ndarray of shape (``n_rounds_``,)
        Mean validation loss after each round.
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
    Learn2MixClassifier : The same for classification.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn_l2m import Learn2MixRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = Learn2MixRegressor(mixing_rate=0.05, random_state=0).fit(X, y)
    >>> reg.groups_
    array([0, 1, 2, 3, 4])
    >>> bool(reg.score(X, y) > 0.5)
    True
    """

    _parameter_constraints: dict = {
        **BaseLearn2Mix._parameter_constraints,
        "n_target_bins": [Interval(Integral, 1, None, closed="left")],
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
        n_target_bins=5,
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
        self.n_target_bins = n_target_bins

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
        """Fit the inner regressor under an adaptive mixture of groups.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training input, passed to the inner model as given.
        y : array-like of shape (n_samples,)
            Target values.
        groups : array-like of shape (n_samples,), default=None
            Group of every sample. Default: quantile bins of ``y``.
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
        self : Learn2MixRegressor
            The fitted estimator.
        """
        validate_params(self)
        validation = (X_val, y_val, groups_val, sample_weight_val)
        return self._fit(X, y, groups, sample_weight, validation, fit_params)

    def _default_estimator(self):
        return HistGradientBoostingRegressor(early_stopping=False)

    def _decode_prediction(self, prediction):
        if not is_dask_collection(prediction):  # dask predictions stay lazy
            prediction = np.asarray(prediction)
        # nets predict a (n, 1) column; scikit-learn regressors return (n,)
        return (
            prediction.ravel() if prediction.ndim == 2 and prediction.shape[1] == 1 else prediction
        )

    def _target_encoding(self):
        return BinnedTarget(self.n_target_bins)

    def _adopt_target(self, target) -> None:
        self.target_bin_edges_ = target.edges

    def _adopt_target_encoding(self, data) -> None:
        self.target_bin_edges_ = data.target_bin_edges
