"""EarlyStopping: when a fit stops, and which validation loss it watches."""

from __future__ import annotations

from numbers import Integral, Real

from sklearn.base import BaseEstimator

from ._compat.sklearn_params import Interval, StrOptions, validate_params

#: what the early-stopping objective of a round is, from its per-group validation losses
MONITORS = {"mean", "worst_group"}


class EarlyStopping(BaseEstimator):
    """Early stopping settings, given as ``early_stopping=EarlyStopping(...)``.

    ``early_stopping=True`` is ``EarlyStopping()``. The fit stops when the
    monitored validation loss has not improved by ``tol`` for
    ``n_iter_no_change`` rounds; ``best_round_`` is the round with the lowest
    monitored loss, and ``refit=True`` replays the rounds up to it.

    Parameters
    ----------
    n_iter_no_change : int >= 1, default=3
        Patience in rounds.
    tol : float >= 0, default=1e-4
        Minimum improvement of the monitored loss.
    monitor : {"mean", "worst_group"}, default="mean"
        "mean": the validation part's weighted mean loss (XGBoost then uses
        its own early stopping and predicts with its best iteration).
        "worst_group": the largest per-group mean validation loss, the
        selection rule the group-robustness literature finds to matter most
        when the worst group is what counts. The fitted model is the best
        round's, whether the run stopped early or spent its budget, for every
        inner model that can drop its later steps (boosters, scikit-learn's
        tree ensembles, skorch nets); models trained by ``partial_fit`` or
        refitted every round keep their last state. A patience longer than
        the run (say ``n_iter_no_change=1000``) selects the best round of the
        whole budget without stopping.

    Examples
    --------
    >>> from sklearn_l2m import EarlyStopping, Learn2MixClassifier
    >>> clf = Learn2MixClassifier(early_stopping=EarlyStopping(monitor="worst_group"))
    >>> clf.get_params()["early_stopping__monitor"]
    'worst_group'
    """

    _parameter_constraints: dict = {
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "monitor": [StrOptions(MONITORS)],
    }

    def __init__(self, n_iter_no_change: int = 3, tol: float = 1e-4, monitor: str = "mean"):
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.monitor = monitor


def resolve_early_stopping(early_stopping) -> EarlyStopping | None:
    """``True`` / an ``EarlyStopping`` -> a checked ``EarlyStopping``; ``False`` -> None."""
    if early_stopping is False or early_stopping is None:
        return None
    settings = EarlyStopping() if early_stopping is True else early_stopping
    validate_params(settings)
    return settings
