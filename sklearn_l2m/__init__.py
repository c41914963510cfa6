"""sklearn-l2m: adaptive data mixing (Learn2Mix) for scikit-learn, XGBoost and skorch models."""

from ._classifier import Learn2MixClassifier
from ._regressor import Learn2MixRegressor

__version__ = "0.1.0"

__all__ = ["Learn2MixClassifier", "Learn2MixRegressor", "__version__"]
