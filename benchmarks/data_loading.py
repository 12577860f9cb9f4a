"""Cost of feeding batches to the network: per-row loading against whole batches.

python -m benchmarks.data_loading [--n-samples 30000] [--n-features 1000]

Iterates one shuffled epoch, batch size 64, without any network, through
PyTorch's ``DataLoader`` over skorch's default ``Dataset`` (one ``__getitem__``
per spectrum, then ``default_collate`` stacks them: what the estimators did
before) and over :class:`sklearn_glsm.pretext.SpectraDataset` (one slice per
batch: what they do now). The fastest of three epochs counts. Results go to
``docs/benchmark_data_loading.md``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from skorch.dataset import Dataset
from torch.utils.data import DataLoader

from sklearn_glsm.pretext import SpectraDataset, collate_batch

DOCS = Path(__file__).resolve().parents[1] / "docs"


def epoch_seconds(loader: DataLoader, repeats: int = 3) -> float:
    """Fastest of ``repeats`` full passes over ``loader``."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _batch in loader:
            pass
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-samples", type=int, default=30000)
    p.add_argument("--n-features", type=int, default=1000)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    X = np.random.default_rng(0).normal(size=(args.n_samples, args.n_features))
    X = X.astype(np.float32)
    loaders = {
        "per row: skorch `Dataset` + `default_collate` (before)":
            DataLoader(Dataset(X), batch_size=64, shuffle=True),
        "whole batches: `SpectraDataset` + `collate_batch` (now)":
            DataLoader(SpectraDataset(X), batch_size=64, shuffle=True,
                       collate_fn=collate_batch),
    }
    lines = [
        f"Command: `python -m benchmarks.data_loading --n-samples {args.n_samples} "
        f"--n-features {args.n_features}`",
        "",
        f"One shuffled epoch of {args.n_samples} x {args.n_features} float32 spectra, "
        "batch size 64, no network; fastest of 3 epochs.",
        "",
        "| data access | seconds per epoch | spectra/s |",
        "|---|---|---|",
    ]
    for name, loader in loaders.items():
        seconds = epoch_seconds(loader)
        lines.append(f"| {name} | {seconds:.2f} | {args.n_samples / seconds:,.0f} |")
    text = "\n".join(lines) + "\n"
    (DOCS / "benchmark_data_loading.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
