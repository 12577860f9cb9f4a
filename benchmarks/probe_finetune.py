"""Compare fine-tuning variants on one pretrained encoder (one data set, one seed).

python -m benchmarks.probe_finetune [--dataset ftir_villegas_c4] [--seed 0] [--k 5]
                                    [--pretrain-epochs 30]

Pretrains one GLSMTransformer on the training spectra of a seed's split, then
fine-tunes it with labeled rows only and with the pseudo-label consistency on
unlabeled rows, and trains the consistency variant without pretraining.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.metrics import accuracy_score

from sklearn_glsm import GLSMClassifier, GLSMTransformer

from .protocol import label_draw, load, to_grid


def main(argv=None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dataset", default="ftir_villegas_c4")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--pretrain-epochs", type=int, default=30)
    args = p.parse_args(argv)
    data = load(args.dataset)
    train, test, y_semi = label_draw(data, args.seed, args.k)
    resample = to_grid(data)
    X_train = resample.fit_transform(data.X[train]).astype(np.float32)
    X_test = resample.transform(data.X[test]).astype(np.float32)
    glsm = GLSMTransformer(pretrain_epochs=args.pretrain_epochs, random_state=args.seed)
    glsm.fit(X_train)
    variants = {
        "pretrained, labeled rows only": dict(pretrained=glsm, unlabeled_weight=0.0),
        "pretrained + consistency (0.95)": dict(pretrained=glsm, unlabeled_weight=1.0),
        "pretrained + consistency (0.8)": dict(pretrained=glsm, unlabeled_weight=1.0,
                                               pseudo_threshold=0.8),
        "no pretraining + consistency": dict(pretrain_epochs=0, unlabeled_weight=1.0),
    }
    for name, params in variants.items():
        start = time.perf_counter()
        clf = GLSMClassifier(random_state=args.seed, **params).fit(X_train, y_semi)
        acc = accuracy_score(data.y[test], clf.predict(X_test))
        print(f"{name:<34s} {acc:.3f}  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
