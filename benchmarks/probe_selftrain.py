"""Self-training the network from a linear teacher: a probe on the development set.

With a handful of labels, logistic regression on a Savitzky-Golay derivative
classifies some benchmark sets better than the fine-tuned network
(``benchmarks.probe_ensemble``). This probe asks whether the network can
learn from it: the teacher (``probe_ensemble.linear_on_derivative``, fitted
on the k labeled spectra) labels the unlabeled training spectra and the
data set's pool; the most confident ``--fraction`` of each predicted class
joins the labels, and the default GLSM (on the seed's cached pretraining)
fine-tunes on labels and pseudo-labels together.

To score a student that was trained on its teacher's labels fairly, half of
the development rows (drawn with the seed) are *held out*: never
pseudo-labeled, and the only rows scored. All three models (GLSM on the
labels alone, the teacher, the student) are scored on the same held-out
half; ``pseudo_accuracy`` is the teacher's accuracy on the pseudo-labeled
training spectra (the pool's labels are unknown and not counted). The test
part is never touched. Cells already in ``--out`` are skipped.

python -m benchmarks.probe_selftrain --k 5
python -m benchmarks.probe_selftrain --report
"""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

import numpy as np
import torch

from sklearn_glsm._classifier import most_confident

from .dev_sweep import append_missing, dev_split, mean_table
from .probe_ensemble import linear_on_derivative
from .protocol import UNLABELED, glsm_method, parse_variant
from .run import RESULTS, SEMI_DATASETS

FIELDS = ["dataset", "k", "seed", "variant", "fraction", "n_pseudo", "pseudo_accuracy", "glsm",
          "teacher", "student"]


def confident_rows(proba: np.ndarray, fraction: float) -> np.ndarray:
    """Mask of the rows the classifier's teacher keeps (:func:`most_confident`)."""
    keep = np.zeros(len(proba), dtype=bool)
    keep[most_confident(proba, fraction)] = True
    return keep


def cell(name: str, seed: int, k: int, fraction: float, variant: str, cache_dir: Path) -> dict:
    """Teacher, GLSM and student for one (data set, seed), scored on held-out dev rows."""
    params = parse_variant(variant)
    split = dev_split(name, seed, k, params, cache_dir)
    X_fit, y_fit = split["X_fit"], np.asarray(split["y_fit"], dtype=object)
    dev_rows = np.flatnonzero(split["dev"])
    held = np.random.default_rng(seed).permutation(dev_rows)[: len(dev_rows) // 2]
    candidates = np.setdiff1d(np.flatnonzero(y_fit == UNLABELED), held)
    teacher = linear_on_derivative(split, params)
    proba = teacher.predict_proba(X_fit[candidates])
    keep = confident_rows(proba, fraction)
    pseudo_rows, pseudo = candidates[keep], teacher.classes_[proba[keep].argmax(axis=1)]
    y_student = y_fit.copy()
    y_student[pseudo_rows] = pseudo
    known = pseudo_rows < len(split["X"])  # training rows; the pool's labels are unknown
    pseudo_accuracy = np.mean(pseudo[known] == split["truth"][pseudo_rows[known]])
    X_held, truth = split["X"][held], split["truth"][held]
    scores = {}
    for label, y in (("glsm", y_fit), ("student", y_student)):
        model = glsm_method("GLSM", split["data"], seed, split["pretrained"], **params)
        scores[label] = np.mean(model.fit(X_fit, y).predict(X_held) == truth)
    scores["teacher"] = np.mean(teacher.predict(X_held) == truth)
    return {"dataset": name, "k": k, "seed": seed, "variant": variant, "fraction": fraction,
            "n_pseudo": int(keep.sum()), "pseudo_accuracy": f"{pseudo_accuracy:.4f}",
            **{key: f"{value:.4f}" for key, value in scores.items()}}


COLUMNS = {"n_pseudo": "pseudo-labels", "pseudo_accuracy": "their accuracy", "glsm": "GLSM",
           "teacher": "teacher", "student": "student"}


def main(argv=None) -> None:
    """Command-line entry point: fit the missing cells, append them, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", nargs="+", default=SEMI_DATASETS)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--fraction", type=float, default=0.5)
    p.add_argument("--variant", default="default", help="GLSM settings, as in dev_sweep")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path, default=RESULTS / "probe_selftrain.csv")
    p.add_argument("--cache", type=Path, default=RESULTS / "cache")
    p.add_argument("--report", action="store_true", help="only print the table of --out")
    args = p.parse_args(argv)
    if not args.report:
        torch.set_num_threads(args.threads)
        append_missing(args.out, FIELDS, ("dataset", "k", "seed", "variant", "fraction"), (
            ((name, args.k, seed, args.variant, args.fraction),
             partial(cell, name, seed, args.k, args.fraction, args.variant, args.cache))
            for name in args.datasets for seed in args.seeds))
    print(mean_table(args.out, ("variant", "k", "fraction", "dataset"), COLUMNS))

if __name__ == "__main__":
    main()
