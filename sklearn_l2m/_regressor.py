"""Learn2MixRegressor."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor

from ._base import BaseLearn2Mix
from ._compat.sklearn_params import Interval
from ._docs import fill_doc
from ._prepare.checks import is_dask_collection
from ._prepare.target import BinnedTarget


@fill_doc
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
    %(mixer)s
    %(n_rounds)s
    %(steps_per_round)s
    %(validation_fraction)s
    %(loss_source)s
    %(mixing_mode)s
    %(early_stopping)s
    %(refit)s
    n_target_bins : int, default=5
        Number of quantile bins of ``y`` used as groups when ``groups`` is None.
    %(random_state)s
    %(verbose)s

    Attributes
    ----------
    estimator_ : estimator
        The fitted inner model.
    groups_ : ndarray of shape (n_groups,)
        Group labels (bin indices when no ``groups`` were passed).
    target_bin_edges_ : ndarray or None
        Inner edges of the target bins (None when ``groups`` were passed).
    %(attributes)s

    See Also
    --------
    Learn2MixClassifier : The same for classification.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn_l2m import Learn2MixRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> from sklearn_l2m.mixers import Learn2Mix
    >>> reg = Learn2MixRegressor(mixer=Learn2Mix(mixing_rate=0.05), random_state=0)
    >>> reg = reg.fit(X, y)
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
        n_rounds="auto",
        steps_per_round="auto",
        validation_fraction=0.1,
        loss_source="auto",
        mixing_mode="auto",
        early_stopping=False,
        refit=False,
        n_target_bins=5,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            estimator,
            mixer=mixer,
            n_rounds=n_rounds,
            steps_per_round=steps_per_round,
            validation_fraction=validation_fraction,
            loss_source=loss_source,
            mixing_mode=mixing_mode,
            early_stopping=early_stopping,
            refit=refit,
            random_state=random_state,
            verbose=verbose,
        )
        self.n_target_bins = n_target_bins

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
