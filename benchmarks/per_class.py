"""Where GLSM gains or loses: recall per class on a development set.

For each seed, GLSM (the benchmark's cached pretraining, fine-tuning without
the teacher), the same network from scratch, logistic regression after SNV and
the default teacher alone (the derivative vote, on the networks' grid and on
the spectra as measured) are fitted on
k labels per class of the training part and scored on the training spectra
whose labels were hidden (the protocol's test part is never touched). Prints
each method's accuracy and its recall per class, summed over the seeds as
"right / total".

python -m benchmarks.per_class --dataset ftir_kedzierski --seeds 0 1
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from sklearn_glsm import make_derivative_teacher

from .protocol import (
    UNLABELED,
    classical_baselines,
    glsm_method,
    label_draw,
    load,
    pretrain_method,
    to_grid,
    unlabeled_pool,
    with_pool,
)
from .run import RESULTS, cached_pretraining, pretraining_key

# Measured before the teacher was the default: the networks without it; then
# the default teacher alone, on the networks' grid and on the spectra as measured.
METHODS = ("GLSM no teacher", "scratch no teacher", "LR", "vote", "vote, as measured")


def predictions(name: str, seed: int, k: int, cache_dir=RESULTS / "cache") -> tuple:
    """The dev set's true labels and each method's predictions for one seed."""
    data = load(name)
    train, _, y_semi = label_draw(data, seed, k)
    labeled, dev = y_semi != UNLABELED, y_semi == UNLABELED
    X, truth = data.X[train], data.y[train].astype(str)
    X_fit, y_fit = with_pool(X, y_semi, unlabeled_pool(data))
    entry = cached_pretraining(cache_dir, pretraining_key(name, seed, "GLSM", {}),
                               pretrain_method, "GLSM", data, X_fit, seed)
    models = {
        "GLSM no teacher": glsm_method("GLSM no teacher", data, seed, entry["model"]).fit(
            X_fit, y_fit),
        "scratch no teacher": glsm_method("scratch no teacher", data, seed).fit(X_fit, y_fit),
        "LR": clone(classical_baselines(int(labeled.sum()), seed)["LR"]).fit(
            X[labeled], truth[labeled]),
        "vote": make_pipeline(to_grid(data), make_derivative_teacher()).fit(
            X[labeled], truth[labeled]),
        "vote, as measured": make_derivative_teacher().fit(X[labeled], truth[labeled]),
    }
    return truth[dev], {m: np.asarray(est.predict(X[dev])).astype(str)
                        for m, est in models.items()}


def table(truth: np.ndarray, preds: dict) -> str:
    """Accuracy and per-class recall ("right / total") of each method, as markdown."""
    classes = sorted(set(truth))
    lines = ["| method | accuracy | " + " | ".join(classes) + " |",
             "|---|---|" + "---|" * len(classes)]
    for method, pred in preds.items():
        cells = [f"{np.sum((truth == c) & (pred == c))} / {np.sum(truth == c)}"
                 for c in classes]
        lines.append(f"| {method} | {np.mean(pred == truth):.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dataset", default="ftir_kedzierski")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    p.add_argument("--k", type=int, default=5)
    args = p.parse_args(argv)
    truths, preds = [], {m: [] for m in METHODS}
    for seed in args.seeds:
        truth, pred = predictions(args.dataset, seed, args.k)
        truths.append(truth)
        for m in METHODS:
            preds[m].append(pred[m])
    print(f"{args.dataset}, k={args.k}, seeds {args.seeds}, development set")
    print(table(np.concatenate(truths), {m: np.concatenate(v) for m, v in preds.items()}))


if __name__ == "__main__":
    main()
