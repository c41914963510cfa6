"""Docstring fragments shared by Learn2MixClassifier and Learn2MixRegressor.

Written once and filled in with :func:`fill_doc`, as imbalanced-learn's
``Substitution`` does: a parameter's documentation cannot drift between the
two estimators.
"""

from __future__ import annotations

_PARAMS = {
    "mixer": """mixer : str, dict, array-like or BaseMixer, default="learn2mix"
        The mixing strategy. A name gives the strategy at its defaults:
        ``"learn2mix"``, ``"natural"`` (classical training), ``"balanced"``
        (equal group weights), ``"group_dro"``, ``"doremi"``,
        ``"bounded_group_loss"``, ``"mixmin"``. A strategy's own settings live
        on its object: ``mixer=Learn2Mix(mixing_rate=0.2, shrinkage=0.5)``,
        ``GroupDRO(step_size=0.05)``, tuned in a grid as
        ``mixer__mixing_rate`` or by a list of mixer objects. The adaptive
        mixers bound every group's weight to ``[min_weight, max_weight]``
        times its natural share and pool the losses of small groups
        (``pooled_rows``). A fixed mixture: a dict ``{group: weight}`` or an
        array in sorted group order, summing to 1. See :mod:`sklearn_l2m.mixers`.""",
    "n_rounds": """n_rounds : int or "auto", default="auto"
        Number of mixture updates. "auto": the budget divided by
        ``steps_per_round`` (20 rounds for models without a budget). An int
        with ``steps_per_round="auto"`` spreads the budget over that many
        rounds. Both ints ask for a budget of ``n_rounds * steps_per_round``
        steps, which replaces the inner model's own (with a warning when the
        two differ).""",
    "steps_per_round": """steps_per_round : int or "auto", default="auto"
        Inner steps between mixture updates (the horizon), in the inner
        model's own unit: epochs for skorch nets (1 = every epoch, the
        paper's setting), boosting rounds for XGBoost, iterations for
        LightGBM, CatBoost and HistGradientBoosting, members for forests and
        other warm-start ensembles, passes for ``partial_fit`` models. "auto"
        follows "Less is More": about ``log N`` boosting rounds for a budget
        of ``N`` rounds; for nets about ``sqrt(N log N)`` parameter updates
        (``N`` = epochs x batches per epoch), rounded to whole epochs. A plan
        of a single round warns: the mixture would never be used.""",
    "validation_fraction": """validation_fraction : float in (0, 1) or None, default=0.1
        Share of every (group, class) stratum held out to measure the
        per-group losses. Ignored when ``X_val`` / ``y_val`` are passed.
        ``None``: no held-out part (then ``loss_source`` must be "train").
        Rows are held out only when something reads them: validation losses,
        MixMin's target, or ``early_stopping``; ``loss_source="train"``, a
        fixed mixture and a mixer that cannot move (``mixing_rate=0``) train
        on every row.""",
    "loss_source": """loss_source : {"auto", "validation", "train"}, default="auto"
        Losses that drive the mixture: the held-out part's ("validation"),
        or the training data's ("train", the paper's way). "auto": the
        validation part's when ``X_val`` is passed or when
        ``validation_fraction`` would give every group at least 10 held-out
        rows; otherwise no rows are held out and the training losses drive
        the mixture (a warning names the groups too small to measure).
        ``loss_source_`` records the choice; ``verbose=1`` prints it.""",
    "mixing_mode": """mixing_mode : {"auto", "reweight", "resample"}, default="auto"
        How the mixture reaches training, read by the backend: per-sample
        weights ("reweight", every backend) or batch composition
        ("resample", skorch nets only: each batch takes about
        ``alpha_g * batch_size`` rows of group g, the paper's way). "auto":
        "resample" for skorch nets, else "reweight".""",
    "early_stopping": """early_stopping : bool or EarlyStopping, default=False
        Stop when the monitored validation loss has not improved for a few
        rounds; holds out ``validation_fraction`` even when the mixture does
        not need it. ``True`` is ``EarlyStopping()`` (patience 3 rounds, the
        pooled validation loss); ``EarlyStopping(monitor="worst_group")``
        follows the worst group's validation loss instead. With the pooled
        loss, XGBoost uses its own early stopping (patience
        ``n_iter_no_change * steps_per_round`` trees) and predicts with its
        best iteration. When the library runs the early stopping (the worst
        group, or a model without its own), the kept model is the best
        round's, whether the run stopped early or spent its budget: XGBoost
        and LightGBM predict with its trees, CatBoost, HistGradientBoosting,
        GradientBoosting and the forests drop the trees grown after it, and a
        skorch net ends with its parameters. Models trained by
        ``partial_fit`` or refitted every round keep their last state.
        ``best_round_`` names the best round.""",
    "refit": """refit : bool, default=False
        Once the adaptive run is over, train a fresh inner model on every
        row of ``X``, the held-out validation rows included, under the same
        mixtures round by round (``mixture_history_``; after an early stop,
        up to ``best_round_``, with the inner model's own early stopping
        off). It costs a second fit and does nothing when no rows of ``X``
        were held out. ``refit_rounds_`` says how many rounds were replayed.""",
    "random_state": """random_state : int, RandomState instance or None, default=None
        Seeds the validation split and inner models that have no seed. For
        skorch nets an int also goes to ``torch.manual_seed`` right before the
        net is initialised, so ``torch.manual_seed(s); net.fit(X, y)`` starts
        from the same weights as this estimator with ``random_state=s``:
        compare the two by seed, like for like.""",
    "verbose": """verbose : int, default=0
        0: silent. 1: the loss source chosen, then a progress bar over rounds
        (tqdm, if installed) showing the worst group loss and the validation
        loss. 2 and above: also one line per round with the mixture and the
        group losses, written above the bar.""",
}

_ATTRIBUTES = """mixer_ : BaseMixer
        The fitted mixer.
    natural_mixture_ : ndarray of shape (n_groups,)
        The groups' shares of the training part, ``pi``.
    mixture_ : ndarray of shape (n_groups,)
        The final mixture ``alpha``.
    mixture_history_ : ndarray of shape (``n_rounds_ + 1``, n_groups)
        ``alpha`` before the first round and after every round.
    group_loss_history_ : ndarray of shape (``n_rounds_``, n_groups)
        The per-group losses that drove each update (NaN: not measured).
        Training-time losses: for a test evaluation use
        :func:`sklearn_l2m.metrics.group_report`.
    validation_loss_history_ : ndarray of shape (``n_rounds_``,)
        Mean validation loss after each round (empty without validation).
    worst_group_loss_history_ : ndarray of shape (``n_rounds_``,)
        The largest per-group mean validation loss after each round (what
        ``EarlyStopping(monitor="worst_group")`` follows; empty without
        validation).
    n_rounds_ : int
        Rounds completed.
    steps_per_round_ : int
        The resolved horizon.
    stop_reason_ : {"budget", "early_stopping", "non-finite loss"}
        Why training stopped.
    best_round_ : int or None
        The round (1-based) with the lowest monitored validation loss (see
        ``early_stopping``); None without a validation part.
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
        Feature names seen in fit, when ``X`` has string column names."""

FIT_DOC = """Fit the inner model under an adaptive mixture of groups.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training input, passed to the inner model as given.
        y : array-like of shape (n_samples,)
            Class labels (classifier) or target values (regressor).
        groups : array-like of shape (n_samples,), default=None
            Group of every sample (data source, site, assay, subgroup).
            Default: the classes (classifier) or quantile bins of ``y``
            (regressor). Routed by metadata routing when it is enabled.
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
        self : object
            The fitted estimator.
        """


def fill_doc(obj):
    """Fill ``%(name)s`` placeholders of ``obj.__doc__`` with the shared fragments:
    one per parameter name, and ``%(attributes)s`` for the shared attributes."""
    doc = obj.__doc__
    for name, text in {**_PARAMS, "attributes": _ATTRIBUTES}.items():
        doc = doc.replace(f"%({name})s", text)
    if "%(" in doc:
        raise RuntimeError(f"{obj.__name__}'s docstring has an unknown placeholder.")
    obj.__doc__ = doc
    return obj
