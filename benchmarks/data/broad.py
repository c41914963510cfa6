"""The real data sets of the broad suite (issue 30), all loading offline.

Each set is one table from a Debian ``r-cran-*`` data package (read without R,
:mod:`benchmarks.data.r_packages`), scikit-learn's bundled digits, or MoleculeACE.
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
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch

from .r_packages import read_r_data

LICENCES = {
    "modeldata": "modeldata (tidymodels), MIT",
    "kernlab": "kernlab, GPL-2",
    "AER": "AER, GPL-2 | GPL-3",
    "MASS": "MASS, GPL-2 | GPL-3",
    "dslabs": "dslabs, Artistic-2.0",
}


@dataclass(frozen=True)
class TableSet:
    """One classification task read from an R data package."""

    name: str
    package: str
    table: str
    target: str
    what: str
    drop: tuple = ()
    #: maps the target column to class labels (e.g. merging a long count tail)
    relabel: object = None
    #: a column whose values are the groups (sources) of a grouped task
    groups: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"{self.package}::{self.table} ({LICENCES[self.package]})"

    def load(self, seed: int) -> Bunch:
        frame = read_r_data(self.package, self.table)
        return tabular_split(self, frame, seed)


def _visits(column):
    values = np.asarray(column, dtype=float)
    return np.where(values >= 3, "3+", values.astype(int).astype(str))


def _affairs(column):
    return np.asarray(column, dtype=float).astype(int).astype(str)


#: the flat (class-mixing) sets: at least 15, binary and multi-class, mild to extreme
CLASS_SETS = [
    TableSet("attrition", "modeldata", "attrition", "Attrition", "IBM HR attrition, 16% leave"),
    TableSet("telecom churn", "modeldata", "mlc_churn", "churn", "telecom churn, 14% churn"),
    TableSet("credit scoring", "modeldata", "credit_data", "Status", "credit status, 28% bad"),
    TableSet("IBM telco churn", "modeldata", "wa_churn", "churn", "telco churn, 27% churn"),
    TableSet("lending club", "modeldata", "lending_club", "Class", "loans, 5% bad"),
    TableSet(
        "remote work", "modeldata", "stackoverflow", "Remote", "Stack Overflow survey, 10% remote"
    ),
    TableSet(
        "HPC jobs", "modeldata", "hpc_data", "class", "HPC job run time, 4 classes 51/31/12/6%"
    ),
    TableSet(
        "Sacramento homes",
        "modeldata",
        "Sacramento",
        "type",
        "house type, 3 classes 866 / 53 / 13 rows",
        drop=("zip",),
    ),
    TableSet(
        "Alzheimer's", "modeldata", "ad_data", "Class", "Alzheimer's CSF proteins, 27% impaired"
    ),
    TableSet(
        "caravan insurance", "kernlab", "ticdata", "CARAVAN", "CoIL 2000 insurance, 6% buy"
    ),
    TableSet("spam", "kernlab", "spam", "type", "e-mail spam, 39% spam"),
    TableSet("income", "kernlab", "income", "INCOME", "household income, 9 ordered classes"),
    TableSet("glass", "MASS", "fgl", "type", "forensic glass, 6 classes 76 to 9 rows"),
    TableSet("mortgage denial", "AER", "HMDA", "deny", "Boston HMDA mortgages, 12% denied"),
    TableSet(
        "credit card",
        "AER",
        "CreditCard",
        "card",
        "credit card applications, 22% refused",
        drop=("expenditure", "share"),  # both are zero exactly when the card is refused
    ),
    TableSet(
        "resume callbacks",
        "AER",
        "ResumeNames",
        "call",
        "resume field experiment, 8% callback",
        drop=("name",),
    ),
    TableSet("bank jobs", "AER", "BankWages", "job", "bank job category, 3 classes 363 / 84 / 27"),
    TableSet(
        "doctor visits",
        "AER",
        "DoctorVisits",
        "visits",
        "doctor visits in two weeks: 0 / 1 / 2 / 3+ (80 / 15 / 3 / 2%)",
        relabel=_visits,
    ),
    TableSet(
        "affairs",
        "AER",
        "Affairs",
        "affairs",
        "affairs in a year, 6 classes 451 to 17 rows",
        relabel=_affairs,
    ),
    TableSet(
        "olive oil", "dslabs", "olive", "region", "olive oil region, 3 classes", drop=("area",)
    ),
]

#: grouped tasks: the groups are sources or sub-populations the mixer balances
GROUP_SETS = [
    TableSet(
        "HPC jobs by protocol",
        "modeldata",
        "hpc_data",
        "class",
        "HPC job run time; groups: the 14 protocols",
        groups="protocol",
    ),
    TableSet(
        "caravan by customer type",
        "kernlab",
        "ticdata",
        "CARAVAN",
        "CoIL 2000; groups: the 10 customer main types (MOSHOOFD)",
        groups="MOSHOOFD",
    ),
    TableSet(
        "mortgage denial by race",
        "AER",
        "HMDA",
        "deny",
        "HMDA; groups: applicant African-American or not",
        groups="afam",
    ),
]


def _encode(frame):
    """Numeric matrix of a data frame: ordered factors as codes (missing: NaN),
    other factors and strings one-hot, numbers as they are."""
    import pandas as pd

    columns = {}
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype) and col.cat.ordered:
            columns[name] = col.cat.codes.replace(-1, np.nan).astype(float)
        elif not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            dummies = pd.get_dummies(col.astype("string"), prefix=name, dtype=float)
            columns.update({c: dummies[c] for c in dummies.columns})
        else:
            columns[name] = pd.to_numeric(col, errors="coerce").astype(float)
    return pd.DataFrame(columns).to_numpy(np.float64)


def tabular_split(spec: TableSet, frame, seed: int, test_size: float = 0.3) -> Bunch:
    frame = frame.reset_index(drop=True)
    y = frame[spec.target]
    y = np.asarray(spec.relabel(y) if spec.relabel else y.astype("string"), dtype=object)
    keep = ~frame[spec.target].isna().to_numpy()
    groups = None
    if spec.groups is not None:
        groups = frame[spec.groups].astype("string").to_numpy(dtype=object)
        keep &= ~frame[spec.groups].isna().to_numpy()
    X = _encode(frame.drop(columns=[spec.target, *spec.drop]))
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
