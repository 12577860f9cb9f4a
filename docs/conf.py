"""Sphinx configuration of the sklearn_glsm documentation.

Build (from the repository root)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery executes every ``examples/plot_*.py``; the build needs no network.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs" / "sphinxext"))

import sklearn_glsm  # noqa: E402

# -- Project -------------------------------------------------------------------

project = "sklearn_glsm"
author = "sklearn_glsm developers"
copyright = "sklearn_glsm developers, BSD-3-Clause"
version = release = sklearn_glsm.__version__

# -- General -------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    # docs/sphinxext/glsm_docs.py: the benchmark-tables page, the api.rst check.
    "glsm_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    # Tables written by the benchmark scripts; generated/benchmark_tables.md and
    # the user guide include them, they are not pages of their own.
    "benchmark_*.md",
    # sphinx-gallery writes it to the source root; not part of the toctree.
    "sg_execution_times.rst",
]
templates_path = ["_templates"]
# `x` in docstrings is code, as in scikit-learn.
default_role = "literal"

# Markdown pages: ``#``-anchors for headings, ``$`` math.
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# -- API reference -----------------------------------------------------------------

autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Cross-references to the standard library, NumPy or scikit-learn would need
# intersphinx inventories (a download); types stay plain text.
numpydoc_xref_param_type = False

# -- Gallery -------------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    # From the quick start to the specialised examples (docs/sphinxext/glsm_docs.py).
    "within_subsection_order": "glsm_docs.GalleryOrder",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    # Link names in the examples' code to the API reference pages (newer
    # sphinx-gallery versions do this by default and ignore the setting).
    "reference_url": {"sklearn_glsm": None},
    "doc_module": ("sklearn_glsm",),
    "backreferences_dir": "generated/backreferences",
    # An example that raises fails the build.
    "abort_on_example_error": True,
}

# -- HTML ----------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_glsm {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_static_path = []
html_show_sourcelink = False
