"""Fit parameters of the inner model reach every fit call (metadata routing)."""

import numpy as np
import pytest
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m.mixers import Learn2Mix


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        600, 5, n_informative=3, n_classes=3, weights=[0.6, 0.3, 0.1], random_state=0
    )
    X[:, 0] = np.random.RandomState(0).randint(0, 4, 600)  # a categorical column
    return X, y


def test_lightgbm_categorical_feature_reaches_the_model(data):
    lgb = pytest.importorskip("lightgbm")
    X, y = data
    names = ["colour", "b", "c", "d", "e"]
    clf = Learn2MixClassifier(lgb.LGBMClassifier(n_estimators=20, verbose=-1), random_state=0)
    clf.fit(X, y, feature_name=names, categorical_feature=["colour"])
    assert clf.n_rounds_ > 1
    assert clf.estimator_.feature_name_ == names
    infos = clf.estimator_.booster_.dump_model()["feature_infos"]
    assert infos["colour"]["values"]  # categories, not a numeric range
    assert infos["b"]["min_value"] < infos["b"]["max_value"]


def test_a_skorch_fit_argument_reaches_the_module(data):
    torch = pytest.importorskip("torch")
    skorch = pytest.importorskip("skorch")

    class Scaled(torch.nn.Module):
        seen = set()

        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(5, 3)

        def forward(self, X, scale=1.0):
            Scaled.seen.add(scale)
            return self.lin(X) * scale

    X, y = data
    net = skorch.NeuralNetClassifier(
        Scaled, criterion=torch.nn.CrossEntropyLoss, max_epochs=2, verbose=0, train_split=None
    )
    Learn2MixClassifier(net, random_state=0).fit(X.astype(np.float32), y, scale=0.5)
    assert Scaled.seen == {0.5}


def test_per_sample_fit_parameters_are_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="'init_score' has one entry per sample"):
        Learn2MixClassifier().fit(X, y, init_score=np.zeros(len(y)))


def test_routed_fit_parameters_go_where_the_inner_model_requests_them(data):
    lgb = pytest.importorskip("lightgbm")
    X, y = data
    with sklearn.config_context(enable_metadata_routing=True):
        inner = lgb.LGBMClassifier(n_estimators=10, verbose=-1)
        inner.set_fit_request(categorical_feature=True)
        search = GridSearchCV(
            Learn2MixClassifier(inner, mixer=Learn2Mix(), random_state=0),
            {"mixer__mixing_rate": [0.0, 0.2]},
            cv=2,
        ).fit(X, y, categorical_feature=[0])
        assert search.best_estimator_.estimator_.booster_.dump_model()["feature_infos"]["Column_0"][
            "values"
        ]
        # a parameter nobody requests is an error, as everywhere in scikit-learn
        with pytest.raises((TypeError, ValueError), match="categorical_feature"):
            Learn2MixClassifier(HistGradientBoostingClassifier(max_iter=5), random_state=0).fit(
                X, y, categorical_feature=[0]
            )
