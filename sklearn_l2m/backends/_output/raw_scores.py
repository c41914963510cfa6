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

from ..._prepare.checks import take_rows
from ..._training.losses import per_sample_loss_in_chunks
from .._base import OutputLosses
from .links import N_CHECK_ROWS

#: bytes of features taken from ``X`` per prediction call, when a running output
#: reads rows of it (a held-out part is never copied whole)
PREDICT_CHUNK_BYTES = 2 << 20


class RawScoreOutput(OutputLosses):
    """A boosted model's output on fixed rows, tree by tree.

    Subclasses say how the library predicts raw scores of a range of trees
    (:meth:`raw`), its final output (:meth:`predict`) and its link (:meth:`link`).

    Parameters
    ----------
    X : {array-like, sparse matrix, DataFrame} or library data object
        The rows, or the data set that holds them (see ``rows``).
    is_classifier : bool
        Losses are log losses of probabilities (True) or squared errors.
    rows : ndarray of int, optional
        The rows are these rows of ``X``: they are taken and predicted a piece
        at a time (:data:`PREDICT_CHUNK_BYTES`), so a held-out part of ``X``
        is never copied whole.
    whole_model : bool, default=False
        Predict all trees every round: for a model whose earlier trees change
        as it grows (LightGBM's DART rescales them), so that the new trees'
        scores do not add up to its output.
    """

    def __init__(self, X, *, is_classifier: bool, rows=None, whole_model: bool = False):
        self.X = X
        self.rows = rows
        self.is_classifier = is_classifier
        self.n_trees = 0  # iterations already summed into the raw scores
        self.tree_evaluations = 0  # for tests: iterations evaluated on these rows
        self._raw = None
        self._link = None
        self._from_scratch = whole_model
        self._one_piece = None  # the rows, taken once, when they fit in one piece

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
        """The first rows, for the one-off link check."""
        return take_rows(self.X, rows if self.rows is None else self.rows[rows])

    def pieces(self):
        """``(part, X_part)``: the rows as pieces of about :data:`PREDICT_CHUNK_BYTES`
        of ``X`` (``part`` slices the running scores), or ``X`` whole. Rows that fit
        in one piece are taken once and kept: every round predicts them."""
        if self.rows is None:
            yield slice(None), self.X
            return
        width = int(np.prod(self.X.shape[1:])) if len(self.X.shape) > 1 else 1
        step = max(1024, PREDICT_CHUNK_BYTES // (8 * max(width, 1)))
        if self.rows.size <= step:
            if self._one_piece is None:
                self._one_piece = take_rows(self.X, self.rows)
            yield slice(None), self._one_piece
            return
        for start in range(0, self.rows.size, step):
            yield slice(start, start + step), take_rows(self.X, self.rows[start : start + step])

    # -- shared -----------------------------------------------------------------
    def advance(self, model, n_trees: int) -> None:
        """Bring the raw scores up to the first ``n_trees`` iterations."""
        if self._link is None and not self._from_scratch:
            self._choose_link(model, n_trees)
        if self._from_scratch:
            self._raw = np.concatenate([self.predict(model, X, n_trees) for _, X in self.pieces()])
            self.tree_evaluations += n_trees
        elif n_trees > self.n_trees:
            for part, X in self.pieces():
                new = self.raw(model, X, self.n_trees, n_trees)
                if self._raw is None:
                    self._raw = np.zeros((self.n_rows, *new.shape[1:]), dtype=np.float64)
                self._raw[part] += new  # in place: no second array of the scores
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
        return self.X.shape[0] if self.rows is None else self.rows.size

    def output(self) -> np.ndarray:
        return self._raw if self._from_scratch else self._link(self._raw)

    def losses(self, y: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        if self._from_scratch:
            return super().losses(y, rows)
        return per_sample_loss_in_chunks(
            y, self._raw, self._link, is_classifier=self.is_classifier, rows=rows
        )


def running_outputs(make, data, controller) -> dict:
    """One running output per row set whose losses the controller reads.

    ``make(X, rows)`` builds one on rows ``rows`` of ``X`` (all of it when None).
    """
    outputs, measure = {}, controller.measure
    if measure.validation:
        outputs["val"] = make(*data.part_of_X("val"))
    if measure.train:
        outputs["train"] = make(*data.part_of_X("train"))
    elif measure.fallback is not None:
        outputs["fallback"] = make(measure.fallback.X, None)
    return outputs
