"""One function that turns every accepted spelling of a mixer into a Mixer."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.base import clone

from ._base import BaseMixer
from ._group_dro import DoReMi, GroupDRO
from ._learn2mix import Learn2Mix
from ._static import BalancedMixer, FixedMixer, NaturalMixer

#: name -> factory(mixing_rate, shrinkage). The estimator's ``mixing_rate``
#: and ``shrinkage`` reach Learn2Mix; the others are built with their defaults.
MIXERS = {
    "learn2mix": lambda rate, shrinkage: Learn2Mix(mixing_rate=rate, shrinkage=shrinkage),
    "natural": lambda rate, shrinkage: NaturalMixer(),
    "balanced": lambda rate, shrinkage: BalancedMixer(),
    "group_dro": lambda rate, shrinkage: GroupDRO(),
    "doremi": lambda rate, shrinkage: DoReMi(),
}


def register_mixer(name: str, factory) -> None:
    """Make ``mixer=name`` build ``factory(mixing_rate, shrinkage)``; for extensions.

    Examples
    --------
    >>> from sklearn_l2m.mixers import GroupDRO, MIXERS, register_mixer
    >>> register_mixer("fast_dro", lambda rate, shrinkage: GroupDRO(step_size=10 * rate))
    >>> MIXERS["fast_dro"](0.1, 0.0)
    GroupDRO(step_size=1.0)
    """
    MIXERS[name] = factory


def check_mixer(mixer, mixing_rate: float = 0.1, shrinkage: float = 0.0) -> BaseMixer:
    """Resolve ``mixer`` (a name, a dict or array mixture, or a Mixer) to a fresh Mixer.

    Parameters
    ----------
    mixer : str, dict, array-like or BaseMixer
        A name from :data:`MIXERS`; a fixed mixture (dict by group label or
        array in sorted group order); or a mixer object, which is cloned.
    mixing_rate : float, default=0.1
        Step size given to ``"learn2mix"``.
    shrinkage : float, default=0.0
        Shrinkage towards the natural mixture given to ``"learn2mix"``.

    Returns
    -------
    BaseMixer
        An unfitted mixer, never the user's own object.

    Examples
    --------
    >>> from sklearn_l2m.mixers import check_mixer
    >>> check_mixer("learn2mix", mixing_rate=0.2, shrinkage=0.5)
    Learn2Mix(mixing_rate=0.2, shrinkage=0.5)
    >>> check_mixer({"a": 0.3, "b": 0.7})
    FixedMixer(mixture={'a': 0.3, 'b': 0.7})
    """
    if isinstance(mixer, str):
        if mixer == "mixmin":
            # imported here: MixMin lives with its proxy-training code
            from ._mixmin import MixMin

            return MixMin()
        try:
            return MIXERS[mixer](mixing_rate, shrinkage)
        except KeyError:
            names = sorted([*MIXERS, "mixmin"])
            raise ValueError(
                f"Unknown mixer {mixer!r}. Use one of {names}, a dict or array "
                "giving a fixed mixture, or a BaseMixer instance."
            ) from None
    if isinstance(mixer, BaseMixer):
        return clone(mixer)
    if isinstance(mixer, Mapping) or (
        not isinstance(mixer, type) and np.ndim(mixer) == 1 and not hasattr(mixer, "update")
    ):
        return FixedMixer(mixture=dict(mixer) if isinstance(mixer, Mapping) else mixer)
    raise TypeError(
        f"mixer must be a name, a fixed mixture (dict or array) or a BaseMixer "
        f"instance; got {type(mixer).__name__}."
    )
