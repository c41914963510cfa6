"""Warnings this library raises, so that users can filter them by class."""

from __future__ import annotations

from ._compat import invalid_parameter_bases


class InvalidParameterError(*invalid_parameter_bases()):
    """A constructor parameter outside its allowed values (as scikit-learn's own).

    Raised by ``fit`` where scikit-learn's parameter checker is not available;
    otherwise scikit-learn's ``InvalidParameterError`` (also a ``ValueError``
    and a ``TypeError``) is raised with the same message.
    """


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


class FallbackWarning(UserWarning):
    """A fast path through another library's internals is unavailable or switched off.

    Raised once per process and hook when an installed version of scikit-learn
    or XGBoost lacks an internal this library uses for speed (or when
    ``SKLEARN_L2M_PUBLIC_API_ONLY=1`` is set). The fit then takes the public
    API: the same model, at the cost named in the message.

    Examples
    --------
    >>> import warnings
    >>> from sklearn_l2m.exceptions import FallbackWarning
    >>> warnings.filterwarnings("ignore", category=FallbackWarning)
    """
