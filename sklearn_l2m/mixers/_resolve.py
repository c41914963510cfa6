"""One function that turns every accepted spelling of a mixer into a Mixer."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from sklearn.base import clone

from ._base import BaseMixer
from ._bounded_group_loss import BoundedGroupLoss
from ._doremi import DoReMi
from ._group_dro import GroupDRO
from ._learn2mix import Learn2Mix
from ._static import BalancedMixer, FixedMixer, NaturalMixer


def _mixmin():
    # imported here: MixMin lives with its proxy-training code
    from ._mixmin import MixMin

    return MixMin()


#: name -> a factory of the strategy at its defaults (a mixer class, or any
#: callable without arguments). A strategy's settings live on its object:
#: ``mixer=GroupDRO(step_size=0.05)``, or ``mixer__step_size`` in a grid.
MIXERS: dict[str, Callable[[], BaseMixer]] = {
    "learn2mix": Learn2Mix,
    "natural": NaturalMixer,
    "balanced": BalancedMixer,
    "group_dro": GroupDRO,
    "doremi": DoReMi,
    "bounded_group_loss": BoundedGroupLoss,
    "mixmin": _mixmin,
}


def register_mixer(name: str, factory: Callable[[], BaseMixer]) -> None:
    """Make ``mixer=name`` build ``factory()``; for extensions.

    Examples
    --------
    >>> from sklearn_l2m.mixers import GroupDRO, MIXERS, register_mixer
    >>> register_mixer("fast_dro", lambda: GroupDRO(step_size=1.0))
    >>> MIXERS["fast_dro"]()
    GroupDRO(step_size=1.0)
    """
    MIXERS[name] = factory


def check_mixer(mixer) -> BaseMixer:
    """Resolve ``mixer`` (a name, a dict or array mixture, or a Mixer) to a fresh Mixer.

    Parameters
    ----------
    mixer : str, dict, array-like or BaseMixer
        A name from :data:`MIXERS` (the strategy at its defaults); a fixed
        mixture (dict by group label or array in sorted group order); or a
        mixer object, which is cloned.

    Returns
    -------
    BaseMixer
        An unfitted mixer, never the user's own object.

    Examples
    --------
    >>> from sklearn_l2m.mixers import Learn2Mix, check_mixer
    >>> check_mixer("group_dro")
    GroupDRO()
    >>> check_mixer(Learn2Mix(mixing_rate=0.2))
    Learn2Mix(mixing_rate=0.2)
    >>> check_mixer({"a": 0.3, "b": 0.7})
    FixedMixer(mixture={'a': 0.3, 'b': 0.7})
    """
    if isinstance(mixer, str):
        try:
            factory = MIXERS[mixer]
        except KeyError:
            names = sorted(MIXERS)
            raise ValueError(
                f"Unknown mixer {mixer!r}. Use one of {names}, a dict or array "
                "giving a fixed mixture, or a BaseMixer instance such as "
                "Learn2Mix(mixing_rate=0.2)."
            ) from None
        return factory()
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
