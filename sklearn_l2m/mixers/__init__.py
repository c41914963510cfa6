"""Mixing strategies: each maps per-group losses to a point on the simplex."""

from ._base import BaseMixer, apply_bounds, apply_floor, loss_shares, pool_group_losses
from ._bounded_group_loss import BoundedGroupLoss
from ._doremi import DoReMi
from ._group_dro import GroupDRO
from ._learn2mix import Learn2Mix
from ._mixmin import MixMin, exponentiated_gradient
from ._resolve import MIXERS, check_mixer, register_mixer
from ._static import BalancedMixer, FixedMixer, NaturalMixer
from ._target import TargetMix

__all__ = [
    "MIXERS",
    "BalancedMixer",
    "BaseMixer",
    "BoundedGroupLoss",
    "DoReMi",
    "FixedMixer",
    "GroupDRO",
    "Learn2Mix",
    "MixMin",
    "NaturalMixer",
    "TargetMix",
    "apply_bounds",
    "apply_floor",
    "check_mixer",
    "exponentiated_gradient",
    "loss_shares",
    "pool_group_losses",
    "register_mixer",
]
