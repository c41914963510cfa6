"""Keep several benchmark scripts' results in one Markdown file, a section each.

The file is grouped by topic (:data:`TOPICS`), whatever order the commands ran
in: every write puts each section under its topic's heading, keeping the
sections' own order within a topic.
"""

from __future__ import annotations

import re
from pathlib import Path

HEADER = (
    "# sklearn-l2m benchmark results\n\n"
    "Every section below was written by the command it names; rerun it to reproduce. "
    "The sections are grouped by topic, the broad suite's summary at the top.\n"
)
#: (heading, what it answers, section-key prefixes), in the page's order
TOPICS = [
    (
        "What helps: the broad suite",
        "Many real data sets, four model families, paired seeds: the evidence behind the "
        "defaults and the configuration guide.",
        ("suite-broad",),
    ),
    (
        "Quality on the project's own tasks",
        "Long-tailed digits, wine, MNIST-1D, Fashion-MNIST and HIV, every strategy; and the "
        "studies that chose each knob.",
        ("suite-", "defaults-"),
    ),
    ("The paper", "The Learn2Mix paper's own row, reproduced.", ("paper",)),
    ("Bioassay mixing", "MixMin and friends on MoleculeACE's targets.", ("bioassay",)),
    (
        "Overhead and scaling",
        "Time and memory against the plain model, by family, budget and rows; Dask.",
        ("overhead-", "distributed"),
    ),
]
_SECTION = re.compile(
    r"<!-- section:(?P<key>[^ ]+) -->\n(?P<body>.*?)<!-- end:(?P=key) -->\n", re.S
)
_HEADING = re.compile(r"^(#{2,5}) ", re.M)


def topic_of(key: str) -> int:
    """The first topic with a prefix of ``key`` (the last topic when none has one)."""
    for index, (_, _, prefixes) in enumerate(TOPICS):
        if any(key.startswith(p) for p in prefixes):
            return index
    return len(TOPICS) - 1


def _demote(text: str) -> str:
    """Every Markdown heading outside code fences one level down."""
    out, fenced = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and _HEADING.match(line):
            line = "#" + line
        out.append(line)
    return "".join(out)


def _demoted(body: str) -> str:
    """A section written with ``## title`` (the old layout) as ``### title``."""
    return _demote(body) if body.startswith("## ") else body


def sections(text: str) -> dict:
    """key -> the section's text (title line first), in the file's order."""
    return {m["key"]: _demoted(m["body"]) for m in _SECTION.finditer(text)}


def assemble(blocks: dict) -> str:
    parts = [HEADER]
    for index, (heading, what, _) in enumerate(TOPICS):
        prefixes = TOPICS[index][2]
        keys = sorted(  # by the topic's prefix order, stable within a prefix
            (k for k in blocks if topic_of(k) == index),
            key=lambda k: next((i for i, p in enumerate(prefixes) if k.startswith(p)), 0),
        )
        if not keys:
            continue
        parts.append(f"## {heading}\n\n{what}\n")
        parts += [f"<!-- section:{k} -->\n{blocks[k].rstrip()}\n<!-- end:{k} -->\n" for k in keys]
    return "\n".join(parts)


def write_section(path: Path, key: str, title: str, body: str) -> None:
    """Replace (or add) the section ``key`` of ``path``, keeping the others, grouped by topic."""
    path = Path(path)
    blocks = sections(path.read_text()) if path.exists() else {}
    blocks[key] = f"### {title}\n\n{_demote(body.rstrip())}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(assemble(blocks))
