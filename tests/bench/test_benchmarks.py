"""A smoke run of the benchmark runner on a tiny configuration."""

import re

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from benchmarks.report import write_section
from benchmarks.suites import run as runner
from benchmarks.suites import tasks as suites
from sklearn_l2m.datasets import load_long_tailed_digits


@pytest.fixture
def tiny_suite(monkeypatch):
    task = suites.Task(
        name="tiny digits",
        description="smoke test",
        load=lambda seed: load_long_tailed_digits(10, random_state=seed),
        inner=lambda seed, X, y: HistGradientBoostingClassifier(max_iter=8, early_stopping=False),
        strategies=["classical", "balanced", "learn2mix"],
    )
    monkeypatch.setitem(suites.SUITES, "tiny", {"seeds": 2, "out": "unused", "tasks": [task]})
    monkeypatch.setattr(runner, "SUITES", suites.SUITES)


def test_runner_writes_the_table_and_plots(tiny_suite, tmp_path, capsys):
    assert runner.main(["--suite", "tiny", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "RESULTS.md").read_text()
    assert "Command: `python -m benchmarks.suites.run --suite tiny" in text
    assert "| strategy | accuracy | natural_accuracy | balanced_accuracy |" in text
    rows = re.findall(r"^\| (classical|balanced|learn2mix) \|", text, flags=re.M)
    assert rows == ["classical", "balanced", "learn2mix"]
    # every non-baseline cell carries its difference to classical
    learn2mix_row = next(line for line in text.splitlines() if line.startswith("| learn2mix"))
    assert learn2mix_row.count("(") >= 5 and "±" in learn2mix_row
    assert (tmp_path / "figures" / "tiny_digits_curve.png").stat().st_size > 1000
    assert (tmp_path / "figures" / "tiny_digits_mixture.png").exists()
    assert "scikit-learn" in text and "Total time" in text
    assert "tiny digits" in capsys.readouterr().out


def test_sections_are_replaced_not_duplicated(tmp_path):
    path = tmp_path / "R.md"
    write_section(path, "a", "A", "first")
    write_section(path, "b", "B", "other")
    write_section(path, "a", "A", "second")
    text = path.read_text()
    assert text.count("section:a") == 1 and "second" in text and "first" not in text
    assert "other" in text


def test_steps_to_reach_classical():
    curves = {
        "classical": [0.5, 0.6, 0.7],
        "fast": [0.65, 0.72, 0.8],
        "slow": [0.1, 0.2, 0.3],
        "trees": {10: 0.5, 20: 0.71},
    }
    got = runner.steps_to_reach_classical({k: v for k, v in curves.items() if k != "trees"})
    assert got == {"classical": (3, 3), "fast": (2, 3), "slow": (None, 3)}
    assert runner.steps_to_reach_classical({"classical": {5: 0.7}, "t": curves["trees"]}) == {
        "classical": (5, 5),
        "t": (20, 20),
    }


def _study_rows(shifts):
    """Rows of the defaults study: classical at fixed scores, each other
    (strategy, prior) shifted by ``shifts[(strategy, prior)](seed)``."""
    from benchmarks.suites.defaults import PRIORS

    base = {"natural_accuracy": 0.90, "balanced_accuracy": 0.70, "worst_class_recall": 0.10}
    rows = []
    for seed in range(3):
        for prior in PRIORS:
            shift = 0.05 if prior == "uniform" else 0.0  # logit adjustment helps classical
            rows.append(
                {
                    "strategy": "classical",
                    "prior": prior,
                    "seed": seed,
                    **{k: v + shift for k, v in base.items()},
                }
            )
        for (name, prior), shift in shifts.items():
            rows.append(
                {
                    "strategy": name,
                    "prior": prior,
                    "seed": seed,
                    **{k: v + shift(seed) for k, v in base.items()},
                }
            )
    return rows


def test_defaults_study_checks_the_four_targets_from_paired_differences():
    from benchmarks.suites.defaults import paired_table, static_name, target_checks

    good, timid = "learn2mix (good)", "learn2mix (timid)"
    rows = _study_rows(
        {
            # +3 points as trained, +6 under the uniform prior, above its static end point
            (good, "mixture"): lambda seed: 0.03,
            (good, "uniform"): lambda seed: 0.06,
            (static_name(good), "mixture"): lambda seed: 0.01,
            # +1 +- spread: too timid, and no better than logit adjustment
            (timid, "mixture"): lambda seed: 0.01 * seed,
            (timid, "uniform"): lambda seed: 0.04,
            (static_name(timid), "mixture"): lambda seed: 0.02,
        }
    )
    checks = target_checks(rows, {good: {}, timid: {}}).splitlines()
    assert checks[2].startswith(f"| {good} | +3.00 ± 0.00 | +2.00 ± 0.00 | +1.00 ± 0.00")
    assert checks[2].endswith("| 4 of 4 |")
    assert checks[3].startswith(f"| {timid} | +1.00 ± 0.58 | -1.00 ± 0.58 | -1.00 ± 0.00")
    assert checks[3].endswith("| 1 of 4 |")  # only the natural accuracy holds
    table = paired_table(rows)
    assert "| classical (absolute) | mixture | 90.00 | 70.00 | 10.00 |" in table
    assert "| logit-adjusted classical | uniform | +5.00 ± 0.00 |" in table


def test_defaults_study_compares_every_setting_with_the_default_and_its_cost():
    from benchmarks.suites.defaults import vs_first_setting

    default, bolder = "learn2mix (default)", "learn2mix + refit"
    rows = _study_rows(
        {(default, "mixture"): lambda seed: 0.01, (bolder, "mixture"): lambda seed: 0.01 * seed}
    )
    for row in rows:  # the bolder setting takes twice the time
        row["fit_time_s"] = 2.0 if row["strategy"] == bolder else 1.0
    table = vs_first_setting(rows, {default: {}, bolder: {}}).splitlines()
    assert table[0].startswith(f"| setting | balanced acc. vs {default}")
    # seeds 0, 1, 2: -1, 0, +1 points against the default
    assert table[2] == f"| {bolder} | +0.00 ± 0.58 | +0.00 ± 0.58 | 2.00 |"


def test_distributed_table_row_gives_medians_of_paired_ratios():
    from benchmarks.suites.distributed import DESIGNS, _table_row

    runs = {d: [{"seconds": 10.0, "peak_mb": 100.0, "warm_seconds": 8.0}] * 2 for d in DESIGNS}
    runs["dask-l2m"] = [
        {"seconds": 12.0, "peak_mb": 150.0, "warm_seconds": 8.0},
        {"seconds": 14.0, "peak_mb": 150.0, "warm_seconds": 9.6},
    ]
    cells = [c.strip() for c in _table_row("synthetic", runs).strip("|").split("|")]
    assert cells[:5] == ["synthetic", "1.300", "1.500", "1.300", "1.500"]
    assert cells[5:7] == ["1.250 - 1.350", "1.100"]
    assert cells[7] == "10.00 s, 100 MB" and len(cells) == 7 + len(DESIGNS)


def test_the_demo_table_marks_the_best_of_each_column_and_fits_a_screen():
    from benchmarks.suites.run import COMPACT, compact_table

    def row(strategy, seed, bal, loss):
        scores = {metric: 0.5 for metric, _, _ in COMPACT}
        scores.update(balanced_accuracy=bal, log_loss=loss, fit_time_s=1.0)
        return {"strategy": strategy, "seed": seed, **scores}

    rows = [row("classical", s, 0.70 + s / 100, 1.0) for s in range(5)]
    rows += [row("learn2mix", s, 0.75 + s / 100, 1.2) for s in range(5)]
    lines = compact_table({"task": rows}).splitlines()
    assert len(lines) == 5  # header, rule, task, two strategies
    classical, mixed = lines[3], lines[4]
    assert "0.720 ± 0.007*" not in classical and "0.770 ± 0.007*" in mixed  # bal. acc
    assert "1.000 ± 0.000*" in classical  # the lower log loss


@pytest.mark.slow  # the whole GPU command, end to end
def test_the_gpu_command_runs_end_to_end_on_cpu(tmp_path):
    """The dry run of ``python -m benchmarks gpu``: the GPU minutes are not spent on a crash."""
    pytest.importorskip("xgboost")
    pytest.importorskip("skorch")
    from benchmarks.suites import gpu

    results = gpu.RESULTS.read_text() if gpu.RESULTS.exists() else None
    result = gpu.main(["--device", "cpu", "--out", str(tmp_path)])
    assert result["header"]["device"] == "cpu"
    xgb, net = result["xgboost"], result["skorch"]
    assert xgb["time_ratio"] > 0 and xgb["rounds"] >= 2 and xgb["mixture_moved"] > 0
    assert xgb["bytes_to_device_per_round"] == 4 * xgb["rows"]
    assert net["reweight_time_ratio"] > 0 and net["resample_time_ratio"] > 0
    assert set(result["other"]) == {"lightgbm", "catboost"}
    assert (tmp_path / "gpu.json").exists() and "| XGBoost" in (tmp_path / "gpu.md").read_text()
    # a CPU run never writes the GPU section
    assert (gpu.RESULTS.read_text() if gpu.RESULTS.exists() else None) == results


def test_the_gpu_command_refuses_a_machine_without_cuda():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():  # pragma: no cover - only on a GPU machine
        pytest.skip("a CUDA device is visible")
    from benchmarks.suites import gpu

    with pytest.raises(SystemExit, match="--device cpu for the dry run"):
        gpu.main(["--device", "cuda"])


def test_overhead_small_family_fits_real_grouped_tables_with_their_groups(capsys):
    import json

    from benchmarks.suites import overhead
    from sklearn_l2m.datasets import DataSourceMissing

    name = "grouped:HPC jobs by protocol"
    try:
        X, y, groups = overhead._grouped(name)
    except DataSourceMissing as missing:
        pytest.skip(str(missing))
    assert X.shape[0] == 4000 and np.unique(groups).size == 14 and set(np.unique(y)) == {0, 1, 2, 3}
    plan = overhead.PLANS["small"]
    assert {row[0] for row in plan} == {"xgboost", "lightgbm", "hgb"}
    assert {row[2] for row in plan} == {100} and len(plan) == 3 * len(overhead.SMALL_TABLES)
    model = overhead.FITS["hgb"]("learn2mix", X, y, 1, 5, groups=groups)
    assert len(model.mixture_) == 14  # mixed by group, not by class
    assert {tuple(row[3]) for row in plan} == {("learn2mix", overhead.FEWER_ROUNDS)}
    for family in ("hgb", "xgboost", "lightgbm"):  # the lever: 5 round ends, not the default's
        fewer = overhead.FITS[family](overhead.FEWER_ROUNDS, X, y, 1, 20, groups=groups)
        default = overhead.FITS[family]("learn2mix", X, y, 1, 20, groups=groups)
        assert fewer.n_rounds_ == 5 < default.n_rounds_, family
    overhead.worker("hgb", "plain", name, 1, 5)
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["seconds"] > 0


def test_overhead_worker_repeats_times_warm_fits_only(monkeypatch, capsys):
    """``repeats`` > 1: one untimed fit, then that many timed ones (their median)."""
    import json

    from benchmarks.suites import overhead

    durations = iter([5.0, 0.3, 0.1, 0.2])  # the untimed first fit is the slow one
    fits = []

    def fake_fit(design, X, y, n_jobs, budget, dataset=None, groups=None):
        fits.append(design)
        seconds = next(durations)
        clock.append(clock[-1] + seconds)  # what perf_counter reads after this fit

    clock = [0.0]
    monkeypatch.setattr(overhead, "_load", lambda name: (np.zeros((4, 2)), np.zeros(4)))
    monkeypatch.setitem(overhead.FITS, "hgb", fake_fit)
    monkeypatch.setattr(overhead.time, "perf_counter", lambda: clock[-1])
    overhead.worker("hgb", "learn2mix", "digits", 1, 5, repeats=3)
    assert fits == ["learn2mix"] * 4
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["seconds"] == pytest.approx(0.2)  # the median of the timed fits only
    with pytest.raises(SystemExit):
        overhead.main(["--family", "small", "--repeats", "0"])


def test_overhead_where_prints_medians_and_the_librarys_own_functions(capsys):
    pytest.importorskip("xgboost")
    from benchmarks.suites import overhead
    from sklearn_l2m.datasets import DataSourceMissing

    try:
        overhead.main(["--where", "xgboost", "labour participation by nationality", "2"])
    except DataSourceMissing as missing:
        pytest.skip(str(missing))
    lines = capsys.readouterr().out.splitlines()
    assert "plain" in lines[0] and "learn2mix" in lines[0]
    profiled = lines[2:]
    assert len(profiled) == 25 and any("end_round" in line for line in profiled)
