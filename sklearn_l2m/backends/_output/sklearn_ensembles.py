"""Running predictions of growing scikit-learn ensembles: each round evaluates
only the members it added.

A warm-start ensemble (HistGradientBoosting, GradientBoosting, RandomForest,
ExtraTrees) grows by ``steps_per_round`` members a round. Its per-group losses
need the model's output on fixed rows (the validation part, sometimes the
training part); predicting from scratch every round costs ``rounds x members``
tree evaluations, quadratic in the budget. A :class:`RunningOutput` keeps the
ensemble's raw output on its rows and adds the new members' contributions
only, so a whole fit costs one evaluation of every member on every row set.

Boosting models also re-predict *all* their trees on the training rows at the
start of every warm-start ``fit``. :meth:`RunningOutput.lend_to_warm_start`
hands them the running training output instead; they add the new trees to it
in place, as they do to their own array.

The scikit-learn internals this needs are reached through ``_compat`` (the
``sklearn_running_output`` hook): a family is used only where its probe
finds them, and the in-place hand-over is verified on a sample of rows the
first time it is used; any other case takes :class:`FullOutput`, which
predicts from scratch (correct, but quadratic in the budget).
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

from ..._compat import sklearn_ensembles as _compat
from .._base import OutputLosses
from .links import N_CHECK_ROWS as _N_CHECK_ROWS  # scikit-learn 1.6 to 1.9 update in place


class RunningOutput(OutputLosses):
    """The output of a growing ensemble on fixed rows, member by member.

    Parameters
    ----------
    estimator : estimator
        The ensemble being grown (fitted at least once before :meth:`advance`).
    X : {array-like, sparse matrix, DataFrame}
        The rows, as the model is fitted on them.
    is_classifier : bool
        Output probabilities (True) or predictions (False).
    """

    def __init__(self, estimator, X, *, is_classifier: bool):
        self.estimator = estimator
        self.X = X
        self.is_classifier = is_classifier
        self.n_members = 0  # members already summed into the running output
        self.member_evaluations = 0  # for tests: members evaluated on these rows
        self._raw = None

    def advance(self) -> None:
        """Add the members fitted since the last call to the running output."""
        if self._raw is None:
            self._raw = self._start()
        members = self._members()
        new = members[self.n_members :]
        if len(new):
            self._add(new, self._raw)
            self.member_evaluations += len(new)
        self.n_members = len(members)

    def output(self) -> np.ndarray:
        """``predict_proba`` (classifiers) or ``predict`` (regressors) on the rows."""
        raise NotImplementedError

    #: whether :meth:`lend_to_warm_start` saves the model work (boosting only)
    lends = False

    def lend_to_warm_start(self):
        """Context manager: the model's warm-start fit reuses this output (no-op here)."""
        return contextlib.nullcontext()

    # -- one model family -------------------------------------------------------
    def _start(self) -> np.ndarray:
        """The output of an ensemble with no members (e.g. the baseline)."""
        raise NotImplementedError

    def _members(self):
        raise NotImplementedError

    def _add(self, members, raw: np.ndarray) -> None:
        raise NotImplementedError


class FullOutput(RunningOutput):
    """Any model: predict from scratch every round (the fallback)."""

    def advance(self) -> None:
        self._raw = None

    def output(self) -> np.ndarray:
        if self._raw is None:
            est = self.estimator
            if self.is_classifier and hasattr(est, "predict_proba"):
                self._raw = est.predict_proba(self.X)
            else:
                self.hard = self.is_classifier
                self._raw = est.predict(self.X)
        return self._raw


class _BoostingOutput(RunningOutput):
    """Raw scores of a boosting model; lent to its warm start on the training rows."""

    def __init__(self, estimator, X, *, is_classifier: bool, match=None):
        super().__init__(estimator, X, is_classifier=is_classifier)
        #: predicate on the array the model's warm start re-predicts; None: never lent
        self._match = match
        self.lends = match is not None
        self._lent = False
        self._verified = False

    @contextlib.contextmanager
    def lend_to_warm_start(self):
        """Answer the warm-start ``fit``'s ``_raw_predict`` on the training rows.

        The model adds the new trees to the array in place, so after the fit
        the running output already holds them and :meth:`advance` only counts.
        """
        if self._match is None or self._raw is None:
            yield
            return

        def answer(X):
            if self._match(X):
                self._lent = True
                return self._raw
            return None

        with _compat.answer_raw_predict(self.estimator, answer):
            yield

    def advance(self) -> None:
        if not self._lent:
            super().advance()
            return
        self._lent = False
        n_before = self.n_members
        self.n_members = len(self._members())
        if not self._verified:
            self._verify(n_before)

    def _verify(self, n_before: int) -> None:
        """Check a few rows against a fresh prediction; stop lending if they differ."""
        self._verified = True
        rows = np.linspace(0, self._raw.shape[0] - 1, _N_CHECK_ROWS).astype(np.intp)
        fresh = self._start_rows(rows)
        self._add(self._members(), fresh, rows=rows)
        if np.allclose(fresh, self._raw[rows], rtol=1e-7, atol=1e-9):
            return
        warnings.warn(
            f"{type(self.estimator).__name__} did not update its training scores in place "
            "(a scikit-learn version this library was not tested with). Learn2Mix stops "
            "lending them: each round's warm start re-predicts all trees again (correct, "
            "but the cost grows with rounds x budget).",
            RuntimeWarning,
            stacklevel=2,
        )
        self._match = None
        self.lends = False
        self._raw = self._start()
        self._add(self._members(), self._raw)
        self.member_evaluations += len(self._members())

    def _start_rows(self, rows) -> np.ndarray:
        raise NotImplementedError


class HistGradientBoostingOutput(_BoostingOutput):
    """HistGradientBoosting: baseline plus every iteration's trees."""

    def __init__(self, estimator, X, *, is_classifier: bool, binned=None):
        # ``binned``: returns the binned training matrix the model fits on (or
        # None); when there is one, the rows are predicted binned and lent.
        self._binned = binned
        super().__init__(estimator, X, is_classifier=is_classifier, match=self._is_binned_rows)
        self._X_ready = None
        self._is_binned = False

    def _is_binned_rows(self, X) -> bool:
        return self._is_binned and X is self._X_ready

    def _rows(self):
        if self._X_ready is None:
            binned = self._binned() if self._binned is not None else None
            self._is_binned = binned is not None and binned.shape[0] == self.X.shape[0]
            self._X_ready = binned if self._is_binned else _compat.hgb_rows(self.estimator, self.X)
        return self._X_ready

    def _start(self) -> np.ndarray:
        return self._start_n(self._rows().shape[0])

    def _start_rows(self, rows) -> np.ndarray:
        return self._start_n(len(rows))

    def _start_n(self, n: int) -> np.ndarray:
        return _compat.hgb_start(self.estimator, n)

    def _members(self):
        return _compat.hgb_members(self.estimator)

    def _add(self, members, raw, rows=None) -> None:
        X = self._rows() if rows is None else self._rows()[rows]
        _compat.hgb_add(self.estimator, X, members, raw, is_binned=self._is_binned)

    def output(self) -> np.ndarray:
        return _compat.boosting_output(self.estimator, self._raw, is_classifier=self.is_classifier)


class GradientBoostingOutput(_BoostingOutput):
    """GradientBoosting: the init estimator's scores plus every stage's trees."""

    def __init__(self, estimator, X, *, is_classifier: bool, lend: bool = False):
        n_rows = X.shape[0]
        match = (lambda A: A.shape[0] == n_rows) if lend else None
        super().__init__(estimator, X, is_classifier=is_classifier, match=match)
        self._X_ready = None

    def _rows(self):
        if self._X_ready is None:
            # float32, C order (CSR if sparse): what GradientBoosting predicts on
            self._X_ready = _compat.gb_rows(self.estimator, self.X)
        return self._X_ready

    def _start(self) -> np.ndarray:
        return _compat.gb_start(self.estimator, self._rows())

    def _start_rows(self, rows) -> np.ndarray:
        return _compat.gb_start(self.estimator, self._rows()[rows])

    def _members(self):
        return self.estimator.estimators_

    def _add(self, members, raw, rows=None) -> None:
        X = self._rows() if rows is None else self._rows()[rows]
        _compat.gb_add(self.estimator, X, members, raw)

    def output(self) -> np.ndarray:
        raw = self._raw
        if raw.shape[1] == 1:
            raw = raw.ravel()
        if self.is_classifier:
            return _compat.boosting_output(self.estimator, raw, is_classifier=True)
        return raw


class ForestOutput(RunningOutput):
    """RandomForest / ExtraTrees: the mean of the trees' outputs."""

    def _rows(self):
        if getattr(self, "_X_ready", None) is None:
            self._X_ready = _compat.forest_rows(self.estimator, self.X)
        return self._X_ready

    def _start(self) -> np.ndarray:
        n = self._rows().shape[0]
        if self.is_classifier:
            return np.zeros((n, self.estimator.n_classes_), dtype=np.float64)
        return np.zeros(n, dtype=np.float64)

    def _members(self):
        return self.estimator.estimators_

    def _add(self, members, raw) -> None:
        X = self._rows()
        for tree in members:
            if self.is_classifier:
                raw += tree.predict_proba(X, check_input=False)
            else:
                raw += tree.predict(X, check_input=False)

    def output(self) -> np.ndarray:
        return self._raw / max(self.n_members, 1)


def running_output(
    estimator, X, *, is_classifier: bool, lend: bool = False, binned=None
) -> RunningOutput:
    """The cheapest correct :class:`RunningOutput` for ``estimator`` on rows ``X``.

    Parameters
    ----------
    estimator : estimator
        The inner model (not fitted yet).
    X : {array-like, sparse matrix, DataFrame}
        The rows to keep outputs for.
    is_classifier : bool
        Probabilities (True) or predictions (False).
    lend : bool, default=False
        ``X`` is the training part: lend the output to the boosting model's
        warm start (see :meth:`RunningOutput.lend_to_warm_start`).
    binned : callable, optional
        HistGradientBoosting only: returns the binned training matrix the
        model fits on, which the training output is predicted on and matched by.
    """
    kind = dict(is_classifier=is_classifier)
    family = _compat.sklearn_ensemble_family(estimator)
    if family == "hgb":
        return HistGradientBoostingOutput(estimator, X, binned=binned if lend else None, **kind)
    if family == "gb":
        return GradientBoostingOutput(estimator, X, lend=lend, **kind)
    if family == "forest":
        return ForestOutput(estimator, X, **kind)
    return FullOutput(estimator, X, **kind)
