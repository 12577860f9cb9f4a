"""Teachers for self-training, compared on the development set (no network).

``GLSMClassifier``'s student mostly learns to agree with its teacher
(``probe_selftrain``: within about a point of it on two sets of three), so a
better teacher is the most direct lever on the default fit. This probe
compares teachers alone, in seconds rather than hours: each is fitted on the
k labeled training spectra per class (and, if it is transductive, on the
unlabeled ones too: half of the development rows and the data set's pool),
then scored on the other half of the development rows, which no teacher sees
(the split of ``probe_selftrain``). Spectra are on the networks' grid, as the
classifier's teacher sees them. The test part is never touched.

Teachers:

* ``vote``: the built-in ``make_derivative_teacher()`` (the default).
* ``vote C=<c>``: the same with another regularisation strength.
* ``vote self-trained <r>``: the vote refitted ``r`` times on the labels and
  its own most confident pseudo-labels of the unlabeled spectra (a share
  ``teacher_fraction * i / r`` of each predicted class in round ``i``).

``confident`` is the teacher's accuracy on the most confident half per
predicted class of the held-out rows (what the student would be taught),
``accuracy`` on all of them.

python -m benchmarks.probe_teacher --k 1 5 10
python -m benchmarks.probe_teacher --report
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline

from sklearn_glsm import make_derivative_teacher
from sklearn_glsm._classifier import most_confident

from .dev_sweep import append_missing
from .protocol import UNLABELED, label_draw, load, to_grid, unlabeled_pool
from .run import RESULTS, SEMI_DATASETS

FIELDS = ["dataset", "k", "seed", "teacher", "accuracy", "confident"]


def self_trained(base, X_lab, y_lab, X_unl, rounds: int, fraction: float = 0.5):
    """``base`` refitted ``rounds`` times on the labels and its confident pseudo-labels."""
    model = clone(base).fit(X_lab, y_lab)
    for i in range(1, rounds + 1):
        proba = model.predict_proba(X_unl)
        keep = most_confident(proba, fraction * i / rounds)
        X = np.concatenate([X_lab, X_unl[keep]])
        y = np.concatenate([y_lab, model.classes_[proba[keep].argmax(axis=1)]])
        model = clone(base).fit(X, y)
    return model


class Spreading:
    """Label spreading on a kNN graph of SNV'd derivatives (PCA of every spectrum seen)."""

    def __init__(self, window: int = 11, n_components: int = 20, n_neighbors: int = 10):
        self.window, self.n_components, self.n_neighbors = window, n_components, n_neighbors

    def fit(self, X_lab, y_lab, X_unl):
        from sklearn.semi_supervised import LabelSpreading

        from .protocol import features

        self.prep_ = make_pipeline(features(1, self.window), PCA(self.n_components,
                                                                  random_state=0))
        F = self.prep_.fit_transform(np.concatenate([X_lab, X_unl]))
        self.classes_, codes = np.unique(y_lab, return_inverse=True)
        y = np.concatenate([codes, np.full(len(X_unl), -1)])
        self.model_ = LabelSpreading(kernel="knn", n_neighbors=self.n_neighbors).fit(F, y)
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(self.prep_.transform(X))


def vote_and(other, weight: float = 0.5):
    """The vote's probabilities averaged with those of a transductive ``other``."""
    def fit(Xl, yl, Xu):
        vote, spread = make_derivative_teacher().fit(Xl, yl), other().fit(Xl, yl, Xu)

        class Mix:
            classes_ = vote.classes_

            def predict_proba(self, X):
                return (1 - weight) * vote.predict_proba(X) + weight * spread.predict_proba(X)
        return Mix()
    return fit


TEACHERS = {
    "vote": lambda Xl, yl, Xu: make_derivative_teacher().fit(Xl, yl),
    "vote C=0.1": lambda Xl, yl, Xu: make_derivative_teacher(C=0.1).fit(Xl, yl),
    "vote C=10": lambda Xl, yl, Xu: make_derivative_teacher(C=10.0).fit(Xl, yl),
    "vote C=100": lambda Xl, yl, Xu: make_derivative_teacher(C=100.0).fit(Xl, yl),
    "vote self-trained 1": lambda Xl, yl, Xu: self_trained(make_derivative_teacher(), Xl, yl,
                                                           Xu, 1),
    "vote self-trained 3": lambda Xl, yl, Xu: self_trained(make_derivative_teacher(), Xl, yl,
                                                           Xu, 3),
    "spreading w11": lambda Xl, yl, Xu: Spreading(11).fit(Xl, yl, Xu),
    "spreading w3": lambda Xl, yl, Xu: Spreading(3).fit(Xl, yl, Xu),
    "vote + spreading w11": vote_and(lambda: Spreading(11)),
}


def cells(name: str, k: int, seeds: list[int], teachers: list[str]):
    """(key, make_row) pairs for :func:`~benchmarks.dev_sweep.append_missing`."""
    data = None
    for seed in seeds:
        for teacher in teachers:
            def make_row(seed=seed, teacher=teacher):
                nonlocal data
                data = data or load(name)
                train, _, y_semi = label_draw(data, seed, k)
                grid = to_grid(data)
                X = grid.fit_transform(data.X[train])
                truth = data.y[train].astype(str)
                dev = np.flatnonzero(y_semi == UNLABELED)
                held = np.random.default_rng(seed).permutation(dev)[: len(dev) // 2]
                seen = np.setdiff1d(dev, held)
                X_unl = X[seen]
                pool = unlabeled_pool(data)
                if pool is not None:
                    X_unl = np.concatenate([X_unl, grid.transform(pool)])
                labeled = y_semi != UNLABELED
                model = TEACHERS[teacher](X[labeled], y_semi[labeled].astype(str), X_unl)
                proba = model.predict_proba(X[held])
                pred = model.classes_[proba.argmax(axis=1)]
                conf = most_confident(proba, 0.5)
                return {"dataset": name, "k": k, "seed": seed, "teacher": teacher,
                        "accuracy": f"{np.mean(pred == truth[held]):.4f}",
                        "confident": f"{np.mean(pred[conf] == truth[held][conf]):.4f}"}
            yield (name, k, seed, teacher), make_row


def table(path: Path) -> str:
    """Mean accuracy (and on the confident half) per k, teacher and data set."""
    with path.open() as f:
        rows = list(csv.DictReader(f))
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    lines = ["| k | teacher | " + " | ".join(datasets) + " |",
             "|---|---|" + "---|" * len(datasets)]
    for k, teacher in sorted(dict.fromkeys((r["k"], r["teacher"]) for r in rows),
                             key=lambda key: (int(key[0]), list(TEACHERS).index(key[1]))):
        cols = []
        for d in datasets:
            sel = [r for r in rows if (r["k"], r["teacher"], r["dataset"]) == (k, teacher, d)]
            cols.append(f"{np.mean([float(r['accuracy']) for r in sel]):.3f} "
                        f"({np.mean([float(r['confident']) for r in sel]):.3f})" if sel else "")
        lines.append(f"| {k} | {teacher} | " + " | ".join(cols) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    """Command-line entry point: fit the missing cells, append them, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", nargs="+", default=SEMI_DATASETS)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--k", nargs="+", type=int, default=[5])
    p.add_argument("--teachers", nargs="+", choices=list(TEACHERS), default=list(TEACHERS))
    p.add_argument("--out", type=Path, default=RESULTS / "probe_teacher.csv")
    p.add_argument("--report", action="store_true", help="only print the table of --out")
    args = p.parse_args(argv)
    if not args.report:
        for name in args.datasets:
            for k in args.k:
                append_missing(args.out, FIELDS, ("dataset", "k", "seed", "teacher"),
                               cells(name, k, args.seeds, args.teachers))
    print(table(args.out))


if __name__ == "__main__":
    main()
