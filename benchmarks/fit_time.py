"""Fit time of the default GLSMClassifier on 3000 spectra.

python -m benchmarks.fit_time [--n-samples 3000] [--n-features 1000] [--set derivative=0]

3000 synthetic spectra of 1000 points (make_spectra, 6 classes), 5 labels per
class, every other spectrum unlabeled: default parameters, so pretraining
runs on all 3000 spectra and fine-tuning on the 30 labeled.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch

from sklearn_glsm import GLSMClassifier
from sklearn_glsm.datasets import hide_labels, make_spectra

from .protocol import parse_variant


def main(argv=None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-samples", type=int, default=3000)
    p.add_argument("--n-features", type=int, default=1000)
    p.add_argument("--device", default="auto")
    p.add_argument("--set", default="default", metavar="KEY=VALUE,...",
                   help="GLSMClassifier settings to time instead of the defaults")
    args = p.parse_args(argv)
    X, y, _ = make_spectra(args.n_samples, args.n_features, n_classes=6, random_state=0)
    y_semi = hide_labels(y, 5, random_state=0)
    params = parse_variant(args.set)
    clf = GLSMClassifier(random_state=0, device=args.device, verbose=1, **params)
    start = time.perf_counter()
    clf.fit(X, y_semi)
    total = time.perf_counter() - start
    pre = sum(r["dur"] for r in clf.history_["pretrain"])
    fine = sum(r["dur"] for r in clf.history_["finetune"])
    print(f"\nmachine: {platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} torch threads, device {clf.device_}")
    print(f"fit of GLSMClassifier({args.set}) on {args.n_samples} x {args.n_features}: "
          f"{total:.0f} s (pretraining {pre:.0f} s for {len(clf.history_['pretrain'])} "
          f"epochs, fine-tuning {fine:.0f} s for {len(clf.history_['finetune'])} epochs "
          f"on {int(np.sum(y_semi != -1))} labels and {clf.n_pseudo_labels_} pseudo-labels)")
    print(f"accuracy on all {args.n_samples} spectra: {clf.score(X, y):.3f}")


if __name__ == "__main__":
    main()
