"""One benchmark harness: every suite behind ``python -m benchmarks SUITE``, and a
RESULTS.md that is generated from its section files alone."""

import importlib
import re

from benchmarks import __main__ as harness
from benchmarks.report import RESULTS, assemble, read_sections, sections_dir, write_section


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
    run = importlib.import_module("benchmarks.run")
    monkeypatch.setattr(run, "main", lambda argv: seen.setdefault("argv", argv) and 0)
    harness.main(["demo", "--seeds", "2"])
    assert seen["argv"] == ["--suite", "demo", "--seeds", "2"]


def test_results_page_is_its_section_files_and_no_title_repeats():
    blocks = read_sections(sections_dir(RESULTS))
    assert len(blocks) >= 40
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


def test_a_written_section_replaces_its_file_and_the_page(tmp_path):
    page = tmp_path / "RESULTS.md"
    write_section(page, "suite-x / y", "X", "first")
    write_section(page, "suite-x / y", "X", "second")
    assert len(list(sections_dir(page).glob("*.md"))) == 1
    text = page.read_text()
    assert "second" in text and "first" not in text
    assert "<!-- section:suite-x / y -->" in text
