"""Models for one target group trained with many related sources: the baselines
and alternatives that :class:`~sklearn_l2m.mixers.TargetMix` is measured against.

Every estimator here wraps an inner model, takes ``fit(X, y, groups=...)``
with one group label per row, and predicts *for the target*: a new row is
taken to come from ``target``.

* :class:`NaturalPool`: every row, unweighted (the plain model).
* :class:`TargetOnly`: the target's rows alone.
* :class:`TargetWeighted`: every row pooled, the target's rows up-weighted by
  the factor that scores best on held-out target rows, then refitted.
* :class:`TargetShare`: every row pooled, the target's rows holding a fixed
  share of the training weight; one fit.
* :class:`GroupFeature`: every row pooled, the group as one-hot features (at
  predict time the target's own); reaches label offsets between sources
  that re-weighting cannot.
* :class:`PoolStacking`: a model of the sources, whose prediction is one
  more feature of a model of the target's rows.
* :class:`TargetBlend`: a model of the sources and a model of the target
  (optionally a pooled model, and the sources' model continued on the
  target's rows), blended with the weights that score best on the target's
  rows out of fold.

``sklearn_l2m.model_selection.compare(..., target=...)`` builds the first
three itself.
"""

from ._baselines import NaturalPool, TargetOnly, TargetShare, TargetWeighted
from ._blend import TargetBlend
from ._common import target_rows
from ._features import GroupFeature, PoolStacking

__all__ = [
    "GroupFeature",
    "NaturalPool",
    "PoolStacking",
    "TargetBlend",
    "TargetOnly",
    "TargetShare",
    "TargetWeighted",
    "target_rows",
]
