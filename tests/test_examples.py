"""Every example script runs (they are the documentation's gallery)."""

import runpy
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("plot_*.py"))


@pytest.mark.slow  # each trains like a user would; the docs build runs them too
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(script):
    # no SystemExit either: sphinx-gallery runs examples inside the docs build,
    # where an exit ends the whole build with status 0 and no pages
    runpy.run_path(str(script), run_name="__main__")
