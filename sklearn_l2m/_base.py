"""BaseLearn2Mix: parameters, fit orchestration and fitted histories."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    check_is_fitted,
    validate_data,
)

from ._compat.sklearn_params import HasMethods, Interval, StrOptions, validate_params
from ._compat.sklearn_tags import estimator_tags
from ._docs import FIT_DOC
from ._early_stopping import EarlyStopping, resolve_early_stopping
from ._prepare.checks import is_plain_table
from ._prepare.dask_data import prepare_dask_data
from ._prepare.groups import warn_missing_validation_groups
from ._prepare.in_memory import Task, check_training_data, hold_out
from ._prepare.loss_source import choose_loss_source, describe_loss_source, needs_signal
from ._routing import inner_fit_params, metadata_router
from ._training.guards import warn_small_groups
from ._training.run import FitResult, RunSettings, plan_run, train_run
from .backends import backend_class
from .backends._build import build_backend, cast_input, check_inner_kind
from .mixers import BaseMixer, Learn2Mix, check_mixer


def _estimator_has(attr: str):
    """``available_if`` check: the fitted (or configured) inner model has ``attr``."""

    def check(self) -> bool:
        inner = self.estimator_ if hasattr(self, "estimator_") else self._inner_estimator()
        return hasattr(inner, attr)

    return check


class BaseLearn2Mix(MetaEstimatorMixin, BaseEstimator):
    """Shared machinery of :class:`Learn2MixClassifier` and :class:`Learn2MixRegressor`."""

    # ``groups`` is routed to fit by default: inside Pipeline / GridSearchCV with
    # metadata routing on, it reaches both the CV splitter and this estimator.
    __metadata_request__fit = {"groups": True}

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"]), None],
        "mixer": [str, dict, "array-like", BaseMixer],
        "n_rounds": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "steps_per_round": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "loss_source": [StrOptions({"auto", "validation", "train"})],
        "mixing_mode": [StrOptions({"auto", "reweight", "resample"})],
        "early_stopping": ["boolean", EarlyStopping],
        "refit": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
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
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.mixer = mixer
        self.n_rounds = n_rounds
        self.steps_per_round = steps_per_round
        self.validation_fraction = validation_fraction
        self.loss_source = loss_source
        self.mixing_mode = mixing_mode
        self.early_stopping = early_stopping
        self.refit = refit
        self.random_state = random_state
        self.verbose = verbose

    # -- hooks for the classifier / regressor ---------------------------------
    _is_classifier = False

    def _default_estimator(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _target_encoding(self):  # pragma: no cover - overridden
        """A fresh target encoding (class labels or target bins) for one fit."""
        raise NotImplementedError

    def _adopt_target(self, target) -> None:  # pragma: no cover - overridden
        """Fitted target state from the encoding a preparation found."""
        raise NotImplementedError

    @classmethod
    def paper(cls, estimator=None, *, mixing_rate=None, **params):
        """The settings of the Learn2Mix paper (arXiv 2412.16482) in one call.

        The paper updates the mixture after every epoch from the training
        losses, with the plain rule (no shrinkage, no bounds, no pooling of
        small groups) and, for nets, batches composed from the mixture. The
        library's defaults differ on purpose (see the user guide); this
        recipe sets::

            mixer=Learn2Mix(mixing_rate=0.1 (regression: 0.05), shrinkage=0.0,
                            min_weight=0.0, max_weight=None, pooled_rows=0.0),
            loss_source="train", validation_fraction=None, steps_per_round=1,
            mixing_mode="auto"

        ``steps_per_round=1`` is one epoch for skorch nets (one tree for
        boosting). Unlike the paper's code, a group whose share of a batch is
        below one row still gets rows now and then (stochastic rounding), so
        no group is starved.

        Parameters
        ----------
        estimator : estimator, default=None
            The inner model, as in the constructor.
        mixing_rate : float, default=None
            The paper's ``gamma``. None: 0.1 for classifiers (the paper's
            value on MNIST and CIFAR-10; it used 0.5 on Fashion-MNIST), 0.05
            for regressors (0.01-0.05 in the paper).
        **params
            Any other constructor parameter; overrides the recipe.

        Returns
        -------
        estimator : instance of this class
            Unfitted, with the paper's settings.

        Examples
        --------
        >>> from sklearn_l2m import Learn2MixClassifier
        >>> clf = Learn2MixClassifier.paper(mixing_rate=0.5, random_state=0)
        >>> clf.mixer.mixing_rate, clf.mixer.shrinkage, clf.loss_source
        (0.5, 0.0, 'train')
        """
        if mixing_rate is None:
            mixing_rate = 0.1 if cls._is_classifier else 0.05
        mixer = Learn2Mix(
            mixing_rate=mixing_rate, shrinkage=0.0, min_weight=0.0, max_weight=None, pooled_rows=0.0
        )
        settings = dict(
            mixer=mixer,
            loss_source="train",
            validation_fraction=None,
            steps_per_round=1,
            mixing_mode="auto",
        )
        settings.update(params)
        return cls(estimator, **settings)

    def _inner_estimator(self):
        return self._default_estimator() if self.estimator is None else self.estimator

    # -- fit ------------------------------------------------------------------
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
        validate_params(self)
        validation = (X_val, y_val, groups_val, sample_weight_val)
        return self._fit(X, y, groups, sample_weight, validation, fit_params)

    fit.__doc__ = FIT_DOC

    def _fit(self, *args):
        """Fit, or leave the estimator exactly as it was if anything goes wrong.

        Fit stores some state before training (``classes_``, ``n_features_in_``,
        target bins); an error or a KeyboardInterrupt during a refit on other
        data must not leave the new classes beside the old model. The
        estimator's ``__dict__`` is restored as a whole.
        """
        saved = dict(self.__dict__)
        try:
            return self._fit_unguarded(*args)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def _fit_unguarded(self, X, y, groups, sample_weight, validation, fit_params):
        """Prepare the data, choose the signal, build the run, train, publish.

        ``validation`` is ``(X_val, y_val, groups_val, sample_weight_val)``;
        ``fit_params`` go to the inner model's ``fit`` (``_routing.inner_fit_params``).
        """
        check_inner_kind(self._inner_estimator(), is_classifier=self._is_classifier)
        self._fit_params = inner_fit_params(self, fit_params, X)
        if backend_class(self._inner_estimator()).distributed:
            prepared = self._prepare_distributed(X, y, groups, sample_weight, validation)
        else:
            prepared = self._prepare_in_memory(X, y, groups, sample_weight, validation)
        backend, mixer, data, loss_source, split_seed = prepared
        # the guards speak of the groups the mixer reads (all but for TargetMix)
        reads = mixer.reads_groups(data.group_labels)
        read = slice(None) if reads is None else np.asarray(reads, dtype=bool)
        val_counts = data.validation_counts
        val_counts = None if val_counts is None else np.asarray(val_counts)[read]
        warn_small_groups(data.group_labels[read], data.group_weight[read], val_counts, mixer)
        if self.verbose:
            print(f"[{type(self).__name__}] {describe_loss_source(loss_source, data)}", flush=True)
        if loss_source == "validation" and data.has_validation:
            warn_missing_validation_groups(
                data.group_labels[read], val_counts, explicit=not data.holds_out_rows_of_X
            )
        rounds = dict(n_rounds=self.n_rounds, steps_per_round=self.steps_per_round)
        plan = plan_run(backend, mixer, data.n_train, **rounds)
        result = self._train(backend, mixer, data, plan, loss_source, split_seed)
        del self._fit_params  # the fitted estimator keeps no reference to them
        return self._publish(result)

    def get_metadata_routing(self):
        """How ``fit``'s arguments are routed: ``groups``, ``sample_weight`` and the
        validation set are this estimator's; other fit parameters go to the
        inner model's ``fit`` where it requests them.

        Returns
        -------
        routing : MetadataRouter
        """
        return metadata_router(self, self._inner_estimator())

    def _prepare_in_memory(self, X, y, groups, sample_weight, validation):
        """The backend, the mixer, the encoded data with its validation part, and
        the loss source."""
        inner = self._inner_estimator()
        task = Task(
            is_classifier=self._is_classifier,
            validation_fraction=self.validation_fraction,
            estimator_name=type(self).__name__,
            target=self._target_encoding(),
            check_X=lambda X, name: self._check_input(inner, X, input_name=name),
            record_features=self._check_features,
        )
        checked = check_training_data(X, y, groups, sample_weight, task)
        self._adopt_target(task.target)
        split_seed, inner_seed = self._derive_seeds()
        backend = self._make_backend(int(inner_seed))
        mixer = self._check_mixer()
        if groups is None and mixer.needs_groups:
            raise ValueError(
                f"{type(mixer).__name__} needs groups=...: the group (assay, site, year) of "
                "every row, the target's and the sources'. Without them the groups are the "
                "classes (a classifier) or bins of y (a regressor), not sources. In a "
                "Pipeline pass <step>__groups=..., or with metadata routing on call "
                "set_fit_request(groups=True)."
            )
        task = replace(
            task,
            split_seed=int(split_seed),
            cast=partial(cast_input, dtype=backend.input_dtype),
            choose_signal=self._signal_rule(mixer),
            target_may_lack_groups=mixer.target_without_groups,
            validation_shares=mixer.validation_shares,
        )
        data, loss_source = hold_out(checked, groups, validation, task)
        return backend, mixer, data, loss_source, int(split_seed)

    def _prepare_distributed(self, X, y, groups, sample_weight, validation):
        """As :meth:`_prepare_in_memory`, for dask collections: the data stays lazy
        on the cluster and only per-group totals come to this machine."""
        if self.refit and validation[0] is None:
            raise ValueError(
                "refit=True is not supported on dask collections: the distributed fit "
                "trains once. Set refit=False, or pass X_val and y_val so that no rows "
                "of X are held out."
            )
        split_seed, inner_seed = self._derive_seeds()
        backend = self._make_backend(int(inner_seed))
        mixer = self._check_mixer()
        if mixer.offline or mixer.needs_validation:
            raise ValueError(
                f"{type(mixer).__name__} is not supported on Dask collections (it trains "
                "proxy models before the fit, or holds out one group's rows); use an "
                "adaptive or static mixer, or fit in memory on X.compute()."
            )
        task = Task(
            estimator_name=type(self).__name__,
            is_classifier=self._is_classifier,
            validation_fraction=self.validation_fraction,
            split_seed=int(split_seed),
            choose_signal=self._signal_rule(mixer),
            n_target_bins=getattr(self, "n_target_bins", 0),
        )
        data, loss_source = prepare_dask_data(X, y, groups, sample_weight, validation, task)
        self._record_input_features(data.X)
        self._adopt_target_encoding(data)
        return backend, mixer, data, loss_source, int(split_seed)

    def _adopt_target_encoding(self, data) -> None:
        """Fitted target state found by a distributed preparation (classes, bins)."""

    def _train(self, backend, mixer, data, plan, loss_source, seed) -> FitResult:
        """One training run under these settings (``_run.train_run``); ``seed``: the
        validation split's."""
        stopping = resolve_early_stopping(self.early_stopping)
        if stopping is not None and not data.has_validation:
            # nothing held out to watch (TargetMix with too few target rows: it warned)
            stopping = None
        settings = RunSettings(
            name=type(self).__name__,
            early_stopping=stopping,
            refit=self.refit,
            verbose=self.verbose,
            seed=seed,  # the split's: a sample of the rows (training_shares) takes it too
        )
        return train_run(
            backend, mixer, data, plan, loss_source, settings, self._make_backend, self._make_proxy
        )

    def _derive_seeds(self):
        """The validation split's seed and the inner model's, from ``random_state``."""
        rng = check_random_state(self.random_state)
        return rng.randint(np.iinfo(np.int32).max, size=2)

    def _publish(self, result: FitResult):
        """Set the fitted attributes of one run's result (the estimator, mixer,
        histories, stop reason, priors).

        The input's fitted state (``classes_``, ``n_features_in_``, target bins)
        is set earlier, while the data are prepared; :meth:`_fit` restores the
        estimator as a whole if anything fails before this point.
        """
        controller = result.controller
        n_groups = len(result.group_labels)
        self.estimator_ = result.fitted
        self.mixer_ = result.mixer
        self.groups_ = np.asarray(result.group_labels)
        self.natural_mixture_ = controller.natural
        self.mixture_ = controller.mixture
        self.mixture_history_ = np.vstack(controller.mixture_history)
        n_done = len(controller.loss_history)
        self.group_loss_history_ = (
            np.vstack(controller.loss_history) if n_done else np.empty((0, n_groups))
        )
        self.validation_loss_history_ = np.asarray(controller.objective_history)
        self.worst_group_loss_history_ = np.asarray(controller.worst_group_history)
        self.n_rounds_ = n_done
        self.steps_per_round_ = result.plan.steps_per_round
        self.stop_reason_ = result.stop_reason
        monitored = controller.monitored_history
        self.best_round_ = int(np.argmin(monitored)) + 1 if len(monitored) else None
        self.loss_source_ = result.loss_source
        self.train_time_ = result.train_time
        self.refit_rounds_ = result.refit_rounds
        self._set_decision_state(controller)
        return self

    def _set_decision_state(self, controller) -> None:
        """Fitted state that prediction reads besides the inner model (classifier: priors)."""

    def _make_backend(self, seed: int):
        # an int random_state seeds the initial parameters itself (pairing by seed)
        init_seed = int(self.random_state) if isinstance(self.random_state, Integral) else seed
        backend = build_backend(
            self._inner_estimator(),
            is_classifier=self._is_classifier,
            seed=seed,
            init_seed=init_seed,
            mixing_mode=self.mixing_mode,
            fit_params=self._fit_params,
        )
        return backend

    def _make_proxy(self, estimator=None):
        """A backend for an offline mixer's proxy: ``estimator`` (None: the inner
        model) seeded and given the fit parameters, as the inner model is."""
        seed = int(self._derive_seeds()[1])
        return build_backend(
            self._inner_estimator() if estimator is None else estimator,
            is_classifier=self._is_classifier,
            seed=seed,
            init_seed=seed,
            fit_params=self._fit_params,
        )

    def _cast_input(self, X):
        """``X`` in the dtype the fitted inner model computes in (nets: float32)."""
        return cast_input(X, backend_class(self.estimator_).input_dtype)

    def _signal_rule(self, mixer):
        """The loss-source rule of this estimator's settings, for any kind of data."""
        return partial(
            choose_loss_source,
            loss_source=self.loss_source,
            validation_fraction=self.validation_fraction,
            early_stopping=resolve_early_stopping(self.early_stopping) is not None,
            needs_signal=needs_signal(mixer),
            needs_validation=mixer.needs_validation,
        )

    def _check_mixer(self) -> BaseMixer:
        """A fresh mixer from ``mixer`` (a name, a fixed mixture or a mixer object)."""
        return check_mixer(self.mixer)

    # -- delegation -------------------------------------------------------------
    def _check_predict_input(self, X):
        check_is_fitted(self)
        X = self._check_input(self.estimator_, X)
        if is_plain_table(X) and hasattr(self, "n_features_in_"):
            validate_data(self, X, reset=False, skip_check_array=True)
        return self._cast_input(X)

    @staticmethod
    def _check_input(inner, X, *, input_name="X"):
        """``X`` checked as the inner model's backend takes it (see ``Backend.check_input``)."""
        return backend_class(inner).check_input(X, input_name=input_name)

    def _check_features(self, X, reset: bool) -> None:
        """Record (``reset``) or check ``n_features_in_`` / ``feature_names_in_``."""
        if reset:
            self._record_input_features(X)
        elif is_plain_table(X):
            validate_data(self, X, reset=False, skip_check_array=True)

    def _record_input_features(self, X) -> None:
        """``n_features_in_`` / ``feature_names_in_`` for 2-D input; none for images
        or dicts of inputs (whose shapes only the net checks)."""
        if is_plain_table(X):
            validate_data(self, X, reset=True, skip_check_array=True)
            return
        for name in ("n_features_in_", "feature_names_in_"):
            self.__dict__.pop(name, None)

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict with the fitted inner model.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Input in any form the inner model accepts.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted class labels or values.
        """
        return self._decode_prediction(self._inner_call("predict", X))

    def _inner_call(self, method: str, X):
        """The one path of every prediction: check ``X`` as in fit, then call the
        fitted inner model's ``method`` in its backend's inference mode."""
        X = self._check_predict_input(X)
        with backend_class(self.estimator_).inference():
            return getattr(self.estimator_, method)(X)

    def _decode_prediction(self, prediction):
        return prediction

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self._inner_estimator()
        declared = backend_class(inner).allow_nan
        inner_tags = estimator_tags(inner)
        if inner_tags is None:  # an inner model without readable scikit-learn tags
            tags.input_tags.allow_nan = bool(declared)
            return tags
        tags.input_tags.allow_nan = (
            inner_tags.input_tags.allow_nan if declared is None else declared
        )
        tags.input_tags.sparse = inner_tags.input_tags.sparse
        tags.input_tags.categorical = inner_tags.input_tags.categorical
        tags.input_tags.string = inner_tags.input_tags.string
        return tags
