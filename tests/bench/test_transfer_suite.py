"""The transfer suite's verdicts: the recommended setting against the best baseline."""

import numpy as np
import pytest
from sklearn.utils import Bunch

pytest.importorskip("pandas")
pytest.importorskip("xgboost")

from benchmarks.suites import transfer  # noqa: E402


def _rows(task, n_target, scores: dict, metric="root_mean_squared_error"):
    rows = []
    for model, values in scores.items():
        for seed, value in enumerate(values):
            rows.append(
                dict(task=task, target="t", family="xgboost", n_target=n_target, metric=metric,
                     model=model, seed=seed, score=value, fit_time=1.0,
                     setting=transfer.setting(model))
            )  # fmt: skip
    return rows


def test_the_verdict_is_against_the_best_baseline_and_the_targets_say_met_or_not():
    base = {"natural pool": [1.0, 1.1, 1.0], "target only": [0.9, 0.95, 0.92],
            "tuned target weight": [0.95, 0.97, 0.96]}  # fmt: skip
    rows = _rows("a", 30, {**base, "targetmix": [0.8, 0.84, 0.81]})
    rows += _rows("a", 300, {**base, "targetmix": [1.0, 1.05, 1.01]})
    table = transfer.verdicts(rows)
    assert table["best baseline"].tolist() == ["target only", "target only"]
    assert table["verdict"].tolist() == ["better", "worse"]
    np.testing.assert_allclose(table["vs target only"], [0.8167 - 0.9233, 1.02 - 0.9233], atol=1e-3)
    text = transfer.targets_text(table)
    assert "on 1 of 2 cells, worse on 1: **not met**" in text
    assert (
        "300 target rows: never more than 0.05 RMSE / 0.02 AP worse than target only: **not met**"
        in text
    )
    assert "30 target rows: never worse than natural pooling: **met**" in text
    # cells of neither size: the two worst-case rules are not judged on other sizes
    text = transfer.targets_text(transfer.verdicts(_rows("a", 100, {**base, "targetmix": [1] * 3})))
    assert "no cells of 300 or 30 target rows measured yet" in text and "never" not in text


def test_continued_boosting_switches_to_the_target_rows():
    import xgboost

    rng = np.random.RandomState(0)
    X = rng.randn(300, 3)
    groups = np.repeat(["t", "s"], [60, 240])
    y = X[:, 0] + 5.0 * (groups == "t")
    model = transfer.ContinuedBoosting(xgboost.XGBRegressor(n_estimators=40, max_depth=2), "t")
    model.fit(X, y, groups=groups)
    assert model.estimator_.get_booster().num_boosted_rounds() == 40
    assert abs(np.mean(model.predict(X[:60]) - y[:60])) < 0.5  # the target's level


def test_hgb_continues_as_a_model_of_the_pools_residuals():
    from sklearn.ensemble import HistGradientBoostingRegressor

    # warm_start would re-bin on the target's rows and fit wrong residuals
    rng = np.random.RandomState(0)
    X = rng.randn(2000, 2)
    groups = np.repeat(["t", "s"], [100, 1900])
    X[:100] = 0.3 * X[:100] + 2.0  # the target lives where the sources are sparse
    y = 2.0 * X[:, 0] + 1.0 * (groups == "t")
    model = transfer.ContinuedBoosting(HistGradientBoostingRegressor(max_iter=40), "t")
    model.fit(X, y, groups=groups)
    assert model.estimator_.n_iter_ == 20 and model.residual_.n_iter_ == 20
    assert np.mean((model.predict(X[:100]) - y[:100]) ** 2) < 0.05


def test_a_classifier_without_a_base_margin_has_no_continued_models():
    from sklearn.ensemble import HistGradientBoostingClassifier

    continued = {"continued blend", "pooled continued blend", "continued boosting"}
    hgb = transfer.candidates(HistGradientBoostingClassifier(), "t", classification=True)
    xgb = transfer.candidates(transfer.inner_model("xgboost", True), "t", classification=True)
    assert not continued & set(hgb) and continued <= set(xgb)
    # a rerun of one of them skips such a cell (before any data is touched)
    task = Bunch(kind="positive", target="t", X=None, y=None, groups=None, name="c")
    assert transfer.run_cell(task, "hgb", 30, 2, only=["continued blend"]) == []


def test_a_rerun_of_one_model_replaces_its_rows_and_keeps_the_baselines():
    base = {"natural pool": [1.0, 1.1], "target only": [0.9, 0.95]}
    old = _rows("a", 30, {**base, "targetmix": [2.0, 2.0]})
    for r in old:
        r.pop("setting")  # measured before settings were recorded
    new = _rows("a", 30, {"natural pool": [7.0, 7.0], "targetmix": [0.5, 0.6]})
    merged = transfer._merge(old, new)
    scores = {(r["model"], r["seed"]): r["score"] for r in merged}
    assert len(merged) == 6 and scores[("natural pool", 0)] == 1.0  # the old baselines
    assert scores[("targetmix", 0)] == 0.5  # the new rows
    # old targetmix rows carry another setting: the cell is measured again
    assert transfer._measured_cells(old, ["targetmix"]) == set()
    assert transfer._measured_cells(merged, ["targetmix"]) == {("a", "xgboost", 30)}
    assert "shares=" in transfer.setting("targetmix") and transfer.setting("stacking") == ""


def test_targetmix_rows_of_an_earlier_setting_are_left_out_and_counted_not_their_cells():
    from argparse import Namespace

    base = {"natural pool": [1.0, 1.1], "target only": [0.9, 0.95]}
    rows = _rows("a", 30, {**base, "targetmix": [0.8, 0.85], "blend": [0.8, 0.85]})
    stale = _rows("b", 30, {**base, "targetmix": [0.8, 0.85], "blend": [0.8, 0.85]})
    for r in stale:
        r["setting"] = r["setting"] and "start_weight=10, step=3"
    table = transfer.verdicts(rows + stale)
    assert table["task"].tolist() == ["a"]
    assert transfer.verdicts(rows + stale, "blend")["task"].tolist() == ["a", "b"]
    assert "1 more cells have no `targetmix` row of today's setting" in transfer.pending(
        rows + stale, table
    )
    assert transfer.pending(rows, transfer.verdicts(rows)) == ""
    tables = {m: transfer.verdicts(rows + stale, m) for m in transfer.JUDGED}
    text = transfer.report(tables, Namespace(leak=False), rows + stale)
    lines = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| ")]
    header = [c.strip() for c in lines[0]]
    cells = [dict(zip(header, (c.strip() for c in row), strict=True)) for row in lines[1:]]
    assert [(c["task"], c["targetmix verdict"], c["blend verdict"]) for c in cells] == [
        ("a", "better", "better"), ("b", "", "better")]  # fmt: skip


def test_the_report_says_on_how_many_cells_any_model_beats_the_best_baseline():
    base = {"natural pool": [1.0, 1.1, 1.0], "target only": [0.9, 0.95, 0.92],
            "tuned target weight": [0.95, 0.97, 0.96]}  # fmt: skip
    # cell a: an unjudged alternative wins; cell b: nothing does; cell c: two models win
    rows = _rows("a", 30, {**base, "targetmix": [1.0, 1.1, 1.0], "stacking": [0.8, 0.84, 0.81]})
    rows += _rows("b", 30, {**base, "targetmix": [1.0, 1.1, 1.0], "stacking": [1.0, 1.1, 1.0]})
    rows += _rows("c", 30, {**base, "targetmix": [0.8, 0.84, 0.81], "stacking": [0.7, 0.8, 0.7]})
    text = transfer.reach_text(rows)
    assert "- xgboost: some model is better than the best baseline beyond 2 SE on 2 of 3 " \
        "cells; the most by one model: 2 (stacking)." in text  # fmt: skip
    assert transfer.reach_text(_rows("a", 30, base)) == ""  # no candidate measured


def test_cells_without_kept_fit_times_are_judged_without_a_time_ratio():
    base = {"natural pool": [1.0, 1.1], "target only": [0.9, 0.95],
            "tuned target weight": [0.95, 0.97]}  # fmt: skip
    rows = _rows("a", 30, {**base, "targetmix": [0.8, 0.85]})
    rows += _rows("b", 30, {**base, "targetmix": [0.8, 0.85]})
    for r in rows:
        if r["task"] == "b":
            r["fit_time"] = None  # a run that was paused keeps no times
    table = transfer.verdicts(rows)
    assert table["time vs pool"].tolist()[0] == 1.0 and np.isnan(table["time vs pool"].iloc[1])
    assert "fit time 1.00x one natural-pool fit" in transfer.targets_text(table)
    untimed = transfer.verdicts([r for r in rows if r["task"] == "b"])
    assert "fit times not kept" in transfer.targets_text(untimed)


def test_a_model_measured_on_some_cells_is_judged_there_and_blank_elsewhere():
    from argparse import Namespace

    base = {"natural pool": [1.0, 1.1, 1.0], "target only": [0.9, 0.95, 0.92],
            "tuned target weight": [0.95, 0.97, 0.96]}  # fmt: skip
    rows = _rows("a", 30, {**base, "targetmix": [1.0, 1.1, 1.0], "blend": [0.9, 0.95, 0.92],
                           "pooled blend": [0.8, 0.84, 0.81]})  # fmt: skip
    rows += _rows("b", 30, {**base, "targetmix": [1.0, 1.1, 1.0], "blend": [0.9, 0.95, 0.92]})
    tables = {model: transfer.verdicts(rows, model) for model in transfer.JUDGED}
    assert tables["pooled blend"]["task"].tolist() == ["a"]
    text = transfer.report(tables, Namespace(leak=False), rows)
    assert "- pooled blend, xgboost: better than the best of target only / natural pool / " \
        "tuned target weight beyond 2 SE on 1 of 1 cells" in text  # fmt: skip
    table = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| ")]
    header = [c.strip() for c in table[0]]
    cells = [dict(zip(header, (c.strip() for c in row), strict=True)) for row in table[1:]]
    assert [c["pooled blend verdict"] for c in cells] == ["better", ""]
    # no rows of a judged model at all: the report still builds, without its columns
    bare = {m: transfer.verdicts([r for r in rows if r["model"] != "pooled blend"], m)
            for m in transfer.JUDGED}  # fmt: skip
    assert "pooled blend verdict" not in transfer.report(bare, Namespace(leak=False), rows)


def test_the_recommended_pooled_blend_is_target_blends_default_and_blend_is_pinned():
    from sklearn.linear_model import LinearRegression

    from sklearn_l2m.transfer import TargetBlend

    models = transfer.candidates(LinearRegression(), "t", classification=False)
    default = TargetBlend(LinearRegression(), "t", random_state=0).get_params(deep=False)
    pooled = models["pooled blend"].get_params(deep=False)
    assert {**pooled, "estimator": None} == {**default, "estimator": None}  # the guide's
    assert models["blend"].get_params()["pooled_share"] is None  # rows stay comparable
    assert models["continued blend"].get_params()["cv"] == 5


def test_new_cells_leave_out_the_candidates_named():
    with pytest.raises(SystemExit):
        transfer.main(["--leave-out", "no such model", "--report-only"])


def test_a_cell_is_done_without_the_models_its_family_cannot_run():
    everything = [*transfer.TARGET_BASELINES, *transfer.candidates(None, None, False)]
    hgb_runs = set(everything) - {"continued blend", "pooled continued blend",
                                  "continued boosting"}  # fmt: skip
    cell = ("t1", "hgb", 30)
    task = Bunch(name="t1", kind=1, target="t")  # a classification
    assert transfer._done({cell: hgb_runs}, task, "hgb", 30, everything)
    assert not transfer._done({cell: hgb_runs - {"mixmin"}}, task, "hgb", 30, everything)
    regression = Bunch(name="t1", kind="regression", target="t")  # HGB continues residuals
    assert not transfer._done({cell: hgb_runs}, regression, "hgb", 30, everything)
    assert transfer._done({cell: hgb_runs}, regression, "hgb", 30, ["blend"])


def test_a_net_runs_the_candidates_that_fit_its_fixed_input():
    """The MLP family: a skorch net of the data's width; no candidate that adds a
    column (group feature, stacking), continues trees, or boosts MixMin's proxies."""
    pytest.importorskip("skorch")
    for classification in (True, False):
        net = transfer.inner_model("mlp", classification, n_in=7)
        assert transfer._is_net(net) and net.get_params()["module__n_in"] == 7
        names = set(transfer.candidates(net, "t", classification))
        assert names and not names & set(transfer.NOT_FOR_NETS)
        assert {"blend", "pooled blend", "target share", "targetmix"} <= names
    assert not transfer._is_net(transfer.inner_model("xgboost", True))
    everything = [*transfer.TARGET_BASELINES, *transfer.candidates(None, None, False)]
    runs = set(everything) - set(transfer.NOT_FOR_NETS)
    task = Bunch(name="t1", kind="regression", target="t")
    assert transfer._done({("t1", "mlp", 30): runs}, task, "mlp", 30, everything)


def test_the_chance_line_is_the_rate_of_verdicts_between_equal_models():
    """The report's chance line is what paired_difference calls a model no different
    from its reference: simulated, 'worse' comes at P(t_4 > 2) = 0.058 at 5 seeds."""
    import pandas as pd

    from sklearn_l2m.model_selection import paired_difference

    rng = np.random.default_rng(0)
    draws = rng.normal(size=(20_000, 2, 5))  # candidate and reference, 5 seeds
    worse = np.mean([paired_difference(c, r)["verdict"] == "worse" for c, r in draws])
    assert worse == pytest.approx(0.058, abs=0.006)
    cells = pd.DataFrame({"family": ["xgboost"] * 100 + ["hgb"] * 10,
                          "seeds": [5] * 100 + [3] * 10})  # fmt: skip
    text = transfer.chance_text(cells)
    assert "- xgboost: 100 cells; expected 5.8 of them called worse" in text
    assert "none with probability 0.0025" in text  # (1 - 0.058) ** 100
    assert "- hgb: 10 cells; expected 0.9 of them" in text  # P(t_2 > 2) = 0.092
