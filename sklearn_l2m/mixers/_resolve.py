"""One function that turns every accepted spelling of a mixer into a Mixer."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.base import clone

from ._base import BaseMixer
from ._group_dro import DoReMi, GroupDRO
from ._learn2mix import Learn2Mix
from ._static import BalancedMixer, FixedMixer, NaturalMixer

#: name -> factory(mixing_rate). ``mixing_rate`` reaches the mixers whose
#: step it is; the others are built with their own defaults.
MIXERS = {
    "learn2mix": lambda rate: Learn2Mix(mixing_rate=rate),
    "natural": lambda rate: NaturalMixer(),
    "balanced": lambda rate: BalancedMixer(),
    "group_dro": lambda rate: GroupDRO(),
    "doremi": lambda rate: DoReMi(),
}


def register_mixer(name: str, factory) -> None:
    """Make ``mixer=name`` build ``factory(mixing_rate)``; for extensions."""
    MIXERS[name] = factory


def check_mixer(mixer, mixing_rate: float = 0.1) -> BaseMixer:
    """Resolve ``mixer`` (a name, a dict or array mixture, or a Mixer) to a fresh Mixer.

    Parameters
    ----------
    mixer : str, dict, array-like or BaseMixer
        A name from :data:`MIXERS`; a fixed mixture (dict by group label or
        array in sorted group order); or a mixer object, which is cloned.
    mixing_rate : float, default=0.1
        Step size given to named adaptive mixers that use it (``"learn2mix"``).

    Returns
    -------
    BaseMixer
        An unfitted mixer, never the user's own object.
    """
    if isinstance(mixer, str):
        if mixer == "mixmin":
            # imported here: MixMin lives with its proxy-training code
            from ._mixmin import MixMin

            return MixMin()
        try:
            return MIXERS[mixer](mixing_rate)
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
