"""
Compared with ``class_weight="balanced"``
=========================================

Static balancing gives every class the same total weight from the start;
learn2mix starts from the natural mixture and moves weight only where the
validation loss says so.
"""

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, balanced_accuracy_score

from sklearn_l2m import Learn2MixClassifier
from sklearn_l2m.datasets import load_long_tailed_digits

data = load_long_tailed_digits(imbalance_ratio=50, random_state=1)
models = {
    "classical": HistGradientBoostingClassifier(early_stopping=False),
    "balanced": HistGradientBoostingClassifier(early_stopping=False, class_weight="balanced"),
    "learn2mix": Learn2MixClassifier(mixer="learn2mix", random_state=0),
    "learn2mix (paper rule)": Learn2MixClassifier(shrinkage=0.0, random_state=0),
}
for name, model in models.items():
    pred = model.fit(data.X_train, data.y_train).predict(data.X_test)
    print(
        f"{name:24s} accuracy {accuracy_score(data.y_test, pred):.3f} "
        f"balanced {balanced_accuracy_score(data.y_test, pred):.3f}"
    )
print("mixture:", np.round(models["learn2mix"].mixture_, 3))
