"""
Regression with groups
======================

Groups can be data sources rather than classes. Here one source is rare and
its relationship differs; the mixture gives it more weight as long as its
validation loss is high.
"""

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from sklearn_l2m import Learn2MixRegressor

rng = np.random.RandomState(0)
n_common, n_rare = 2000, 100
X = rng.randn(n_common + n_rare, 5)
source = np.r_[np.zeros(n_common, int), np.ones(n_rare, int)]
y = np.where(source == 0, X[:, 0] + X[:, 1], X[:, 0] - 2 * X[:, 2]) + 0.1 * rng.randn(len(X))

reg = Learn2MixRegressor(
    HistGradientBoostingRegressor(max_iter=100, early_stopping=False),
    mixing_rate=0.05,
    shrinkage=0.0,
    random_state=0,
)
reg.fit(X, y, groups=source)
print("natural mixture:", reg.natural_mixture_.round(3))
print("final mixture:  ", reg.mixture_.round(3))
for g in (0, 1):
    rmse = np.sqrt(np.mean((reg.predict(X[source == g]) - y[source == g]) ** 2))
    print(f"source {g}: RMSE {rmse:.3f}")
