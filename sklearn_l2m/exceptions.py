"""Warnings this library raises, so that users can filter them by class."""

from __future__ import annotations

# defined beside the probes that raise them (no import cycle); this is their public home
from ._compat.hooks import FallbackWarning
from ._compat.sklearn_params import InvalidParameterError

__all__ = ["FallbackWarning", "InvalidParameterError", "RefitWarning"]


class RefitWarning(UserWarning):
    """The inner model is refitted from scratch every round (a costly fallback).

    Raised once per fit for inner models that can neither grow by warm start
    nor learn by ``partial_fit``. Silence it with
    ``warnings.filterwarnings("ignore", category=RefitWarning)``.

    Examples
    --------
    >>> import warnings
    >>> from sklearn_l2m.exceptions import RefitWarning
    >>> warnings.filterwarnings("ignore", category=RefitWarning)
    """
