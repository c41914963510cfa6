"""scikit-learn's parameter validation: its constraint types and checker where
present, a public fallback of the same form where not (:mod:`.hooks`)."""

from __future__ import annotations

import numpy as np

from .hooks import fast_path

# -- scikit-learn: parameter validation ---------------------------------------------------
try:  # the constraint types and checker of scikit-learn's own estimators
    from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
    from sklearn.utils._param_validation import InvalidParameterError as _SklearnInvalid
    from sklearn.utils._param_validation import (
        validate_parameter_constraints as _sklearn_validate,
    )
except ImportError:  # pragma: no cover - a scikit-learn without them: the classes below
    _sklearn_validate = None
    _SklearnInvalid = None

    class Interval:
        """Numbers of ``type`` between ``left`` and ``right`` (None: unbounded)."""

        def __init__(self, type, left, right, *, closed):
            self.type, self.left, self.right, self.closed = type, left, right, closed

        def is_satisfied_by(self, val) -> bool:
            if not isinstance(val, self.type) or isinstance(val, bool):
                return False
            low = self.left is None or (
                val >= self.left if self.closed in ("left", "both") else val > self.left
            )
            high = self.right is None or (
                val <= self.right if self.closed in ("right", "both") else val < self.right
            )
            return bool(low and high)

        def __str__(self):
            left = "-inf" if self.left is None else self.left
            right = "inf" if self.right is None else self.right
            return f"a {self.type.__name__} in the range [{left}, {right}] ({self.closed} closed)"

    class StrOptions:
        """One of the strings ``options``."""

        def __init__(self, options):
            self.options = set(options)

        def is_satisfied_by(self, val) -> bool:
            return isinstance(val, str) and val in self.options

        def __str__(self):
            return f"a str among {sorted(self.options)}"

    class HasMethods:
        """An object with the methods ``methods``."""

        def __init__(self, methods):
            self.methods = [methods] if isinstance(methods, str) else list(methods)

        def is_satisfied_by(self, val) -> bool:
            return all(callable(getattr(val, m, None)) for m in self.methods)

        def __str__(self):
            return f"an object implementing {self.methods}"


def invalid_parameter_bases() -> tuple:
    """The bases of this library's InvalidParameterError: scikit-learn's own where
    it exists (so code catching scikit-learn's catches ours too)."""
    return (_SklearnInvalid,) if _SklearnInvalid is not None else (ValueError, TypeError)


class InvalidParameterError(*invalid_parameter_bases()):
    """A constructor parameter outside its allowed values (as scikit-learn's own).

    Raised by ``fit`` where scikit-learn's parameter checker is not available;
    otherwise scikit-learn's ``InvalidParameterError`` (also a ``ValueError``
    and a ``TypeError``) is raised with the same message.
    """


InvalidParameterError.__module__ = "sklearn_l2m.exceptions"


def _satisfies(value, constraint) -> bool:
    """The public fallback's reading of one scikit-learn-style constraint."""
    from numbers import Integral

    if constraint is None:
        return value is None
    if isinstance(constraint, type):
        return isinstance(value, constraint)
    if constraint == "boolean":
        return isinstance(value, (bool, np.bool_))
    if constraint == "verbose":
        return isinstance(value, (Integral, bool, np.bool_))
    if constraint == "random_state":
        return value is None or isinstance(value, (Integral, np.random.RandomState))
    if constraint == "array-like":  # as scikit-learn's: not a str or other scalar
        listlike = hasattr(value, "__len__") or hasattr(value, "shape")
        return (listlike or hasattr(value, "__array__")) and not np.isscalar(value)
    return bool(constraint.is_satisfied_by(value))


def validate_params(estimator) -> None:
    """Check ``estimator.get_params()`` against its ``_parameter_constraints``.

    scikit-learn's own checker where it is present; otherwise the same
    constraints read here, with a message of the same form.
    """
    constraints = type(estimator)._parameter_constraints
    params = estimator.get_params(deep=False)
    name = type(estimator).__name__
    if fast_path("sklearn_param_validation", _sklearn_validate is not None):
        _sklearn_validate(constraints, params, caller_name=name)
        return
    for param, options in constraints.items():
        if param in params and not any(_satisfies(params[param], c) for c in options):
            wanted = " or ".join(
                "None" if c is None else c.__name__ if isinstance(c, type) else str(c)
                for c in options
            )
            raise InvalidParameterError(
                f"The {param!r} parameter of {name} must be {wanted}. "
                f"Got {params[param]!r} instead."
            )
