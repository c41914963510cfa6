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


def pytest_collection_modifyitems(config, items):
    """With every private hook off (SKLEARN_L2M_PUBLIC_API_ONLY=1) the suite checks
    the public fallbacks; tests of a fast path itself do not apply."""
    from sklearn_l2m._compat.hooks import PUBLIC_ONLY_ENV

    if os.environ.get(PUBLIC_ONLY_ENV) != "1":
        return
    skip = pytest.mark.skip(reason=f"tests a fast path; {PUBLIC_ONLY_ENV}=1 turns it off")
    for item in items:
        if "fast_path" in item.keywords:
            item.add_marker(skip)


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


@pytest.fixture(scope="module")
def blobs():
    """400 rows, 3 classes at 70 / 20 / 10 % and two labs (the sign of the first
    feature): ``X, y, groups``."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=400,
        n_features=8,
        n_informative=5,
        n_classes=3,
        weights=[0.7, 0.2, 0.1],
        random_state=0,
    )
    groups = np.where(X[:, 0] > 0, "lab_a", "lab_b")
    return X, y, groups
