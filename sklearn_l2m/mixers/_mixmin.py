"""MixMin: an offline convex search for source weights (Thudi et al., ICML 2025).

1. Train one cheap proxy model per group, on that group's training rows alone.
2. Predict the target rows with every proxy.
   (Steps 1 and 2 are the training run's: ``_offline.offline_mixture`` builds the
   proxies as it builds the inner model, with its fit parameters.)
3. Minimise the loss of the mixture of the proxies' predictions over the
   simplex by exponentiated gradient: for classifiers the log loss of the
   mixture of predictive distributions,
   ``F(lam) = -mean_x log sum_i lam_i p_i(y_x | x)``, for regressors the squared
   error of ``sum_i lam_i f_i(x)``.
4. The final model trains once, with per-sample weights ``lam_g / n_g``.
"""

from __future__ import annotations

import time
from numbers import Integral, Real

import numpy as np

from .._compat.sklearn_params import HasMethods, Interval, validate_params
from ._base import BOUND_CONSTRAINTS, BaseMixer, apply_floor

_EPS = 1e-12


def exponentiated_gradient(objective_and_grad, n: int, *, step_size, max_steps, tol):
    """Minimise a convex function on the simplex from the uniform point.

    ``objective_and_grad(lam) -> (value, gradient)``. Each step starts at
    ``step_size`` and is halved until it decreases the objective by at least
    half of what the gradient promises (Armijo). Stops when the
    complementary-slackness gap ``max_i lam_i * |g_i - lam . g|`` (zero exactly
    at a KKT point of the simplex-constrained problem) is below ``tol``.

    Returns the final point and the trace of ``(value, lam)`` per step.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_l2m.mixers import exponentiated_gradient
    >>> target = np.array([0.2, 0.8])
    >>> lam, trace = exponentiated_gradient(
    ...     lambda lam: (np.sum((lam - target) ** 2), 2 * (lam - target)), 2,
    ...     step_size=1.0, max_steps=200, tol=1e-8)
    >>> lam.round(3)
    array([0.2, 0.8])
    """
    lam = np.full(n, 1.0 / n)
    value, grad = objective_and_grad(lam)
    trace = [(value, lam.copy())]
    for _ in range(max_steps):
        step = step_size
        gap = np.max(lam * np.abs(grad - lam @ grad))
        if gap < tol:
            break
        # Backtracking from the full step: a step without sufficient decrease
        # is halved (a fixed step overshoots on a well-conditioned quadratic
        # and oscillates around the minimum for hundreds of steps).
        while True:
            logits = np.log(np.maximum(lam, 1e-300)) - step * grad
            logits -= logits.max()
            candidate = np.exp(logits)
            candidate /= candidate.sum()
            new_value, new_grad = objective_and_grad(candidate)
            # Armijo: at least half the decrease the gradient promises
            if new_value <= value + 0.5 * grad @ (candidate - lam) or step < 1e-10:
                break
            step /= 2
        lam, value, grad = candidate, new_value, new_grad
        trace.append((value, lam.copy()))
    return lam, trace


class MixMin(BaseMixer):
    """Offline source mixing: fit the mixture once, from per-group proxy models.

    A fixed mixture, found before training: one proxy model per group
    predicts the target data, and the mixture minimises the loss of the mixed
    proxy predictions (a convex problem, solved by exponentiated gradient).
    Useful when groups are data *sources* (assays, sites) and a target
    distribution is known through a few labelled examples.

    Parameters
    ----------
    proxy : estimator, default=None
        The proxy model trained on each group. ``None``: a clone of the inner
        model with ``proxy_budget`` of its budget (trees, iterations, epochs).
    proxy_budget : float in (0, 1], default=0.25
        Share of the inner model's budget given to each proxy when
        ``proxy=None``.
    target : group label or None, default=None
        The target data: ``None`` is the whole validation part; a group label
        is that group's validation rows (the bioassay protocol: one assay is
        the target, every group is a candidate source).
    step_size : float, default=1.0
        Exponentiated-gradient step (the paper's ``eta = 1``). For
        regression the gradient is divided by the largest entry of the first
        gradient, so the step does not depend on the scale of ``y``.
    max_steps : int, default=100
        Most exponentiated-gradient steps.
    tol : float, default=1e-4
        Stop when the KKT gap ``max_i lam_i |g_i - lam . g|`` is below it.
    min_weight : float in [0, 1), default=0.1
        Floor on every group's multiplier ``alpha_g / pi_g`` in the mixture
        found, so that no source is dropped entirely.

    Attributes
    ----------
    mixture_ : ndarray of shape (n_groups,)
        The mixture found (after the floor).
    proxy_losses_ : ndarray of shape (n_groups,)
        Each proxy's own loss on the target data.
    objective_trace_ : ndarray of shape (n_steps,)
        Mixture loss after every step.
    mixture_trace_ : ndarray of shape (n_steps, n_groups)
        The mixture at every step.
    search_time_ : float
        Seconds spent training proxies and searching.

    References
    ----------
    .. [1] A. Thudi et al. "MixMin: Finding Data Mixtures via Convex
       Minimization", ICML 2025, arXiv:2502.10510.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_l2m import Learn2MixClassifier
    >>> from sklearn_l2m.mixers import MixMin
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(600, 2)
    >>> source = np.repeat(["a", "b"], 300)
    >>> y = np.where(source == "a", X[:, 0] > 0, X[:, 1] > 0).astype(int)
    >>> clf = Learn2MixClassifier(
    ...     LogisticRegression(), mixer=MixMin(target="b"), random_state=0
    ... ).fit(X, y, groups=source)
    >>> bool(clf.mixture_[1] > 0.8)  # source b is the target's own distribution
    True
    """

    adaptive = False
    offline = True

    _parameter_constraints: dict = {
        "proxy": [HasMethods(["fit"]), None],
        "proxy_budget": [Interval(Real, 0, 1, closed="right")],
        "step_size": [Interval(Real, 0, None, closed="neither")],
        "max_steps": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "min_weight": BOUND_CONSTRAINTS["min_weight"],
    }

    def __init__(
        self,
        proxy=None,
        *,
        proxy_budget=0.25,
        target=None,
        step_size=1.0,
        max_steps=100,
        tol=1e-4,
        min_weight=0.1,
    ):
        self.proxy = proxy
        self.proxy_budget = proxy_budget
        self.target = target
        self.step_size = step_size
        self.max_steps = max_steps
        self.tol = tol
        self.min_weight = min_weight

    #: the search needs target rows even when the smallest group is small
    needs_validation = True

    @property
    def target_without_groups(self) -> bool:
        # target=None: all validation rows are the target, whatever their group
        return self.target is None

    def start(self, group_sizes, *, groups=None, loss_sizes=None):
        validate_params(self)
        return super().start(group_sizes, groups=groups, loss_sizes=loss_sizes)

    # -- the search: the run trains the proxies, the mixer finds the mixture ---------
    def target_rows(self, data) -> tuple[np.ndarray, np.ndarray]:
        """The target data: indices into the validation part (``target``'s rows, or
        all of them) and their weights, normalised to sum to 1."""
        if not data.has_validation:
            raise ValueError(
                "MixMin needs target data: keep validation_fraction or pass X_val / y_val."
            )
        rows = np.arange(data.y_val.shape[0])
        if self.target is not None:
            labels = list(np.asarray(self.groups_).tolist())
            if self.target not in labels:
                raise ValueError(
                    f"MixMin target {self.target!r} is not a group; groups are {labels}."
                )
            rows = np.flatnonzero(data.codes_val == labels.index(self.target))
            if rows.size == 0:
                raise ValueError(
                    f"The target group {self.target!r} has no validation rows; raise "
                    "validation_fraction or pass X_val / y_val with groups_val."
                )
        weight = data.weight_val[rows]
        return rows, weight / weight.sum()

    def find_mixture(
        self, predictions, y_target, weight_target, *, is_classifier: bool, proxy_seconds=0.0
    ) -> np.ndarray:
        """The mixture of the proxies' predictions with the lowest target loss.

        Parameters
        ----------
        predictions : ndarray of shape (n_target, n_groups)
            Each group's proxy on the target rows: ``p_g(y | x)`` of the true
            class for classifiers, the predicted value ``f_g(x)`` for regressors.
        y_target, weight_target : ndarray of shape (n_target,)
            The target rows' labels (class indices) or values, and weights.
        is_classifier : bool
            Log loss of the mixed distributions, or squared error of the mixed values.
        proxy_seconds : float, default=0.0
            Time the proxies took, recorded in ``search_time_``.
        """
        began = time.perf_counter()
        objective = self._objective(predictions, y_target, weight_target, is_classifier)
        n_groups = predictions.shape[1]
        # the step is scale-free in y: divided by the first gradient's size
        first_gradient = objective(np.full(n_groups, 1.0 / n_groups))[1]
        step = self.step_size
        if not is_classifier:
            step /= max(np.max(np.abs(first_gradient)), _EPS)
        lam, trace = exponentiated_gradient(
            objective, n_groups, step_size=step, max_steps=self.max_steps, tol=self.tol
        )
        self.objective_trace_ = np.array([value for value, _ in trace])
        self.mixture_trace_ = np.vstack([point for _, point in trace])
        self.mixture_ = apply_floor(lam, self.floor_)
        self.search_time_ = proxy_seconds + time.perf_counter() - began
        return self.mixture_.copy()

    def _objective(self, predictions, y_target, weight_target, is_classifier):
        """The target loss of a mixture of the proxies, and its gradient (convex in
        the mixture); sets ``proxy_losses_``, each proxy's own target loss."""
        if is_classifier:
            self.proxy_losses_ = -(weight_target @ np.log(np.maximum(predictions, _EPS)))

            def objective(lam):
                mixed = np.maximum(predictions @ lam, _EPS)
                value = -(weight_target @ np.log(mixed))
                grad = -(weight_target / mixed) @ predictions
                return value, grad

            return objective
        self.proxy_losses_ = weight_target @ (predictions - y_target[:, None]) ** 2

        def objective(lam):
            residual = predictions @ lam - y_target
            return weight_target @ residual**2, 2 * (weight_target * residual) @ predictions

        return objective

    def _initial(self, shares):
        return np.full_like(shares, 1.0 / shares.size)
