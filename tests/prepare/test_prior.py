"""The decision prior: Bayes' correction of the probabilities at prediction time."""

import numpy as np
import pytest
from _models import hgb
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m._prior import class_shares_by_group, prior_under_mixtures
from sklearn_l2m.mixers import Learn2Mix


def test_natural_mixer_with_uniform_prior_is_post_hoc_logit_adjustment(multiclass):
    X, y = multiclass
    plain = hgb(15).fit(X, y)
    natural = np.bincount(y) / y.size
    expected = plain.predict_proba(X) / natural
    expected /= expected.sum(axis=1, keepdims=True)

    model = Learn2MixClassifier(hgb(15), mixer="natural", decision_prior="uniform").fit(X, y)
    np.testing.assert_allclose(model.training_prior_, natural)
    np.testing.assert_allclose(model.decision_prior_, np.full(3, 1 / 3))
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-10)
    np.testing.assert_array_equal(model.predict(X), expected.argmax(axis=1))
    # the correction moves decisions towards the rare classes
    assert (model.predict(X) == 2).sum() > (plain.predict(X) == 2).sum()


def test_mixture_prior_predicts_exactly_as_trained(multiclass):
    X, y = multiclass
    model = Learn2MixClassifier(hgb(15), random_state=0).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), model.estimator_.predict(X))
    np.testing.assert_array_equal(model.predict_proba(X), model.estimator_.predict_proba(X))
    np.testing.assert_allclose(model.decision_prior_, model.training_prior_)


def test_training_prior_averages_the_mixtures_in_force(multiclass):
    X, y = multiclass
    model = Learn2MixClassifier(hgb(15), mixer=Learn2Mix(mixing_rate=0.5), random_state=0).fit(X, y)
    used = model.mixture_history_[:-1]  # the last mixture never trained
    np.testing.assert_allclose(model.training_prior_, used.mean(axis=0))
    assert not np.allclose(model.training_prior_, model.natural_mixture_)


def test_natural_prior_undoes_a_fixed_mixture(multiclass):
    # a mixture's class shift cancels: a fixed mixture corrected back to the
    # natural prior decides like the plain model far more often than uncorrected
    X, y = multiclass
    plain = LogisticRegression(max_iter=500).fit(X, y).predict(X)
    mixed = Learn2MixClassifier(LogisticRegression(max_iter=500), mixer=[0.1, 0.3, 0.6])
    corrected = Learn2MixClassifier(
        LogisticRegression(max_iter=500), mixer=[0.1, 0.3, 0.6], decision_prior="natural"
    )
    np.testing.assert_allclose(mixed.fit(X, y).training_prior_, [0.1, 0.3, 0.6])
    agree_mixed = np.mean(mixed.predict(X) == plain)
    agree_corrected = np.mean(corrected.fit(X, y).predict(X) == plain)
    assert agree_corrected > agree_mixed + 0.05
    assert agree_corrected > 0.9


def test_groups_carry_the_mixture_over_to_the_classes():
    codes = np.array([0, 0, 0, 1, 1, 1, 1])
    y = np.array([0, 0, 1, 1, 1, 1, 2])
    shares = class_shares_by_group(codes, y, np.ones(7), 2, 3)
    np.testing.assert_allclose(shares, [[2 / 3, 1 / 3, 0], [0, 3 / 4, 1 / 4]])
    prior = prior_under_mixtures([[0.5, 0.5], [0.1, 0.9]], shares)
    # mean mixture (0.3, 0.7) over the groups' class shares
    np.testing.assert_allclose(prior, [0.3 * 2 / 3, 0.3 / 3 + 0.7 * 0.75, 0.7 * 0.25])


def test_prior_with_groups_reaches_the_class_shares(rng):
    X = rng.randn(400, 4)
    y = (X[:, 0] > 0.8).astype(int)
    groups = np.where(rng.rand(400) < 0.5, "a", "b")
    model = Learn2MixClassifier(
        LogisticRegression(), mixer={"a": 0.2, "b": 0.8}, decision_prior="natural"
    ).fit(X, y, groups=groups)
    rare = [np.mean(y[groups == g] == 1) for g in ("a", "b")]
    np.testing.assert_allclose(model.training_prior_[1], 0.2 * rare[0] + 0.8 * rare[1])
    np.testing.assert_allclose(model.decision_prior_, np.bincount(y) / y.size)


@pytest.mark.parametrize(
    "prior",
    [{"a": 1, "b": 1, "c": 2}, [1, 1, 2], np.array([0.25, 0.25, 0.5])],
)
def test_dict_and_array_priors(prior):
    X, y = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    labels = np.array(["a", "b", "c"])[y]
    model = Learn2MixClassifier(hgb(15), mixer="natural", decision_prior=prior).fit(X, labels)
    np.testing.assert_allclose(model.decision_prior_, [0.25, 0.25, 0.5])
    assert set(model.predict(X)) <= {"a", "b", "c"}
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize(
    "prior, match",
    [
        ([1, 2], "has 2 entries but the training data has 3 classes"),
        ([1, -1, 2], "non-negative"),
        ([0, 0, 0], "positive sum"),
        ([1, np.nan, 1], "finite"),
        ({0: 1, 1: 1, 7: 1}, r"unknown keys: \[7\], missing classes: \[2\]"),
    ],
)
def test_bad_priors_fail_before_training(multiclass, prior, match):
    X, y = multiclass
    with pytest.raises(ValueError, match=match):
        Learn2MixClassifier(hgb(15), decision_prior=prior).fit(X, y)


def test_unknown_prior_name_is_a_parameter_error(multiclass):
    X, y = multiclass
    with pytest.raises(InvalidParameterError, match="decision_prior"):
        Learn2MixClassifier(hgb(15), decision_prior="balanced").fit(X, y)


def test_prior_needs_predict_proba(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match="LinearSVC has no predict_proba"):
        Learn2MixClassifier(LinearSVC(), decision_prior="uniform").fit(X, y)
    # as trained, the model needs no probabilities
    Learn2MixClassifier(LinearSVC(), mixer="balanced").fit(X, y).predict(X)


def test_decision_function_agrees_with_the_corrected_prediction(rng):
    X = rng.randn(500, 3)
    y = (X[:, 0] + 0.5 * rng.randn(500) > 1.2).astype(int)  # about 12% positives
    model = Learn2MixClassifier(
        LogisticRegression(), mixer="natural", decision_prior="uniform"
    ).fit(X, y)
    scores = model.decision_function(X)
    assert scores.shape == (500,)
    np.testing.assert_array_equal(model.predict(X), (scores > 0).astype(int))
    plain = LogisticRegression().fit(X, y)
    assert model.predict(X).sum() > plain.predict(X).sum()
