"""Keep several benchmark scripts' results in one Markdown file, a section each."""

from __future__ import annotations

import re
from pathlib import Path

HEADER = (
    "# sklearn-l2m benchmark results\n\n"
    "Every section below was written by the command it names; rerun it to reproduce.\n"
)


def write_section(path: Path, key: str, title: str, body: str) -> None:
    """Replace (or append) the section ``key`` of ``path``, keeping the others."""
    path = Path(path)
    text = path.read_text() if path.exists() else HEADER
    block = f"<!-- section:{key} -->\n## {title}\n\n{body.rstrip()}\n<!-- end:{key} -->\n"
    pattern = re.compile(rf"<!-- section:{key} -->.*?<!-- end:{key} -->\n", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
