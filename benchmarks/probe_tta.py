"""Averaging the network's predictions over random views: a probe on the development set.

Fine-tuning shows the network a random view of each spectrum (the global
task's shift, stretch, gain, baseline and noise, ``finetune_augment=True``)
but predicts on the plain spectrum. This probe asks whether averaging the
predicted probabilities over ``--views`` random views as well (test-time
augmentation) classifies better. It fits the default ``GLSMClassifier``
(built-in teacher, on the seed's cached pretraining) as
``benchmarks.probe_selftrain`` does, without the held-out half of the
development rows, and scores on that half: the plain prediction, the
average over the views, and the average over the views and the plain
spectrum together. The test part is never touched.

python -m benchmarks.probe_tta --k 5
python -m benchmarks.probe_tta --report
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from sklearn_glsm import GLSMClassifier

from .dev_sweep import probe_parser, run_probe
from .probe_selftrain import fit_student
from .run import RESULTS

FIELDS = ["dataset", "k", "seed", "variant", "views", "plain", "tta", "tta_plus_plain",
          "teacher"]


def view_proba(clf, X: np.ndarray, n_views: int, seed: int) -> np.ndarray:
    """Mean softmax of the fitted classifier's network over ``n_views`` random views
    of each spectrum (its fine-tuning views), as an array of shape (n, n_classes)."""
    module = clf.net_.module_

    def one_view(xb):
        # As the module's training forward builds a view, without dropout.
        z = module.normalizer(xb)[0]
        return torch.softmax(module._logits(module.normalizer(module.views(z))[0]), 1)

    X = X.astype(np.float32)
    with torch.random.fork_rng():  # the caller's torch RNG is left as it was
        torch.manual_seed(seed)
        total = sum(clf._map_batches(clf.net_, one_view, X) for _ in range(n_views))
    return np.asarray(total, dtype=np.float64) / n_views


def cell(name: str, seed: int, k: int, n_views: int, variant: str, cache_dir: Path) -> dict:
    """The default classifier's plain and view-averaged accuracy on held-out dev rows."""
    fraction = GLSMClassifier().teacher_fraction  # the default's, whatever it becomes
    fit = fit_student(name, seed, k, fraction, variant, cache_dir, teacher="multiscale")
    clf, grid, truth = fit["clf"], fit["grid"], fit["truth"]
    X_held = grid(fit["X_held"])
    plain = clf.predict_proba(X_held)
    views = view_proba(clf, X_held, n_views, seed)
    scores = {"plain": plain, "tta": views, "tta_plus_plain": (n_views * views + plain)}
    row = {"dataset": name, "k": k, "seed": seed, "variant": variant, "views": n_views}
    for key, proba in scores.items():
        row[key] = f"{np.mean(clf.classes_[proba.argmax(axis=1)] == truth):.4f}"
    row["teacher"] = f"{np.mean(clf.teacher_.predict(X_held) == truth):.4f}"
    return row


COLUMNS = {"plain": "network", "tta": "mean over views", "tta_plus_plain": "views and plain",
           "teacher": "teacher"}


def main(argv=None) -> None:
    """Command-line entry point: fit the missing cells, append them, print the table."""
    p = probe_parser(__doc__.split("\n")[0])
    p.set_defaults(variant="teacher=derivative")
    p.add_argument("--views", type=int, default=16)
    p.add_argument("--out", type=Path, default=RESULTS / "probe_tta.csv")
    args = p.parse_args(argv)
    run_probe(args, FIELDS, "views",
              lambda name, seed: cell(name, seed, args.k, args.views, args.variant, args.cache),
              COLUMNS)


if __name__ == "__main__":
    main()
