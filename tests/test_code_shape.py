"""Every function of the package fits on a screen: at most 60 lines of code (its
docstring, the user's documentation, not counted)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_l2m"
MAX_LINES = 60


def code_lines(node) -> int:
    """Lines from the ``def`` to the end, less the docstring's."""
    length = node.end_lineno - node.lineno + 1
    doc = node.body[0]
    if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant):
        if isinstance(doc.value.value, str):
            length -= doc.end_lineno - doc.lineno + 1
    return length


def long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name} ({code_lines(node)} lines)"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and code_lines(node) > MAX_LINES
    ]


def test_code_lines_leave_out_the_docstring():
    node = ast.parse('def f():\n    """One.\n\n    Two."""\n    return 1\n').body[0]
    assert code_lines(node) == 2


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_every_function_is_at_most_60_lines(path):
    assert long_functions(path) == []
