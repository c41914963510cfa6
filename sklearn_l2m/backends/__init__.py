"""Backends: how each model family trains under a changing mixture.

A backend ends every round through one protocol: it hands a
:class:`RoundLosses` to the controller's ``end_round`` and trains the next
round under the :class:`RoundEnd` it gets back (:class:`Measure` says what to
measure).
"""

from .._training.round_end import Measure, RoundEnd, RoundLosses
from ._base import Backend
from ._resolve import backend_class, register_backend, unregister_backend

__all__ = [
    "Backend",
    "Measure",
    "RoundEnd",
    "RoundLosses",
    "backend_class",
    "register_backend",
    "unregister_backend",
]
