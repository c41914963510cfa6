"""RESULTS.md: one committed page of keyed sections, each written by its suite.

Every section sits between ``<!-- section:KEY -->`` and ``<!-- end:KEY -->``.
A suite replaces its own section (:func:`write_section`): the page is read,
split into its sections (:func:`sections`), the one key replaced and the page
assembled again, grouped by topic (:data:`TOPICS`) and by key within a topic,
under a file lock so that two suites finishing together keep both sections.
The page is the only copy: nothing is kept by hand or twice, and
``python -m benchmarks report`` only re-sorts it.
"""

from __future__ import annotations

import fcntl
import re
from contextlib import contextmanager
from pathlib import Path

HEADER = (
    "# sklearn-l2m benchmark results\n\n"
    "Every section was written by the suite it names (`python -m benchmarks SUITE`); do "
    "not edit by hand. Rerun a section's command to "
    "reproduce. The sections are grouped by topic, the suites' summaries at the top.\n"
)
#: the page; the suites' sections are its only copy
RESULTS = Path("benchmarks/RESULTS.md")
#: (heading, what it answers, section-key prefixes), in the page's order
TOPICS = [
    (
        "What helps: the broad and grouped suites",
        "Many real data sets, four model families, paired seeds: the evidence behind the "
        "defaults and the configuration guide, for classes and for groups.",
        ("suite-broad", "suite-grouped"),
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
        "Mixing for a target",
        "One target with few labels, many related sources: TargetBlend and TargetMix against "
        "target only, natural pooling, a tuned target weight and the other known alternatives.",
        ("transfer",),
    ),
    (
        "Overhead and scaling",
        "Time and memory against the plain model, by family, budget and rows; Dask.",
        ("overhead-", "distributed"),
    ),
]
_SECTION = re.compile(
    r"<!-- section:(?P<key>[^\n]+?) -->\n(?P<body>.*?)<!-- end:(?P=key) -->\n", re.S
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
        keys = sorted(  # by the topic's prefix order, then by key
            (k for k in blocks if topic_of(k) == index),
            key=lambda k: (next((i for i, p in enumerate(prefixes) if k.startswith(p)), 0), k),
        )
        if not keys:
            continue
        parts.append(f"## {heading}\n\n{what}\n")
        parts += [f"<!-- section:{k} -->\n{blocks[k].rstrip()}\n<!-- end:{k} -->\n" for k in keys]
    return "\n".join(parts)


@contextmanager
def _locked(path: Path):
    """Hold an exclusive lock beside ``path`` (suites may finish at the same time)."""
    lock = Path(path).with_suffix(".lock")
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_page(path: Path) -> dict:
    """key -> section text of page ``path`` (empty when the page does not exist)."""
    path = Path(path)
    return sections(path.read_text()) if path.exists() else {}


def rebuild(path: Path) -> None:
    """Write ``path`` again from its own sections, in the topics' order."""
    with _locked(path):
        Path(path).write_text(assemble(read_page(path)))


def write_section(path: Path, key: str, title: str, body: str) -> None:
    """Write (or replace) section ``key`` of page ``path``; the others are kept."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        blocks = read_page(path)
        blocks[key] = f"### {title}\n\n{_demote(body.rstrip())}\n"
        path.write_text(assemble(blocks))
