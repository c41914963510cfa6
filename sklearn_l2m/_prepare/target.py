"""Encoding the target in memory: class labels (classifier) or target bins (regressor).

Each encoding checks ``y``, encodes it and ``y_val``, and gives the default
groups (the classes, or quantile bins of the target). The estimator adopts
its state (``classes_``, ``target_bin_edges_``) after the data are prepared.
The rules here (two classes at least, a numeric target, the bin of a value)
are the Dask preparation's too (``_prepare/dask_data.py``), applied there block by block.
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets

from .checks import index_dtype
from .groups import codes_for


def check_class_count(classes) -> None:
    """A classifier needs samples of at least two classes."""
    if len(classes) < 2:
        got = f" ({classes[0]!r})" if len(classes) else ""
        raise ValueError(
            f"Learn2MixClassifier needs samples of at least 2 classes; got {len(classes)} "
            f"class{got}. Check the target."
        )


def check_numeric_dtype(dtype) -> None:
    """A regressor needs a numeric target."""
    if np.dtype(dtype).kind not in "fiub":
        raise ValueError(f"Learn2MixRegressor needs a numeric target; got dtype {dtype}.")


def bin_codes(y, edges, present) -> np.ndarray:
    """Group codes of targets ``y``: the index, among the bins ``present`` in
    training, of each value's quantile bin (a bin empty in training: the nearest)."""
    bins = np.searchsorted(edges, y, side="right")
    return np.searchsorted(present, bins).clip(0, len(present) - 1).astype(np.intp)


class ClassTarget:
    """Class labels as indices ``0 .. n_classes - 1`` into :attr:`classes`."""

    def __init__(self):
        self.classes = None

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def encode(self, y) -> np.ndarray:
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        check_class_count(encoder.classes_)
        self.classes = encoder.classes_
        return encoder.transform(y).astype(index_dtype(len(encoder.classes_)))

    def check_weights(self, y_encoded, weight) -> None:
        present = np.bincount(y_encoded, weights=weight, minlength=self.n_classes) > 0
        if present.sum() < 2:
            raise ValueError(
                "Learn2MixClassifier needs at least 2 classes with positive sample_weight; "
                f"only class {self.classes[present].tolist()} has any."
            )

    def encode_val(self, y_val) -> np.ndarray:
        return codes_for(self.classes, y_val, input_name="y_val")

    def default_groups(self, y_encoded):
        """The classes are the groups."""
        return self.classes, y_encoded

    def default_groups_val(self, y_val_encoded) -> np.ndarray:
        return y_val_encoded


class BinnedTarget:
    """A numeric target; its default groups are ``n_bins`` quantile bins of ``y``."""

    n_classes = None

    def __init__(self, n_bins: int):
        self.n_bins = n_bins
        self.edges = None  # set by default_groups, when groups are target bins
        self.bin_labels = None

    def encode(self, y) -> np.ndarray:
        if y.dtype.kind not in "fiub":
            try:
                y = y.astype(np.float64)
            except (TypeError, ValueError):
                check_numeric_dtype(y.dtype)
        if y.shape[0] < 2:
            raise ValueError(
                f"Learn2MixRegressor needs at least 2 samples; got {y.shape[0]} sample."
            )
        return y

    def check_weights(self, y, weight) -> None:
        """Nothing to check: any positive total weight will do."""

    def encode_val(self, y_val) -> np.ndarray:
        return y_val

    def default_groups(self, y):
        edges = np.unique(np.quantile(y, np.linspace(0, 1, self.n_bins + 1)[1:-1]))
        self.edges = edges
        bins = np.searchsorted(edges, y, side="right")
        self.bin_labels = np.unique(bins)
        # empty bins (ties in y) are dropped, so labels are the bins that occur
        labels, codes = np.unique(bins, return_inverse=True)
        return labels, codes.reshape(-1).astype(np.intp)

    def default_groups_val(self, y_val) -> np.ndarray:
        return bin_codes(y_val, self.edges, self.bin_labels)
