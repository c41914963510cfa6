"""Every Python code block in README.md, docs/*.rst and docs/*.md runs, as a reader would run it.

The blocks of one page run in order in one namespace (a page may build on an
earlier block), in a scratch folder. A block whose first line is
``# not run by the tests: <reason>`` (a GPU or a remote cluster) is only
compiled; the reason must be given.
"""

import os
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_MARK = "# not run by the tests:"


def markdown_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def rst_blocks(text: str) -> list[str]:
    """Bodies of ``.. code-block:: python`` directives (options skipped)."""
    blocks = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not re.match(r"^\s*\.\. code-block:: python\s*$", line):
            continue
        indent = len(line) - len(line.lstrip())
        body = []
        for nxt in lines[i + 1 :]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            body.append(nxt)
        code = textwrap.dedent("\n".join(body)).strip("\n")
        code = "\n".join(ln for ln in code.splitlines() if not ln.startswith(":"))
        blocks.append(code.strip("\n") + "\n")
    return blocks


def pages():
    found = [("README.md", markdown_blocks((ROOT / "README.md").read_text()))]
    for path in sorted((ROOT / "docs").glob("*.rst")):
        found.append((f"docs/{path.name}", rst_blocks(path.read_text())))
    for path in sorted((ROOT / "docs").glob("*.md")):  # MyST pages
        found.append((f"docs/{path.name}", markdown_blocks(path.read_text())))
    return [(name, blocks) for name, blocks in found if blocks]


def test_pages_with_code_are_found():
    names = [name for name, _ in pages()]
    assert "README.md" in names and "docs/getting_started.rst" in names
    assert "docs/index.rst" in names and "docs/paper.md" in names


def test_no_literal_python_blocks_escape_the_tests():
    """Python shown as a plain ``::`` literal block would never run: use code-block."""
    for path in sorted((ROOT / "docs").glob("*.rst")):
        text = path.read_text()
        for match in re.finditer(r"::\n\n((?:[ ]{4}.*\n|\n)+)", text):
            body = match.group(1)
            assert not re.search(r"^\s+(from \w+ import|import \w+)", body, re.M), (
                f"{path.name}: a Python literal block; write it as '.. code-block:: python'"
            )


#: pages whose code trains for seconds or starts a multi-process cluster
SLOW_PAGES = {"README.md", "docs/user_guide.rst", "docs/dask.rst"}


def _page_params():
    return [
        pytest.param(name, blocks, id=name, marks=[pytest.mark.slow] if name in SLOW_PAGES else [])
        for name, blocks in pages()
    ]


@pytest.mark.parametrize("page, blocks", _page_params())
def test_page_code_runs(page, blocks, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    if page == "docs/dask.rst":  # the Dask backend refuses XGBoost 2 (test_dask.py)
        pytest.importorskip("xgboost", minversion="3.0")
        if os.environ.get("SKLEARN_L2M_PUBLIC_API_ONLY") == "1":
            pytest.skip("the Dask backend has no public fallback for its private hook")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    ran = 0
    for index, code in enumerate(blocks):
        first = code.lstrip().splitlines()[0] if code.strip() else ""
        compiled = compile(code, f"{page} block {index + 1}", "exec")
        if first.startswith(SKIP_MARK):
            assert first[len(SKIP_MARK) :].strip(), f"{page} block {index + 1}: give a reason"
            continue
        exec(compiled, namespace)  # noqa: S102 - the documentation's own code
        ran += 1
    assert ran > 0, f"{page}: every code block is skipped"
