"""Peak memory of fitting on a memory-mapped data set larger than the network needs.

python -m benchmarks.memory [--n-samples 100000] [--n-features 1000] [--epochs 1]

Writes ``n_samples x n_features`` float32 synthetic spectra (400 MB at the
defaults) to a ``.npy`` file in a temporary folder, chunk by chunk, then in a
fresh Python process opens it with ``np.load(..., mmap_mode="r")`` and runs,
in turn, ``GLSMTransformer.fit``, ``transform``, ``GLSMClassifier.fit``
(every row labeled, fine-tuning the pretrained encoder) and ``predict``,
recording the process's peak resident set size (``VmHWM``) after each.
Pages of the memory map that were read count in that figure, so it is an
upper bound of what the process holds. Results go to
``docs/benchmark_memory.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _peak_mb() -> float:
    """This process's peak resident set size in MB.

    ``VmHWM`` rather than ``getrusage``'s ``ru_maxrss``: Linux carries
    ``ru_maxrss`` over ``exec`` from the parent, which here wrote the file.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def write_memmap(folder: Path, n_samples: int, n_features: int, chunk: int = 5000):
    """Synthetic spectra and labels as ``X.npy`` (float32) and ``y.npy``, chunk by chunk."""
    from sklearn_glsm.datasets import make_spectra

    base, labels, _ = make_spectra(chunk, n_features, n_classes=6, random_state=0)
    X = np.lib.format.open_memmap(folder / "X.npy", mode="w+", dtype=np.float32,
                                  shape=(n_samples, n_features))
    y = np.empty(n_samples, dtype=np.int64)
    rng = np.random.default_rng(0)
    for start in range(0, n_samples, chunk):
        n = min(chunk, n_samples - start)
        X[start : start + n] = base[:n] + rng.normal(0, 0.01, (n, n_features))
        y[start : start + n] = labels[:n]
    X.flush()
    del X
    np.save(folder / "y.npy", y)


def child(folder: str, epochs: int, threads: int | None) -> None:
    """Fit on the memory map in this (fresh) process and print the peaks as JSON."""
    import torch

    if threads:
        torch.set_num_threads(threads)

    from sklearn_glsm import GLSMClassifier, GLSMTransformer

    X = np.load(Path(folder) / "X.npy", mmap_mode="r")
    y = np.load(Path(folder) / "y.npy")
    rows = [("start (imports, memory map opened)", 0.0, _peak_mb())]

    def step(name, fn):
        start = time.perf_counter()
        fn()
        rows.append((name, time.perf_counter() - start, _peak_mb()))

    glsm = GLSMTransformer(pretrain_epochs=epochs, random_state=0)
    step(f"GLSMTransformer.fit ({epochs} epoch)", lambda: glsm.fit(X))
    step("GLSMTransformer.transform", lambda: glsm.transform(X))
    clf = GLSMClassifier(pretrained=glsm, finetune_epochs=epochs, random_state=0)
    step(f"GLSMClassifier.fit ({epochs} epoch, all rows labeled)", lambda: clf.fit(X, y))
    step("GLSMClassifier.predict", lambda: clf.predict(X))
    print(json.dumps({"rows": rows, "threads": torch.get_num_threads()}))


def main(argv=None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-samples", type=int, default=100_000)
    p.add_argument("--n-features", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(args.child, args.epochs, args.threads)
        return
    with tempfile.TemporaryDirectory() as tmp:
        write_memmap(Path(tmp), args.n_samples, args.n_features)
        size_mb = (Path(tmp) / "X.npy").stat().st_size / 2**20
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.memory", "--child", tmp,
             "--epochs", str(args.epochs)] + ["--threads", str(args.threads)] * bool(args.threads),
            check=True, capture_output=True, text=True, cwd=Path(__file__).parents[1],
        )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    lines = [
        f"Command: `python -m benchmarks.memory --n-samples {args.n_samples} "
        f"--n-features {args.n_features} --epochs {args.epochs}"
        + f" --threads {args.threads}" * bool(args.threads) + "`",
        "",
        f"Data: {args.n_samples} x {args.n_features} float32 spectra, a {size_mb:.0f} MB "
        "`.npy` opened with `np.load(path, mmap_mode='r')`; default network. Machine: "
        f"{platform.machine()} CPU, {result['threads']} torch threads.",
        "",
        "| step | seconds | peak RSS so far (MB) |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {sec:.0f} | {mb:.0f} |" for name, sec, mb in result["rows"]]
    text = "\n".join(lines) + "\n"
    (DOCS / "benchmark_memory.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
