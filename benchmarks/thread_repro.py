"""Does a pretraining repeat bit for bit? Same seed, fresh processes, 1 or 2 threads.

Each run pretrains the benchmark's GLSM transformer on one seed's training
part (with the data set's unlabeled pool) in a fresh Python process with a
given torch thread count and saves its encoder weights; the script prints
the largest weight difference of each run against the first.

python -m benchmarks.thread_repro --dataset ftir_villegas_c4 --epochs 2 --threads 1 1 2
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from .protocol import label_draw, load, pretrain_method, unlabeled_pool, with_pool


def pretrain_weights(dataset: str, seed: int, epochs: int, threads: int, path: Path) -> None:
    """Pretrain in this process with ``threads`` torch threads; save the encoder weights."""
    torch.set_num_threads(threads)
    data = load(dataset)
    train, _, y_semi = label_draw(data, seed, 5)
    X_fit, _ = with_pool(data.X[train], y_semi, unlabeled_pool(data))
    # Thread counts are a CPU question: on a GPU machine the run stays on the CPU.
    model = pretrain_method("GLSM", data, X_fit, seed, pretrain_epochs=epochs, device="cpu")
    encoder = model.net_.module_.encoder
    np.save(path, torch.cat([p.detach().flatten() for p in encoder.parameters()]).numpy())


def main(argv=None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dataset", default="ftir_villegas_c4")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 1, 2])
    p.add_argument("--worker", nargs=2, metavar=("THREADS", "PATH"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        pretrain_weights(args.dataset, args.seed, args.epochs, int(args.worker[0]),
                         Path(args.worker[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        weights = []
        for i, threads in enumerate(args.threads):
            path = Path(tmp) / f"run{i}.npy"
            subprocess.run([sys.executable, "-m", "benchmarks.thread_repro", "--dataset",
                            args.dataset, "--seed", str(args.seed), "--epochs",
                            str(args.epochs), "--worker", str(threads), str(path)], check=True)
            weights.append(np.load(path))
    for threads, w in zip(args.threads, weights, strict=True):
        print(f"{threads} thread(s): largest weight difference to run 0 "
              f"({args.threads[0]} thread(s)): {np.abs(w - weights[0]).max():.6g}")


if __name__ == "__main__":
    main()
