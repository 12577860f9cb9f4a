"""Which cached pretraining a results CSV's GLSM rows were fine-tuned on.

A GLSM cell's ``fit_seconds`` is the seconds of the cached pretraining it
used plus its own fine-tuning (``benchmarks.run``). Subtracting the
``seconds`` of today's cache entry for the cell's key therefore gives its
fine-tuning time if the cell used that entry, and an implausible value
(negative, or minutes where fine-tuning takes seconds) if it was fine-tuned
on an earlier run of the same pretraining, which is not bit-identical.
Semi-supervised CSVs only (transfer keys depend on the pair's source).

python -m benchmarks.finetune_seconds benchmarks/results/semi_supervised.csv \\
    benchmarks/results/semi_supervised_linear_skip_False.csv --methods GLSM "GLSM no teacher"
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import joblib
import numpy as np

from .protocol import GLSM_METHODS, parse_variant
from .run import RESULTS, cache_path, pretraining_key


def residuals(path: Path, methods: list[str], cache_dir: Path, overrides: dict) -> dict:
    """``fit_seconds`` less the cached pretraining's ``seconds``, per (data set, method).

    Cells at k = all, methods that do not pretrain and cells whose cache
    entry is missing are left out.
    """
    out: dict[tuple[str, str], list[float]] = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            method = row["method"]
            if (method not in methods or row["k"] == "all"
                    or GLSM_METHODS[method].get("pretrain_epochs") == 0):
                continue
            key = pretraining_key(row["dataset"], int(row["seed"]), method, overrides)
            entry = cache_path(cache_dir, key)
            if entry.exists():
                seconds = joblib.load(entry)["seconds"]
                out.setdefault((row["dataset"], method), []).append(
                    float(row["fit_seconds"]) - seconds)
    return out


def main(argv=None) -> None:
    """Command-line entry point: min and max of the residual per CSV, data set, method."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("csv", nargs="+", type=Path)
    p.add_argument("--methods", nargs="+", default=["GLSM"])
    p.add_argument("--set", default="default", metavar="KEY=VALUE,...",
                   help="the --set the CSV was run with (pretraining settings only matter)")
    p.add_argument("--cache", type=Path, default=RESULTS / "cache")
    args = p.parse_args(argv)
    print("| CSV | data set | method | fit_seconds less cached pretraining (min, max) | cells |")
    print("|---|---|---|---|---|")
    for path in args.csv:
        found = residuals(path, args.methods, args.cache, parse_variant(args.set))
        for (dataset, method), values in sorted(found.items()):
            print(f"| {path.name} | {dataset} | {method} | {np.min(values):.1f}, "
                  f"{np.max(values):.1f} s | {len(values)} |")


if __name__ == "__main__":
    main()
