"""Spectra that two benchmark data sets share: donors, exact copies, near-copies.

Pretraining on one set (a transfer source, an extra pool) must not show the
encoder the other set's test spectra. For each pair this prints the shared
donors (sets split by subject), the source spectra that are byte-for-byte
copies of a target spectrum (same axis), and the target spectra with a
near-copy in the source: Pearson r above ``--threshold`` after SNV on a
common 2 cm^-1 grid over the overlapping range (a copy resampled or
re-exported onto another axis).

python -m benchmarks.overlap
python -m benchmarks.overlap --pairs raman_saliva_covid:raman_saliva_pd_ad
"""

from __future__ import annotations

import argparse

import numpy as np

from sklearn_glsm.preprocessing import WavenumberResampler

from .protocol import (
    TRANSFER_PAIRS,
    UNLABELED_POOL,
    Dataset,
    copied_rows,
    load,
    without_overlap,
)

PAIRS = [*TRANSFER_PAIRS, *((pool, name) for name, pool in UNLABELED_POOL.items()),
         ("raman_saliva_pd_ad", "raman_saliva_covid"),
         ("raman_fermentation_unlabeled", "raman_saliva_covid")]


def _snv(X: np.ndarray) -> np.ndarray:
    # Not chemotools' SNV, which turns a flat spectrum into NaN (some of these
    # sets hold flat stretches over the overlapping range).
    X = X - X.mean(axis=1, keepdims=True)
    std = X.std(axis=1, keepdims=True)
    return X / np.where(std > 0, std, 1.0)  # a flat spectrum stays flat (r = 0)


def nearest_r(source: Dataset, target: Dataset, step: float = 2.0) -> np.ndarray:
    """For each target spectrum, its largest Pearson r with any source spectrum,
    both after SNV on a common grid of spacing ``step`` over their overlap."""
    lo = max(source.wavenumbers.min(), target.wavenumbers.min())
    hi = min(source.wavenumbers.max(), target.wavenumbers.max())
    axis = np.arange(lo, hi, step)
    A = _snv(WavenumberResampler(wavenumbers=source.wavenumbers, target=axis)
             .fit_transform(source.X))
    B = _snv(WavenumberResampler(wavenumbers=target.wavenumbers, target=axis)
             .fit_transform(target.X))
    best = np.full(len(B), -1.0)
    for start in range(0, len(A), 500):  # blocks keep the product small
        best = np.maximum(best, (A[start:start + 500] @ B.T).max(axis=0) / len(axis))
    return best


def overlap(source: Dataset, target: Dataset, threshold: float = 0.9999) -> dict:
    """What ``source`` shares with ``target``, as counts."""
    donors = (0 if source.groups is None or target.groups is None
              else len(np.intersect1d(source.groups, target.groups)))
    return {"shared donors": donors, "exact copies": int(copied_rows(source, target).sum()),
            f"near-copies (r > {threshold})": int((nearest_r(source, target) > threshold).sum()),
            "target spectra": len(target.X),
            "source spectra kept": len(without_overlap(source, target).X),
            "source spectra": len(source.X)}


def main(argv=None) -> None:
    """Command-line entry point: one line per pair."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pairs", nargs="+", metavar="SOURCE:TARGET",
                   default=[f"{a}:{b}" for a, b in PAIRS])
    p.add_argument("--threshold", type=float, default=0.9999)
    args = p.parse_args(argv)
    for pair in args.pairs:
        a, _, b = pair.partition(":")
        counts = overlap(load(a), load(b), args.threshold)
        print(f"{a} -> {b}: " + ", ".join(f"{k} {v}" for k, v in counts.items()), flush=True)


if __name__ == "__main__":
    main()
