"""The model's output on fixed rows at the end of every round, for every backend.

A round's per-group losses need the model's output on the measured rows (the
validation part, sometimes the training part). Every backend gets it here,
each way adding only what the round added:

* :func:`running_output`: growing scikit-learn ensembles (HistGradientBoosting,
  GradientBoosting, forests), the new members' contributions added
  (``sklearn_ensembles.py``);
* :func:`running_outputs` / :class:`RawScoreOutput`: LightGBM and CatBoost, the
  raw scores of the new trees added (``raw_scores.py``);
* :func:`booster_sample_loss`: XGBoost (one machine or Dask), from the
  booster's cached predictions (``xgboost.py``);
* skorch nets predict their rows once a round (the callback in
  ``_skorch_callback.py``): a net has no members to add.

The links from raw scores to probabilities or predictions are in ``links.py``.
"""

from .links import N_CHECK_ROWS, identity, sigmoid, softmax
from .raw_scores import PREDICT_CHUNK_BYTES, RawScoreOutput, running_outputs
from .sklearn_ensembles import FullOutput, RunningOutput, running_output
from .xgboost import booster_sample_loss

__all__ = [
    "N_CHECK_ROWS",
    "PREDICT_CHUNK_BYTES",
    "FullOutput",
    "RawScoreOutput",
    "RunningOutput",
    "booster_sample_loss",
    "identity",
    "running_output",
    "running_outputs",
    "sigmoid",
    "softmax",
]
