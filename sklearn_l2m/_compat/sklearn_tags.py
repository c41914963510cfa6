"""The kind (classifier / regressor) and scikit-learn tags of any inner model,
including models written before scikit-learn's tags API."""

from __future__ import annotations

import warnings


# -- the kind and tags of an inner model ----------------------------------------------
def estimator_kind(estimator) -> str | None:
    """``"classifier"``, ``"regressor"`` or None (unknown), for any estimator.

    Reads scikit-learn's tags; an estimator whose tags fail (one written for a
    scikit-learn before 1.6, e.g. XGBoost 2.1 or skorch 1.0 under scikit-learn
    1.6) or that defines none falls back to the older ``_estimator_type``
    convention.
    """
    kind = None
    tags = estimator_tags(estimator)
    if tags is not None:
        kind = tags.estimator_type
    if kind is None:
        kind = getattr(estimator, "_estimator_type", None)
    return kind if kind in ("classifier", "regressor") else None


def estimator_tags(estimator):
    """scikit-learn's tags of ``estimator``, or None where they cannot be read."""
    from sklearn.utils import get_tags

    try:
        with warnings.catch_warnings():
            # models written before scikit-learn 1.6 make get_tags warn about _more_tags
            warnings.simplefilter("ignore", FutureWarning)
            return get_tags(estimator)
    except Exception:  # tags that raise: a model older than the tags API
        return None
