"""The real grouped tasks of the grouped suite, all loading offline.

Every task is a classification table whose rows come from sources, sites or
demographic groups (the ``groups`` column, or several joined): Debian's
``r-cran-*`` data packages read without R (:mod:`benchmarks.data.r_packages`) and
statsmodels' bundled data. :func:`load_grouped` returns all rows as one
matrix (``compare`` makes the paired train / test splits): unordered factors
one-hot, ordered factors as codes, missing values filled with the column
median, every column standardised (no labels used), float32. Tables larger
than :data:`MAX_ROWS` are subsampled once (seed 0, stratified by group and
class), and then groups of fewer than :data:`MIN_GROUP_ROWS` rows are merged into one
``"(merged)"`` group so that every group can appear in a test split.

Not used, kept for an independent evaluation of the project:
``r-cran-mlbench``, ``r-cran-cardata``, ``r-cran-mlmrev``, ``r-cran-survival``,
``vega_datasets``, ``pydataset``, and the Tennessee STAR and Titanic data.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.utils import Bunch

from .tables import Table, encode

MAX_ROWS = 4000
MIN_GROUP_ROWS = 10


def _positive(column):
    return np.where(np.asarray(column, dtype=float) > 0, "yes", "no")


TASKS = [
    Table("mortgage denial by race", "AER", "HMDA", "deny",
          "Boston HMDA mortgages, 12% denied; groups: African-American or not",
          groups=("afam",)),
    Table("health insurance by ethnicity", "AER", "HealthInsurance", "insurance",
          "US health insurance, 20% uninsured; 3 groups, 365 to 7,354 rows",
          groups=("ethnicity",)),
    Table("part-time work by region", "AER", "CPS1988", "parttime",
          "US Current Population Survey 1988, 9% part-time; 4 regions",
          groups=("region",)),
    Table("health status by region", "AER", "NMES1988", "health",
          "US medical expenditure survey, 3 health classes (80 / 13 / 8%); 4 regions",
          groups=("region",)),
    Table("resume callbacks by ethnicity and gender", "AER", "ResumeNames", "call",
          "resume field experiment, 8% callbacks; 4 groups (names' ethnicity x gender)",
          groups=("ethnicity", "gender"), drop=("name",)),
    Table("doctor visits by gender", "AER", "DoctorVisits", "visits",
          "Australian health survey: any doctor visit in two weeks (20%); 2 groups",
          groups=("gender",), relabel=_positive),
    Table("remote work by country", "modeldata", "stackoverflow", "Remote",
          "Stack Overflow survey, 10% remote; 5 countries, 485 to 2,791 rows",
          groups=("Country",)),
    Table("telecom churn by area code", "modeldata", "mlc_churn", "churn",
          "telecom churn, 14%; 3 area codes",
          groups=("area_code",)),
    Table("telecom churn by state", "modeldata", "mlc_churn", "churn",
          "telecom churn, 14%; 51 states of 52 to 158 rows",
          groups=("state",)),
    Table("telco churn by seniority", "modeldata", "wa_churn", "churn",
          "IBM telco churn, 27%; senior citizens (16%) or not",
          groups=("senior_citizen",)),
    Table("credit scoring by housing", "modeldata", "credit_data", "Status",
          "credit status, 28% bad; 6 housing types, 20 to 2,107 rows",
          groups=("Home",)),
    Table("attrition by department", "modeldata", "attrition", "Attrition",
          "IBM HR attrition, 16%; 3 departments, 63 to 961 rows",
          groups=("Department",)),
    Table("loan default by state", "modeldata", "lending_club", "Class",
          "Lending Club loans, 5% bad; 50 states, most under 200 rows",
          groups=("addr_state",)),
    Table("HPC jobs by protocol", "modeldata", "hpc_data", "class",
          "HPC job run time, 4 classes; 14 protocols",
          groups=("protocol",)),
    Table("caravan insurance by customer type", "kernlab", "ticdata", "CARAVAN",
          "CoIL 2000 insurance, 6% buy; 10 customer main types",
          groups=("MOSHOOFD",)),
    Table("verbal aggression by behaviour", "lme4", "VerbAgg", "resp",
          "verbal aggression questionnaire, no / perhaps / yes; 3 behaviour types",
          groups=("btype",), drop=("r2", "id")),
    Table("happiness by region", "HSAUR3", "CHFLS", "R_happy",
          "Chinese Health and Family Life Survey, 4 classes (14 very unhappy); 6 regions",
          groups=("R_region",)),
    Table("labour participation by nationality", "AER", "SwissLabor", "participation",
          "Swiss women's labour participation (872 rows); foreign or not",
          groups=("foreign",)),
    Table("union membership by gender and ethnicity", "AER", "PSID7682", "union",
          "US panel study 1976-82, 36% union; 4 groups",
          groups=("gender", "ethnicity"), drop=("id",)),
    Table("affairs by occupation", "statsmodels", "fair", "affairs",
          "Redbook survey 1974, any affair (32%); 6 occupations",
          groups=("occupation",), relabel=_positive),
]  # fmt: skip

#: the Debian packages the tasks read, beyond the broad suite's
DEBIAN_PACKAGES = ["r-cran-hsaur3", "r-cran-lme4"]


def _joined(frame, columns):
    parts = [frame[c].astype("string").fillna("NA").to_numpy(dtype=object) for c in columns]
    out = parts[0].astype(str)
    for part in parts[1:]:
        out = np.char.add(np.char.add(out, " / "), part.astype(str))
    return out.astype(object)


def _subsample(rows, key, n, seed=0):
    from sklearn.model_selection import train_test_split

    try:
        kept, _ = train_test_split(rows, train_size=n, stratify=key, random_state=seed)
    except ValueError:  # a stratum of one row
        kept, _ = train_test_split(rows, train_size=n, random_state=seed)
    return np.sort(kept)


def load_grouped(task: Table) -> Bunch:
    """All rows of one task: ``X`` (float32), ``y`` (str), ``groups`` (str)."""
    frame = task.frame().reset_index(drop=True)
    keep = ~frame[task.outcome].isna().to_numpy()
    for column in task.groups:
        keep &= ~frame[column].isna().to_numpy()
    frame = frame[keep].reset_index(drop=True)
    outcome = frame[task.outcome]
    y = np.asarray(task.relabel(outcome) if task.relabel else outcome.astype("string"), dtype=str)
    groups = _joined(frame, task.groups)
    X = encode(frame.drop(columns=[task.outcome, *task.groups, *task.drop]))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column: 0
        median = np.nan_to_num(np.nanmedian(X, axis=0))
    X = np.where(np.isnan(X), median, X)
    std = X.std(axis=0)
    X = ((X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)).astype(np.float32)
    rows = np.arange(len(y))
    if len(rows) > MAX_ROWS:
        rows = _subsample(rows, np.char.add(groups.astype(str), y), MAX_ROWS)
    X, y, groups = X[rows], y[rows], groups[rows].astype(str)
    labels, counts = np.unique(groups, return_counts=True)
    small = set(labels[counts < MIN_GROUP_ROWS])
    if small:
        groups = np.where(np.isin(groups, list(small)), "(merged)", groups)
    return Bunch(
        X=X,
        y=y,
        groups=groups,
        DESCR=f"{task.what}; {task.source}",
        merged=sorted(small),
    )
