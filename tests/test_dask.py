"""Model selection on a Dask cluster gives the local results (joblib's Dask backend)."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sklearn_l2m import Learn2MixClassifier

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


def _search():
    return GridSearchCV(
        Learn2MixClassifier(HistGradientBoostingClassifier(max_iter=10, early_stopping=False),
                            random_state=0),
        {"mixing_rate": [0.0, 0.3], "shrinkage": [0.0, 0.7]},
        cv=StratifiedKFold(3), scoring="balanced_accuracy", n_jobs=-1,
    )


def test_gridsearch_on_a_local_cluster_equals_the_local_run():
    X, y = make_classification(n_samples=300, n_classes=3, n_informative=5,
                               weights=[0.7, 0.2, 0.1], random_state=0)
    local = _search().fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster), joblib.parallel_backend("dask"):
            remote = _search().fit(X, y)
    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))
