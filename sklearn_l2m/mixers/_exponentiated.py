"""The exponentiated-gradient step and the starting mixture shared by Group DRO
and DoReMi."""

from __future__ import annotations

import numpy as np


def exponentiated_step(q: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """``q * exp(exponent)`` normalised, in log space.

    Groups whose exponent is NaN (no loss measured) keep their weight; the others
    share the rest. An infinite exponent takes all of that mass.
    """
    known = ~np.isnan(exponent)
    new = q.copy()
    if not known.any():
        return new
    mass = q[known].sum()
    exp_known = exponent[known]
    if np.isposinf(exp_known).any():
        part = np.isposinf(exp_known).astype(np.float64)
    else:
        with np.errstate(divide="ignore"):
            logits = np.log(q[known]) + exp_known
        logits -= logits.max()
        part = np.exp(logits)
    new[known] = mass * part / part.sum()
    return new


#: where the exponentiated-gradient mixers start
START_OPTIONS = {"natural", "uniform"}


def initial_mixture(start_from: str, shares: np.ndarray) -> np.ndarray:
    """``"natural"``: the groups' shares (a zero step is then the plain model);
    ``"uniform"``: equal weights (the papers' start)."""
    return shares.copy() if start_from == "natural" else np.full_like(shares, 1.0 / shares.size)


START_DOC = """start_from : {"natural", "uniform"}, default="natural"
        Where the mixture starts: the natural shares (so ``step_size=0``
        trains the plain model, and a grid over ``step_size`` includes it) or
        equal group weights (the paper's start)."""
