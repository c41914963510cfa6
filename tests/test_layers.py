"""The package's and the benchmarks' import graphs have no cycle, lazy imports included."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, package: str, modules: set) -> set:
    """Every module of ``modules`` that ``path`` imports, at the top or inside a function."""
    name = _module_name(path)
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - node.level + 1]
                prefix = ".".join(anchor + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names = [f"{prefix}.{alias.name}" for alias in node.names]
            # ``from pkg import module`` imports the module; other names come from pkg
            targets = names if all(n in modules for n in names) else [prefix, *names]
        else:
            continue
        for target in targets:
            # the deepest known module a name belongs to
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith(package):
                found.add(target)
    return found


def _cycles(package: str) -> list:
    files = sorted((ROOT / package).rglob("*.py"))
    modules = {_module_name(f) for f in files}
    graph = {_module_name(f): _imports(f, package, modules) for f in files}
    # a package's __init__ re-exports its modules: edges into it stand for its modules
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in graph.get(nxt, ()):
                continue
            if nxt == node.rpartition(".")[0]:  # a module importing its own package's face
                continue
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return cycles


@pytest.mark.parametrize("package", ["sklearn_l2m", "benchmarks"])
def test_no_import_cycle(package):
    cycles = _cycles(package)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
