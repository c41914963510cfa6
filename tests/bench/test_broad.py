"""The broad suite: its comparisons, strategies, data plumbing and report layout."""

import bz2
import lzma
import struct
import zlib

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from benchmarks.data import r_packages as r_data
from benchmarks.data.broad import tabular_split
from benchmarks.data.tables import Table
from benchmarks.report import sections, write_section
from benchmarks.strategies import STRATEGIES
from benchmarks.suites import broad
from sklearn_l2m.datasets import DataSourceMissing


def _rows(values):
    """rows.csv-like dicts from {(set, model, strategy): [value per seed]}."""
    rows = []
    for (set_name, model, strategy), per_seed in values.items():
        for seed, v in enumerate(per_seed):
            rows.append({"set": set_name, "model": model, "strategy": strategy, "seed": seed,
                         "balanced_accuracy": v, "natural_accuracy": v, "log_loss": 1 - v,
                         "worst_class_recall": v, "macro_f1": v, "error": ""})  # fmt: skip
    return rows


def test_paired_outcomes_are_the_library_verdicts_by_common_seed():
    d = broad.paired({0: 0.5, 1: 0.6, 2: 0.7, 9: 0.0}, {0: 0.4, 1: 0.5, 2: 0.65}, higher=True)
    assert d["n_seeds"] == 3  # seed 9 has no partner
    assert d["mean"] == pytest.approx(0.25 / 3)
    assert d["se"] == pytest.approx(np.std([0.1, 0.1, 0.05], ddof=1) / np.sqrt(3))
    assert broad.OUTCOME.get(d["verdict"], "tie") == "win"
    # lower is better: a smaller log loss is a positive difference
    lower = broad.paired({0: 0.3, 1: 0.3}, {0: 0.5, 1: 0.4}, higher=False)
    assert lower["mean"] == pytest.approx(0.15)
    one = broad.paired({0: 0.9}, {0: 0.1}, higher=True)
    assert broad.OUTCOME.get(one["verdict"], "tie") == "tie"  # one seed: never a win


def test_wins_ties_losses_against_classical_and_the_best_baseline():
    rows = _rows({
        ("a", "hgb", "classical"): [0.50, 0.52, 0.51],
        ("a", "hgb", "balanced"): [0.70, 0.71, 0.69],
        ("a", "hgb", "learn2mix"): [0.60, 0.62, 0.61],
        ("b", "hgb", "classical"): [0.80, 0.82, 0.81],
        ("b", "hgb", "balanced"): [0.79, 0.80, 0.80],
        ("b", "hgb", "learn2mix"): [0.81, 0.81, 0.82],
    })  # fmt: skip
    vs_classical = broad.against(rows, "hgb", "learn2mix", "balanced_accuracy", True)
    assert vs_classical["a"][2] == "win" and vs_classical["b"][2] == "tie"
    assert broad.best_baseline(rows, "hgb", "balanced_accuracy", True, "a") == "balanced"
    vs_best = broad.against(rows, "hgb", "learn2mix", "balanced_accuracy", True, "best")
    assert vs_best["a"][2] == "loss"  # balanced weights are better on set a
    assert vs_best["b"][2] == "tie"  # classical is the best baseline on b
    wins, ties, losses, median = broad.tally(vs_classical)
    assert (wins, ties, losses) == (1, 1, 0)
    assert median == pytest.approx(np.median([0.1, 0.0033333]), abs=1e-6)
    table = broad.wtl_tables(rows, [("balanced_accuracy", True)])
    assert "| learn2mix | 1/1/0 · 0/1/1, +0.052 |" in table


def test_targets_name_the_sets_that_miss():
    rows = _rows({
        ("a", "hgb", "classical"): [0.90, 0.91, 0.92],
        ("a", "hgb", "learn2mix"): [0.85, 0.86, 0.87],
        ("b", "hgb", "classical"): [0.50, 0.52, 0.51],
        ("b", "hgb", "learn2mix"): [0.60, 0.61, 0.62],
    })  # fmt: skip
    (t,) = broad.targets(rows)
    assert not t["natural_ok"] and "(a)" in t["natural_worst"]
    assert t["balanced_above"] == "1/2" and not t["balanced_ok"]
    assert t["balanced_below_2se"] == "a"
    assert "**not met**" in broad.targets_table(rows)


def test_effective_number_weights_follow_cui_et_al():
    y = np.array([0] * 90 + [1] * 10)
    X = np.random.RandomState(0).normal(size=(100, 3))
    seen = {}

    class Recorder(HistGradientBoostingClassifier):
        def fit(self, X, y, sample_weight=None):
            seen["w"] = sample_weight
            return super().fit(X, y, sample_weight=sample_weight)

    STRATEGIES["effective_number"](Recorder(max_iter=2), X, y, None, 0, True)
    beta = 0.999
    per_class = (1 - beta) / (1 - beta ** np.array([90, 10]))
    per_class *= 100 / (per_class @ [90, 10])
    np.testing.assert_allclose(seen["w"][[0, -1]], per_class)
    assert seen["w"].sum() == pytest.approx(100)


def test_smote_adapts_its_neighbours_to_tiny_classes():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(43, 2)), np.array([0] * 40 + [1] * 3)
    model = STRATEGIES["smote"](HistGradientBoostingClassifier(max_iter=2), X, y, None, 0, True)
    assert model.n_features_in_ == 2  # k_neighbors=2 for a class of 3 rows


def test_tabular_split_encodes_factors_and_keeps_the_class_shares():
    frame = pd.DataFrame({
        "size": pd.Categorical(["s", "m", "l"] * 20, categories=["s", "m", "l"], ordered=True),
        "colour": ["red", "blue", None] * 20,
        "x": np.r_[np.arange(59.0), np.nan],
        "label": ["rare"] * 12 + ["common"] * 48,
    })  # fmt: skip
    spec = Table("toy", "MASS", "toy", "label", "a toy")
    data = tabular_split(spec, frame, seed=0)
    assert data.X_train.dtype == np.float32 and not np.isnan(data.X_train).any()
    assert data.X_train.shape[1] == 1 + 2 + 1  # ordered codes, two colours, x
    assert (data.y_test == "rare").sum() == 4 and (data.y_train == "rare").sum() == 8
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0, atol=1e-5)


def test_lazy_load_entries_of_each_compression(monkeypatch, tmp_path):
    payload = b"X\n" + bytes(range(50))
    head = struct.pack(">I", len(payload))
    xz = lzma.compress(payload, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2}])
    assert r_data._decompress(head + b"Z" + xz) == payload
    assert r_data._decompress(head + b"2" + bz2.compress(payload)) == payload
    assert r_data._decompress(head + b"1" + zlib.compress(payload)) == payload
    assert r_data._decompress(head + b"0" + payload) == payload
    assert r_data._decompress(head + zlib.compress(payload)) == payload
    monkeypatch.setattr(r_data, "CACHE", tmp_path)
    monkeypatch.setattr(r_data, "_SYSTEM_ROOTS", [])
    with pytest.raises(DataSourceMissing, match="make broad-data.*r-cran-aer"):
        r_data.read_r_data("AER", "HMDA")


def test_results_are_grouped_by_topic(tmp_path):
    path = tmp_path / "R.md"
    write_section(path, "overhead-x", "Overhead x", "### sub\n\ntext")
    write_section(path, "suite-broad", "Suite broad", "summary")
    write_section(path, "suite-quick", "Quick", "q")
    text = path.read_text()
    assert text.index("What helps") < text.index("Suite broad") < text.index("Quality")
    assert text.index("Quick") < text.index("Overhead and scaling") < text.index("Overhead x")
    assert "#### sub" in text  # a section's own headings sit below its title
    assert list(sections(text)) == ["suite-broad", "suite-quick", "overhead-x"]
