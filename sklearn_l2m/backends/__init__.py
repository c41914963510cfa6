"""Backends: how each model family trains under a changing mixture."""

from ._base import Backend
from ._resolve import backend_class, register_backend, unregister_backend

__all__ = ["Backend", "backend_class", "register_backend", "unregister_backend"]
