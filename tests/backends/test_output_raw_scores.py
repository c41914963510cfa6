"""Running raw scores of boosted models (backends/_output/raw_scores.py), on a toy booster."""

import numpy as np
import pytest

from sklearn_l2m.backends._output import RawScoreOutput, sigmoid, softmax


class ToyBooster:
    """Tree t adds ``X @ w_t`` to the raw score; the output is its softmax."""

    def __init__(self, n_trees=6, n_features=3, n_classes=3, link=softmax):
        rng = np.random.RandomState(0)
        self.w = rng.randn(n_trees, n_features, n_classes)
        self.link = link


class ToyOutput(RawScoreOutput):
    def raw(self, model, X, start, stop):
        return sum(X @ model.w[t] for t in range(start, stop))

    def predict(self, model, X, stop):
        return softmax(self.raw(model, X, 0, stop))

    def link(self, model):
        return model.link


def test_running_scores_equal_predicting_from_scratch_and_add_only_new_trees():
    X = np.random.RandomState(1).randn(40, 3)
    model, out = ToyBooster(), ToyOutput(X, is_classifier=True)
    for n_trees in (2, 4, 6):
        out.advance(model, n_trees)
        np.testing.assert_allclose(out.output(), out.predict(model, X, n_trees))
    assert out.tree_evaluations == 6  # each tree evaluated once on these rows
    y = np.arange(40) % 3
    expected = -np.log(out.predict(model, X, 6)[np.arange(40), y])
    np.testing.assert_allclose(out.losses(y), expected, rtol=1e-10)


def test_an_unknown_output_transform_falls_back_to_predicting_every_round():
    X = np.random.RandomState(1).randn(40, 3)
    model, out = ToyBooster(link=sigmoid), ToyOutput(X, is_classifier=True)
    with pytest.warns(RuntimeWarning, match="output transform Learn2Mix does not know"):
        out.advance(model, 3)
    out.advance(model, 6)
    np.testing.assert_allclose(out.output(), out.predict(model, X, 6))
    assert out.tree_evaluations == 9  # 3 + 6: from scratch each round
