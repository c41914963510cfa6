"""sklearn-l2m: adaptive data mixing (Learn2Mix) for scikit-learn, XGBoost, LightGBM,
CatBoost and skorch models.

The estimators re-weight classes or groups (sites, sources, assays) while the
inner model trains; :mod:`sklearn_l2m.metrics` and
:mod:`sklearn_l2m.model_selection` tell whether that helped, per group.
"""

from ._classifier import Learn2MixClassifier
from ._early_stopping import EarlyStopping
from ._regressor import Learn2MixRegressor

__version__ = "0.1.0"

__all__ = ["EarlyStopping", "Learn2MixClassifier", "Learn2MixRegressor", "__version__"]
