"""Per-group evaluation: group_report, the worst-group scorer, paired comparisons."""

import numpy as np
import pytest
import sklearn
from _models import hgb
from sklearn.datasets import make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, cross_validate

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor
from sklearn_l2m.metrics import (
    GroupMetric,
    group_report,
    group_scores,
    make_worst_group_scorer,
    worst_group_score,
)
from sklearn_l2m.mixers import GroupDRO
from sklearn_l2m.model_selection import compare, paired_difference

pd = pytest.importorskip("pandas")


def test_group_report_rows_worst_and_overall_by_hand():
    y = np.array([0, 1, 1, 0, 1, 1])
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3], [0.1, 0.9], [0.5, 0.5]])
    groups = np.array(["a", "a", "b", "b", "c", "c"])
    report = group_report(y, proba, groups, metrics=["accuracy", "log_loss", "roc_auc"])
    assert list(report.index) == ["a", "b", "c", "worst group", "overall"]
    assert list(report["rows"]) == [2, 2, 2, 2, 6]
    # labels from the argmax of the probabilities (a tie goes to the first class)
    np.testing.assert_allclose(report["accuracy"][:3], [1.0, 0.5, 0.5])
    expected_b = -(np.log(0.4) + np.log(0.7)) / 2
    assert report.loc["b", "log_loss"] == pytest.approx(expected_b)
    assert report.loc["worst group", "log_loss"] == report["log_loss"][:3].max()
    assert report.loc["worst group", "accuracy"] == 0.5
    assert np.isnan(report.loc["c", "roc_auc"])  # one class in the group: undefined
    assert report.loc["overall", "accuracy"] == pytest.approx(4 / 6)


def test_group_report_for_regression_and_custom_metrics():
    y = np.array([1.0, 2.0, 3.0, 10.0])
    pred = np.array([1.0, 2.5, 3.0, 7.0])
    report = group_report(y, pred, ["x", "x", "y", "y"])
    assert list(report.columns) == ["rows", "mean_squared_error", "mean_absolute_error"]
    assert report.loc["worst group", "mean_squared_error"] == pytest.approx(4.5)

    def max_error(y_true, y_pred):
        return float(np.max(np.abs(y_true - y_pred)))

    custom = group_report(y, pred, ["x", "x", "y", "y"], metrics={"max": max_error})
    assert custom.loc["worst group", "max"] == 3.0  # a name ending in _error: lower is better
    higher = GroupMetric(lambda t, p: -max_error(t, p), greater_is_better=True)
    assert group_report(y, pred, ["x", "x", "y", "y"], metrics={"neg": higher}).loc[
        "worst group", "neg"
    ] == pytest.approx(-3.0)


def test_bad_inputs_say_what_to_pass():
    with pytest.raises(ValueError, match="groups has 3 rows but y_true has 4"):
        group_report([0, 1, 0, 1], [0, 1, 0, 1], ["a", "b", "a"])
    with pytest.raises(ValueError, match="Unknown metric 'acc'"):
        group_report([0, 1], [0, 1], ["a", "b"], metrics="acc")
    with pytest.raises(ValueError, match="reads probabilities"):
        group_report([0, 1], [0, 1], ["a", "b"], metrics="log_loss")


def test_worst_group_score_and_group_scores():
    scores = group_scores([0, 1, 1, 0], [0, 1, 0, 1], ["a", "a", "b", "b"], "accuracy")
    assert scores == {"a": 1.0, "b": 0.0}
    assert worst_group_score([0, 1, 1, 0], [0, 1, 0, 1], ["a", "a", "b", "b"]) == 0.0


@pytest.mark.parametrize("labels", [[1, 2], ["neg", "pos"]], ids=["one-two", "strings"])
@pytest.mark.parametrize("metric", ["average_precision", "roc_auc"])
def test_binary_ranking_metrics_score_the_second_label(metric, labels):
    """The second probability column scores the second label: average precision
    took label 1 as the positive (wrong for labels 1 and 2, an error for strings)."""
    import sklearn.metrics as skm

    y = np.asarray(labels)[[0, 1, 1, 0, 1, 0, 0, 1]]
    p = np.array([0.2, 0.8, 0.7, 0.4, 0.6, 0.9, 0.1, 0.3])
    got = group_scores(y, np.c_[1 - p, p], np.zeros(8), metric, labels=labels)[0]
    func = {"average_precision": skm.average_precision_score, "roc_auc": skm.roc_auc_score}
    assert got == pytest.approx(func[metric](y == labels[1], p))


def test_worst_group_scorer_in_cross_validate_and_grid_search():
    X, y = make_classification(300, 5, random_state=0)
    site = np.repeat(["a", "b", "c"], 100)
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        make_worst_group_scorer("accuracy")  # routing is off
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_worst_group_scorer("accuracy")
        result = cross_validate(
            LogisticRegression(), X, y, cv=KFold(3), scoring=scorer, params={"groups": site}
        )
        # by hand, on the same folds
        for score, (train, test) in zip(result["test_score"], KFold(3).split(X)):
            model = LogisticRegression().fit(X[train], y[train])
            by_hand = worst_group_score(y[test], model.predict(X[test]), site[test])
            assert score == pytest.approx(by_hand)
        search = GridSearchCV(
            Learn2MixClassifier(hgb(15), random_state=0),
            {"mixer": ["natural", GroupDRO()]},
            scoring=make_worst_group_scorer("log_loss"),
            cv=GroupKFold(3),
        ).fit(X, y, groups=np.tile(["u", "v", "w"], 100))
        assert np.all(search.cv_results_["mean_test_score"] < 0)  # a loss, negated
        with pytest.raises(ValueError, match="needs the groups of the test rows"):
            scorer(LogisticRegression().fit(X, y), X, y)


def test_paired_difference_statistics():
    d = paired_difference([1.0, 2.0, 3.0], [0.0, 0.0, 0.0])
    assert d["mean"] == 2.0 and d["se"] == pytest.approx(1 / np.sqrt(3))
    assert d["verdict"] == "better" and d["wins"] == 3
    loss = paired_difference([0.5, 0.6], [0.7, 0.9], greater_is_better=False)
    assert loss["mean"] == pytest.approx(0.25) and loss["wins"] == 2
    noisy = paired_difference([0.1, -0.1, 0.05], [0.0, 0.0, 0.0])
    assert noisy["verdict"] == "within noise"
    one = paired_difference([1.0], [0.0])
    assert np.isnan(one["se"]) and one["verdict"] == "one seed: no error bar"


def test_round_off_between_two_fits_of_one_model_is_a_tie():
    """Scores 6e-16 apart on every seed (one model fitted twice, another summation
    order) had a standard error of 4e-17, so they read as "worse"."""
    reference = np.array([0.565927, 0.552335, 0.6])
    refit = reference + np.array([6.7e-16, 5.6e-16, 6e-16])
    d = paired_difference(refit, reference, greater_is_better=False)
    assert d["verdict"] == "within noise" and d["ties"] == 3 and d["mean"] == 0.0
    small = paired_difference(reference + 1e-6, reference)  # far above round-off
    assert small["verdict"] == "better" and small["wins"] == 3


def test_paired_difference_refuses_scores_it_cannot_pair():
    with pytest.raises(ValueError, match=r"candidate has shape \(3,\) and reference \(2,\)"):
        paired_difference([0.8, 0.7, 0.9], [0.7, 0.6])
    with pytest.raises(ValueError, match="one score per seed"):
        paired_difference([[0.8, 0.7]], [[0.7, 0.6]])


def test_compare_pairs_seeds_and_finds_a_real_difference():
    """A model that ignores the features loses to the plain model beyond 2 SE."""
    X, y = make_classification(400, 6, random_state=0)
    site = np.where(X[:, 1] > 0.5, "b", "a")
    from sklearn.dummy import DummyClassifier

    result = compare(
        {"learn2mix": Learn2MixClassifier(hgb(15)), "dummy": DummyClassifier()},
        X,
        y,
        groups=site,
        scoring="accuracy",
        seeds=3,
    )
    assert result.reference == "plain"
    assert set(result.scores["estimator"]) == {"plain", "learn2mix", "dummy"}
    assert len(result.scores) == 9
    dummy = result.table.set_index(["candidate", "score"]).loc["dummy"]
    assert dummy.loc["accuracy", "verdict"] == "worse"
    assert dummy.loc["worst-group accuracy", "difference"] < -0.2
    assert "dummy vs plain, accuracy" in result.summary()
    # the same seeds give the same scores: the reference is the plain inner model
    plain = result.scores[result.scores["estimator"] == "plain"]["accuracy"].to_numpy()
    again = compare(
        {"x": Learn2MixClassifier(hgb(15))}, X, y, groups=site, scoring="accuracy", seeds=3
    ).scores
    np.testing.assert_allclose(again[again["estimator"] == "plain"]["accuracy"], plain)


def test_compare_for_regression_with_a_named_reference_and_a_plot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    rng = np.random.RandomState(0)
    X = rng.randn(300, 3)
    y = X @ [1.0, 2.0, 0.0] + rng.randn(300)
    result = compare(
        {"linear": LinearRegression(), "l2m": Learn2MixRegressor(LinearRegression())},
        X,
        y,
        reference="linear",
        seeds=2,
    )
    assert list(result.table["score"]) == ["mean_squared_error"]
    ax = result.plot()
    assert ax.get_xlabel().startswith("paired difference against linear")


def test_compare_refuses_what_it_cannot_pair():
    X, y = make_classification(100, 4, random_state=0)
    with pytest.raises(ValueError, match="needs a reference"):
        compare({"lr": LogisticRegression()}, X, y)
    with pytest.raises(ValueError, match="reference 'nope'"):
        compare({"lr": LogisticRegression()}, X, y, reference="nope")
    with pytest.raises(ValueError, match="groups has 3 rows"):
        compare({"l2m": Learn2MixClassifier(hgb(15))}, X, y, groups=[1, 2, 3])
    with pytest.raises(ValueError, match="at least one seed"):
        compare({"lr": LogisticRegression()}, X, y, reference=LogisticRegression(), seeds=0)
    with pytest.raises(TypeError, match="dict .name: estimator. or a list"):
        compare(3, X, y, reference=LogisticRegression())
    with pytest.raises(TypeError, match=r"must be estimators \(with fit\): \['lr'\]"):
        compare({"lr": "LogisticRegression"}, X, y, reference=LogisticRegression())


@pytest.mark.filterwarnings("ignore::sklearn_l2m.exceptions.RefitWarning")
def test_compare_names_one_estimator_and_repeated_classes_apart():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 2)
    y = X[:, 0] + 0.1 * rng.randn(120)
    l2m = lambda **kw: Learn2MixRegressor(LinearRegression(), n_rounds=2, **kw)  # noqa: E731
    lone = compare(l2m(), X, y, seeds=1)
    assert set(lone.scores["estimator"]) == {"plain", "Learn2MixRegressor"}
    # two candidates of one class are both kept, numbered
    twice = compare([l2m(), l2m(mixer="natural")], X, y, seeds=1)
    assert set(twice.scores["estimator"]) == {
        "plain", "Learn2MixRegressor-1", "Learn2MixRegressor-2"
    }  # fmt: skip
    # an unnamed reference of a candidate's class does not replace the candidate
    result = compare([l2m()], X, y, seeds=1, reference=l2m(mixer="natural"))
    assert result.reference == "reference"
    assert set(result.scores["estimator"]) == {"reference", "Learn2MixRegressor"}


class _ConstantOne(LogisticRegression):
    """Predicts class 1; keeps the rows and the weights it was fitted with."""

    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        self.seen_ = (np.asarray(X)[:, 0].copy(), np.asarray(sample_weight).copy())
        _ConstantOne.fits.append(self.seen_)
        return self

    def predict(self, X):
        return np.ones(len(X), dtype=int)


def test_compare_fits_and_scores_with_the_sample_weights():
    """Each model is fitted with its training rows' weights and scored with its test
    rows' (the weighted accuracy of always answering 1, by hand)."""
    from sklearn.base import BaseEstimator

    rng = np.random.RandomState(0)
    X = np.c_[np.arange(200.0), rng.randn(200)]  # column 0 names the row
    y = (rng.rand(200) < 0.3).astype(int)
    weights = np.where(y == 1, 3.0, 1.0) * rng.uniform(0.5, 1.5, 200)
    _ConstantOne.fits = []
    result = compare(
        {"one": _ConstantOne()}, X, y, sample_weight=weights, reference=_ConstantOne(),
        scoring="accuracy", seeds=2,
    )  # fmt: skip
    accuracy = result.scores["accuracy"].to_numpy()
    assert len(_ConstantOne.fits) == 4
    for (rows, seen), score in zip(_ConstantOne.fits, accuracy, strict=True):
        train = rows.astype(int)
        np.testing.assert_array_equal(seen, weights[train])  # the training rows' weights
        test = np.setdiff1d(np.arange(200), train)
        expected = weights[test][y[test] == 1].sum() / weights[test].sum()
        assert score == pytest.approx(expected)
    assert accuracy[0] > 0.5 > np.mean(y)  # weighted, not the plain share of class 1
    # bad weights, and a model that cannot take them, are refused before any fit
    with pytest.raises(ValueError, match=r"expected shape \(200,\)"):
        compare({"one": _ConstantOne()}, X, y, sample_weight=weights[:5], reference="one")

    class NoWeights(BaseEstimator):
        def fit(self, X, y):
            return self

    with pytest.raises(ValueError, match=r"\['NoWeights', 'w'\] take no sample_weight"):
        compare({"w": NoWeights()}, X, y, sample_weight=weights, reference=NoWeights(),
                scoring="accuracy")  # fmt: skip
    with pytest.raises(ValueError, match="contains NaN"):
        compare({"one": _ConstantOne()}, X, y, sample_weight=weights * np.nan, reference="one")


def test_compare_refuses_sample_weight_for_a_plain_net_and_says_how():
    """skorch hands unknown fit parameters to the module's forward: refused up front."""
    torch = pytest.importorskip("torch")
    skorch = pytest.importorskip("skorch")
    X, y = make_classification(60, 3, n_informative=2, n_redundant=0, random_state=0)
    net = skorch.NeuralNetClassifier(torch.nn.Linear, module__in_features=3,
                                     module__out_features=2, max_epochs=1)  # fmt: skip
    with pytest.raises(ValueError, match=r"\['net'\] take no sample_weight.*Wrap a skorch"):
        compare({"net": net}, X.astype(np.float32), y, sample_weight=np.ones(60),
                reference=LogisticRegression())  # fmt: skip


class _PerGroupMajority(LogisticRegression):
    """Predicts each group's majority class: needs the groups in fit and predict."""

    def fit(self, X, y, groups=None):
        self.classes_ = np.unique(y)
        self.majority_ = {g: np.bincount(y[groups == g]).argmax() for g in np.unique(groups)}
        self.n_fits_ = 3
        return self

    def predict(self, X, groups=None):
        return np.array([self.majority_[g] for g in groups])


def test_compare_gives_groups_to_group_aware_fit_and_predict_and_counts_fits():
    X, y = make_classification(300, 4, random_state=0)
    site = np.where(X[:, 0] > 0, "a", "b")
    y = np.where(site == "a", 1, 0)  # the site alone predicts the class
    result = compare(
        {"by site": _PerGroupMajority(), "l2m": Learn2MixClassifier(hgb(15))},
        X,
        y,
        groups=site,
        scoring="accuracy",
        seeds=2,
    )
    scores = result.scores.set_index(["estimator", "seed"])
    assert (scores.loc["by site", "accuracy"] == 1.0).all()
    assert (scores.loc["by site", "n_fits"] == 3).all()
    assert (scores.loc["l2m", "n_fits"] == 1).all()
    assert set(result.table["n_fits"]) == {3.0, 1.0}


def test_compare_seeds_a_plain_net_like_the_learn2mix_candidates():
    """A skorch net has no random_state: compare seeds torch's generator for it, so the
    plain net is reproducible and starts from the weights of the candidates' nets."""
    torch = pytest.importorskip("torch")
    skorch = pytest.importorskip("skorch")

    class Logits(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(5, 2)

        def forward(self, X):
            return self.layer(X)

    initial = []

    class InitialWeights(skorch.callbacks.Callback):
        def on_train_begin(self, net, **kwargs):
            initial.append(net.module_.layer.weight.detach().clone())

    X, y = make_classification(200, 5, random_state=0)
    X = X.astype(np.float32)
    net = skorch.NeuralNetClassifier(
        Logits, criterion=torch.nn.CrossEntropyLoss, max_epochs=3, lr=0.1,
        train_split=None, verbose=0, callbacks=[InitialWeights()],
    )  # fmt: skip
    natural = Learn2MixClassifier(net, mixer="natural", validation_fraction=None)
    results = []
    for noise in (0, 1):
        torch.rand(noise * 7)  # a different global state before each call
        outside = np.random.get_state()[1][:3].copy()
        results.append(compare({"natural": natural}, X, y, reference=net, seeds=2).scores)
        np.testing.assert_array_equal(np.random.get_state()[1][:3], outside)  # restored
    np.testing.assert_array_equal(results[0]["log_loss"], results[1]["log_loss"])
    # per seed: the plain net, then the candidate, from the same weights; seeds differ
    plain, candidate, plain_next = initial[0], initial[1], initial[2]
    torch.testing.assert_close(plain, candidate, rtol=0, atol=0)
    assert not torch.equal(plain, plain_next)


def test_adjust_to_prior_is_what_the_decision_prior_applies(multiclass):
    from sklearn.base import clone

    from sklearn_l2m import Learn2MixClassifier
    from sklearn_l2m.metrics import adjust_to_prior

    X, y = multiclass
    mixed = Learn2MixClassifier(hgb(15), random_state=0).fit(X, y)
    uniform = np.full(3, 1 / 3)
    moved = adjust_to_prior(mixed.predict_proba(X), uniform, mixed.training_prior_)
    decided = clone(mixed).set_params(decision_prior="uniform").fit(X, y).predict_proba(X)
    np.testing.assert_allclose(moved, decided, rtol=1e-6)
    np.testing.assert_allclose(moved.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="one share per column"):
        adjust_to_prior(mixed.predict_proba(X), [0.5, 0.5], mixed.training_prior_)


def test_a_comparison_of_stored_scores_pairs_by_seed_and_says_what_is_missing():
    import pandas as pd

    from sklearn_l2m.model_selection import Comparison

    scores = pd.DataFrame(
        {"estimator": ["ref"] * 3 + ["a"] * 3 + ["b"] * 2, "seed": [0, 1, 2, 2, 0, 1, 0, 1],
         "log_loss": [0.5, 0.6, 0.7, 0.6, 0.4, 0.5, 0.9, 1.0],
         "fit_time": [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, np.nan, np.nan]}
    )  # fmt: skip
    result = Comparison.from_scores(scores, "ref", "log_loss")
    rows = result.table.set_index("candidate")
    # paired by seed, not by row order: "a" is 0.1 lower (better) on every seed
    assert rows.loc["a", "difference"] == pytest.approx(0.1)
    assert rows.loc["a", "verdict"] == "better" and rows.loc["a", "fit_time_ratio"] == 2.0
    # "b" lacks seed 2: its two seeds are paired, the time ratio is unknown
    expected = paired_difference([0.9, 1.0], [0.5, 0.6], greater_is_better=False)
    assert rows.loc["b", "difference"] == pytest.approx(expected["mean"])
    assert rows.loc["b", "n_seeds"] == 2 and np.isnan(rows.loc["b", "fit_time_ratio"])
    assert result.against("a").reference == "a"
    with pytest.raises(ValueError, match="missing: \\['fit_time'\\]"):
        Comparison.from_scores(scores.drop(columns="fit_time"), "ref", "log_loss")
    with pytest.raises(ValueError, match="missing: \\['estimator'\\]"):
        Comparison.from_scores(scores.drop(columns="estimator"), "ref", "log_loss")
    with pytest.raises(ValueError, match="rows of the reference 'c'"):
        Comparison.from_scores(scores, "c", "log_loss")
    with pytest.raises(ValueError, match="scoring names the scores' columns"):
        Comparison.from_scores(scores, "ref", None)
