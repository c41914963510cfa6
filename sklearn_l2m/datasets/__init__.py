"""Offline loaders for the real benchmark data (see the docs' data page)."""

from ._loaders import (
    DataSourceMissing,
    load_fashion_mnist,
    load_hiv,
    load_long_tailed_digits,
    load_mnist1d,
    load_moleculeace,
    load_tiny_class_wine,
    long_tail_indices,
    morgan_fingerprints,
)

__all__ = [
    "DataSourceMissing",
    "load_fashion_mnist",
    "load_hiv",
    "load_long_tailed_digits",
    "load_mnist1d",
    "load_moleculeace",
    "load_tiny_class_wine",
    "long_tail_indices",
    "morgan_fingerprints",
]
