"""Build-time helpers of the sklearn_glsm documentation (a local Sphinx extension).

* ``generated/benchmark_tables.md``: one page that includes every
  ``docs/benchmark_<name>.md`` the benchmark scripts wrote, so a new table
  appears in the site without editing a page, with the plot
  (``docs/benchmark_<name>.png``) the same script drew.
* A warning (an error with ``-W``) for every public name, in the ``__all__``
  of a public module, that ``api.rst`` does not list.
* :class:`GalleryOrder`, the order of the gallery examples.
* scikit-learn's metadata-routing and ``set_output`` methods are left out of
  the API pages: their docstrings point into scikit-learn's own documentation,
  which documents them.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

DOCS = Path(__file__).resolve().parents[1]

# benchmark_<name>.md: (section title, the command that writes the file), in page order.
BENCHMARK_WRITERS = {
    "semi_supervised": ("Semi-supervised accuracy", "python -m benchmarks.report"),
    "semi_supervised_derivative_0": (
        "Semi-supervised accuracy on the spectrum alone (derivative=0, the earlier default)",
        "python -m benchmarks.report --csv benchmarks/results/semi_supervised_derivative_0.csv "
        "--name semi_supervised_derivative_0",
    ),
    "label_curve": (
        "Semi-supervised accuracy at more labels per class (GLSM and the classical methods)",
        "python -m benchmarks.report --csv benchmarks/results/semi_supervised_label_curve.csv "
        "--name label_curve",
    ),
    "transfer": (
        "Transfer accuracy",
        "python -m benchmarks.report --csv benchmarks/results/transfer.csv --name transfer",
    ),
    "transfer_derivative_0": (
        "Transfer accuracy on the spectrum alone (derivative=0, the earlier default)",
        "python -m benchmarks.report --csv benchmarks/results/transfer_derivative_0.csv "
        "--name transfer_derivative_0",
    ),
    "speed": ("Speed against a plain PyTorch loop", "python -m benchmarks.speed"),
    "data_loading": ("Data loading: per row against whole batches",
                     "python -m benchmarks.data_loading"),
    "memory": ("Peak memory on a memory-mapped data set", "python -m benchmarks.memory"),
}

PUBLIC_MODULES = [
    "sklearn_glsm",
    "sklearn_glsm.augmentation",
    "sklearn_glsm.datasets",
    "sklearn_glsm.nn",
    "sklearn_glsm.plotting",
    "sklearn_glsm.preprocessing",
    "sklearn_glsm.pretext",
]

_SKLEARN_PLUMBING = re.compile(r"set_\w+_request|get_metadata_routing|set_output")


# -- benchmark tables ---------------------------------------------------------------


def _rank(path: Path) -> int:
    name = path.stem.removeprefix("benchmark_")
    order = list(BENCHMARK_WRITERS)
    return order.index(name) if name in order else len(order)


def write_benchmark_tables(app=None) -> None:
    """Write ``generated/benchmark_tables.md``: every table, with its plot when there is one."""
    generated = DOCS / "generated"
    lines = [
        "# Benchmark tables",
        "",
        "Every table below is included verbatim from the file the benchmark script",
        "wrote into `docs/`, with the plot it drew. How each run was made, on which",
        "machine, and what the numbers mean",
        "is on the {doc}`/benchmarks` page.",
        "",
    ]
    for table in sorted(DOCS.glob("benchmark_*.md"), key=lambda path: (_rank(path), path)):
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
        chart = table.with_suffix(".png")
        if chart.is_file():
            lines += [f"![{title}](../{chart.name})", ""]
    out = generated / "benchmark_tables.md"
    out.parent.mkdir(exist_ok=True)
    text = "\n".join(lines)
    if not out.is_file() or out.read_text() != text:  # unchanged: no rebuild
        out.write_text(text)


# -- gallery ----------------------------------------------------------------------------

GALLERY_ORDER = [
    "plot_quick_start.py",
    "plot_semi_supervised.py",
    "plot_transfer.py",
    "plot_grid_search.py",
    "plot_denoising.py",
]


class GalleryOrder:
    """Sort key of the gallery: from the quick start to the specialised examples.

    Examples not in ``GALLERY_ORDER`` follow, by file name.
    """

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = Path(filename).name
        rank = GALLERY_ORDER.index(name) if name in GALLERY_ORDER else len(GALLERY_ORDER)
        return (rank, name)

    def __repr__(self):
        return f"<{type(self).__name__}>"


# -- API reference ------------------------------------------------------------------


def check_api_reference(app) -> None:
    """Warn about public names that ``api.rst`` leaves out."""
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
            logger.warning(f"docs/api.rst does not list {module}.{{{', '.join(missing)}}}")


def skip_sklearn_plumbing(app, what, name, obj, skip, options):
    """Leave scikit-learn's metadata-routing methods out of the API pages."""
    return True if _SKLEARN_PLUMBING.fullmatch(name) else None


def setup(app):
    app.connect("builder-inited", write_benchmark_tables)
    app.connect("builder-inited", check_api_reference)
    app.connect("autodoc-skip-member", skip_sklearn_plumbing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
