"""Mixing strategies: each maps per-group losses to a point on the simplex."""

from ._base import BaseMixer, apply_floor, loss_shares
from ._group_dro import DoReMi, GroupDRO
from ._learn2mix import Learn2Mix
from ._resolve import MIXERS, check_mixer, register_mixer
from ._static import BalancedMixer, FixedMixer, NaturalMixer

__all__ = [
    "MIXERS",
    "BalancedMixer",
    "BaseMixer",
    "DoReMi",
    "FixedMixer",
    "GroupDRO",
    "Learn2Mix",
    "NaturalMixer",
    "apply_floor",
    "check_mixer",
    "loss_shares",
    "register_mixer",
]
