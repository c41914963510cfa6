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


def test_moleculeace_cells_of_each_kind_have_their_own_names(monkeypatch):
    import numpy as np
    from sklearn.utils import Bunch

    def fake(kind):
        rng = np.random.RandomState(0)
        part = lambda n: rng.rand(n, 4) > 0.5  # noqa: E731
        y = rng.rand if kind == "regression" else (lambda n: rng.randint(0, 2, n))
        return Bunch(
            X_train=part(30),
            X_test=part(10),
            y_train=y(30),
            y_test=y(10),
            groups_train=np.repeat(["a", "b"], 15),
            groups_test=np.repeat(["a", "b"], 5),
        )

    import sklearn_l2m.datasets

    monkeypatch.setattr(sklearn_l2m.datasets, "load_moleculeace", fake)
    names = [cell.name for cell in transfer.moleculeace_cells(1, leak=True)]
    assert names == ["MoleculeACE a", "MoleculeACE a active"]
