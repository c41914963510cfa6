"""Fitting does not copy X once per round (tracemalloc, scikit-learn backend)."""

import tracemalloc

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from sklearn_l2m import Learn2MixClassifier


def _peak_bytes(n_rounds, X, y):
    clf = Learn2MixClassifier(
        HistGradientBoostingClassifier(max_iter=n_rounds * 2, early_stopping=False),
        steps_per_round=2,
        random_state=0,
    )
    tracemalloc.start()
    clf.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert clf.n_rounds_ == n_rounds
    return peak


def test_peak_memory_does_not_grow_with_rounds():
    rng = np.random.RandomState(0)
    X = rng.randn(20000, 20)  # 3.2 MB
    y = (X[:, 0] + 0.5 * rng.randn(20000) > 1).astype(int)
    few, many = _peak_bytes(2, X, y), _peak_bytes(12, X, y)
    # 10 more rounds would add 10 copies of X (32 MB) if rounds copied the data
    assert many - few < 0.5 * X.nbytes, (few, many)
