"""Test configuration.

Tests run in 2 pytest-xdist workers on 2 cores. HistGradientBoosting and
XGBoost use OpenMP; two workers with two spinning OpenMP threads each slow the
tiny fits in these tests down by 50x, so every worker uses one thread.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(1)


@pytest.fixture
def rng():
    return np.random.RandomState(0)


@pytest.fixture(scope="module")
def multiclass():
    """600 rows, 3 classes at 70 / 20 / 10 %: a rare class for the mixture to find."""
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples=600,
        n_features=8,
        n_informative=5,
        n_classes=3,
        weights=[0.7, 0.2, 0.1],
        random_state=0,
    )
