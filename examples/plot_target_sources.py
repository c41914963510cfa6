"""
Which sources help my target?
=============================

One group (an assay, a site, a year) has few labelled rows; the others are
related sources with plenty. :func:`sklearn_l2m.model_selection.compare` with
``target=...`` splits only the target's rows, keeps ``n_target`` of them for
training, trains every source row, and scores each model on the target's
held-out rows, paired by seed. Three baselines come built in: the natural
pool (every row at its own weight: the reference), the target's rows alone,
and the pool with the target's weight tuned on held-out target rows.

Here the "sources" are the three wine cultivars of scikit-learn's wine data
(178 rows) and the outcome is the wine's alcohol content: the target is
cultivar 1 with 40 labelled rows. :class:`~sklearn_l2m.mixers.TargetMix`
trains each round with the target's rows at one share of the training weight
(from the natural pool's to the target's rows alone), the one that has been
cutting the target's own validation loss most;
:class:`~sklearn_l2m.transfer.GroupFeature` lets the model learn each source's
offset; :class:`~sklearn_l2m.transfer.TargetBlend` (at its defaults, the setting
the guide recommends) blends a model of the sources, a model of the target
and a model of every row with the target's rows holding 35% of the weight,
with the weights that score best on the target's rows out of fold. With fewer
than 20 held-out target rows TargetMix would say so and train every row once,
the target's rows holding 35% of the weight.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_wine
from sklearn.ensemble import HistGradientBoostingRegressor

from sklearn_l2m import Learn2MixRegressor
from sklearn_l2m.mixers import TargetMix
from sklearn_l2m.model_selection import compare
from sklearn_l2m.transfer import GroupFeature, TargetBlend

data = load_wine()
X = np.delete(data.data, 0, axis=1)  # every measurement but alcohol
y = data.data[:, 0]  # alcohol content
groups = np.array(["cultivar 0", "cultivar 1", "cultivar 2"])[data.target]

hgb = HistGradientBoostingRegressor(max_iter=60, learning_rate=0.1, early_stopping=False)
candidates = {
    "targetmix": Learn2MixRegressor(hgb, mixer=TargetMix("cultivar 1", held_out=0.5), refit=True),
    "group feature": GroupFeature(hgb, "cultivar 1"),
    "blend": TargetBlend(hgb, "cultivar 1", random_state=0),
}
result = compare(
    candidates, X, y, groups=groups, target="cultivar 1", n_target=40,
    scoring="root_mean_squared_error", seeds=5,
)  # fmt: skip
print(result.summary())
print(result.scores.groupby("estimator")["root_mean_squared_error"].mean().round(3))

# %%
# Beating the natural pool is not enough for a target: the target's rows alone
# or a tuned target weight may do better still. ``against("best baseline")``
# pairs every model with the best of the three baselines instead (the same
# fits, no new ones).
print(result.against("best baseline").summary())

# %%
# The paired differences against the natural pool (positive: better), with
# two standard errors: a bar that crosses zero is noise, not a win.
result.plot()
plt.show()
