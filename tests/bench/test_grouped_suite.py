"""The grouped suite: its outside baselines (JTT, fairlearn), its loader and its report."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier

from benchmarks.data import grouped as grouped_data
from benchmarks.data.tables import Table
from benchmarks.group_methods import JTT, FairlearnBoundedGroupLoss, FairlearnThresholdOptimizer
from benchmarks.suites import grouped

pd = pytest.importorskip("pandas")


def _data(n=400, seed=0):
    X, y = make_classification(n, 5, flip_y=0.1, random_state=seed)
    site = np.where(X[:, 0] > 0.8, "small", "large")
    return X.astype(np.float32), y, site


def test_jtt_up_weights_the_first_fits_errors():
    X, y, site = _data()
    model = JTT(DecisionTreeClassifier(max_depth=2), upweight=5.0, random_state=0)
    model.fit(X, y, groups=site)
    first = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    errors = int((first.predict(X) != y).sum())
    assert model.n_errors_ == errors > 0
    assert model.n_fits_ == 2
    share = 5.0 * errors / (5.0 * errors + len(y) - errors)
    # groups in sorted order: "correct", "error"
    np.testing.assert_allclose(model.model_.mixture_, [1.0 - share, share])
    # a model that fits every training row has nothing to up-weight: the first fit stays
    exact = JTT(DecisionTreeClassifier(), random_state=0).fit(X, y)
    assert exact.n_errors_ == 0 and isinstance(exact.model_, DecisionTreeClassifier)


def test_fairlearn_baselines_count_their_fits_and_give_probabilities():
    pytest.importorskip("fairlearn")
    X, y, site = _data()
    reduction = FairlearnBoundedGroupLoss(DecisionTreeClassifier(max_depth=3), random_state=0)
    reduction.fit(X, y, groups=site)
    assert reduction.n_fits_ == reduction.model_.n_oracle_calls_ > 1
    proba = reduction.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    thresholds = FairlearnThresholdOptimizer(DecisionTreeClassifier(max_depth=3), random_state=0)
    pure = np.where((site == "small") & (y == 1), "one class only", site)
    thresholds.fit(X, y, groups=pure)  # fairlearn alone refuses a one-class group
    assert "one class only" not in thresholds.own_threshold_
    assert thresholds.predict(X, groups=pure).shape == y.shape
    assert thresholds.predict(X, groups=np.full(len(y), "unseen")).shape == y.shape
    with pytest.raises(ValueError, match="needs the rows' groups"):
        thresholds.predict_proba(X)
    with pytest.raises(ValueError, match="binary tasks only"):
        thresholds.fit(X, y % 3 + (X[:, 1] > 0), groups=site)


class _Synthetic(Table):
    def frame(self):
        X, y, _ = _data(600)
        frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
        frame["label"] = np.where(y == 1, "yes", "no")
        frame["site"] = np.where(X[:, 0] > 0.8, "small", "large")
        frame.loc[:4, "site"] = "tiny"  # 5 rows: merged
        frame.loc[5:9, "label"] = None  # dropped
        return frame


SYNTHETIC = _Synthetic("synthetic sites", "statsmodels", "-", "label", "test data", groups="site")


def test_loader_merges_tiny_groups_and_caps_the_rows(monkeypatch):
    monkeypatch.setattr(grouped_data, "MAX_ROWS", 300)
    data = grouped_data.load_grouped(SYNTHETIC)
    assert data.X.shape == (300, 5) and data.X.dtype == np.float32
    assert data.merged == ["tiny"]
    assert "tiny" not in set(data.groups)
    assert set(data.y) == {"yes", "no"}


def test_a_job_writes_compares_files_and_the_report_reads_them(monkeypatch, tmp_path):
    pytest.importorskip("xgboost")
    pytest.importorskip("fairlearn")
    monkeypatch.setattr(grouped, "TASKS", [SYNTHETIC])
    monkeypatch.setattr(grouped_data, "MAX_ROWS", 300)
    seconds = grouped.run_job("synthetic sites", "xgboost", 2, tmp_path)
    assert seconds > 0
    table = grouped.read_tables(tmp_path)
    strategies = set(table["candidate"])
    assert list(dict.fromkeys(table["candidate"])) == grouped.STRATEGIES  # the suite's order
    assert {"learn2mix", "group DRO", "JTT", *grouped.FAIRLEARN} <= strategies
    assert set(table["score"]) == set(grouped.SCORES) | {"log_loss"}
    eg = table[table["candidate"] == grouped.FAIRLEARN[0]]
    assert (eg["n_fits"] > 1).all()
    text = grouped.report(table, "python -m benchmarks grouped", 2)
    assert "| xgboost |" in text and "synthetic sites" in text
    assert "W / T / L" in grouped.summary_table(table, "xgboost")
    # --rerun: one strategy again, merged; the others' rows stay as they were
    before = table.set_index(["candidate", "score"])
    grouped.rerun_job("synthetic sites", "xgboost", 2, tmp_path, ["worst-group stopping"])
    after = grouped.read_tables(tmp_path).set_index(["candidate", "score"])
    assert list(after.index) == list(before.index)
    kept = after.loc["learn2mix", "difference"]
    np.testing.assert_array_equal(kept, before.loc["learn2mix", "difference"])
    assert after["rerun"].sum() == len(after.loc["worst-group stopping"])
    text = grouped.report(after.reset_index(), "python -m benchmarks grouped", 2)
    assert "added with `--rerun` after the first run: worst-group stopping with" in text
    with pytest.raises(SystemExit):  # argparse's error: names the strategies there are
        grouped.main(["--rerun", "no such strategy", "--out", str(tmp_path), "--no-write"])


def test_targets_say_not_met_with_the_number():
    rows = [
        {"model": "hgb", "candidate": "learn2mix", "score": "worst-group accuracy",
         "difference": d, "verdict": v, "fit_time_ratio": 1.1}
        for d, v in [(-0.08, "worse"), (0.01, "within noise"), (0.03, "better")]
    ]  # fmt: skip
    text = grouped.targets_table(pd.DataFrame(rows))
    assert "**not met** (-0.080)" in text  # a collapse
    assert "**not met** (1 of 3 worse)" in text
    assert "met (1 of 3)" in text  # one win in three tasks is a third
    assert "met (x1.10)" in text
