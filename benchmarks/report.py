"""RESULTS.md, generated from the section files the suites write.

Every suite writes its section to ``benchmarks/RESULTS_sections/<key>.md``
(:func:`write_section`); ``RESULTS.md`` is then assembled from all the section
files (:func:`rebuild`, also ``python -m benchmarks report``), grouped by
topic (:data:`TOPICS`) and by key within a topic. Nothing in RESULTS.md is
kept by hand, so no section can go stale or appear twice.
"""

from __future__ import annotations

import re
from pathlib import Path

HEADER = (
    "# sklearn-l2m benchmark results\n\n"
    "Generated from `benchmarks/RESULTS_sections/` (`python -m benchmarks report`); do not "
    "edit by hand. Every section was written by the command it names; rerun it to "
    "reproduce. The sections are grouped by topic, the suites' summaries at the top.\n"
)
#: the page itself; its section files are in :func:`sections_dir`
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
        "One target with few labels, many related sources: TargetMix against target only, "
        "natural pooling, a tuned target weight and the other known alternatives.",
        ("transfer",),
    ),
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
        keys = sorted(  # by the topic's prefix order, then by key
            (k for k in blocks if topic_of(k) == index),
            key=lambda k: (next((i for i, p in enumerate(prefixes) if k.startswith(p)), 0), k),
        )
        if not keys:
            continue
        parts.append(f"## {heading}\n\n{what}\n")
        parts += [f"<!-- section:{k} -->\n{blocks[k].rstrip()}\n<!-- end:{k} -->\n" for k in keys]
    return "\n".join(parts)


def sections_dir(path: Path) -> Path:
    """The folder of ``path``'s section files: ``RESULTS.md`` -> ``RESULTS_sections/``."""
    path = Path(path)
    return path.parent / f"{path.stem}_sections"


def _file_name(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in key) + ".md"


def read_sections(folder: Path) -> dict:
    """key -> section text, from the section files of one page."""
    out = {}
    for file in sorted(Path(folder).glob("*.md")):
        text = file.read_text()
        key, _, body = text.partition("\n")
        out[key.removeprefix("<!-- key:").removesuffix(" -->")] = body
    return out


def rebuild(path: Path) -> None:
    """Write ``path`` from its section files alone."""
    path = Path(path)
    path.write_text(assemble(read_sections(sections_dir(path))))


def write_section(path: Path, key: str, title: str, body: str) -> None:
    """Write (or replace) the section file ``key`` of page ``path``, then rebuild the page."""
    folder = sections_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    text = f"<!-- key:{key} -->\n### {title}\n\n{_demote(body.rstrip())}\n"
    (folder / _file_name(key)).write_text(text)
    rebuild(path)
