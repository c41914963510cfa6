"""
Tuning the mixing rate with GridSearchCV
========================================

A strategy's settings live on its object, so they tune as
``mixer__mixing_rate``. ``Learn2Mix(mixing_rate=0)`` is classical training, so a
grid that contains it can only pick learn2mix where it helps. ``groups`` is
routed to both the splitter and the estimator with metadata routing.
"""

import matplotlib.pyplot as plt
import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m.mixers import Learn2Mix

X, y = make_classification(
    n_samples=600, n_classes=3, n_informative=5, weights=[0.8, 0.15, 0.05], random_state=0
)
sklearn.set_config(enable_metadata_routing=True)
grid = GridSearchCV(
    Learn2MixClassifier(
        HistGradientBoostingClassifier(max_iter=30, early_stopping=False),
        mixer=Learn2Mix(),
        random_state=0,
    ),
    {"mixer__mixing_rate": [0.0, 0.1, 0.3], "mixer__shrinkage": [0.0, 0.7]},
    scoring="balanced_accuracy",
    cv=StratifiedKFold(3),
)
grid.fit(X, y)
sklearn.set_config(enable_metadata_routing=False)
print("best:", grid.best_params_, "balanced accuracy", np.round(grid.best_score_, 3))

# %%
# Cross-validated balanced accuracy over the grid: one line per
# ``shrinkage``; the point at ``mixing_rate=0`` is classical training, the
# same for both lines.
results = grid.cv_results_
fig, ax = plt.subplots(figsize=(6, 4))
for shrinkage in (0.0, 0.7):
    rows = np.flatnonzero(results["param_mixer__shrinkage"] == shrinkage)
    ax.errorbar(
        results["param_mixer__mixing_rate"][rows].astype(float),
        results["mean_test_score"][rows],
        yerr=results["std_test_score"][rows],
        marker="o",
        capsize=3,
        label=str(shrinkage),
    )
ax.set_xlabel("mixing_rate (0 = classical training)")
ax.set_ylabel("balanced accuracy, 3-fold CV")
ax.legend(title="shrinkage")
fig.tight_layout()
