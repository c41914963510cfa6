"""scikit-learn's estimator checks over every public estimator configuration."""

from _checks import checks

from sklearn_l2m import Learn2MixClassifier, Learn2MixRegressor

# At defaults (loss_source="auto") the check data's groups are too small for a
# validation part, so nothing is held out and every check passes, including
# sample-weight equivalence. With a held-out part that one check cannot hold
# (duplicating a row changes which rows are drawn); it is tested that way in
# test_xgboost.py with the reason.
ESTIMATORS = [
    Learn2MixClassifier(random_state=0),
    Learn2MixRegressor(random_state=0),
]


@checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
