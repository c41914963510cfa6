"""Running raw scores of a growing boosted model (LightGBM, CatBoost) on fixed rows.

Every round adds ``steps_per_round`` trees; the per-group losses need the
model's output on the validation part (sometimes the training part). A
:class:`RawScoreOutput` asks the library for the raw scores of the *new*
trees only (``start_iteration`` / ``ntree_start``, public API) and adds them,
so a whole fit evaluates every tree once on each row set. The raw scores are
turned into probabilities or predictions by the objective's link (sigmoid,
softmax, exp, identity), checked once against the library's own ``predict``
on a few rows; an objective whose link is unknown is predicted from scratch
every round instead, with a warning.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.utils import _safe_indexing

from ._base import OutputLosses
from ._running import _N_CHECK_ROWS as N_CHECK_ROWS  # rows of the one-off check


def sigmoid(raw: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * raw))  # stable for large |raw|


def softmax(raw: np.ndarray) -> np.ndarray:
    shifted = raw - raw.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


def identity(raw: np.ndarray) -> np.ndarray:
    return raw


class RawScoreOutput(OutputLosses):
    """A boosted model's output on fixed rows, tree by tree.

    Subclasses say how the library predicts raw scores of a range of trees
    (:meth:`raw`), its final output (:meth:`predict`) and its link (:meth:`link`).

    Parameters
    ----------
    X : {array-like, sparse matrix, DataFrame} or library data object
        The rows.
    is_classifier : bool
        Losses are log losses of probabilities (True) or squared errors.
    """

    def __init__(self, X, *, is_classifier: bool):
        self.X = X
        self.is_classifier = is_classifier
        self.n_trees = 0  # iterations already summed into the raw scores
        self.tree_evaluations = 0  # for tests: iterations evaluated on these rows
        self._raw = None
        self._link = None
        self._from_scratch = False

    # -- one library ------------------------------------------------------------
    def raw(self, model, X, start: int, stop: int) -> np.ndarray:
        """Raw scores of iterations ``start .. stop`` (with the bias when ``start == 0``)."""
        raise NotImplementedError

    def predict(self, model, X, stop: int) -> np.ndarray:
        """The library's own output (probabilities or predictions), first ``stop`` trees."""
        raise NotImplementedError

    def link(self, model):
        """The objective's raw-score-to-output transform, or None if unknown."""
        raise NotImplementedError

    def head(self, rows: np.ndarray):
        """The first rows of ``X``, for the one-off link check."""
        return _safe_indexing(self.X, rows)

    # -- shared -----------------------------------------------------------------
    def advance(self, model, n_trees: int) -> None:
        """Bring the raw scores up to the first ``n_trees`` iterations."""
        if self._link is None and not self._from_scratch:
            self._choose_link(model, n_trees)
        if self._from_scratch:
            self._raw = self.predict(model, self.X, n_trees)
            self.tree_evaluations += n_trees
        elif n_trees > self.n_trees:
            new = self.raw(model, self.X, self.n_trees, n_trees)
            self._raw = new if self._raw is None else self._raw + new
            self.tree_evaluations += n_trees - self.n_trees
        self.n_trees = n_trees

    def _choose_link(self, model, n_trees: int) -> None:
        link = self.link(model)
        head = self.head(np.arange(min(N_CHECK_ROWS, self.n_rows)))
        if link is not None and np.allclose(
            link(self.raw(model, head, 0, n_trees)),
            self.predict(model, head, n_trees),
            rtol=1e-6,
            atol=1e-9,
        ):
            self._link = link
            return
        warnings.warn(
            f"{type(model).__name__}'s objective has an output transform Learn2Mix "
            "does not know; the per-group losses are computed by predicting all trees "
            "every round (correct, but slower).",
            RuntimeWarning,
            stacklevel=2,
        )
        self._from_scratch = True

    @property
    def n_rows(self) -> int:
        return self.X.shape[0]

    def output(self) -> np.ndarray:
        return self._raw if self._from_scratch else self._link(self._raw)



def running_outputs(make, data, controller) -> dict:
    """One running output per row set whose losses the controller reads."""
    outputs = {}
    if controller.wants_validation_loss:
        outputs["val"] = make(data.X_val)
    if controller.wants_train_loss:
        outputs["train"] = make(data.X_train)
    elif controller.fallback is not None:
        outputs["fallback"] = make(controller.fallback.X)
    return outputs
