"""The default classifier on the spectra as measured: no resampling, for the network either.

The benchmark resamples spectra onto the networks' grid (4 cm⁻¹ for FTIR)
for speed. On ``ftir_villegas_c4`` (sampled every 0.96 cm⁻¹) the teacher
gains from the full resolution (``probe_teacher``), and the network taught
by it is still below it (``GLSM full-resolution teacher``). This probe asks
whether the network itself gains from the full resolution:
``GLSMClassifier(random_state=seed)`` with every default, fitted on the
training part as measured (with the data set's pool), pretraining included
(about four times the grid's compute), scored on the protocol's test part.
It is not cached; each row is one (data set, k, seed) with its fit time.
Rows already in ``--out`` are skipped. The table sets them beside the
benchmark's "GLSM" and "GLSM full-resolution teacher" cells of the same
splits (accuracy and fit seconds, those counting their cached pretraining).

python -m benchmarks.probe_native_network --datasets ftir_villegas_c4 --k 5 --seeds 0 1 2 3 4
"""

from __future__ import annotations

import argparse
import csv
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch

from sklearn_glsm import GLSMClassifier

from .dev_sweep import append_missing
from .protocol import label_draw, load, unlabeled_pool, with_pool
from .run import RESULTS

FIELDS = ["dataset", "k", "seed", "n_points", "accuracy", "fit_seconds"]


def cell(name: str, k: int, seed: int) -> dict:
    """Fit the default classifier on one seed's training part as measured; score the test part."""
    data = load(name)
    train, test, y_semi = label_draw(data, seed, k)
    X, y = with_pool(data.X[train], y_semi, unlabeled_pool(data))
    clf = GLSMClassifier(random_state=seed)
    start = time.perf_counter()
    clf.fit(X, y)
    seconds = time.perf_counter() - start
    accuracy = np.mean(clf.predict(data.X[test]).astype(str) == data.y[test].astype(str))
    return {"dataset": name, "k": k, "seed": seed, "n_points": data.X.shape[1],
            "accuracy": f"{accuracy:.4f}", "fit_seconds": f"{seconds:.1f}"}


# The benchmark's cells this probe is read against: the default behind the grid's
# resampler, and the network on the grid taught at full resolution.
COMPARED = ("GLSM", "GLSM full-resolution teacher")


def table(path: Path, benchmark: Path = RESULTS / "semi_supervised.csv") -> str:
    """Per (data set, k, seed): accuracy and fit seconds of the network at full
    resolution beside the benchmark's :data:`COMPARED` cells of the same split
    (blank where ``benchmark`` lacks them), then their means."""
    with path.open() as f:
        rows = list(csv.DictReader(f))
    cells = {}
    if benchmark.exists():
        with benchmark.open() as f:
            cells = {(r["dataset"], r["k"], r["seed"], r["method"]): r
                     for r in csv.DictReader(f) if r["method"] in COMPARED}
    heads = ["full resolution", *COMPARED]
    lines = ["| data set | k | points | seed | "
             + " | ".join(f"{h} (accuracy, s)" for h in heads) + " |",
             "|---|---|---|---|" + "---|" * len(heads)]
    for group in dict.fromkeys((r["dataset"], r["k"]) for r in rows):
        sel = [r for r in rows if (r["dataset"], r["k"]) == group]
        found = [sel] + [[cells.get((*group, r["seed"], m)) for r in sel] for m in COMPARED]
        for i, r in enumerate(sel):
            cols = [f"{c[i]['accuracy']}, {float(c[i]['fit_seconds']):.0f}" if c[i] else ""
                    for c in found]
            lines.append(f"| {group[0]} | {group[1]} | {r['n_points']} | {r['seed']} | "
                         + " | ".join(cols) + " |")
        means = [f"{np.mean([float(x['accuracy']) for x in c]):.3f}, "
                 f"{np.mean([float(x['fit_seconds']) for x in c]):.0f}"
                 if all(c) else "" for c in found]
        lines.append(f"| {group[0]} | {group[1]} | {sel[0]['n_points']} | mean | "
                     + " | ".join(means) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    """Command-line entry point: fit the missing rows, append them, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", nargs="+", default=["ftir_villegas_c4"])
    p.add_argument("--k", nargs="+", type=int, default=[5])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path, default=RESULTS / "probe_native_network.csv")
    p.add_argument("--report", action="store_true", help="only print the table of --out")
    args = p.parse_args(argv)
    if not args.report:
        torch.set_num_threads(args.threads)
        append_missing(args.out, FIELDS, ("dataset", "k", "seed"), (
            ((name, k, seed), partial(cell, name, k, seed))
            for name in args.datasets for k in args.k for seed in args.seeds))
    print(table(args.out))


if __name__ == "__main__":
    main()
