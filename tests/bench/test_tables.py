"""The one description of a task read from a real table (benchmarks.data.tables)."""

import pandas as pd
import pytest

from benchmarks.data import broad, grouped, transfer
from benchmarks.data.tables import LICENCES, Table, encode

SUITE_TABLES = {
    "broad": [*broad.CLASS_SETS, *broad.GROUP_SETS],
    "grouped": grouped.TASKS,
    "transfer": transfer.TABULAR,
}


@pytest.mark.parametrize("suite", SUITE_TABLES)
def test_every_suite_describes_its_tables_with_one_class(suite):
    tables = SUITE_TABLES[suite]
    assert all(type(t) is Table for t in tables)
    assert len({t.name for t in tables}) == len(tables)
    assert all(t.package in LICENCES and t.what for t in tables)
    assert all(isinstance(t.groups, tuple) for t in tables)


def test_the_transfer_tables_name_one_source_column_and_a_target():
    for table in transfer.TABULAR:
        assert len(table.groups) == 1 and table.target is not None


def test_a_single_group_column_is_a_tuple_and_the_source_names_the_licence():
    table = Table("toy", "MASS", "fgl", "type", "glass", groups="RI")
    assert table.groups == ("RI",)
    assert table.source == "MASS::fgl (MASS, GPL-2 | GPL-3)"


def test_encode_one_hot_codes_and_numbers():
    frame = pd.DataFrame({
        "size": pd.Categorical(["s", None, "l"], categories=["s", "l"], ordered=True),
        "colour": ["red", "blue", "red"],
        "x": [1.0, 2.0, 3.0],
    })  # fmt: skip
    X = encode(frame)
    assert X.shape == (3, 4)  # ordered codes, two colours, x
    assert list(X[:, 0][[0, 2]]) == [0.0, 1.0] and pd.isna(X[1, 0])
    assert list(X[:, 3]) == [1.0, 2.0, 3.0]
