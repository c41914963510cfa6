"""Did mixing help? Paired comparisons of estimators on repeated splits of your data.

:func:`compare` fits every candidate and a reference (the plain model by
default) on the same train / test splits with the same seeds, scores each on
the test rows overall and on the worst group, and reports the paired
differences with their standard errors: a difference within two standard
errors is reported as noise, not as a win.
"""

from __future__ import annotations

import inspect
import time
from collections import Counter
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import train_test_split

from ._global_seed import global_seed
from .metrics import _score, resolve_metric, worst_group_score

#: a paired difference beyond this many standard errors is a win or a loss
N_STANDARD_ERRORS = 2.0


#: paired differences at most this share of the scores' size are round-off: ties
ROUND_OFF = 1e-9


def paired_difference(candidate, reference, *, greater_is_better: bool = True) -> dict:
    """Mean and standard error of the paired differences (positive: better).

    ``wins`` / ``ties`` / ``losses`` count the seeds; ``verdict`` is "better"
    or "worse" beyond :data:`N_STANDARD_ERRORS` standard errors, "within
    noise" inside them, and "one seed: no error bar" with a single pair. A
    difference of at most :data:`ROUND_OFF` times the largest score is
    round-off and counts as a tie (two fits of one model may differ in the
    last bits of their scores).

    Examples
    --------
    >>> from sklearn_l2m.model_selection import paired_difference
    >>> d = paired_difference([0.8, 0.82, 0.81], [0.7, 0.71, 0.72])
    >>> round(d["mean"], 3), d["verdict"], d["wins"]
    (0.1, 'better', 3)
    >>> paired_difference([0.8], [0.7])["verdict"]
    'one seed: no error bar'
    """
    candidate = np.asarray(candidate, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if candidate.ndim != 1 or candidate.shape != reference.shape:
        raise ValueError(
            f"paired_difference pairs one score per seed: candidate has shape "
            f"{candidate.shape} and reference {reference.shape}; pass two 1-d sequences "
            "of the same length, in the same seed order."
        )
    diff = candidate - reference
    if not greater_is_better:
        diff = -diff
    diff = diff[np.isfinite(diff)]
    # two fits of one model can differ in the last bits of their scores (another
    # summation order); with a standard error of ~0 that read as a verdict
    scores = np.abs(np.r_[candidate, reference])
    scale = float(scores[np.isfinite(scores)].max(initial=0.0))
    diff[np.abs(diff) <= ROUND_OFF * scale] = 0.0
    n = diff.size
    mean = float(diff.mean()) if n else np.nan
    se = float(diff.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    if n == 0:
        verdict = "not measured"
    elif n == 1:
        verdict = "one seed: no error bar"
    elif mean > N_STANDARD_ERRORS * se and mean > 0:
        verdict = "better"
    elif mean < -N_STANDARD_ERRORS * se and mean < 0:
        verdict = "worse"
    else:
        verdict = "within noise"
    return {
        "mean": mean,
        "se": se,
        "wins": int(np.sum(diff > 0)),
        "ties": int(np.sum(diff == 0)),
        "losses": int(np.sum(diff < 0)),
        "n_seeds": n,
        "verdict": verdict,
    }


@dataclass
class Comparison:
    """The result of :func:`compare`.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per (estimator, seed): every score, ``fit_time``.
    table : pandas.DataFrame
        One row per (candidate, score) against ``reference``: the candidate's
        and the reference's mean, the paired difference (positive: the
        candidate is better, losses included), its standard error, wins /
        ties / losses over the seeds, the verdict and the fit-time ratio.
    reference : str
        The name of the reference estimator.
    """

    scores: object
    table: object
    reference: str
    metrics: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_scores(cls, scores, reference: str, scoring) -> Comparison:
        """A comparison of fits scored elsewhere (stored, resumed runs).

        ``scores`` is a DataFrame with one row per (estimator, seed): columns
        ``estimator``, ``seed``, one per score of ``scoring`` (names of
        :data:`sklearn_l2m.metrics.GROUP_METRICS`), ``fit_time`` (NaN where
        not kept) and optionally ``n_fits``: what :func:`compare` stores in
        ``.scores``. Every other estimator is paired with ``reference`` by seed.
        """
        if scoring is None:
            raise ValueError("scoring names the scores' columns: pass one name or a list.")
        metrics = _metrics(scoring, {}, classification=False)
        missing = [c for c in ("estimator", "seed", "fit_time", *metrics) if c not in scores]
        names = [] if missing else list(dict.fromkeys(scores["estimator"]))
        if missing or reference not in names:
            raise ValueError(
                f"scores needs the columns estimator, seed, fit_time and {list(metrics)} "
                f"(missing: {missing}) and rows of the reference {reference!r} (estimators: "
                f"{names})."
            )
        return cls._paired(scores, reference, metrics)

    @classmethod
    def _paired(cls, scores, reference: str, metrics: dict) -> Comparison:
        """Every estimator of ``scores`` but ``reference`` paired against it by seed."""
        others = [name for name in dict.fromkeys(scores["estimator"]) if name != reference]
        table = _paired_table(scores, reference, others, metrics)
        return cls(scores=scores, table=table, reference=reference, metrics=metrics)

    def summary(self) -> str:
        """One plain sentence per candidate and score."""
        lines = []
        for row in self.table.itertuples(index=False):
            spread = "" if np.isnan(row.se) else f" ± {N_STANDARD_ERRORS * row.se:.3f}"
            lines.append(
                f"{row.candidate} vs {self.reference}, {row.score}: "
                f"{row.difference:+.4f}{spread} (positive: better; 2 SE, {row.n_seeds} seeds) "
                f"-> {row.verdict}"
                f"; fit time x{row.fit_time_ratio:.2f}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def against(self, reference: str) -> Comparison:
        """The same fits, every other estimator paired against ``reference``.

        ``reference`` is a name in ``scores``, or ``"best baseline"``: of
        :func:`compare`'s built-in baselines for a target (:data:`TARGET_BASELINES`),
        the one with the best mean of the first score. For a target that is the
        question to ask: a model better than the natural pool can still lose to
        the target's rows alone or to a tuned target weight.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.ensemble import HistGradientBoostingRegressor
        >>> from sklearn_l2m import Learn2MixRegressor
        >>> from sklearn_l2m.model_selection import TARGET_BASELINES, compare
        >>> rng = np.random.RandomState(0)
        >>> X = rng.randn(300, 2); groups = np.repeat(["t", "s"], [60, 240])
        >>> y = X[:, 0] + 2.0 * (groups == "s")  # the source is offset
        >>> hgb = HistGradientBoostingRegressor(max_iter=20)
        >>> result = compare([Learn2MixRegressor(hgb)], X, y, groups=groups, target="t", seeds=3)
        >>> best = result.against("best baseline")  # the lowest mean squared error of the three
        >>> means = result.scores.groupby("estimator")["mean_squared_error"].mean()
        >>> best.reference == means[list(TARGET_BASELINES)].idxmin()
        True
        >>> best.summary().splitlines()[0].startswith("natural pool vs " + best.reference)
        True
        """
        names = list(dict.fromkeys(self.scores["estimator"]))
        if reference == "best baseline":
            reference = self._best_baseline(names)
        if reference not in names:
            raise ValueError(
                f"reference {reference!r} is not one of the compared estimators {names} "
                "(or 'best baseline', after compare(..., target=...))."
            )
        return self._paired(self.scores, reference, self.metrics)

    def _best_baseline(self, names: list) -> str:
        baselines = [name for name in TARGET_BASELINES if name in names]
        if not baselines or not self.metrics:
            raise ValueError(
                "'best baseline' is one of compare's built-in baselines for a target: "
                "call compare(..., target=..., baselines=True) first."
            )
        score, metric = next(iter(self.metrics.items()))
        means = self.scores.groupby("estimator")[score].mean()
        sign = 1.0 if metric.greater_is_better else -1.0
        return max(baselines, key=lambda name: sign * means[name])

    def plot(self, ax=None):
        """Paired differences with 2-SE bars, one panel row per score (matplotlib)."""
        import matplotlib.pyplot as plt

        table = self.table
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.5 + 0.4 * len(table)))
        labels = [f"{c} · {s}" for c, s in zip(table["candidate"], table["score"])]
        y = np.arange(len(table))
        ax.errorbar(
            table["difference"],
            y,
            xerr=N_STANDARD_ERRORS * table["se"].fillna(0.0),
            fmt="o",
            capsize=3,
        )
        ax.axvline(0.0, color="0.5", lw=1)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel(f"paired difference against {self.reference} (positive: better), 2 SE")
        ax.figure.tight_layout()
        return ax


def _first_learn2mix(estimators: dict):
    from ._base import BaseLearn2Mix

    for estimator in estimators.values():
        if isinstance(estimator, BaseLearn2Mix):
            return estimator
    raise ValueError(
        "compare needs a reference: pass reference='name of one of the estimators', or "
        "include a Learn2MixClassifier / Learn2MixRegressor (its plain model is the default)."
    )


def _natural(estimator):
    """A Learn2Mix estimator's plain model: the same estimator with the natural
    mixture (which trains exactly as its inner model, on every row)."""
    return clone(estimator).set_params(mixer="natural", early_stopping=False, refit=False)


def _plain_reference(estimators: dict):
    """The plain model of the first Learn2Mix candidate."""
    return _natural(_first_learn2mix(estimators))


#: the names of :func:`compare`'s built-in baselines for a target
TARGET_BASELINES = ("natural pool", "target only", "tuned target weight")


def _target_baselines(estimators: dict, target) -> dict:
    """The natural pool (the plain model on every row), the target's rows alone, and
    the pool with the target's weight tuned on held-out target rows, all built from
    the inner model of the first candidate that wraps one (a Learn2Mix estimator or
    a model of :mod:`sklearn_l2m.transfer`)."""
    from ._base import BaseLearn2Mix
    from .transfer import NaturalPool, TargetOnly, TargetWeighted
    from .transfer._common import _ForTarget

    first = next(
        (e for e in estimators.values() if isinstance(e, (BaseLearn2Mix, _ForTarget))), None
    )
    if first is None:
        raise ValueError(
            "compare(target=...) builds its baselines from a candidate's inner model: "
            "include a Learn2MixClassifier / Learn2MixRegressor or a model of "
            "sklearn_l2m.transfer (TargetBlend, TargetShare, GroupFeature, ...), or pass "
            "baselines=False with reference='name of one of the estimators'."
        )
    if isinstance(first, BaseLearn2Mix):
        inner, pool = first._inner_estimator(), _natural(first)
    else:
        inner = first.estimator
        pool = NaturalPool(inner, target)  # takes any class labels, as the candidate does
    return {
        "natural pool": pool,
        "target only": TargetOnly(inner, target),
        "tuned target weight": TargetWeighted(inner, target),
    }


def _stratified_part(rows, labels, seed, **sizes):
    """``train_test_split`` of ``rows``, stratified by ``labels`` where it can be."""
    for stratify in (labels, None):
        try:
            return train_test_split(rows, random_state=seed, stratify=stratify, **sizes)
        except ValueError:  # a class with one row
            if stratify is None:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _target_split(y, groups, target, seed, test_size, classification, n_target):
    """Every source row trains; the target's rows are split into train / test (and
    the training part cut to ``n_target`` rows)."""
    own = np.flatnonzero(groups == target)
    labels = y[own] if classification else None
    train, test = _stratified_part(own, labels, seed, test_size=test_size)
    if n_target is not None:
        if n_target >= train.size:
            raise ValueError(
                f"n_target={n_target} is not fewer than the target's {train.size} training "
                f"rows (of {own.size}, test_size={test_size}); lower n_target or test_size."
            )
        labels = y[train] if classification else None
        train = _stratified_part(train, labels, seed, train_size=n_target)[0]
    sources = np.flatnonzero(groups != target)
    return np.sort(np.concatenate([sources, train])), test


def _check_candidates_target(estimators: dict, target):
    """Refuse a candidate built for another target (a ``TargetBlend(model, "A")``, a
    ``TargetMix("A")`` mixer) than the one ``compare`` scores: it would train for one
    group and be judged on another."""
    from .mixers import BaseMixer
    from .transfer._common import _ForTarget

    for name, estimator in estimators.items():
        for part in (estimator, getattr(estimator, "mixer", None)):
            own = (
                getattr(part, "target", None) if isinstance(part, (_ForTarget, BaseMixer)) else None
            )
            if own is not None and own != target:
                raise ValueError(
                    f"Candidate {name!r} is built for target {own!r} but compare scores "
                    f"target {target!r}: build it for {target!r}, or compare with "
                    f"target={own!r}."
                )


def _check_target(groups, target):
    if groups is None:
        raise ValueError(
            f"compare(target={target!r}) needs groups=...: one group label per row, the "
            "target's rows and the sources'."
        )
    labels = np.unique(groups).tolist()
    if target not in labels:
        raise ValueError(
            f"The target {target!r} has no rows: it is not among the groups "
            f"{labels[:20]}{' ...' if len(labels) > 20 else ''}."
        )
    if len(labels) < 2:
        raise ValueError(
            f"The target {target!r} is the only group: there are no sources to compare "
            "mixtures of. Pass the sources' rows too."
        )


def _split(X, y, groups, seed, test_size, classification):
    """Train / test row indices, stratified by group and class where every stratum
    can be split, else by group, else not at all."""
    rows = np.arange(len(y))
    keys = []
    if groups is not None and classification:
        keys.append(np.char.add(np.asarray(groups).astype(str), np.asarray(y).astype(str)))
    if groups is not None:
        keys.append(np.asarray(groups))
    if classification:
        keys.append(np.asarray(y))
    for key in [*keys, None]:
        try:
            return train_test_split(rows, test_size=test_size, random_state=seed, stratify=key)
        except ValueError:  # a stratum of one row
            continue
    raise AssertionError("unreachable: an unstratified split always works")  # pragma: no cover


def _take(data, rows):
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[rows]
    return np.asarray(data)[rows] if not hasattr(data, "tocsr") else data.tocsr()[rows]


def _takes_groups(method) -> bool:
    """Whether ``method`` has a ``groups`` parameter (group-aware fit or predict)."""
    try:
        return "groups" in inspect.signature(method).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return False


def _fit(estimator, X, y, groups, seed, sample_weight=None):
    model = clone(estimator)
    seeded = "random_state" in model.get_params(deep=False)
    if seeded:
        model.set_params(random_state=seed)  # paired: every model sees the same seed
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    if groups is not None and _takes_groups(model.fit):
        kwargs["groups"] = groups
    began = time.perf_counter()
    with nullcontext() if seeded else global_seed(seed):
        model.fit(X, y, **kwargs)
    return model, time.perf_counter() - began


def _check_weighted(models: dict, sample_weight, X):
    """``sample_weight`` checked, and every model able to take it (None: None)."""
    if sample_weight is None:
        return None
    from ._prepare.checks import check_weights
    from .backends._resolve import _is_instance_of
    from .transfer._common import _takes_sample_weight

    weights = check_weights(sample_weight, X)
    # (a skorch net hands unknown fit parameters to its module's forward)
    refused = [
        name for name, m in models.items()
        if not _takes_sample_weight(m) or _is_instance_of(m, "skorch", "skorch.net.NeuralNet")
    ]  # fmt: skip
    if refused:
        raise ValueError(
            f"compare(sample_weight=...) fits every model with the training rows' weights "
            f"and scores it with the test rows', but {refused} take no sample_weight in "
            "fit. Wrap a skorch net in Learn2MixClassifier / Learn2MixRegressor (which "
            "weighs each row's loss), or leave sample_weight out."
        )
    return weights


def _evaluate(model, X, y, groups, metrics: dict, classes=None, sample_weight=None) -> dict:
    """The model's scores on the test rows (weighted by ``sample_weight``). ``classes``:
    every class of the data; a classifier that saw fewer (a target-only model trained
    on a few rows) gives the others probability 0, and is scored for it, not refused
    by the metric."""
    out = {}
    own = getattr(model, "classes_", None)
    missing = own is not None and classes is not None and len(own) < len(classes)
    labels = classes if missing else own  # the columns the scores read
    cache = {}
    for name, metric in metrics.items():
        method = metric.response_method
        if method not in cache:
            predict = getattr(model, method)
            if groups is not None and _takes_groups(predict):
                cache[method] = predict(X, groups=groups)  # e.g. per-group thresholds
            else:
                cache[method] = predict(X)
            if missing and method == "predict_proba":
                cache[method] = _proba_of_every_class(cache[method], own, classes)
        pred = cache[method]
        out[name] = _score(metric, y, pred, labels, sample_weight)
        if groups is not None:
            out[f"worst-group {name}"] = worst_group_score(
                y, pred, groups, metric, labels=labels, sample_weight=sample_weight
            )
    return out


def _proba_of_every_class(proba, labels, classes) -> np.ndarray:
    """``proba`` (one column per label of ``labels``) with one column per class of
    ``classes``: 0 for the classes the model never saw."""
    full = np.zeros((len(proba), len(classes)))
    full[:, np.searchsorted(classes, labels)] = proba
    return full


def compare(
    estimators,
    X,
    y,
    *,
    groups=None,
    sample_weight=None,
    scoring=None,
    reference=None,
    seeds=5,
    test_size=0.25,
    target=None,
    n_target=None,
    baselines=True,
):
    """Paired repeated splits: each candidate against a reference, overall and on the
    worst group, or on one target group.

    For every seed, one stratified train / test split (by group and class where
    possible) is made; every estimator is cloned, given that seed as its
    ``random_state`` (paired) and fitted on the training rows, then scored on
    the test rows. One without ``random_state`` (a plain skorch net) is fitted
    with numpy's and torch's global generators seeded with the seed (and
    restored after), so it starts from the weights a Learn2Mix estimator with
    that ``random_state`` starts from. The differences to the reference are
    paired by seed.
    An estimator whose ``fit`` has a ``groups`` parameter (every Learn2Mix
    estimator) is fitted with the training rows' groups; one whose
    ``predict`` / ``predict_proba`` has one (a per-group threshold, say) is
    given the test rows' groups. ``scores["n_fits"]`` is a fitted
    estimator's ``n_fits_`` where it has one (how many times a method such as
    a reduction trained its model), else 1.

    Parameters
    ----------
    estimators : dict, list of estimators, or estimator
        The candidates; a dict names them (a list is named by class, numbered
        where a class repeats: ``"XGBClassifier-1"``, ``"XGBClassifier-2"``).
    X, y : the data
        All rows; the splits are made here.
    groups : array-like of shape (n_samples,), default=None
        The group of every row; adds the worst group's score of every metric.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the rows: every model is fitted with its training rows'
        weights (each must take ``sample_weight`` in ``fit``; a skorch net:
        inside a Learn2Mix estimator) and scored with its test rows' (the
        weighted metric, and the weighted worst group).
    scoring : str, callable, or list of them, default=None
        Metrics of :data:`sklearn_l2m.metrics.GROUP_METRICS`. None: accuracy
        and log loss for classifiers (log loss only when every estimator has
        ``predict_proba``), mean squared error for regressors.
    reference : str or estimator, default=None
        A name in ``estimators``, or an estimator. None: the plain model of
        the first Learn2Mix estimator (the same inner model trained with the
        natural mixture, i.e. as on its own).
    seeds : int or sequence of int, default=5
        The seeds (an int ``k``: ``0 .. k-1``).
    test_size : float, default=0.25
        Share of the rows in each test split (with ``target``: of the target's rows).
    target : group label, default=None
        Compare models *for this group* (an assay, a site, a year with few
        labels): only the target's rows are split (stratified by class where
        possible), every other group's rows always train, and the scores are
        the target's test rows'. Three baselines are added, built from the
        inner model of the first candidate that wraps one (a Learn2Mix
        estimator or a model of :mod:`sklearn_l2m.transfer`;
        :data:`TARGET_BASELINES`):
        ``"natural pool"`` (the plain model on every row, the default
        reference), ``"target only"`` (:class:`~sklearn_l2m.transfer.TargetOnly`)
        and ``"tuned target weight"``
        (:class:`~sklearn_l2m.transfer.TargetWeighted`). Needs ``groups``.
    n_target : int, default=None
        With ``target``: keep this many of the target's training rows in every
        split (the few-labels setting; None: all of them).
    baselines : bool, default=True
        With ``target``: add the three built-in baselines. False: the
        candidates alone (to score one more model on the same splits as an
        earlier call: the splits depend on the seeds only); ``reference`` then
        defaults to the first candidate.

    Returns
    -------
    Comparison
        ``.table`` (the paired differences and verdicts), ``.scores`` (every
        fit's scores), ``.summary()`` (one sentence per candidate and score),
        ``.against(name)`` (the same fits paired against another estimator;
        with ``target``: ``.against("best baseline")``) and ``.plot()``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> from sklearn_l2m import Learn2MixClassifier
    >>> from sklearn_l2m.model_selection import compare
    >>> X, y = make_classification(600, 8, random_state=0)
    >>> site = np.where(X[:, 0] > 1, "small site", "large site")
    >>> hgb = HistGradientBoostingClassifier(max_iter=20)
    >>> result = compare({"learn2mix": Learn2MixClassifier(hgb)}, X, y, groups=site, seeds=3)
    >>> list(result.table["score"])
    ['accuracy', 'worst-group accuracy', 'log_loss', 'worst-group log_loss']
    >>> result.reference
    'plain'
    """
    import pandas as pd

    y = np.asarray(y)
    groups = None if groups is None else np.asarray(groups)
    if groups is not None and groups.shape[0] != y.shape[0]:
        raise ValueError(f"groups has {groups.shape[0]} rows but y has {y.shape[0]}.")
    reference_name, models = _candidates(estimators, reference, groups, target, n_target, baselines)
    classification = is_classifier(models[reference_name])
    metrics = _metrics(scoring, models, classification)
    weights = _check_weighted(models, sample_weight, X)
    seeds = list(range(seeds)) if isinstance(seeds, Integral) else list(seeds)
    if not seeds:
        raise ValueError("compare needs at least one seed: pass seeds=k (k >= 1) or a list.")
    records, classes = [], np.unique(y) if classification else None
    for seed in seeds:
        rows = _split_rows(X, y, groups, seed, test_size, target, n_target, classification)
        # with a target, the test rows are all the target's: no worst group to report
        records += _seed_records(
            models, (X, y, groups, weights), rows, seed, metrics, target is None, classes
        )
    scores = pd.DataFrame.from_records(records)
    candidates = [name for name in models if name != reference_name]
    table = _paired_table(scores, reference_name, candidates, metrics)
    return Comparison(scores=scores, table=table, reference=reference_name, metrics=metrics)


def _candidates(estimators, reference, groups, target, n_target, baselines=True):
    """The reference's name and every model to fit, the reference first (with
    ``target``: the built-in baselines added, the natural pool the reference)."""
    estimators = _named(estimators)
    if not estimators:
        raise ValueError("compare needs at least one estimator.")
    if target is not None:
        _check_target(groups, target)
        if n_target is not None and (not isinstance(n_target, Integral) or n_target < 1):
            raise ValueError(
                f"n_target is how many of the target's training rows to keep: an int >= 1 "
                f"(or None: all of them); got {n_target!r}."
            )
        _check_candidates_target(estimators, target)
        if baselines:
            built_in = _target_baselines(estimators, target)
            new = {k: v for k, v in built_in.items() if k not in estimators}
            estimators = {**new, **estimators}
        if reference is None:
            reference = "natural pool" if baselines else next(iter(estimators))
    elif n_target is not None:
        raise ValueError("n_target is the number of target rows: pass target=... with it.")
    if reference is None:
        reference_name, reference_model = "plain", _plain_reference(estimators)
    elif isinstance(reference, str):
        if reference not in estimators:
            raise ValueError(f"reference {reference!r} is not one of {sorted(estimators)}.")
        reference_name, reference_model = reference, estimators.pop(reference)
    else:  # an estimator: named by class, or "reference" where a candidate has that name
        reference_name = type(reference).__name__
        reference_name = "reference" if reference_name in estimators else reference_name
        reference_model = reference
    return reference_name, {reference_name: reference_model, **estimators}


def _named(estimators) -> dict:
    """name -> estimator: a dict as given; a list (or one estimator) named by
    class, numbered where a class repeats (``"XGBClassifier-1"``, ``-2``)."""
    if hasattr(estimators, "fit"):  # one estimator: one candidate
        estimators = [estimators]
    if isinstance(estimators, Mapping):
        named = dict(estimators)
    else:
        try:
            estimators = list(estimators)
        except TypeError:
            raise TypeError(
                "compare takes its candidates as a dict {name: estimator} or a list of "
                f"estimators; got {type(estimators).__name__}."
            ) from None
        names = [type(e).__name__ for e in estimators]
        repeats, seen, named = Counter(names), Counter(), {}
        for name, estimator in zip(names, estimators):
            if repeats[name] > 1:  # two of one class: keep both, numbered as make_pipeline does
                seen[name] += 1
                name = f"{name}-{seen[name]}"
            named[name] = estimator
    if not_fit := [name for name, e in named.items() if not hasattr(e, "fit")]:
        raise TypeError(
            f"compare's candidates must be estimators (with fit): {not_fit} "
            "are not. Pass {name: estimator} or a list of estimators."
        )
    return named


def _metrics(scoring, models: dict, classification: bool) -> dict:
    """name -> GroupMetric; the default: accuracy (and log loss where every model
    has ``predict_proba``) for classifiers, mean squared error for regressors."""
    if scoring is None:
        scoring = ["accuracy"] if classification else ["mean_squared_error"]
        if classification and all(hasattr(m, "predict_proba") for m in models.values()):
            scoring.append("log_loss")
    if isinstance(scoring, str) or callable(scoring):
        scoring = [scoring]
    return dict(resolve_metric(m) for m in scoring)


def _split_rows(X, y, groups, seed, test_size, target, n_target, classification):
    """One seed's training and test rows: stratified over all rows, or (with
    ``target``) over the target's rows only, every other row training."""
    if target is None:
        return _split(X, y, groups, seed, test_size, classification)
    return _target_split(y, groups, target, seed, test_size, classification, n_target)


def _seed_records(models, data, rows, seed, metrics, group_scores: bool, classes=None) -> list:
    """Fit and score every model on one seed's split (paired: the same rows and
    the same seed for every model); ``data``: X, y, groups and the sample weights
    (or None); ``group_scores``: add the worst group's; ``classes``: every class
    of the data (None for a regressor)."""
    (X, y, groups, weights), (train, test) = data, rows
    X_tr, X_te, g_tr = _take(X, train), _take(X, test), _take(groups, train)
    g_te = _take(groups, test) if group_scores else None
    w_tr, w_te = _take(weights, train), _take(weights, test)
    records = []
    for name, estimator in models.items():
        model, seconds = _fit(estimator, X_tr, y[train], g_tr, seed, w_tr)
        scores = _evaluate(model, X_te, y[test], g_te, metrics, classes, w_te)
        n_fits = getattr(model, "n_fits_", 1)
        records.append(
            {"estimator": name, "seed": seed, **scores, "fit_time": seconds, "n_fits": n_fits}
        )
    return records


def _paired_table(scores, reference: str, candidates: list, metrics: dict):
    import pandas as pd

    ref = scores[scores["estimator"] == reference].set_index("seed")
    rows = []
    for candidate in candidates:
        own = scores[scores["estimator"] == candidate].set_index("seed").reindex(ref.index)
        ratio = float(own["fit_time"].mean() / max(ref["fit_time"].mean(), 1e-12))
        n_fits = float(own["n_fits"].mean()) if "n_fits" in own else 1.0
        for name, metric in metrics.items():
            for column in (name, f"worst-group {name}"):
                if column not in scores:
                    continue
                d = paired_difference(
                    own[column], ref[column], greater_is_better=metric.greater_is_better
                )
                rows.append(
                    {
                        "candidate": candidate,
                        "score": column,
                        "candidate_mean": float(own[column].mean()),
                        "reference_mean": float(ref[column].mean()),
                        "difference": d["mean"],
                        "se": d["se"],
                        "wins": d["wins"],
                        "ties": d["ties"],
                        "losses": d["losses"],
                        "n_seeds": d["n_seeds"],
                        "verdict": d["verdict"],
                        "fit_time_ratio": ratio,
                        "n_fits": n_fits,
                    }
                )
    return pd.DataFrame.from_records(rows)


__all__ = ["TARGET_BASELINES", "Comparison", "compare", "paired_difference"]
