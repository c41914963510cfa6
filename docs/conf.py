"""Sphinx configuration: numpydoc API pages, a sphinx-gallery of the examples,
RESULTS.md rendered by MyST, and MathJax served with the site (no network)."""

import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("sphinxext"))
import jupyter_server_mathjax  # noqa: E402  (MathJax 2 files, shipped on PyPI)

import sklearn_l2m  # noqa: E402

project = "sklearn-l2m"
author = "sklearn-l2m developers"
copyright = "2026, sklearn-l2m developers (BSD-3-Clause)"
release = sklearn_l2m.__version__
version = release
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = [
    "_build", "auto_examples/*.ipynb", "auto_examples/*.py", "sphinxext",
    "broad_guide.md",  # included by choosing.md
]  # fmt: skip
intersphinx_mapping = {}  # offline build: no inventories are fetched
# RESULTS.md opens with HTML comments that mark its sections; MyST keeps them as raw HTML
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-l2m {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# the section navigation only where there is a section to navigate (API, gallery)
html_sidebars = {
    page: []
    for page in (
        "index getting_started user_guide choosing promises dask data benchmarks paper "
        "changelog "
        "auto_examples/*"
    ).split()
}

# MathJax from the site itself: a reader offline still sees rendered formulas.
MATHJAX_SOURCE = Path(jupyter_server_mathjax.__file__).parent / "static"
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "download_all_examples": False,
    "within_subsection_order": "gallery_order.QuickStartFirst",
    # "Examples using this class" on every API page
    "doc_module": ("sklearn_l2m",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"sklearn_l2m": None},
    # its timing page loads DataTables from a CDN; the site must read offline
    "write_computation_times": False,
}


# Docstrings inherited from scikit-learn (score, get_metadata_routing) point at
# labels of scikit-learn's own documentation: link them there.
SKLEARN_DOCS = "https://scikit-learn.org/stable/"
SKLEARN_LABELS = {
    "metadata_routing": "metadata_routing.html",
    "accuracy_score": "modules/model_evaluation.html#accuracy-score",
    "r2_score": "modules/model_evaluation.html#r2-score",
}


def _link_sklearn_label(app, env, node, contnode):
    target = node.get("reftarget")
    if node.get("reftype") != "ref" or target not in SKLEARN_LABELS:
        return None
    from docutils import nodes

    text = contnode.astext() if contnode is not None else target
    link = nodes.reference("", "", internal=False, refuri=SKLEARN_DOCS + SKLEARN_LABELS[target])
    link += nodes.inline(text, text)
    return link


def _copy_mathjax(app, exception):
    if exception is None and app.builder.format == "html":
        shutil.copytree(
            MATHJAX_SOURCE, Path(app.outdir) / "_static" / "mathjax", dirs_exist_ok=True
        )


def setup(app):
    app.connect("build-finished", _copy_mathjax)
    app.connect("missing-reference", _link_sklearn_label)
