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
