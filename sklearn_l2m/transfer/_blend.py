"""The blend of a model of the sources, a model of the target and (optionally) a
pooled and a continued model, weighted by their out-of-fold loss on the
target's rows."""

from __future__ import annotations

import itertools

import numpy as np
from sklearn.base import clone, is_classifier

from .._global_seed import global_seed
from .._warnings import warn_user
from ._baselines import _check_share, _share_factors
from ._common import _fit, _ForTarget, _mask, _rows
from ._continued import check_continuable, continued_output, fit_continued

#: the sources' model's weights that :class:`TargetBlend` tries (0: the target's model alone)
BLEND_WEIGHTS = tuple(float(w) for w in np.round(np.linspace(0.0, 1.0, 11), 2))


def _aligned_proba(model, X, classes) -> np.ndarray:
    """``model``'s probabilities with one column per class of ``classes`` (0 for the
    classes it never saw)."""
    proba = np.zeros((X.shape[0], classes.size))
    columns = np.searchsorted(classes, model.classes_)
    proba[:, columns] = model.predict_proba(X)
    return proba


class TargetBlend(_ForTarget):
    """A model of the sources, a model of the target and a pooled model,
    blended for the target.

    The sources' model never sees the target's rows; the target's model sees
    nothing else; the pooled model sees every row, the target's rows
    up-weighted to hold ``pooled_share`` of the training weight (what a tuned
    target weight reaches, without its noisy choice on a few held-out rows).
    The blend ``w * sources + v * pooled + (1 - w - v) * target`` (predictions
    of a regressor, probabilities of a classifier) takes the pair of
    ``weights`` (``w + v <= 1``) with the lowest loss (squared error; log loss)
    on the target's rows, each predicted by members that did not train on it:
    the sources' model never did, and the target's and the pooled model are
    fitted ``cv`` times, each without one fold of the target's rows. Every
    target row scores the blend, none is held out of the final models. Ties go
    to the larger ``w + v``, then the larger ``w``. One fit on the sources,
    ``cv + 1`` fits on every row and ``cv + 1`` small fits on the target:
    about five pooled fits at ``cv=3``.

    Where the sources predict the target well the blend stays on them, where
    they are offset or unrelated it moves to the target's own model, and in
    between it averages models that err differently. The defaults are the
    setting this library recommends for a target (measured in the benchmarks'
    transfer suite); ``pooled_share=None`` leaves out the pooled member (the
    blend ``w * sources + (1 - w) * target``, about 1.2x one pooled fit) where
    five pooled fits are too many.

    A classifier needs at least ``cv`` of the target's rows of every class to
    score blends out of fold; with fewer it warns and predicts with the
    sources' model alone.

    With ``continued=True`` the blend has a member that starts from the
    sources' model and learns only what the target adds to it: a model of the
    target's residuals from the sources' prediction (a regressor; for a booster
    at squared loss this is boosting continued on the target's rows), or of
    the target's labels from the sources' log-odds as its base margin (a binary
    XGBoost or LightGBM classifier). It reaches what continued boosting reaches
    without refitting on the pool: ``cv + 1`` more small fits on the target's
    rows. Its weight joins the tuple of weights tried, in the order sources,
    pooled, continued.

    Parameters
    ----------
    estimator : estimator
        The inner model (cloned for every model).
    target : group label
        The group to predict for.
    cv : int, default=3
        Folds of the target's rows that score the blend (fewer when the target
        has fewer rows).
    weights : sequence of float in [0, 1], default=(0.0, 0.1, ..., 1.0)
        The members' weights tried.
    pooled_share : float in (0, 1) or None, default=0.35
        The target's share of the pooled member's training weight (each target
        row weighs ``pooled_share / (1 - pooled_share)`` times the sources'
        total weight over the target's, at least 1); None: no pooled member.
    continued : bool, default=False
        Add the member that continues the sources' model on the target's rows
        (above). A classifier needs two classes and an inner model that takes
        a base margin (XGBoost, LightGBM).
    selection : {"best", "one_se"}, default="best"
        How the blend is picked from the out-of-fold losses. "best": the lowest
        mean loss. "one_se": the one-standard-error rule: of the blends within
        one standard error (of the paired per-row loss differences) of the
        lowest, the one with the most weight off the target's own model, then
        on the sources'. With few target rows the target's own evidence is
        noisy; this keeps the blend on the sources until it is not.
    random_state : int, default=None
        Seeds the folds, and numpy's and torch's global generators during the
        fit (a skorch net's initial weights: it has no ``random_state``).

    Attributes
    ----------
    weight_ : float
        The sources' model's weight in the blend.
    pooled_weight_ : float
        The pooled model's weight (0.0 without ``pooled_share``).
    continued_weight_ : float
        The continued model's weight (0.0 without ``continued``).
    losses_ : dict
        Weight ``w`` (with more members: the tuple of the sources', pooled and
        continued members' weights, those present) -> mean out-of-fold loss on
        the target's rows; empty where a class was too rare to score blends.
    pool_ : estimator
        The sources' model.
    pooled_ : estimator or None
        The model of every row (None without ``pooled_share``, or where a
        class was too rare to score blends).
    continued_ : estimator or None
        The model that continues the sources' on the target's rows (None
        without ``continued``, or where the target's rows hold one class).
    estimator_ : estimator
        The target's model, fitted on all of its rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn_l2m.transfer import TargetBlend
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(200, 1); groups = np.r_[["a"] * 180, ["t"] * 20]
    >>> y = 2 * X[:, 0] + np.where(groups == "t", 3.0, 0.0)  # the target is offset by 3
    >>> blend = TargetBlend(LinearRegression(), "t").fit(X, y, groups=groups)
    >>> blend.weight_, blend.pooled_weight_  # offset sources do not help: the target's model
    (0.0, 0.0)
    """

    def __init__(
        self, estimator, target, *, cv=3, weights=BLEND_WEIGHTS, pooled_share=0.35,
        continued=False, selection="best", random_state=None,
    ):  # fmt: skip
        self.estimator = estimator
        self.target = target
        self.cv = cv
        self.weights = weights
        self.pooled_share = pooled_share
        self.continued = continued
        self.selection = selection
        self.random_state = random_state

    def fit(self, X, y, groups=None, sample_weight=None):
        with global_seed(self.random_state):  # a net's initial weights (no random_state)
            return self._fit_members(X, y, groups, sample_weight)

    def _fit_members(self, X, y, groups, sample_weight):
        y = np.asarray(y)
        mask = self._fit_rows(X, y, groups)
        weights = self._checked_settings()
        sw = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        part = lambda m: (_rows(X, m), y[m], None if sw is None else sw[m])  # noqa: E731
        if is_classifier(self.estimator):
            self._classes = np.unique(y)
        if self.continued:  # (the number of classes matters to a classifier only)
            check_continuable(self.estimator, np.unique(y).size)
        self.pool_ = _fit(clone(self.estimator), *part(~mask))
        X_t, y_t, w_t = part(mask)
        folds = self._folds(len(y_t))
        sources = self._output(self.pool_, X_t)
        if self._too_few_of_a_class(y_t, len(folds)):
            return self._sources_alone(X_t, y_t, w_t)
        target = self._out_of_fold(X_t, y_t, w_t, folds)
        members = {"sources": sources}
        if self.pooled_share is not None:
            members["pooled"] = self._pooled_out_of_fold(X, y, sw, mask, folds, sources)
        if self.continued:
            members["continued"] = self._continued_out_of_fold(X_t, y_t, w_t, folds, sources)
        members["target"] = target
        keys = _blend_grid(weights, len(members))
        outputs = list(members.values())
        row_losses = np.array([self._loss(_mix(outputs, key), y_t) for key in keys])
        means = np.average(row_losses, axis=1, weights=w_t)
        self.losses_ = dict(zip(keys, means.tolist(), strict=True))
        chosen = np.atleast_1d(_choose(keys, means, row_losses, w_t, self.selection))
        shares = dict(zip(list(members)[:-1], chosen.tolist(), strict=True))
        self.weight_ = shares["sources"]
        self.pooled_weight_ = shares.get("pooled", 0.0)
        self.continued_weight_ = shares.get("continued", 0.0)
        self._fit_final(X, y, sw, mask, (X_t, y_t, w_t), sources)
        return self

    def _fit_final(self, X, y, sw, mask, target_part, sources):
        """The members' final models: on every row (pooled), every target row (the rest);
        ``sources``: the sources' model's output on the target's rows."""
        X_t, y_t, w_t = target_part
        self.pooled_ = self.continued_ = None
        if self.pooled_share is not None:
            self.pooled_ = self._fit_pooled(X, y, sw, mask, np.ones(len(y), dtype=bool))
        if self.continued:
            start = self._start_of(sources)
            self.continued_ = fit_continued(clone(self.estimator), X_t, y_t, w_t, start)
        self.estimator_ = _fit(clone(self.estimator), X_t, y_t, w_t)

    def _sources_alone(self, X_t, y_t, w_t):
        """The fitted blend that is the sources' model alone (no pooled fits)."""
        self.losses_, self.weight_, self.pooled_weight_, self.continued_weight_ = {}, 1.0, 0.0, 0.0
        self.pooled_ = self.continued_ = None
        self.estimator_ = _fit(clone(self.estimator), X_t, y_t, w_t)
        return self

    def _too_few_of_a_class(self, y_t, n_folds: int) -> bool:
        """Whether a class has fewer target rows than folds (warned): the blends'
        out-of-fold losses cannot weigh a class that most folds lack. With no
        positive among its rows the target's own model would look best (always
        negative), a blend that ranks nothing."""
        if not (is_classifier(self.estimator) and n_folds):
            return False
        counts = (y_t[:, None] == self._classes[None, :]).sum(axis=0)
        if counts.min() >= n_folds:
            return False
        fewest = int(counts.min())
        scarce = self._classes.tolist()[int(np.argmin(counts))]
        fix = f", or lower cv to {fewest}" if fewest >= 2 else ""
        warn_user(
            f"TargetBlend: the target's rows hold {fewest} of class {scarce!r}, fewer than "
            f"the {n_folds} folds that score the blends, so they cannot choose a blend: it "
            "predicts with the sources' model alone (weight_=1.0, losses_ empty). Label "
            f"more target rows of that class{fix}.",
            UserWarning,
        )
        return True

    def _checked_settings(self) -> list:
        try:
            weights = sorted({float(w) for w in np.ravel(self.weights)})
        except (TypeError, ValueError):
            weights = []
        if not weights or not all(0.0 <= w <= 1.0 for w in weights):
            raise ValueError(
                "weights must be the members' weights in [0, 1] (0: the target's "
                f"model alone, 1: the sources' alone); got {self.weights!r}."
            )
        if not (isinstance(self.cv, int | np.integer) and self.cv >= 2):
            raise ValueError(
                f"cv must be an int >= 2 (folds of the target's rows); got {self.cv!r}."
            )
        if not isinstance(self.continued, bool | np.bool_):
            raise ValueError(f"continued must be True or False; got {self.continued!r}.")
        if self.pooled_share is not None:
            _check_share(self.pooled_share, "pooled_share must be None (no pooled member) or")
        if self.selection not in SELECTIONS:
            raise ValueError(
                f"selection must be one of {SELECTIONS} ('best': the lowest out-of-fold "
                "loss; 'one_se': the blend nearest the sources within one standard error "
                f"of it); got {self.selection!r}."
            )
        return weights

    def _folds(self, n: int) -> list:
        """The folds of the target's rows that every out-of-fold member shares."""
        from sklearn.model_selection import KFold

        if n < 2:  # nothing to hold out: the members are scored on the sources' model
            return []
        folds = KFold(min(self.cv, n), shuffle=True, random_state=self.random_state)
        return list(folds.split(np.zeros(n)))

    def _out_of_fold(self, X_t, y_t, w_t, folds) -> np.ndarray:
        """The target's model's output on each target row, from a fit without it."""
        n = len(y_t)
        if not folds:
            return self._output(self.pool_, X_t)
        out = np.zeros((n, self._classes.size) if is_classifier(self.estimator) else n)
        for train, test in folds:
            model = _fit(
                clone(self.estimator), _rows(X_t, _mask(n, train)), y_t[train],
                None if w_t is None else w_t[train],
            )  # fmt: skip
            out[test] = self._output(model, _rows(X_t, _mask(n, test)))
        return out

    def _continued_out_of_fold(self, X_t, y_t, w_t, folds, sources) -> np.ndarray:
        """The continued model's output on each target row, from a fit without it
        (the sources' model never saw a target row: only the continuation is refitted)."""
        if not folds:
            return sources
        n = len(y_t)
        start = self._start_of(sources)
        out = np.zeros_like(sources)
        for train, test in folds:
            model = fit_continued(
                clone(self.estimator), _rows(X_t, _mask(n, train)), y_t[train],
                None if w_t is None else w_t[train], start[train],
            )  # fmt: skip
            out[test] = self._continued_output(model, _rows(X_t, _mask(n, test)), start[test])
        return out

    def _start_of(self, sources: np.ndarray) -> np.ndarray:
        """Where the continuation starts: the sources' prediction, or their
        probability of the second class."""
        return sources[:, 1] if is_classifier(self.estimator) else sources

    def _continued_output(self, model, X, start) -> np.ndarray:
        out = continued_output(model, X, start)
        return np.column_stack([1.0 - out, out]) if is_classifier(self.estimator) else out

    def _pooled_out_of_fold(self, X, y, sw, mask, folds, sources) -> np.ndarray:
        """The pooled model's output on each target row, from a pooled fit without it."""
        if not folds:
            return sources
        own = np.flatnonzero(mask)
        out = np.zeros_like(sources)
        for _, test in folds:
            held = _mask(len(y), own[test])
            model = self._fit_pooled(X, y, sw, mask, ~held)
            out[test] = self._output(model, _rows(X, held))
        return out

    def _fit_pooled(self, X, y, sw, mask, keep):
        """Every kept row, the target's rows up-weighted to ``pooled_share`` of the weight."""
        base = np.ones(int(keep.sum())) if sw is None else sw[keep]
        weight = base * _share_factors(base, mask[keep], float(self.pooled_share))
        return _fit(clone(self.estimator), _rows(X, keep), y[keep], weight)

    def _output(self, model, X) -> np.ndarray:
        if is_classifier(self.estimator):
            return _aligned_proba(model, X, self._classes)
        return np.asarray(model.predict(X), dtype=np.float64).reshape(-1)

    def _loss(self, output, y) -> np.ndarray:
        if is_classifier(self.estimator):
            picked = output[np.arange(len(y)), np.searchsorted(self._classes, y)]
            return -np.log(np.clip(picked, 1e-15, 1.0))
        return (output - y) ** 2

    def _blend(self, X) -> np.ndarray:
        X = self._checked(X)
        sources = self._output(self.pool_, X)
        members, shares = [sources], [self.weight_]
        if self.pooled_ is not None:  # (None: a fit that fell back on the sources' model)
            members.append(self._output(self.pooled_, X))
            shares.append(self.pooled_weight_)
        if self.continued:
            start = self._start_of(sources)
            members.append(self._continued_output(self.continued_, X, start))
            shares.append(self.continued_weight_)
        members.append(self._output(self.estimator_, X))
        return _mix(members, shares[0] if len(shares) == 1 else tuple(shares))

    def predict(self, X):
        out = self._blend(X)
        return self._classes[out.argmax(axis=1)] if is_classifier(self.estimator) else out

    def predict_proba(self, X):
        if not is_classifier(self.estimator):
            raise AttributeError("predict_proba: the inner model is a regressor.")
        return self._blend(X)

    @property
    def classes_(self):
        return self._classes


def _blend_grid(weights, n_members: int) -> list:
    """The blends tried: a weight of the sources (two members), or a tuple of the
    weights of every member but the target's that leaves the target >= 0."""
    if n_members == 2:
        return list(weights)
    return [key for key in itertools.product(weights, repeat=n_members - 1)
            if sum(key) <= 1.0 + 1e-9]  # fmt: skip


def _mix(members, key) -> np.ndarray:
    """``key``'s blend of ``members`` (sources, [pooled,] target); the target takes the rest."""
    shares = (key,) if np.ndim(key) == 0 else tuple(key)
    out = (1.0 - sum(shares)) * members[-1]
    for share, member in zip(shares, members[:-1], strict=True):
        out = out + share * member
    return out


#: how :class:`TargetBlend` picks its blend from the out-of-fold losses
SELECTIONS = ("best", "one_se")


def _choose(keys, means, row_losses, sample_weight, selection: str):
    """The blend of ``keys`` that ``selection`` picks from the out-of-fold losses
    (one row of ``row_losses`` per key, one column per target row; ``means``:
    their weighted means).

    "best": the lowest mean loss (equal but for round-off: :func:`_tie_order`).
    "one_se": of the blends whose mean loss is within one standard error of the
    paired per-row differences from the best, the one that :func:`_tie_order`
    puts first: the evidence must beat the noise of a few target rows before
    weight moves off the sources onto the target's own model.
    """
    best = int(np.argmin(means))
    slack = 1e-12 * max(abs(means[best]), 1.0)  # equal but for round-off
    if selection == "one_se" and row_losses.shape[1] > 1:
        diff = row_losses - row_losses[best]
        w = np.ones(diff.shape[1]) if sample_weight is None else np.asarray(sample_weight)
        spread = np.average((diff - (means - means[best])[:, None]) ** 2, axis=1, weights=w)
        n_eff = w.sum() ** 2 / (w**2).sum()
        slack = slack + np.sqrt(spread / max(n_eff - 1.0, 1e-12))  # the paired SE
    near = np.flatnonzero(means <= means[best] + slack)
    return max((keys[i] for i in near), key=_tie_order)


def _tie_order(key):
    """Among equal losses: the most weight off the target's own model, then the sources'."""
    return (key, key) if np.ndim(key) == 0 else (sum(key), key[0])
