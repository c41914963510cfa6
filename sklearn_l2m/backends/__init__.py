"""Backends: how each model family trains under a changing mixture."""

from ._base import Backend
from ._resolve import backend_class

__all__ = ["Backend", "backend_class"]
