"""Per-group evaluation: a report by group, and a scorer of the worst group.

``group_report`` answers "how does the model do on each of my sites?" on held-out
data; ``make_worst_group_scorer`` makes the worst group's score the objective of
``GridSearchCV`` or ``cross_validate`` (it requests ``groups`` through metadata
routing). Both accept the metric names of :data:`GROUP_METRICS` or callables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm
from sklearn.metrics import make_scorer
from sklearn.utils.multiclass import type_of_target


@dataclass(frozen=True)
class GroupMetric:
    """One metric: its function, its direction, and what it reads of a model."""

    func: Callable
    greater_is_better: bool
    #: "predict" (labels or values) or "predict_proba" (probabilities)
    response_method: str = "predict"


#: metric name -> :class:`GroupMetric`
GROUP_METRICS = {
    "accuracy": GroupMetric(skm.accuracy_score, True),
    "balanced_accuracy": GroupMetric(skm.balanced_accuracy_score, True),
    "f1_macro": GroupMetric(lambda y, p, **kw: skm.f1_score(y, p, average="macro", **kw), True),
    "log_loss": GroupMetric(skm.log_loss, False, "predict_proba"),
    "brier_score": GroupMetric(None, False, "predict_proba"),  # multiclass Brier, below
    "roc_auc": GroupMetric(skm.roc_auc_score, True, "predict_proba"),
    "average_precision": GroupMetric(skm.average_precision_score, True, "predict_proba"),
    "mean_squared_error": GroupMetric(skm.mean_squared_error, False),
    "root_mean_squared_error": GroupMetric(
        lambda y, p, **kw: float(np.sqrt(skm.mean_squared_error(y, p, **kw))), False
    ),
    "mean_absolute_error": GroupMetric(skm.mean_absolute_error, False),
    "r2": GroupMetric(skm.r2_score, True),
}


def resolve_metric(metric) -> tuple[str, GroupMetric]:
    """A metric name, a :class:`GroupMetric`, or a callable ``f(y_true, y_pred)``
    (higher is better unless its name ends in ``_loss`` or ``_error``)."""
    if isinstance(metric, str):
        if metric not in GROUP_METRICS:
            raise ValueError(
                f"Unknown metric {metric!r}. Use one of {sorted(GROUP_METRICS)}, a "
                "callable f(y_true, y_pred), or a GroupMetric(func, greater_is_better, "
                "response_method)."
            )
        return metric, GROUP_METRICS[metric]
    if isinstance(metric, GroupMetric):
        return getattr(metric.func, "__name__", "metric"), metric
    if callable(metric):
        name = getattr(metric, "__name__", "metric")
        lower = name.endswith(("_loss", "_error"))
        return name, GroupMetric(metric, not lower)
    raise TypeError(
        f"A metric must be a name, a callable or a GroupMetric; got {type(metric).__name__}."
    )


def _is_classification(y_true, y_pred) -> bool:
    """Probabilities, or labels that are all labels of ``y_true`` (not values)."""
    if np.ndim(y_pred) == 2:
        return True
    if type_of_target(y_true) not in ("binary", "multiclass"):
        return False
    return bool(np.all(np.isin(np.asarray(y_pred), np.unique(y_true))))


def _default_metrics(y_true, y_pred) -> list[str]:
    if not _is_classification(y_true, y_pred):
        return ["mean_squared_error", "mean_absolute_error"]
    return ["accuracy", "log_loss"] if np.ndim(y_pred) == 2 else ["accuracy"]


def _score(metric: GroupMetric, y_true, y_pred, labels, sample_weight) -> float:
    """One metric on one set of rows; NaN where it is undefined (one class for AUC)."""
    y_pred = np.asarray(y_pred)
    kw = {} if sample_weight is None else {"sample_weight": sample_weight}
    if metric.response_method == "predict_proba":
        if y_pred.ndim != 2:
            raise ValueError(
                "This metric reads probabilities: pass y_pred=model.predict_proba(X), with "
                "one column per class in the order of `labels` (model.classes_)."
            )
        if metric.func is skm.log_loss:
            return float(skm.log_loss(y_true, y_pred, labels=labels, **kw))
        if metric.func is None:  # Brier score over all classes
            onehot = (np.asarray(y_true)[:, None] == np.asarray(labels)[None, :]).astype(float)
            return float(np.average(np.sum((y_pred - onehot) ** 2, axis=1), weights=sample_weight))
        if len(np.unique(y_true)) < 2:
            return np.nan  # a ranking metric needs both classes in the group
        if len(labels) == 2:  # the second column scores the second label, whatever it is
            positive = np.asarray(y_true) == np.asarray(labels)[1]
            return float(metric.func(positive, y_pred[:, 1], **kw))
        return float(metric.func(y_true, y_pred, labels=labels, multi_class="ovr", **kw))
    if y_pred.ndim == 2:  # probabilities given to a label metric: decide by the argmax
        y_pred = np.asarray(labels)[y_pred.argmax(axis=1)]
    return float(metric.func(y_true, y_pred, **kw))


def _check_inputs(y_true, y_pred, groups, sample_weight):
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    n = y_true.shape[0]
    for name, value in (("y_pred", y_pred), ("groups", groups)):
        if value.shape[0] != n:
            raise ValueError(
                f"{name} has {value.shape[0]} rows but y_true has {n}; pass one entry per "
                "evaluated row (the groups of the test rows, not of the training rows)."
            )
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        if sample_weight.shape != (n,):
            raise ValueError(f"sample_weight must have shape ({n},); got {sample_weight.shape}.")
    return y_true, y_pred, groups, sample_weight


def group_scores(y_true, y_pred, groups, metric, *, labels=None, sample_weight=None):
    """``{group: score}`` of one metric, for every group present in ``groups``.

    Examples
    --------
    >>> from sklearn_l2m.metrics import group_scores
    >>> group_scores([0, 1, 1, 0], [0, 1, 0, 0], ["a", "a", "b", "b"], "accuracy")
    {'a': 1.0, 'b': 0.5}
    """
    y_true, y_pred, groups, sample_weight = _check_inputs(y_true, y_pred, groups, sample_weight)
    _, resolved = resolve_metric(metric)
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    out = {}
    for group in np.unique(groups):
        rows = groups == group
        weight = None if sample_weight is None else sample_weight[rows]
        out[group.item() if hasattr(group, "item") else group] = _score(
            resolved, y_true[rows], y_pred[rows], labels, weight
        )
    return out


def worst_group_score(
    y_true, y_pred, groups, metric="accuracy", *, labels=None, sample_weight=None
) -> float:
    """The worst group's score (the lowest score, or the highest loss).

    Examples
    --------
    >>> from sklearn_l2m.metrics import worst_group_score
    >>> worst_group_score([0, 1, 1, 0], [0, 1, 0, 0], ["a", "a", "b", "b"])
    0.5
    """
    _, resolved = resolve_metric(metric)
    scores = np.array(
        list(
            group_scores(
                y_true, y_pred, groups, metric, labels=labels, sample_weight=sample_weight
            ).values()
        )
    )
    if np.all(np.isnan(scores)):
        return np.nan
    return float(np.nanmin(scores) if resolved.greater_is_better else np.nanmax(scores))


def group_report(y_true, y_pred, groups, *, metrics=None, labels=None, sample_weight=None):
    """Per-group metrics as a pandas DataFrame: one row a group, then the worst
    group and the overall figure.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels or values of the evaluated (test) rows.
    y_pred : array-like of shape (n_samples,) or (n_samples, n_classes)
        Predictions; probabilities (``model.predict_proba(X)``, columns in
        ``labels`` order) for the probabilistic metrics. Label metrics then
        decide by the most probable class.
    groups : array-like of shape (n_samples,)
        The group of every row (site, source, demographic group).
    metrics : str, callable, or a list or dict of them, default=None
        Names from :data:`GROUP_METRICS`, callables ``f(y_true, y_pred)``
        (higher is better unless the name ends in ``_loss`` or ``_error``), or
        :class:`GroupMetric`. A dict names the columns. None: accuracy (and
        log loss, given probabilities) for classes, mean squared and
        absolute error for values.
    labels : array-like, default=None
        The classes, in the order of the columns of ``y_pred``
        (``model.classes_``). None: the sorted labels of ``y_true``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the rows.

    Returns
    -------
    report : pandas.DataFrame
        Index: the groups, then ``"worst group"`` (per column, the worst
        group's value: the lowest score, the highest loss) and ``"overall"``.
        Columns: ``rows`` (the worst group's row count is that of the group
        worst on the first metric), then one per metric. A metric undefined
        in a group (AUC with one class) is NaN there.

    Examples
    --------
    >>> from sklearn_l2m.metrics import group_report
    >>> group_report([0, 1, 1, 0, 1], [0, 1, 0, 0, 1], ["a", "a", "b", "b", "b"])
                 rows  accuracy
    a               2  1.000000
    b               3  0.666667
    worst group     3  0.666667
    overall         5  0.800000
    """
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - pandas is in every extra that tests
        raise ImportError(
            "group_report returns a pandas DataFrame: pip install pandas (or "
            "'sklearn-l2m[report]')."
        ) from exc
    y_true, y_pred, groups, sample_weight = _check_inputs(y_true, y_pred, groups, sample_weight)
    if metrics is None:
        metrics = _default_metrics(y_true, y_pred)
    if isinstance(metrics, (str, GroupMetric)) or callable(metrics):
        metrics = [metrics]
    named = (
        {name: resolve_metric(m)[1] for name, m in metrics.items()}
        if isinstance(metrics, Mapping)
        else dict(resolve_metric(m) for m in metrics)
    )
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    present = np.unique(groups)
    rows = {}
    for group in present:
        mask = groups == group
        weight = None if sample_weight is None else sample_weight[mask]
        rows[group] = {"rows": int(mask.sum())} | {
            name: _score(m, y_true[mask], y_pred[mask], labels, weight) for name, m in named.items()
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    worst = {}
    for name, m in named.items():
        column = table[name]
        worst[name] = column.min() if m.greater_is_better else column.max()
    first, first_metric = next(iter(named.items()))
    column = table[first]
    worst_index = column.idxmin() if first_metric.greater_is_better else column.idxmax()
    worst["rows"] = int(table.loc[worst_index, "rows"]) if column.notna().any() else 0
    overall = {"rows": int(y_true.shape[0])} | {
        name: _score(m, y_true, y_pred, labels, sample_weight) for name, m in named.items()
    }
    extra = pd.DataFrame.from_dict({"worst group": worst, "overall": overall}, orient="index")
    return pd.concat([table, extra[table.columns]])


def _worst_group_metric(y_true, y_pred, groups=None, *, metric, labels=None):
    if groups is None:
        raise ValueError(
            "The worst-group scorer needs the groups of the test rows: enable metadata "
            "routing (sklearn.set_config(enable_metadata_routing=True)) and pass groups "
            "to fit / cross_validate (params={'groups': groups})."
        )
    y_pred = np.asarray(y_pred)
    if y_pred.ndim == 1 and resolve_metric(metric)[1].response_method == "predict_proba":
        y_pred = np.column_stack([1.0 - y_pred, y_pred])  # the positive class's column
    return worst_group_score(y_true, y_pred, groups, metric, labels=labels)


def make_worst_group_scorer(metric="accuracy", *, labels=None):
    """A scorer of the worst group's ``metric``, for ``GridSearchCV`` and
    ``cross_validate``; it requests ``groups`` through metadata routing.

    Parameters
    ----------
    metric : str, callable or GroupMetric, default="accuracy"
        As in :func:`group_report`. A loss (``"log_loss"``, errors) is negated,
        as scikit-learn's ``neg_*`` scorers are, so higher is better.
    labels : array-like, default=None
        All classes, for probabilistic metrics on groups that lack some
        (None: the labels of the evaluated rows).

    Returns
    -------
    scorer : callable ``scorer(estimator, X, y, groups=...)``
        Needs metadata routing (``sklearn.set_config(enable_metadata_routing=True)``)
        when it is made and used; pass ``groups`` to the search's ``fit`` (or
        ``params={"groups": ...}`` to ``cross_validate``): they reach the
        splitter, the estimator and this scorer.

    Examples
    --------
    >>> import numpy as np, sklearn
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_validate
    >>> from sklearn_l2m.metrics import make_worst_group_scorer
    >>> rng = np.random.RandomState(0)
    >>> X, site = rng.randn(200, 2), np.repeat(["a", "b"], 100)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     worst = make_worst_group_scorer("accuracy")
    ...     result = cross_validate(LogisticRegression(), X, y, cv=2, params={"groups": site},
    ...                             scoring=worst)
    >>> bool(result["test_score"].min() > 0.9)
    True
    """
    name, resolved = resolve_metric(metric)
    scorer = make_scorer(
        _worst_group_metric,
        response_method=resolved.response_method,
        greater_is_better=resolved.greater_is_better,
        metric=metric,
        labels=labels,
    )
    try:
        return scorer.set_score_request(groups=True)
    except RuntimeError as exc:  # scikit-learn refuses requests while routing is off
        raise ValueError(
            "make_worst_group_scorer requests groups through metadata routing, which is "
            "off: call sklearn.set_config(enable_metadata_routing=True) (or build the "
            "scorer inside sklearn.config_context(enable_metadata_routing=True))."
        ) from exc


def adjust_to_prior(proba, decision_prior, training_prior):
    """Probabilities of a model trained under ``training_prior``, moved to
    ``decision_prior`` without retraining (post-hoc logit adjustment).

    ``p(c | x) * decision_prior[c] / training_prior[c]``, renormalised per row;
    a class the model never trained on (training prior 0) gets probability 0.
    This is what ``Learn2MixClassifier(decision_prior=...)`` applies; here for
    any model's ``predict_proba``, e.g. to score one fit under several priors.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Predicted probabilities, columns in the model's class order.
    decision_prior, training_prior : array-like of shape (n_classes,)
        The class shares to decide under, and those the model was trained on.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)

    Examples
    --------
    >>> from sklearn_l2m.metrics import adjust_to_prior
    >>> adjust_to_prior([[0.8, 0.2]], [0.5, 0.5], [0.8, 0.2]).round(3)
    array([[0.5, 0.5]])
    """
    from ._prior import adjust_proba, prior_ratio

    proba = np.asarray(proba, dtype=np.float64)
    decision_prior = np.asarray(decision_prior, dtype=np.float64)
    training_prior = np.asarray(training_prior, dtype=np.float64)
    if proba.ndim != 2 or not (proba.shape[1] == decision_prior.size == training_prior.size):
        raise ValueError(
            f"proba has shape {proba.shape}; decision_prior ({decision_prior.size}) and "
            f"training_prior ({training_prior.size}) need one share per column of proba."
        )
    return adjust_proba(proba, prior_ratio(decision_prior, training_prior))


__all__ = [
    "GROUP_METRICS",
    "GroupMetric",
    "adjust_to_prior",
    "group_report",
    "group_scores",
    "make_worst_group_scorer",
    "worst_group_score",
]
