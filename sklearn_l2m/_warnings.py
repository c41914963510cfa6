"""Warnings that point at the user's line, however deep inside the library they arise."""

from __future__ import annotations

import os
import sys
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_user(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` attributed to the first frame outside ``sklearn_l2m``.

    A fixed ``stacklevel`` breaks whenever a call chain gets one function
    longer; this walks the stack instead (Python 3.12's
    ``skip_file_prefixes`` does the same).
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
