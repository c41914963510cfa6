"""The one description of a benchmark task read from a real table.

Every suite that reads a real table (broad, grouped, transfer, overhead's small
tables) describes it with a :class:`Table`: where the table is (a Debian
``r-cran-*`` data package read without R, or statsmodels' bundled data), which
column is the outcome, which columns are the groups (sources, sites, regions),
which columns to drop, how to turn the outcome into labels and, for the
transfer suite, which group is the target. How a suite prepares the rows (a
per-seed split, all rows at once, a log outcome) is its loader's job:
:func:`benchmarks.data.broad.tabular_split`,
:func:`benchmarks.data.grouped.load_grouped` and
:func:`benchmarks.data.transfer.load_tabular`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .r_packages import read_r_data

#: the licence of every package a table comes from
LICENCES = {
    "modeldata": "modeldata (tidymodels), MIT",
    "kernlab": "kernlab, GPL-2",
    "AER": "AER, GPL-2 | GPL-3",
    "MASS": "MASS, GPL-2 | GPL-3",
    "dslabs": "dslabs, Artistic-2.0",
    "HSAUR3": "HSAUR3, GPL-2",
    "lme4": "lme4, GPL-2 | GPL-3",
    "statsmodels": "statsmodels, BSD-3",
}


@dataclass(frozen=True)
class Table:
    """One task read from a real table.

    Parameters
    ----------
    name : str
        The task's name in tables and figures.
    package, table : str
        The R data package (or ``"statsmodels"``) and the table in it.
    outcome : str
        The column to predict.
    what : str
        One line for the reader: what the rows are, the classes, the groups.
    groups : str or tuple of str
        The columns whose values (joined with " / ") are the rows' groups.
    drop : tuple of str
        Columns left out of the features (leaks, identifiers).
    relabel : callable, optional
        Maps the outcome column to labels (e.g. merging a long tail of counts).
    target : str, optional
        The group a transfer task trains for (its other groups are the sources).
    positive : str, optional
        A transfer classification task: the outcome value that is the positive
        class (scored by average precision); None: a regression on the log outcome.
    """

    name: str
    package: str
    table: str
    outcome: str
    what: str = ""
    groups: str | tuple = ()
    drop: tuple = ()
    relabel: Callable | None = None
    target: str | None = None
    positive: str | None = None

    def __post_init__(self):
        if isinstance(self.groups, str):
            object.__setattr__(self, "groups", (self.groups,))

    @property
    def source(self) -> str:
        return f"{self.package}::{self.table} ({LICENCES[self.package]})"

    def frame(self):
        """The whole table as a data frame."""
        if self.package == "statsmodels":
            import importlib

            return importlib.import_module(f"statsmodels.datasets.{self.table}").load_pandas().data
        return read_r_data(self.package, self.table)


def encode(frame) -> np.ndarray:
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
