"""MixMin: recovers known source mixtures, with scikit-learn and XGBoost proxies."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.mixers import MixMin, exponentiated_gradient


def _sources(rng, n=600):
    """Three sources whose labels follow three different rules."""
    X = rng.randn(3 * n, 2)
    source = np.repeat(["a", "b", "c"], n)
    rules = {"a": X[:, 0] > 0, "b": X[:, 1] > 0, "c": X[:, 0] + X[:, 1] > 1}
    y = np.select([source == k for k in rules], list(rules.values())).astype(int)
    return X, y, source


def test_eg_solves_a_known_simplex_problem():
    # minimise ||lam - (0.2, 0.5, 0.3)||^2 on the simplex: the answer is the point itself
    target = np.array([0.2, 0.5, 0.3])
    lam, trace = exponentiated_gradient(
        lambda lam: (np.sum((lam - target) ** 2), 2 * (lam - target)),
        3,
        step_size=1.0,
        max_steps=500,
        tol=1e-8,
    )
    np.testing.assert_allclose(lam, target, atol=1e-4)
    values = [v for v, _ in trace]
    assert values[-1] < values[0]


def test_source_equal_to_the_target_gets_the_weight():
    X, y, source = _sources(np.random.RandomState(0))
    clf = Learn2MixClassifier(LogisticRegression(), mixer=MixMin(target="b"), random_state=0).fit(
        X, y, groups=source
    )
    assert clf.mixture_[1] > 0.9, clf.mixture_
    mixer = clf.mixer_
    assert mixer.proxy_losses_.argmin() == 1
    assert np.all(np.diff(mixer.objective_trace_) <= 1e-9)
    assert mixer.mixture_trace_.shape[1] == 3 and mixer.search_time_ > 0


class _RowCountingLogistic(LogisticRegression):
    def fit(self, X, y, sample_weight=None):
        self.n_fit_rows_ = len(X)
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_final_model_trains_on_every_row_once_the_search_is_done(early_stopping):
    X, y, source = _sources(np.random.RandomState(0), n=300)
    clf = Learn2MixClassifier(
        _RowCountingLogistic(),
        mixer=MixMin(target="b"),
        validation_fraction=0.2,
        early_stopping=early_stopping,
        random_state=0,
    ).fit(X, y, groups=source)
    # the search read 20% of the rows; the final model trains on all 900 of them,
    # unless early stopping still watches the held-out part
    assert clf.estimator_.n_fit_rows_ == (720 if early_stopping else 900)
    # under the searched mixture, unchanged by the final fit
    np.testing.assert_allclose(
        clf.mixture_history_, np.tile(clf.mixer_.mixture_, (clf.n_rounds_ + 1, 1))
    )
    assert clf.loss_source_ == "validation"


def test_thirty_seventy_mixture_is_recovered():
    """Target drawn 30% from source a and 70% from source b."""
    rng = np.random.RandomState(1)
    X, y, source = _sources(rng, n=1500)
    Xa, ya = X[source == "a"], y[source == "a"]
    Xb, yb = X[source == "b"], y[source == "b"]
    train = np.r_[np.arange(0, 1200), np.arange(1500, 2700)]
    X_tr, y_tr, g_tr = X[train], y[train], source[train]
    Xv = np.vstack([Xa[1200:1290], Xb[1200:1410]])  # 90 : 210 = 30 : 70
    yv = np.r_[ya[1200:1290], yb[1200:1410]]
    clf = Learn2MixClassifier(
        LogisticRegression(C=100),
        mixer=MixMin(max_steps=300, tol=1e-7, min_weight=0.0),
        random_state=0,
    ).fit(X_tr, y_tr, groups=g_tr, X_val=Xv, y_val=yv, groups_val=np.r_[["a"] * 90, ["b"] * 210])
    np.testing.assert_allclose(clf.mixture_, [0.3, 0.7], atol=0.08)


def test_regression_mixmin_with_linear_proxies():
    rng = np.random.RandomState(0)
    X = rng.randn(900, 3)
    source = np.repeat([0, 1, 2], 300)
    coefs = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    y = np.einsum("ij,ij->i", X, coefs[source]) + 0.05 * rng.randn(900)
    Xv = rng.randn(200, 3)
    yv = Xv @ (0.3 * coefs[0] + 0.7 * coefs[2])
    reg = Learn2MixRegressor(
        LinearRegression(),
        mixer=MixMin(min_weight=0.0),
        random_state=0,
    ).fit(X, y, groups=source, X_val=Xv, y_val=yv, groups_val=np.zeros(200, int))
    np.testing.assert_allclose(reg.mixture_, [0.3, 0.0, 0.7], atol=0.05)


def test_mixmin_with_xgboost_proxies_and_one_class_source():
    xgb = pytest.importorskip("xgboost")
    X, y, source = _sources(np.random.RandomState(2))
    y[source == "c"] = 1  # a source with a single class gets a prior proxy
    clf = Learn2MixClassifier(
        xgb.XGBClassifier(n_estimators=40, max_depth=3, n_jobs=1),
        mixer=MixMin(target="a"),
        random_state=0,
    ).fit(X, y, groups=source)
    assert clf.mixture_.argmax() == 0
    assert clf.estimator_.get_booster().num_boosted_rounds() == 40
    # proxies got a quarter of the budget each; the final fit used the full budget
    assert clf.mixer_.search_time_ > 0 and clf.train_time_ > 0


def test_mixmin_errors():
    X, y, source = _sources(np.random.RandomState(0), n=100)
    with pytest.raises(ValueError, match="not a group"):
        Learn2MixClassifier(LogisticRegression(), mixer=MixMin(target="zz")).fit(
            X, y, groups=source
        )
    with pytest.raises(ValueError, match="target data"):
        Learn2MixClassifier(
            LogisticRegression(), mixer="mixmin", validation_fraction=None, loss_source="train"
        ).fit(X, y, groups=source)


class _RecordsFitParams(LogisticRegression):
    """Records the fit parameters of every fit (proxies and the final model)."""

    calls: list = []

    def fit(self, X, y, sample_weight=None, marker=None):
        type(self).calls.append(marker)
        return super().fit(X, y, sample_weight=sample_weight)


def test_proxies_are_built_like_the_inner_model_with_its_fit_parameters():
    """The run builds MixMin's proxies (with the fit parameters); the mixer only
    turns their predictions into a mixture."""
    rng = np.random.RandomState(0)
    X, y, source = _sources(rng, n=300)
    _RecordsFitParams.calls = []
    clf = Learn2MixClassifier(_RecordsFitParams(), mixer=MixMin(target="b"), random_state=0)
    clf.fit(X, y, groups=source, marker="seen")
    # two proxies (one per source) and the final model's fits, every one with the parameter
    assert len(_RecordsFitParams.calls) >= 3 and set(_RecordsFitParams.calls) == {"seen"}
    assert clf.mixer_.search_time_ > 0 and clf.mixture_[1] > 0.5
    np.testing.assert_allclose(clf.mixture_history_[0], clf.mixture_)


def test_net_proxies_are_seeded_so_the_mixture_repeats():
    """A skorch proxy draws its initial weights from torch's global generator:
    the run seeds it, so one ``random_state`` gives one mixture (it did not)."""
    pytest.importorskip("skorch")
    from _models import inner

    X, y, source = _sources(np.random.RandomState(0), n=300)
    X = X.astype(np.float32)
    mixtures = [
        Learn2MixClassifier(
            inner("skorch", 3, n_in=X.shape[1], n_out=2), mixer="mixmin", random_state=0
        )
        .fit(X, y, groups=source)
        .mixture_
        for _ in range(2)
    ]
    np.testing.assert_array_equal(*mixtures)
