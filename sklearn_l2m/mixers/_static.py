"""Static mixtures: natural, balanced, and one the user fixes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._base import BaseMixer


class NaturalMixer(BaseMixer):
    """Every group counts by its share of the training data (classical training).

    Examples
    --------
    >>> from sklearn_l2m.mixers import NaturalMixer
    >>> NaturalMixer().start([30, 10])
    array([0.75, 0.25])
    """

    adaptive = False

    def __init__(self):
        pass


class BalancedMixer(BaseMixer):
    """Every group counts equally, whatever its size.

    The per-sample weights this gives are scikit-learn's
    ``class_weight="balanced"``: ``n / (n_groups * n_g)``.

    Examples
    --------
    >>> from sklearn_l2m.mixers import BalancedMixer
    >>> BalancedMixer().start([30, 10])
    array([0.5, 0.5])
    """

    adaptive = False

    def __init__(self):
        pass

    def _initial(self, shares):
        return np.full_like(shares, 1.0 / shares.size)


class FixedMixer(BaseMixer):
    """A mixture chosen by the user, kept for the whole fit.

    Parameters
    ----------
    mixture : dict or array-like of shape (n_groups,)
        Non-negative weights summing to 1: a dict from group label (class
        label when the groups are the classes) to weight, where unnamed groups
        get 0, or an array in the order of the sorted group labels.

    Examples
    --------
    >>> from sklearn_l2m.mixers import FixedMixer
    >>> FixedMixer({"a": 0.3, "b": 0.7}).start([5, 5], groups=["a", "b"])
    array([0.3, 0.7])
    """

    adaptive = False

    def __init__(self, mixture=None):
        self.mixture = mixture

    def _initial(self, shares):
        return resolve_fixed_mixture(self.mixture, self.groups_, shares.size)


def resolve_fixed_mixture(mixture, groups, n_groups: int) -> np.ndarray:
    """Turn a dict (by label) or array mixture into a checked simplex point."""
    if mixture is None:
        raise ValueError("FixedMixer needs a mixture: a dict {group: weight} or an array.")
    if isinstance(mixture, Mapping):
        if groups is None:
            raise ValueError("A mixture given as a dict needs the group labels.")
        labels = list(np.asarray(groups).tolist())
        unknown = [key for key in mixture if key not in labels]
        if unknown:
            raise ValueError(
                f"The fixed mixture names unknown groups {unknown}; the groups "
                f"(or classes) seen in fit are {labels}."
            )
        alpha = np.array([float(mixture.get(label, 0.0)) for label in labels])
    else:
        alpha = np.asarray(mixture, dtype=np.float64).reshape(-1)
        if alpha.size != n_groups:
            raise ValueError(
                f"The fixed mixture has {alpha.size} entries but there are {n_groups} "
                "groups; give one weight per group, in sorted label order, or a dict."
            )
    if not np.all(np.isfinite(alpha)) or np.any(alpha < 0):
        raise ValueError(
            f"The fixed mixture must be finite and non-negative; got {alpha.tolist()}."
        )
    if not np.isclose(alpha.sum(), 1.0, rtol=0, atol=1e-6):
        raise ValueError(
            f"The fixed mixture must sum to 1; it sums to {alpha.sum():.6g}. "
            "Divide the weights by their sum."
        )
    return alpha / alpha.sum()
