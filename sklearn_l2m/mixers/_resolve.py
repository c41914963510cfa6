"""One function that turns every accepted spelling of a mixer into a Mixer."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.base import clone

from ._base import BaseMixer
from ._group_dro import DoReMi, GroupDRO
from ._learn2mix import Learn2Mix
from ._static import BalancedMixer, FixedMixer, NaturalMixer

#: ``mixing_rate`` is the one knob for how fast every adaptive mixer moves; an
#: exponentiated-gradient mixer's step is this many times the rate (so the
#: default rate 0.1 gives Group DRO and DoReMi a step of 1 per round).
EXPONENTIATED_STEP_PER_RATE = 10.0


def _mixmin(rate, shrinkage):
    # imported here: MixMin lives with its proxy-training code
    from ._mixmin import MixMin

    return MixMin()


#: name -> factory(mixing_rate, shrinkage).
MIXERS = {
    "learn2mix": lambda rate, shrinkage: Learn2Mix(mixing_rate=rate, shrinkage=shrinkage),
    "natural": lambda rate, shrinkage: NaturalMixer(),
    "balanced": lambda rate, shrinkage: BalancedMixer(),
    "group_dro": lambda rate, shrinkage: GroupDRO(step_size=EXPONENTIATED_STEP_PER_RATE * rate),
    "doremi": lambda rate, shrinkage: DoReMi(step_size=EXPONENTIATED_STEP_PER_RATE * rate),
    "mixmin": _mixmin,
}

#: name -> the meta-estimator's parameters that its factory reads
MIXER_KNOBS = {
    "learn2mix": {"mixing_rate", "shrinkage"},
    "natural": set(),
    "balanced": set(),
    "group_dro": {"mixing_rate"},
    "doremi": {"mixing_rate"},
    "mixmin": set(),
}


def mixer_knobs(mixer) -> set:
    """The meta-estimator parameters that the mixer spelled ``mixer`` reads.

    Named mixers read what :data:`MIXER_KNOBS` says; a fixed mixture or a
    mixer object reads neither (the object carries its own parameters).

    Examples
    --------
    >>> from sklearn_l2m.mixers._resolve import mixer_knobs
    >>> sorted(mixer_knobs("group_dro"))
    ['mixing_rate']
    >>> mixer_knobs({"a": 0.5, "b": 0.5})
    set()
    """
    if isinstance(mixer, str):
        return MIXER_KNOBS.get(mixer, set())
    return set()


def register_mixer(name: str, factory, knobs=("mixing_rate", "shrinkage")) -> None:
    """Make ``mixer=name`` build ``factory(mixing_rate, shrinkage)``; for extensions.

    ``knobs`` names the meta-estimator parameters the factory reads (a
    warning is given when another one is set away from its default).

    Examples
    --------
    >>> from sklearn_l2m.mixers import GroupDRO, MIXERS, register_mixer
    >>> register_mixer("fast_dro", lambda rate, shrinkage: GroupDRO(step_size=10 * rate))
    >>> MIXERS["fast_dro"](0.1, 0.0)
    GroupDRO(step_size=1.0)
    """
    MIXERS[name] = factory
    MIXER_KNOBS[name] = set(knobs)


def check_mixer(mixer, mixing_rate: float = 0.1, shrinkage: float = 0.0) -> BaseMixer:
    """Resolve ``mixer`` (a name, a dict or array mixture, or a Mixer) to a fresh Mixer.

    Parameters
    ----------
    mixer : str, dict, array-like or BaseMixer
        A name from :data:`MIXERS`; a fixed mixture (dict by group label or
        array in sorted group order); or a mixer object, which is cloned.
    mixing_rate : float, default=0.1
        How fast an adaptive mixer moves: ``"learn2mix"``'s ``mixing_rate``;
        ``"group_dro"`` and ``"doremi"`` get ``step_size = 10 * mixing_rate``.
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
        try:
            return MIXERS[mixer](mixing_rate, shrinkage)
        except KeyError:
            names = sorted(MIXERS)
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


def warn_ignored_settings(mixer, settings: dict) -> None:
    """Warn for each of ``settings`` (``name: (value, default)``) set away from its
    default although ``mixer`` does not read it."""
    from .._warnings import warn_user

    shown = repr(mixer) if isinstance(mixer, str) else type(mixer).__name__
    for name, (value, default) in settings.items():
        if value == default or name in mixer_knobs(mixer):
            continue
        readers = ", ".join(repr(key) for key, knobs in MIXER_KNOBS.items() if name in knobs)
        warn_user(
            f"{name}={value} has no effect with mixer={shown}: {name} is read by "
            f"{readers} only. Set the mixer's own parameters instead (or leave it at "
            "its default).",
            UserWarning,
        )
