"""The real data sets of the broad suite (issue 30), all loading offline.

Each set is one table from a Debian ``r-cran-*`` data package (read without R,
:mod:`benchmarks.data.r_packages`; described by a :class:`~benchmarks.data.tables.Table`),
scikit-learn's bundled digits, or MoleculeACE.
:func:`tabular_split` turns a table into the matrices every inner model takes:
a stratified 70 / 30 split per seed (the test split keeps the natural class
distribution), unordered factors one-hot encoded, ordered factors as their
codes, missing values filled with the training median, every column scaled
by its training mean and standard deviation (the net needs it; trees do not
mind), float32.

Not used, kept for an independent evaluation of the project: ``r-cran-mlbench``,
``vega_datasets`` and ``pydataset``'s ``diamonds``.
"""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch

from .tables import Table, encode


def _visits(column):
    values = np.asarray(column, dtype=float)
    return np.where(values >= 3, "3+", values.astype(int).astype(str))


def _affairs(column):
    return np.asarray(column, dtype=float).astype(int).astype(str)


#: the flat (class-mixing) sets: at least 15, binary and multi-class, mild to extreme
CLASS_SETS = [
    Table("attrition", "modeldata", "attrition", "Attrition", "IBM HR attrition, 16% leave"),
    Table("telecom churn", "modeldata", "mlc_churn", "churn", "telecom churn, 14% churn"),
    Table("credit scoring", "modeldata", "credit_data", "Status", "credit status, 28% bad"),
    Table("IBM telco churn", "modeldata", "wa_churn", "churn", "telco churn, 27% churn"),
    Table("lending club", "modeldata", "lending_club", "Class", "loans, 5% bad"),
    Table(
        "remote work", "modeldata", "stackoverflow", "Remote", "Stack Overflow survey, 10% remote"
    ),
    Table("HPC jobs", "modeldata", "hpc_data", "class", "HPC job run time, 4 classes 51/31/12/6%"),
    Table(
        "Sacramento homes",
        "modeldata",
        "Sacramento",
        "type",
        "house type, 3 classes 866 / 53 / 13 rows",
        drop=("zip",),
    ),
    Table("Alzheimer's", "modeldata", "ad_data", "Class", "Alzheimer's CSF proteins, 27% impaired"),
    Table("caravan insurance", "kernlab", "ticdata", "CARAVAN", "CoIL 2000 insurance, 6% buy"),
    Table("spam", "kernlab", "spam", "type", "e-mail spam, 39% spam"),
    Table("income", "kernlab", "income", "INCOME", "household income, 9 ordered classes"),
    Table("glass", "MASS", "fgl", "type", "forensic glass, 6 classes 76 to 9 rows"),
    Table("mortgage denial", "AER", "HMDA", "deny", "Boston HMDA mortgages, 12% denied"),
    Table(
        "credit card",
        "AER",
        "CreditCard",
        "card",
        "credit card applications, 22% refused",
        drop=("expenditure", "share"),  # both are zero exactly when the card is refused
    ),
    Table(
        "resume callbacks",
        "AER",
        "ResumeNames",
        "call",
        "resume field experiment, 8% callback",
        drop=("name",),
    ),
    Table("bank jobs", "AER", "BankWages", "job", "bank job category, 3 classes 363 / 84 / 27"),
    Table(
        "doctor visits",
        "AER",
        "DoctorVisits",
        "visits",
        "doctor visits in two weeks: 0 / 1 / 2 / 3+ (80 / 15 / 3 / 2%)",
        relabel=_visits,
    ),
    Table(
        "affairs",
        "AER",
        "Affairs",
        "affairs",
        "affairs in a year, 6 classes 451 to 17 rows",
        relabel=_affairs,
    ),
    Table("olive oil", "dslabs", "olive", "region", "olive oil region, 3 classes", drop=("area",)),
]

#: grouped tasks: the groups are sources or sub-populations the mixer balances
GROUP_SETS = [
    Table(
        "HPC jobs by protocol",
        "modeldata",
        "hpc_data",
        "class",
        "HPC job run time; groups: the 14 protocols",
        groups="protocol",
    ),
    Table(
        "caravan by customer type",
        "kernlab",
        "ticdata",
        "CARAVAN",
        "CoIL 2000; groups: the 10 customer main types (MOSHOOFD)",
        groups="MOSHOOFD",
    ),
    Table(
        "mortgage denial by race",
        "AER",
        "HMDA",
        "deny",
        "HMDA; groups: applicant African-American or not",
        groups="afam",
    ),
]


def load_split(spec: Table, seed: int) -> Bunch:
    """The table of ``spec`` as the broad suite's per-seed split (:func:`tabular_split`)."""
    return tabular_split(spec, spec.frame(), seed)


def loader(spec: Table):
    """``load(seed)`` of one table."""
    return partial(load_split, spec)


def tabular_split(spec: Table, frame, seed: int, test_size: float = 0.3) -> Bunch:
    """A stratified split of one table (one group column at most, kept as features)."""
    frame = frame.reset_index(drop=True)
    y = frame[spec.outcome]
    y = np.asarray(spec.relabel(y) if spec.relabel else y.astype("string"), dtype=object)
    keep = ~frame[spec.outcome].isna().to_numpy()
    groups = None
    if spec.groups:
        (column,) = spec.groups
        groups = frame[column].astype("string").to_numpy(dtype=object)
        keep &= ~frame[column].isna().to_numpy()
    X = encode(frame.drop(columns=[spec.outcome, *spec.drop]))
    X, y = X[keep], y[keep].astype(str)
    rows = np.arange(len(y))
    train, test = train_test_split(rows, test_size=test_size, stratify=y, random_state=seed)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column: 0
        median = np.nanmedian(X[train], axis=0)
    median = np.where(np.isnan(median), 0.0, median)
    X = np.where(np.isnan(X), median, X)
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    X = ((X - mean) / np.where(std > 0, std, 1.0)).astype(np.float32)
    out = Bunch(
        X_train=X[train],
        y_train=y[train],
        X_test=X[test],
        y_test=y[test],
        DESCR=f"{spec.what}; {spec.source}",
    )
    if groups is not None:
        out.groups_train, out.groups_test = groups[keep][train], groups[keep][test]
    return out


def load_digits_set(seed: int) -> Bunch:
    """scikit-learn's digits cut to a 1:50 long tail (the project's loader), float32."""
    from sklearn_l2m.datasets import load_long_tailed_digits

    data = load_long_tailed_digits(50, random_state=seed)
    for part in ("train", "test"):
        data[f"X_{part}"] = (data[f"X_{part}"] / 16.0).astype(np.float32)
    return data


def load_moleculeace_activity(seed: int, n_targets: int = 10) -> Bunch:
    """MoleculeACE's first ``n_targets`` ChEMBL targets pooled, active at <= 100 nM;
    the target is the group, MoleculeACE's own split (the same for every seed)."""
    from sklearn_l2m.datasets import load_moleculeace

    data = load_moleculeace("classification")
    keep = sorted(set(data.groups_train))[:n_targets]
    for part in ("train", "test"):
        mask = np.isin(data[f"groups_{part}"], keep)
        for key in ("X", "y", "groups"):
            data[f"{key}_{part}"] = data[f"{key}_{part}"][mask]
        data[f"X_{part}"] = data[f"X_{part}"].astype(np.float32)
    return data
