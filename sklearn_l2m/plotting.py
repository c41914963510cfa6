"""Plots of a fitted estimator's mixture and per-group losses (needs matplotlib)."""

from __future__ import annotations

import numpy as np


def _axes(ax):
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # matplotlib is optional
        raise ImportError("Plotting needs matplotlib: pip install 'sklearn-l2m[plot]'") from exc
    return plt.subplots(figsize=(6, 4))[1]


def _legend_title(source) -> str:
    """ "class" when the groups are the classifier's classes, else "group"."""
    classes, groups = getattr(source, "classes_", None), getattr(source, "groups_", None)
    if classes is not None and groups is not None and np.array_equal(classes, groups):
        return "class"
    return "group"


def _finish(ax, title: str) -> None:
    """Rounds are counted: integer ticks; a titled legend beside the plot."""
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("round")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize="small", title=title)


def _history(source, attribute):
    """``attribute`` of a fitted estimator (with its groups), or ``source`` itself as
    a 2-D array of rounds x groups; a clear error for anything else."""
    if hasattr(source, "fit"):
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(source, attribute)
        return np.asarray(getattr(source, attribute)), getattr(source, "groups_", None)
    history = np.asarray(source, dtype=np.float64)
    if history.ndim != 2:
        raise ValueError(
            f"Expected a fitted Learn2Mix estimator or an array of shape (n_rounds + 1, "
            f"n_groups); got an array of shape {history.shape}."
        )
    return history, None


def plot_mixture_history(estimator_or_history, *, labels=None, ax=None):
    """Stacked area of the mixture ``alpha`` over rounds.

    Parameters
    ----------
    estimator_or_history : fitted Learn2Mix estimator or array of shape (n_rounds + 1, n_groups)
        Source of ``mixture_history_``.
    labels : sequence of str, default=None
        Group names (default: the estimator's ``groups_``).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_l2m.plotting import plot_mixture_history
    >>> ax = plot_mixture_history([[0.5, 0.5], [0.4, 0.6], [0.3, 0.7]], labels=["a", "b"])
    >>> ax.get_xlabel()
    'round'
    """
    history, groups = _history(estimator_or_history, "mixture_history_")
    labels = labels if labels is not None else groups
    if labels is None:
        labels = [str(g) for g in range(history.shape[1])]
    ax = _axes(ax)
    ax.stackplot(np.arange(history.shape[0]), history.T, labels=[str(lab) for lab in labels])
    ax.set_ylabel("mixture weight (share of the training data)")
    ax.set_ylim(0, 1)
    ax.set_xlim(0, max(history.shape[0] - 1, 1))
    _finish(ax, _legend_title(estimator_or_history))
    return ax


def plot_group_losses(estimator, *, ax=None):
    """Per-group loss that drove every update, one line per group.

    Parameters
    ----------
    estimator : fitted Learn2Mix estimator
        Source of ``group_loss_history_`` and ``groups_``.
    ax : matplotlib Axes, default=None
        Where to draw.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_l2m import Learn2MixClassifier
    >>> from sklearn_l2m.plotting import plot_group_losses
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = Learn2MixClassifier(n_rounds=4, random_state=0).fit(X, y)
    >>> len(plot_group_losses(clf).get_lines())
    3
    """
    losses, groups = _history(estimator, "group_loss_history_")
    ax = _axes(ax)
    for column, label in zip(losses.T, groups):
        ax.plot(np.arange(1, losses.shape[0] + 1), column, label=str(label))
    ax.set_ylabel(f"mean {estimator.loss_source_} loss of the group")
    _finish(ax, _legend_title(estimator))
    return ax
