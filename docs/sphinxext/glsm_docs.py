"""Build-time helpers of the sklearn_glsm documentation (a local Sphinx extension).

* ``generated/benchmark_tables.md``: one page that includes every
  ``docs/benchmark_<name>.md`` the benchmark scripts wrote, so a new table
  appears in the site without editing a page, with a chart of each accuracy
  table (``generated/benchmark_<name>_chart.png``).
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
    "transfer": (
        "Transfer accuracy",
        "python -m benchmarks.report --csv benchmarks/results/transfer.csv --name transfer",
    ),
    "speed": ("Speed against a plain PyTorch loop", "python -m benchmarks.speed"),
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
_CELL = re.compile(r"([\d.]+) ± ([\d.]+) \(n=(\d+)\)")


# -- benchmark tables ---------------------------------------------------------------


def parse_accuracy_table(text: str) -> dict:
    """``{(section, column): [(method, mean, std, n), ...]}`` of a report.py table.

    Cells that are not ``mean ± std (n=N)`` (speed, memory tables) are skipped,
    so those tables give an empty dict.
    """
    results: dict = {}
    section, columns = "", []
    for line in text.splitlines():
        if line.startswith("#"):
            section, columns = line.lstrip("#").strip(), []
            continue
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not columns:
            columns = cells[1:]
            continue
        for column, cell in zip(columns, cells[1:], strict=False):
            match = _CELL.fullmatch(cell)
            if match:
                mean, std, n = float(match[1]), float(match[2]), int(match[3])
                results.setdefault((section, column), []).append((cells[0], mean, std, n))
    return results


def accuracy_chart(results: dict, path: Path) -> None:
    """One panel per (data set, k): each method's mean (dot) ± std (bar)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = list(results.items())
    n_rows = max(len(rows) for _, rows in panels)
    fig, axes = plt.subplots(
        1, len(panels), figsize=(6.5 * len(panels), 0.38 * n_rows + 1.4), squeeze=False
    )
    for ax, ((section, column), rows) in zip(axes[0], panels, strict=True):
        rows = sorted(rows, key=lambda row: row[1])
        names = [row[0] for row in rows]
        colors = [
            "tab:blue" if "GLSM" in name else "tab:orange" if name == "scratch" else "0.6"
            for name in names
        ]
        for i, ((_, mean, std, _), color) in enumerate(zip(rows, colors, strict=True)):
            ax.errorbar(mean, i, xerr=std, fmt="o", color=color, ms=7, capsize=4, lw=1.5)
            ax.text(mean, i + 0.22, f"{mean:.3f}", ha="center", va="bottom", fontsize=8)
        ax.set_yticks(range(len(rows)), names)
        ax.set_ylim(-0.6, len(rows) - 0.3)
        low = min(row[1] - row[2] for row in rows)
        high = max(row[1] + row[2] for row in rows)
        ax.set_xlim(max(0.0, low - 0.03), min(1.0, high + 0.03))
        n_seeds = sorted({row[3] for row in rows})
        ax.set_xlabel(f"test accuracy, mean ± std over {'/'.join(map(str, n_seeds))} seeds")
        ax.set_title(f"{section}, {column.replace('k=', 'k = ')} labels per class",
                     fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _rank(path: Path) -> int:
    name = path.stem.removeprefix("benchmark_")
    order = list(BENCHMARK_WRITERS)
    return order.index(name) if name in order else len(order)


def write_benchmark_tables(app=None) -> None:
    """Write ``generated/benchmark_tables.md`` and a chart of every accuracy table."""
    generated = DOCS / "generated"
    lines = [
        "# Benchmark tables",
        "",
        "Every table below is included verbatim from the file the benchmark script",
        "wrote into `docs/`; the charts are drawn from those tables when the docs are",
        "built. How each run was made, on which machine, and what the numbers mean",
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
        results = parse_accuracy_table(table.read_text())
        if results:
            chart = generated / f"{table.stem}_chart.png"
            accuracy_chart(results, chart)
            lines += [
                f"![{title}: mean ± std over seeds, per method]({chart.name})",
                "",
                "GLSM in blue, the same network without pretraining (scratch) in orange,",
                "classical baselines (after SNV) in grey; dot: mean over seeds, bar: ±1",
                "standard deviation.",
                "",
            ]
            # The script's own plot has k on its x axis: readable once several k exist.
            columns = {column for _, column in results}
            if len(columns) > 1 and table.with_suffix(".png").is_file():
                lines += [f"![{title} against k](../{table.stem}.png)", ""]
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
