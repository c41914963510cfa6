"""The supported-versions table: what the CI matrix installed at each end.

Reads the installed versions of the library's dependencies in the floor venv
(``make min-venv``) and the newest venv (``make venv``) and writes the table
into docs/versions.rst (the README links it) between the ``versions:start`` /
``versions:end`` markers (``--write``), or checks that the committed table
names the floors that were tested (``--check``; a newer release at the top
end only prints a notice, since the registry moves on its own).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: (distribution, extra that needs it), in the table's order
PACKAGES = [
    ("numpy", "core"),
    ("scipy", "core"),
    ("scikit-learn", "core"),
    ("xgboost", "xgboost, dask"),
    ("lightgbm", "lightgbm"),
    ("catboost", "catboost"),
    ("torch", "torch"),
    ("skorch", "torch"),
    ("dask", "dask"),
    ("distributed", "dask"),
    ("pandas", "report, bench, test"),
    ("matplotlib", "plot"),
    ("tqdm", "progress"),
    ("imbalanced-learn", "bench"),
    ("rdata", "bench"),
    ("fairlearn", "bench"),
    ("statsmodels", "bench"),
]
TARGETS = {
    "docs/versions.rst": (".. versions:start", ".. versions:end"),
}


def installed(python: str) -> dict[str, str]:
    out = subprocess.run(
        [python, "-m", "pip", "list", "--format", "json"], capture_output=True, text=True, check=True
    ).stdout
    return {row["name"].lower(): row["version"] for row in json.loads(out)}


def declared() -> dict[str, str]:
    """Each package's declared floors (several where extras differ, e.g. the Dask
    backend's XGBoost), as ``>=a, >=b``."""
    text = (ROOT / "pyproject.toml").read_text()
    floors: dict[str, list[str]] = {}
    pattern = r'"([A-Za-z0-9_-]+)(\[[^\]]*\])?>=([^",]+)"'
    for name, extras, floor in re.findall(pattern, text):
        floors.setdefault(name.lower(), [])
        if floor not in floors[name.lower()]:
            floors[name.lower()].append(floor)
        if "distributed" in extras:  # dask[distributed] declares distributed too
            floors.setdefault("distributed", [floor])
    return {name: ", ".join(f">={f}" for f in found) for name, found in floors.items()}


def table(floor: dict, ceiling: dict, markdown: bool) -> str:
    promised = declared()
    rows = [("package", "extra", "declared", "tested floor", "tested newest")]
    for name, extra in PACKAGES:
        rows.append(
            (name, extra, promised.get(name, "?"), floor.get(name, "-"), ceiling.get(name, "-"))
        )
    if markdown:
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(1, "|" + "---|" * len(rows[0]))
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    rule = "  ".join("=" * w for w in widths)
    body = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join([rule, body[0], rule, *body[1:], rule])


def replace_between(text: str, start: str, end: str, block: str) -> str:
    i, j = text.index(start) + len(start), text.index(end)
    return text[:i] + "\n\n" + block + "\n\n" + text[j:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--floor", required=True, help="python of the floor venv")
    parser.add_argument("--ceiling", required=True, help="python of the newest venv")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    floor, ceiling = installed(args.floor), installed(args.ceiling)
    status = 0
    for target, (start, end) in TARGETS.items():
        path = ROOT / target
        text = path.read_text()
        new = replace_between(text, start, end, table(floor, ceiling, target.endswith(".md")))
        if args.write:
            path.write_text(new)
        elif args.check and new != text:
            current = text[text.index(start) : text.index(end)]
            stale_floor = any(
                f" {floor.get(name, '-')} " not in line
                for name, _ in PACKAGES
                for line in current.splitlines()
                if line.lstrip("| ").startswith(name + " ")
            )
            if stale_floor:
                print(f"{target}: the versions table does not name the tested floors; run make versions")
                status = 1
            else:
                print(f"{target}: newer releases than the table names were tested (make versions)")
    print(table(floor, ceiling, markdown=True))
    return status


if __name__ == "__main__":
    sys.exit(main())
