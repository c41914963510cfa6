"""One benchmark harness: every suite behind ``python -m benchmarks SUITE``, and one
RESULTS.md whose keyed sections the suites replace."""

import importlib
import re

import pytest
from sklearn.base import is_regressor

from benchmarks import __main__ as harness
from benchmarks.models import FAMILIES, make_model
from benchmarks.report import RESULTS, assemble, read_page, rebuild, write_section


def test_every_suite_names_a_runnable_module(capsys):
    for name, suite in harness.SUITES.items():
        module = importlib.import_module(suite.module)
        assert callable(module.main), name
    assert harness.main([]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in harness.SUITES)
    assert harness.main(["no-such-suite"]) == 2
    assert "Unknown suite 'no-such-suite'" in capsys.readouterr().err


def test_options_after_the_name_reach_the_suite(monkeypatch):
    seen = {}
    run = importlib.import_module("benchmarks.suites.run")
    monkeypatch.setattr(run, "main", lambda argv: seen.setdefault("argv", argv) and 0)
    harness.main(["demo", "--seeds", "2"])
    assert seen["argv"] == ["--suite", "demo", "--seeds", "2"]


def test_results_page_is_its_sections_in_order_and_no_title_repeats():
    blocks = read_page(RESULTS)
    assert len(blocks) >= 40
    assert not (RESULTS.parent / "RESULTS_sections").exists(), "one committed copy only"
    assert RESULTS.read_text() == assemble(blocks), "RESULTS.md was edited by hand: rebuild it"
    titles = [re.match(r"### (.*)", body).group(1) for body in blocks.values()]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)


def test_results_page_headings_never_skip_a_level():
    """The docs build (myst, warnings as errors) refuses a jump such as ### to #####."""
    level, fenced = 1, False
    for number, line in enumerate(RESULTS.read_text().splitlines(), 1):
        fenced ^= line.startswith("```")
        heading = None if fenced else re.match(r"(#+) ", line)
        if heading:
            assert len(heading.group(1)) <= level + 1, f"RESULTS.md:{number}: {line}"
            level = len(heading.group(1))


def test_a_written_section_replaces_its_own_and_keeps_the_others(tmp_path):
    page = tmp_path / "RESULTS.md"
    write_section(page, "suite-x / y", "X", "first")
    write_section(page, "overhead-z", "Z", "## kept\n\nrows")
    write_section(page, "suite-x / y", "X", "second")
    blocks = read_page(page)
    assert list(blocks) == ["suite-x / y", "overhead-z"]  # by topic, not by writing order
    assert "second" in blocks["suite-x / y"] and "first" not in page.read_text()
    assert "### kept" in blocks["overhead-z"]  # a suite's headings one level down
    text = page.read_text()
    rebuild(page)
    assert page.read_text() == text  # reassembling a page changes nothing


def test_suites_finishing_together_keep_both_sections(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    page = tmp_path / "RESULTS.md"
    keys = [f"overhead-{i}" for i in range(8)]
    with ProcessPoolExecutor(4) as pool:
        list(pool.map(write_section, [page] * 8, keys, keys, ["body"] * 8))
    assert sorted(read_page(page)) == keys


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_one_model_factory_builds_every_family_at_its_budget(family):
    pytest.importorskip({"mlp": "skorch"}.get(family, family if family in (
        "xgboost", "lightgbm", "catboost") else "sklearn"))  # fmt: skip
    for regression in (False, True):
        model = make_model(family, 3, n_in=5, n_out=2, budget=7, regression=regression)
        assert is_regressor(model) == regression
        params = model.get_params()
        budgets = [params[k] for k in ("n_estimators", "max_iter", "iterations", "max_epochs")
                   if k in params]  # fmt: skip
        assert budgets == [7]
        seeds = [params[k] for k in ("random_state", "random_seed") if k in params]
        assert seeds in ([3], []), seeds  # skorch nets take torch's seed at fit
    default = make_model(family, n_in=5, n_out=2).get_params(deep=False)
    explicit = make_model(family, n_in=5, n_out=2, budget=FAMILIES[family].budget)
    assert {k: repr(v) for k, v in default.items() if k != "callbacks"} == {
        k: repr(v) for k, v in explicit.get_params(deep=False).items() if k != "callbacks"
    }


def test_model_factory_settings_and_errors():
    pytest.importorskip("xgboost")
    model = make_model("xgboost", budget=10, max_depth=4, n_jobs=1)
    assert (model.max_depth, model.n_jobs, model.n_estimators) == (4, 1, 10)
    with pytest.raises(ValueError, match="unknown model family 'svm'"):
        make_model("svm")
    with pytest.raises(ValueError, match="needs n_in"):
        make_model("mlp")
