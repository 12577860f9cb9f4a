"""Turn benchmark CSVs into the markdown tables and plots in ``docs/``.

python -m benchmarks.report [--csv benchmarks/results/semi_supervised.csv]
python -m benchmarks.report --compare A.csv:METHOD B.csv:METHOD ...
python -m benchmarks.report --compare A.csv:GLSM "A.csv:GLSM@raman_saliva_pd_ad"
python -m benchmarks.report --csv A.csv B.csv --methods GLSM classical --name label_curve
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from .protocol import classical_baselines
from .run import RESULTS

DOCS = Path(__file__).resolve().parents[1] / "docs"
CLASSICAL = list(classical_baselines(n_labeled=2, seed=0))  # the protocol's names
# The accuracy targets at k = 5 (mean over seeds 0-4).
TARGET_K5 = {"ftir_villegas_c4": 0.95, "raman_saliva_covid": 0.59, "ftir_kedzierski": 0.92}
# The k = 1 target: this far above the best classical method.
K1_MARGIN = 0.10


def k_order(ks) -> list[str]:
    """Labels per class in reading order: the numbers ascending, then ``"all"``."""
    ks = {str(k) for k in ks}
    return sorted(ks - {"all"}, key=int) + (["all"] if "all" in ks else [])


def summary(df: pd.DataFrame, metric: str = "accuracy") -> pd.DataFrame:
    """Mean ± std over seeds of each (dataset, k, method), with the seed count and,
    in ``by_seed``, the values themselves as a ``{seed: value}`` dict (for the
    targets' seed-by-seed comparisons)."""
    g = df.groupby(["dataset", "k", "method"])
    out = g[metric].agg(["mean", "std", "count"]).reset_index()
    out["by_seed"] = [dict(zip(part["seed"], part[metric], strict=True))
                      for _, part in g]
    out["k"] = pd.Categorical(out["k"].astype(str), k_order(out["k"]), ordered=True)
    return out.sort_values(["dataset", "k", "mean"], ascending=[True, True, False])


def markdown(table: pd.DataFrame) -> str:
    """One markdown table per data set: methods as rows, k as columns."""
    lines = []
    for dataset, part in table.groupby("dataset", observed=True):
        ks = k_order(part["k"].astype(str))
        lines += [f"### {dataset}", "", "| method | " + " | ".join(f"k={k}" for k in ks) + " |",
                  "|---|" + "---|" * len(ks)]
        for method, rows in part.groupby("method", observed=True):
            cells = []
            for k in ks:
                r = rows[rows["k"].astype(str) == k]
                if r.empty:
                    cells.append("")
                    continue
                r = r.iloc[0]
                std = 0.0 if np.isnan(r["std"]) else r["std"]
                cells.append(f"{r['mean']:.3f} ± {std:.3f} (n={int(r['count'])})")
            lines.append(f"| {method} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


# Means of the CSV's 4-decimal accuracies that are equal can differ in their last
# float bits; differences below this (far below 1e-4 / n_seeds) are ties.
TIE = 1e-9


def _best_classical(part: pd.DataFrame) -> pd.Series:
    rows = part[part["method"].isin(CLASSICAL)]
    return rows.loc[rows["mean"].idxmax()]


def ahead(ours: pd.Series, theirs: pd.Series, margin: float = 0.0) -> str:
    """On how many of the seeds both rows of :func:`summary` have ``ours`` is more
    than ``margin`` above ``theirs``: ``"ahead on 3/5 seeds"``. A mean a point
    apart over five seeds may be one seed's luck; this says so."""
    shared = ours["by_seed"].keys() & theirs["by_seed"].keys()
    wins = sum(ours["by_seed"][s] - theirs["by_seed"][s] > margin + TIE for s in shared)
    return f"{'ahead' if not margin else f'{margin:.2f} ahead'} on {wins}/{len(shared)} seeds"


def target_rows(table: pd.DataFrame, method: str = "GLSM") -> list[dict]:
    """The issue's targets for ``method``: one dict per target with ``what``,
    ``measured``, ``met``, and ``k`` for the "not below the best classical"
    ones (``None`` for the others).

    For transfer tables (data sets named ``A->B``) the target is to beat the
    same network without pretraining at k = 5.
    """
    rows = []

    def add(what: str, measured: str, ok: bool, k: str | None = None) -> None:
        rows.append({"what": what, "measured": measured, "met": bool(ok), "k": k})

    for dataset, part in table.groupby("dataset", observed=True):
        part = part.assign(k=part["k"].astype(str))
        if "->" in dataset:
            k5 = part[part["k"] == "5"].set_index("method")
            if {"GLSM transfer", "scratch"} <= set(k5.index):
                ours, theirs = k5.loc["GLSM transfer"], k5.loc["scratch"]
                # A tie does not beat (see TIE).
                add(f"{dataset}, k=5: pretraining beats the network from scratch",
                    f"{ours['mean']:.3f} vs {theirs['mean']:.3f} ({ahead(ours, theirs)})",
                    ours["mean"] - theirs["mean"] > TIE)
            continue
        for k in k_order(part["k"]):
            at_k = part[part["k"] == k]
            ours = at_k[at_k["method"] == method]
            if ours.empty or not at_k["method"].isin(CLASSICAL).any():
                continue
            ours = ours.iloc[0]
            mean, best = ours["mean"], _best_classical(at_k)
            seeds = f"n={int(ours['count'])}"
            if k == "5" and dataset in TARGET_K5:
                add(f"{dataset}, k=5: {method} ≥ {TARGET_K5[dataset]:.2f}",
                    f"{mean:.3f} ({seeds})", mean >= TARGET_K5[dataset] - TIE)
            if k == "1":
                add(f"{dataset}, k=1: ≥ best classical + {K1_MARGIN:.2f}",
                    f"{mean:.3f} vs {best['method']} {best['mean']:.3f} "
                    f"({seeds}; {ahead(ours, best, K1_MARGIN)})",
                    mean >= best["mean"] + K1_MARGIN - TIE)
            add(f"{dataset}, k={k}: not below the best classical",
                f"{mean:.3f} vs {best['method']} {best['mean']:.3f} "
                f"({seeds}; {ahead(ours, best)})",
                mean >= best["mean"] - TIE, k)
    return rows


def targets(table: pd.DataFrame, method: str = "GLSM") -> str:
    """The issue's targets (:func:`target_rows`) as a markdown table, met / missed."""
    lines = ["| target | measured | |", "|---|---|---|"]
    lines += [f"| {r['what']} | {r['measured']} | {'met' if r['met'] else '**missed**'} |"
              for r in target_rows(table, method)]
    return "\n".join(lines) + "\n"


def below_classical(table: pd.DataFrame, method: str) -> str:
    """How many cells ``method`` is below the best classical method in, in all and
    with k below "all" ("" for tables without classical rows, the transfer pairs)."""
    cells = [r for r in target_rows(table, method) if r["k"] is not None]
    if not cells:
        return ""
    few = [r for r in cells if r["k"] != "all"]
    ks = ", ".join(k_order(r["k"] for r in few))
    return (f"{method}: below the best classical method in "
            f"{sum(not r['met'] for r in cells)} of {len(cells)} cells; "
            f"{sum(not r['met'] for r in few)} of {len(few)} with k = {ks}")


def _first_reaching(rows: pd.DataFrame, level: float, named: bool = False) -> str:
    """The smallest k of ``rows`` (sorted by k: one method's, or the best method's
    of each k, ``named``) whose mean reaches ``level``: ``"k=10 (0.952)"``,
    ``"k=all (LR 0.999)"``; or the best measured when none does."""
    reached = rows[rows["mean"] >= level - TIE]
    r = reached.iloc[0] if not reached.empty else rows.loc[rows["mean"].idxmax()]
    value = f"{r['method']} {r['mean']:.3f}" if named else f"{r['mean']:.3f}"
    if reached.empty:
        return f"at no k measured (best {value}, k={r['k']})"
    return f"k={r['k']} ({value})"


def labels_needed(table: pd.DataFrame, method: str = "GLSM") -> str:
    """For each accuracy target, the fewest labels per class at which ``method``,
    and at which the best classical method of each k, reaches it, over the k the
    table measured.

    The targets are the k = 5 level of :data:`TARGET_K5` and the k = 1 one, the
    best classical method at k = 1 plus :data:`K1_MARGIN`. A target asked at k = 5 that is
    first reached at k = 10 asks of five labels what twice as many give. ""
    for tables without such targets (the transfer pairs).
    """
    lines = []
    for dataset, part in table.groupby("dataset", observed=True):
        if "->" in dataset or not part["method"].isin(CLASSICAL).any():
            continue
        ours = part[part["method"] == method].sort_values("k")
        if ours.empty:
            continue
        # The best classical row of each k that has one, in k's order.
        best = pd.DataFrame([_best_classical(at_k) for _, at_k in part.groupby("k", observed=True)
                             if at_k["method"].isin(CLASSICAL).any()])
        levels = []
        if dataset in TARGET_K5:
            levels.append((TARGET_K5[dataset], f"{TARGET_K5[dataset]:.2f}, asked at k=5"))
        at_1 = best[best["k"].astype(str) == "1"]
        if not at_1.empty:
            level = at_1["mean"].iloc[0] + K1_MARGIN
            levels.append((level, f"{level:.3f} (best classical + {K1_MARGIN:.2f}), "
                           "asked at k=1"))
        for level, what in levels:
            lines.append(f"| {dataset} | {what} | {_first_reaching(ours, level)} | "
                         f"{_first_reaching(best, level, named=True)} |")
    if not lines:
        return ""
    return "\n".join([f"| data set | target | {method} reaches it at | the best classical "
                      "method at |", "|---|---|---|---|", *lines]) + "\n"


def _color(method: str) -> str:
    if "GLSM" in method:
        return "tab:blue"
    return "tab:orange" if method.startswith("scratch") else "0.55"


def _against_k(ax, part: pd.DataFrame) -> None:
    """Accuracy against labels per class, one line per method (the k measured
    evenly spaced)."""
    ks = k_order(part["k"].astype(str))
    for method, rows in part.groupby("method", observed=True):
        rows = rows.sort_values("k")
        x = [ks.index(str(k)) for k in rows["k"]]
        style = "-o" if method.startswith("GLSM") else "--."
        ax.errorbar(x, rows["mean"], yerr=rows["std"].fillna(0), fmt=style, capsize=3,
                    label=method)
    ax.set_xticks(range(len(ks)), ks)
    ax.set_xlabel("labeled spectra per class (k)")
    ax.set_ylabel("test accuracy (mean ± std over seeds)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def _dots(ax, part: pd.DataFrame) -> None:
    """One k only: each method's mean (dot) ± std (bar), sorted, methods named on the axis."""
    rows = part.sort_values("mean")
    for i, (_, r) in enumerate(rows.iterrows()):
        std = 0.0 if np.isnan(r["std"]) else r["std"]
        ax.errorbar(r["mean"], i, xerr=std, fmt="o", color=_color(r["method"]), ms=7,
                    capsize=4, lw=1.5)
        ax.text(r["mean"], i + 0.22, f"{r['mean']:.3f}", ha="center", va="bottom", fontsize=8)
    ax.set_yticks(range(len(rows)), rows["method"])
    ax.set_ylim(-0.6, len(rows) - 0.3)
    seeds = "/".join(str(n) for n in sorted(rows["count"].unique()))
    ax.set_xlabel(f"test accuracy, mean ± std over {seeds} seeds")
    ax.grid(axis="x", alpha=0.3)


def plot(table: pd.DataFrame, path: Path) -> None:
    """One panel per data set: accuracy against k, or a dot chart while one k is measured.

    In the dot chart GLSM is blue, the same network without pretraining
    (scratch) orange and the classical baselines grey.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = sorted(table["dataset"].unique())
    n_methods = table.groupby("dataset", observed=True)["method"].nunique().max()
    fig, axes = plt.subplots(1, len(datasets), squeeze=False,
                             figsize=(6 * len(datasets), max(4.0, 0.4 * n_methods + 1.4)))
    for ax, dataset in zip(axes[0], datasets, strict=True):
        part = table[table["dataset"] == dataset]
        ks = part["k"].astype(str).unique()
        if len(ks) > 1:
            _against_k(ax, part)
            ax.set_title(dataset)
        else:
            _dots(ax, part)
            ax.set_title(f"{dataset}, k = {ks[0]} labels per class", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compare(columns: list[tuple[Path, str, str]], value: str = "accuracy") -> str:
    """Mean ``value`` (a CSV column: accuracy, fit_seconds) of methods from one or
    several CSVs side by side, per data set and k.

    ``columns`` are (CSV, method, pool) triples; pool ``""`` takes the rows
    pretrained on the protocol's spectra, any other the rows of
    ``benchmarks.run --extra-pool`` with those sets (``"a+b"`` for rows named
    ``"<data set> +a+b"``), shown under the data set's own name. Every column
    after the first also says on how many seeds it beats the first column on
    the same split (cells both measured), e.g. ``0.488 (4/5)``; with another
    ``value`` the means alone. For accuracy a last row sums, per column after
    the first, its difference to the first in points over the cells with
    k ≤ 10 both measured (from the unrounded means, so it can differ from the
    sum of the rounded ones by a tenth).
    """
    digits = ".3f" if value == "accuracy" else ".1f"  # seconds to a tenth
    frames = []
    for path, method, pool in columns:
        df = pd.read_csv(path, dtype={"k": str, "seed": str})
        parts = df["dataset"].str.partition(" +")  # columns: name, " +", pool
        df = df.assign(dataset=parts[0])[(df["method"] == method) & (parts[2] == pool)]
        frames.append(df.set_index(["dataset", "k", "seed"])[value])
    heads = [f"{m}{' +' + x if x else ''} ({Path(p).stem})" for p, m, x in columns]
    lines = ["| data set | k | " + " | ".join(heads) + " |", "|---|---|" + "---|" * len(heads)]
    groups = [{dk: g.droplevel([0, 1]) for dk, g in f.groupby(level=["dataset", "k"])}
              for f in frames]
    order = k_order(k for _, k in set().union(*groups))
    cells = sorted(set().union(*groups), key=lambda dk: (dk[0], order.index(dk[1])))
    sums = [0.0] * len(groups)
    for dataset, k in cells:
        parts = [g.get((dataset, k), pd.Series(dtype=float)) for g in groups]
        row = []
        for i, part in enumerate(parts):
            text = format(part.mean(), digits) if len(part) else ""
            if i and len(part) and value == "accuracy":
                shared = part.index.intersection(parts[0].index)
                wins = int((part[shared] > parts[0][shared]).sum())
                text += f" ({wins}/{len(shared)})"
                if k != "all" and int(k) <= 10 and len(parts[0]):
                    sums[i] += 100 * (part.mean() - parts[0].mean())
            row.append(text)
        lines.append(f"| {dataset} | {k} | " + " | ".join(row) + " |")
    if value == "accuracy" and len(groups) > 1:
        lines.append("| sum, k ≤ 10 | points vs the first | | "
                     + " | ".join(f"{x:+.1f}" for x in sums[1:]) + " |")
    return "\n".join(lines) + "\n"


def _column(spec: str) -> tuple[Path, str, str]:
    path, sep, method = spec.rpartition(":")  # a Windows path may hold a drive colon
    if not sep or not method:
        raise argparse.ArgumentTypeError(f"{spec!r} is not CSV:METHOD[@POOL]")
    method, _, pool = method.partition("@")
    return Path(path), method, pool


def main(argv=None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--csv", type=Path, nargs="+", default=[RESULTS / "semi_supervised.csv"],
                   help="one or several benchmark CSVs, read as one (runs of other k, say)")
    p.add_argument("--name", default="semi_supervised")
    p.add_argument("--methods", nargs="+", metavar="METHOD",
                   help="only these methods ('classical': the six baselines)")
    p.add_argument("--compare", nargs="+", type=_column, metavar="CSV:METHOD[@POOL]",
                   help="only print these methods side by side (mean accuracy; after the "
                   "first, on how many seeds each beats it), e.g. "
                   "'benchmarks/results/transfer.csv:GLSM transfer'; @POOL takes the rows "
                   "pretrained with --extra-pool POOL (names joined by '+')")
    p.add_argument("--value", choices=["accuracy", "fit_seconds"], default="accuracy",
                   help="with --compare: the column to average")
    p.add_argument("--targets", metavar="METHOD",
                   help="only print the issue's targets for METHOD of --csv (e.g. 'GLSM no "
                   "teacher'), with the count of cells below the best classical method; "
                   "nothing is written")
    args = p.parse_args(argv)
    if args.compare:
        print(compare(args.compare, args.value))
        return
    df = pd.concat([pd.read_csv(path, dtype={"k": str}) for path in args.csv])
    if args.methods:
        keep = [m for name in args.methods
                for m in (CLASSICAL if name == "classical" else [name])]
        df = df[df["method"].isin(keep)]
    table = summary(df)
    if args.targets:
        print(targets(table, args.targets) + "\n" + below_classical(table, args.targets)
              + "\n\n" + labels_needed(table, args.targets))
        return
    needed = labels_needed(table)
    text = "### Targets\n\n" + targets(table) + "\n"
    if needed:
        text += "### Labels per class each target needs\n\n" + needed + "\n"
    text += markdown(table)
    (DOCS / f"benchmark_{args.name}.md").write_text(text)
    plot(table, DOCS / f"benchmark_{args.name}.png")
    print(text)


if __name__ == "__main__":
    main()
