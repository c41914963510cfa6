"""scikit-learn's estimator checks with test ids that are the same in every process.

``parametrize_with_checks`` names each test by the estimator's ``repr``. Some
inner models (CatBoost 1.2) print their memory address there, so two
pytest-xdist workers would collect different tests and refuse to run. The ids
here replace an address by the class name.
"""

from __future__ import annotations

import functools
import re

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

_ADDRESS = re.compile(r"<([\w.]+) object at 0x[0-9a-fA-F]+>")


def _stable_id(value) -> str:
    if isinstance(value, functools.partial):
        kwargs = ",".join(f"{k}={v}" for k, v in value.keywords.items())
        name = value.func.__name__
        return f"{name}({kwargs})" if kwargs else name
    if hasattr(value, "get_params"):
        return re.sub(r"\s", "", _ADDRESS.sub(r"\1", repr(value)))
    return getattr(value, "__name__", str(value))


def checks(estimators, **kwargs):
    """``parametrize_with_checks(estimators, **kwargs)`` with process-independent ids."""
    mark = parametrize_with_checks(estimators, **kwargs).mark
    names, params = mark.args[0], list(mark.args[1])
    return pytest.mark.parametrize(names, params, ids=_stable_id)
