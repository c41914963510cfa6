"""Sphinx configuration: numpydoc API pages and a sphinx-gallery of the examples."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
import sklearn_l2m  # noqa: E402

project = "sklearn-l2m"
author = "sklearn-l2m developers"
copyright = "2026, sklearn-l2m developers (BSD-3-Clause)"
release = sklearn_l2m.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "alabaster"
intersphinx_mapping = {}  # offline build: no inventories are fetched
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
}
