"""DoReMi: exponentiated weights on the excess loss over a reference, smoothed."""

from __future__ import annotations

from numbers import Real

import numpy as np

from .._compat.sklearn_params import Interval, StrOptions, validate_params
from ._base import BOUND_CONSTRAINTS, BOUND_DOCS, BaseMixer
from ._exponentiated import START_DOC, START_OPTIONS, exponentiated_step, initial_mixture


class DoReMi(BaseMixer):
    __doc__ = f"""Exponentiated weights on the *excess* loss over a reference, smoothed.

    ``a' = a * exp(step_size * max(L_g - L_ref_g, 0))``, then
    ``a = (1 - smoothing) * a' / sum(a') + smoothing / G``. Groups that are
    already as good as the reference stop gaining weight, which makes the rule
    robust to groups that are simply noisy (high but irreducible loss).

    Parameters
    ----------
    step_size : float >= 0, default=1.0
        ``eta``. 0 keeps the start mixture.
    smoothing : float in [0, 1], default=1e-3
        Mass mixed in from the uniform mixture every round.
    reference : "first" or array-like of shape (n_groups,), default="first"
        The reference losses: the first round's losses, or given values
        (e.g. a reference model's per-group losses).
    {START_DOC}
    {BOUND_DOCS}

    References
    ----------
    .. [1] S. M. Xie et al. "DoReMi: Optimizing Data Mixtures Speeds Up
       Language Model Pretraining", NeurIPS 2023.

    Examples
    --------
    >>> from sklearn_l2m.mixers import DoReMi
    >>> mixer = DoReMi(reference=[0.5, 0.5], smoothing=0.0, pooled_rows=0)
    >>> mixer.start([1, 1])
    array([0.5, 0.5])
    >>> mixer.update([0.5, 1.5]).round(3)
    array([0.269, 0.731])
    """

    _parameter_constraints: dict = {
        "step_size": [Interval(Real, 0, None, closed="left")],
        "smoothing": [Interval(Real, 0, 1, closed="both")],
        "reference": [StrOptions({"first"}), "array-like"],
        "start_from": [StrOptions(START_OPTIONS)],
        **BOUND_CONSTRAINTS,
    }

    def __init__(
        self,
        step_size: float = 1.0,
        smoothing: float = 1e-3,
        reference="first",
        *,
        start_from: str = "natural",
        min_weight: float = 0.1,
        max_weight: float | None = 5.0,
        pooled_rows: float = 10.0,
    ):
        self.step_size = step_size
        self.smoothing = smoothing
        self.reference = reference
        self.start_from = start_from
        self.min_weight = min_weight
        self.max_weight = max_weight
        self.pooled_rows = pooled_rows

    @property
    def moves(self) -> bool:
        return self.step_size > 0

    def start(self, group_sizes, *, groups=None, loss_sizes=None):
        validate_params(self)
        alpha = super().start(group_sizes, groups=groups, loss_sizes=loss_sizes)
        if isinstance(self.reference, str):
            self.reference_losses_ = None
        else:
            ref = np.asarray(self.reference, dtype=np.float64).reshape(-1)
            if ref.shape != alpha.shape or not np.all(np.isfinite(ref)):
                raise ValueError(
                    f"reference must hold one finite loss per group ({alpha.size}); "
                    f"got {np.shape(self.reference)}."
                )
            self.reference_losses_ = ref
        return alpha

    def _initial(self, shares):
        return initial_mixture(self.start_from, shares)

    def _step(self, losses):
        if self.reference_losses_ is None:
            # The first measured losses become the reference; no move this round.
            self.reference_losses_ = np.where(np.isnan(losses), np.inf, losses)
            return self.mixture_
        with np.errstate(invalid="ignore"):
            excess = np.maximum(losses - self.reference_losses_, 0.0)
        excess[np.isnan(losses)] = np.nan
        if self.step_size == 0:
            return self.mixture_
        moved = exponentiated_step(self.mixture_, self.step_size * excess)
        return (1 - self.smoothing) * moved + self.smoothing / moved.size
