"""``glsm-demo``: pretrain, fine-tune with few labels, compare with classical baselines.

Runs on synthetic spectra from :func:`~sklearn_glsm.datasets.make_spectra`
by default, or on a user's file (CSV/TSV with a wavenumber header row and a
label column, ``.npz`` with ``X``/``y``/``wavenumbers``).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from chemotools.scatter import StandardNormalVariate
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from ._classifier import GLSMClassifier, unlabeled_mask
from .datasets import hide_labels, load_spectra, make_spectra


def _epochs(value: str) -> int | str:
    """``--finetune-epochs``: a positive integer or ``auto``."""
    if value == "auto":
        return value
    try:
        epochs = int(value)
    except ValueError:
        epochs = 0
    if epochs < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'auto', got {value!r}")
    return epochs


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="glsm-demo",
        description="Few-label spectral classification with GLSM next to classical baselines.",
    )
    p.add_argument("data", nargs="?", help="CSV/TSV/NPZ file of labeled spectra "
                   "(default: synthetic spectra from make_spectra)")
    p.add_argument("--label-column", default="label",
                   help="label column of a CSV/TSV file (default: %(default)s)")
    p.add_argument("-k", "--labels-per-class", type=int, default=5,
                   help="labeled training spectra per class (default: %(default)s)")
    p.add_argument("--pretrain-epochs", type=int, default=30)
    p.add_argument("--finetune-epochs", type=_epochs, default="auto",
                   help="an integer, or 'auto' (the estimator's default: %(default)s)")
    p.add_argument("--device", default="auto")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no per-epoch progress")
    return p


def _load(args) -> tuple[np.ndarray, np.ndarray, str]:
    if args.data is None:
        X, y, _ = make_spectra(n_samples=1200, n_features=600, n_classes=4,
                               random_state=args.seed)
        return X, y, "make_spectra(n_samples=1200, n_features=600, n_classes=4)"
    kwargs = {"label_column": args.label_column} if args.data.endswith(
        (".csv", ".tsv", ".txt")) else {}
    X, y, _ = load_spectra(args.data, **kwargs)
    if y is None:
        raise SystemExit(f"{args.data} holds no labels; the demo needs labeled spectra.")
    return X, y, args.data


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns the process exit code."""
    args = _parser().parse_args(argv)
    X, y, source = _load(args)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=args.seed
    )
    y_semi = hide_labels(y_train, args.labels_per_class, random_state=args.seed)
    labeled = ~unlabeled_mask(y_semi)
    print(f"data: {source}: {X.shape[0]} spectra x {X.shape[1]} points, "
          f"{len(np.unique(y))} classes")
    print(f"train: {len(y_train)} spectra, {labeled.sum()} labeled "
          f"({args.labels_per_class} per class); test: {len(y_test)} spectra\n")

    results = {}
    for name, model in {
        "SNV + logistic regression": make_pipeline(StandardNormalVariate(),
                                                   LogisticRegression(max_iter=2000)),
        "SNV + 1-nearest neighbour": make_pipeline(StandardNormalVariate(),
                                                   KNeighborsClassifier(1)),
    }.items():
        model.fit(X_train[labeled], y_train[labeled])
        results[name] = (model.score(X_test, y_test), 0.0)

    glsm = GLSMClassifier(
        pretrain_epochs=args.pretrain_epochs,
        finetune_epochs=args.finetune_epochs,
        device=args.device,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
    )
    print("GLSM: self-supervised pretraining on all training spectra, then fine-tuning "
          "on the labeled ones and on those its teacher labels confidently")
    start = time.perf_counter()
    glsm.fit(X_train, y_semi)
    results["GLSM (pretrain + fine-tune)"] = (glsm.score(X_test, y_test),
                                              time.perf_counter() - start)
    if hasattr(glsm, "teacher_"):
        # The student tends to follow its teacher: show what the teacher alone scores.
        windows = ", ".join(str(member[0].window_length)
                            for _, member in glsm.teacher_.estimators)
        print(f"teacher: logistic regressions on first derivatives at {windows} points "
              f"(quiet_windows), {glsm.n_pseudo_labels_} unlabeled spectra labeled")
        results["  its teacher alone"] = (glsm.teacher_.score(X_test, y_test), 0.0)

    print(f"\nTest accuracy with {args.labels_per_class} labels per class:")
    for name, (acc, secs) in results.items():
        timing = f"   (fit {secs:.0f} s on {glsm.device_})" if secs else ""
        print(f"  {name:<30s} {acc:.3f}{timing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
