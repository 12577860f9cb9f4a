"""Sphinx configuration of the sklearn_glsm documentation.

Build (from the repository root)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery executes every ``examples/plot_*.py``; the build needs no network.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    # Tables written by benchmarks/report.py and benchmarks/speed.py; they are
    # included into benchmarks.md, not pages of their own.
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

# scikit-learn's metadata-routing and set_output methods are inherited by every
# estimator; their docstrings point into scikit-learn's own documentation, and
# scikit-learn documents them.
_SKLEARN_PLUMBING = re.compile(r"set_\w+_request|get_metadata_routing|set_output")


def skip_sklearn_plumbing(app, what, name, obj, skip, options):
    """Leave scikit-learn's metadata-routing methods out of the API pages."""
    return True if _SKLEARN_PLUMBING.fullmatch(name) else None


# -- Gallery -------------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    # Link function names in the examples to the API reference pages.
    "reference_url": {"sklearn_glsm": None},
    "doc_module": ("sklearn_glsm",),
    "backreferences_dir": "generated/backreferences",
    # An example that raises fails the build.
    "abort_on_example_error": True,
}

# -- Benchmark tables ------------------------------------------------------------
# benchmarks/report.py, speed.py and memory.py write docs/benchmark_<name>.md (and
# a .png for the accuracy tables). A page that includes every one of them is
# generated here, so a new table appears in the site without editing a page.

DOCS = Path(__file__).resolve().parent
BENCHMARK_WRITERS = {
    "semi_supervised": ("Semi-supervised accuracy", "python -m benchmarks.report"),
    "transfer": (
        "Transfer accuracy",
        "python -m benchmarks.report --csv benchmarks/results/transfer.csv --name transfer",
    ),
    "speed": ("Speed against a plain PyTorch loop", "python -m benchmarks.speed"),
    "memory": ("Peak memory on a memory-mapped data set", "python -m benchmarks.memory"),
}


def write_benchmark_tables():
    """Write ``generated/benchmark_tables.md``, including every ``benchmark_*.md``."""
    lines = [
        "# Benchmark tables",
        "",
        "Every table below is included verbatim from the file the benchmark script",
        "wrote into `docs/`. How each run was made, on which machine, and what the",
        "numbers mean is on the {doc}`/benchmarks` page.",
        "",
    ]
    order = list(BENCHMARK_WRITERS)  # accuracy first, then cost; unknown tables last
    tables = sorted(
        DOCS.glob("benchmark_*.md"),
        key=lambda path: (order.index(path.stem[10:]) if path.stem[10:] in order else 99, path),
    )
    for table in tables:
        name = table.stem.removeprefix("benchmark_")
        title, command = BENCHMARK_WRITERS.get(
            name, (name.replace("_", " ").capitalize(), f"a script in benchmarks/ ({table.name})")
        )
        lines += [
            f"## {title}",
            "",
            f"Written to `docs/{table.name}` by `{command}`.",
            "",
            "```{include} ../" + table.name,
            "```",
            "",
        ]
        if table.with_suffix(".png").is_file():
            lines += [f"![{title}](../{table.stem}.png)", ""]
    out = DOCS / "generated" / "benchmark_tables.md"
    out.parent.mkdir(exist_ok=True)
    text = "\n".join(lines)
    if not out.is_file() or out.read_text() != text:  # unchanged: no rebuild
        out.write_text(text)


write_benchmark_tables()

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


PUBLIC_MODULES = [
    "sklearn_glsm",
    "sklearn_glsm.augmentation",
    "sklearn_glsm.datasets",
    "sklearn_glsm.nn",
    "sklearn_glsm.plotting",
    "sklearn_glsm.preprocessing",
    "sklearn_glsm.pretext",
]


def check_api_reference(app):
    """Warn (an error with ``-W``) about public names that api.rst leaves out."""
    import importlib

    from sphinx.util import logging

    text = (DOCS / "api.rst").read_text()
    listed = set(re.findall(r"^   (\w+)$", text, flags=re.MULTILINE))
    listed |= set(re.findall(r"^\.\. data:: (\w+)$", text, flags=re.MULTILINE))
    for module in PUBLIC_MODULES:
        missing = sorted(
            name
            for name in importlib.import_module(module).__all__
            if name not in listed and not name.startswith("__")
        )
        if missing:
            logging.getLogger(__name__).warning(
                f"docs/api.rst does not list {module}.{{{', '.join(missing)}}}"
            )


def setup(app):
    app.connect("autodoc-skip-member", skip_sklearn_plumbing)
    app.connect("builder-inited", check_api_reference)
