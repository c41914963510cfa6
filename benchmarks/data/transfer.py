"""The transfer suite's tasks: one target group with few labels, many sources.

Real tables whose rows come from sites, regions or countries (:data:`TABULAR`,
each a :class:`~benchmarks.data.tables.Table` with its ``target`` group), and
MoleculeACE leave-one-assay-out (:func:`moleculeace_cells`). Each loads as one
``Bunch`` of all rows: ``X`` (float32), ``y``, ``groups``, the ``target`` group,
the task's ``name`` and its ``kind`` ("regression", or the positive class
scored by average precision).
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import Bunch

from .tables import Table, encode

TABULAR = [
    Table("wage by region", "AER", "CPS1988", "wage", "US wages 1988 (log); 4 regions",
          groups="region", target="west"),
    Table("house price by neighbourhood", "modeldata", "ames", "Sale_Price",
          "Ames house prices (log); 28 neighbourhoods", groups="Neighborhood",
          target="North_Ames"),
    Table("life expectancy by continent", "dslabs", "gapminder", "life_expectancy",
          "life expectancy (log); 5 continents", groups="continent", target="Oceania",
          drop=("country", "region")),
    Table("remote work by country", "modeldata", "stackoverflow", "Remote",
          "Stack Overflow survey, remote or not; 5 countries", groups="Country",
          target="Germany", positive="Remote"),
    Table("loan default by state", "modeldata", "lending_club", "Class",
          "Lending Club loans, bad or good; 50 states", groups="addr_state", target="CA",
          positive="bad"),
    Table("churn by area code", "modeldata", "mlc_churn", "churn",
          "telecom churn; 3 area codes", groups="area_code", target="area_code_510",
          positive="yes"),
    Table("uninsured by ethnicity", "AER", "HealthInsurance", "insurance",
          "US health insurance, uninsured or not; 3 groups", groups="ethnicity",
          target="afam", positive="no"),
]  # fmt: skip


def load_tabular(task: Table) -> Bunch:
    """All rows of one table; missing values filled with the column median; a
    regression's outcome on the log scale."""
    (source,) = task.groups
    frame = task.frame().dropna(subset=[task.outcome, source]).reset_index(drop=True)
    groups = frame[source].astype(str).to_numpy()
    outcome = frame[task.outcome]
    if task.positive is None:
        y = np.log(outcome.to_numpy(dtype=np.float64))
    else:
        y = (outcome.astype(str).to_numpy() == task.positive).astype(np.int64)
    X = encode(frame.drop(columns=[task.outcome, source, *task.drop]))
    X = np.where(np.isnan(X), np.nan_to_num(np.nanmedian(X, axis=0)), X).astype(np.float32)
    kind = "regression" if task.positive is None else task.positive
    return Bunch(X=X, y=y, groups=groups, target=task.target, name=task.name, kind=kind)


def moleculeace_cells(n_assays: int, leak: bool, kinds=("regression", "classification")):
    """Leave-one-assay-out: every assay in turn the target (the ``n_assays`` largest).

    ``leak=False`` drops the sources' rows of the target's molecules (transfer to
    new molecules)."""
    from sklearn_l2m.datasets import load_moleculeace

    for kind in kinds:
        data = load_moleculeace(kind)
        X = np.vstack([data.X_train, data.X_test])
        y = np.r_[data.y_train, data.y_test]
        groups = np.r_[data.groups_train, data.groups_test]
        labels, counts = np.unique(groups, return_counts=True)
        for target in labels[np.argsort(-counts, kind="stable")][:n_assays]:
            keep = np.ones(len(y), dtype=bool)
            if not leak:  # drop the sources' rows of the target's molecules
                own = {row.tobytes() for row in X[groups == target]}
                keep = (groups == target) | np.array([r.tobytes() not in own for r in X])
            regression = kind == "regression"  # else active / inactive, scored by AP
            yield Bunch(
                X=X[keep], y=y[keep], groups=groups[keep], target=target,
                name=f"MoleculeACE {target}{'' if regression else ' active'}",
                kind="regression" if regression else 1,
            )  # fmt: skip
