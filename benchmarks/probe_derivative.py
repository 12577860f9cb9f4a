"""Classical baselines on Savitzky-Golay derivatives instead of SNV spectra.

The protocol's classical baselines see SNV spectra. A chemometrician would
often take a derivative first; this probe measures what that is worth, so
the ``derivative`` option of the networks is compared with its classical
counterpart, not only with the protocol's baselines. Features are computed
on the networks' grid (``protocol.grid``), so a window of ``w`` points is the
same width as ``derivative_window=w``: chemotools' ``SavitzkyGolay``
(quadratic fit) then SNV. ``--part dev`` scores the training spectra whose
labels were hidden (as ``benchmarks.dev_sweep``); ``--part test`` the
protocol's test part. Fits see only the k labeled spectra per class. The
last feature set is the package's multi-scale teacher
(``sklearn_glsm.make_derivative_teacher``, logistic regression only), and
beside it the single window chosen by cross-validation (min(k, 5) folds) on the
labeled spectra (k >= 2). Feature sets already in ``--out`` for a cell are
skipped.

python -m benchmarks.probe_derivative --part dev --k 1 5 10
python -m benchmarks.probe_derivative --part test --k 1 5 10
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier

from sklearn_glsm import make_derivative_teacher
from sklearn_glsm._teacher import DERIVATIVE_WINDOWS

from .protocol import UNLABELED, Dataset, derivative_teacher, features, label_draw, load, to_grid
from .run import RESULTS, SEMI_DATASETS, append_row

FIELDS = ["part", "dataset", "k", "seed", "features", "method", "accuracy"]
# (name, derivative order, window in points); order 0 is the protocol's SNV.
FEATURES = [("SNV", 0, 0), ("SG1 w5", 1, 5), ("SG1 w11", 1, 11), ("SG1 w21", 1, 21),
            ("SG2 w11", 2, 11), ("SG1 w3", 1, 3), ("SG1 w31", 1, 31), ("SG1 w41", 1, 41)]
# The multi-scale teacher (LR only): a soft vote over SG1 windows; and, for
# comparison, the window chosen by cross-validation on the labeled spectra
# (k >= 2 only: one fold per labeled spectrum of a class, at most 5).
VOTE = "SG1 vote w3-41"
CHOSEN = "SG1 CV w3-41"


def expected(k: int) -> set[str]:
    """The feature sets a cell with ``k`` labels per class measures."""
    return {f[0] for f in FEATURES} | {VOTE} | ({CHOSEN} if k >= 2 else set())


def cells(data: Dataset, seed: int, k: int, part: str,
          done: frozenset = frozenset()) -> list[dict]:
    """Accuracy of 1-NN and LR on each feature set for one (data set, seed, k).

    Feature sets named in ``done`` are skipped (measured already).
    """
    train, test, y_semi = label_draw(data, seed, k)
    labeled = y_semi != UNLABELED
    grid = to_grid(data)
    X_fit, y_fit = grid.fit_transform(data.X[train][labeled]), y_semi[labeled]
    if part == "dev":
        X_eval, y_eval = data.X[train][~labeled], data.y[train][~labeled].astype(str)
    else:
        X_eval, y_eval = data.X[test], data.y[test].astype(str)
    X_eval = grid.transform(X_eval)
    rows = []

    def add(fname, mname, model, F_fit, F_eval):
        acc = np.mean(model.fit(F_fit, y_fit).predict(F_eval) == y_eval)
        rows.append({"part": part, "dataset": data.name, "k": k, "seed": seed,
                     "features": fname, "method": mname, "accuracy": f"{acc:.4f}"})

    for fname, deriv, window in FEATURES:
        if fname in done:
            continue
        prep = features(deriv, window)
        F_fit, F_eval = prep.fit_transform(X_fit), prep.transform(X_eval)
        add(fname, "1-NN", KNeighborsClassifier(1), F_fit, F_eval)
        add(fname, "LR", LogisticRegression(max_iter=2000), F_fit, F_eval)
    if VOTE not in done:
        add(VOTE, "LR", make_derivative_teacher(), X_fit, X_eval)
    if CHOSEN in expected(k) - done:
        search = GridSearchCV(derivative_teacher(1, 11),
                              {"pipeline__savitzkygolay__window_length": DERIVATIVE_WINDOWS},
                              cv=StratifiedKFold(min(k, 5), shuffle=True, random_state=seed))
        add(CHOSEN, "LR", search, X_fit, X_eval)
    return rows


def table(rows: list[dict]) -> str:
    """Mean accuracy over seeds per (part, k, features, method) and data set."""
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    order = [f[0] for f in FEATURES] + [VOTE, CHOSEN]
    keys = sorted(dict.fromkeys((r["part"], str(r["k"]), r["features"], r["method"])
                                for r in rows),
                  key=lambda key: (key[0], int(key[1]), order.index(key[2]), key[3]))
    lines = ["| part | k | features | method | " + " | ".join(datasets) + " |",
             "|---|---|---|---|" + "---|" * len(datasets)]
    for key in keys:
        means = []
        for d in datasets:
            acc = [float(r["accuracy"]) for r in rows
                   if (r["part"], str(r["k"]), r["features"], r["method"], r["dataset"])
                   == (*key, d)]
            means.append(f"{np.mean(acc):.3f}" if acc else "")
        lines.append("| " + " | ".join(key) + " | " + " | ".join(means) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    """Command-line entry point: fit, append to ``--out``, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--part", choices=["dev", "test"], default="dev")
    p.add_argument("--datasets", nargs="+", default=SEMI_DATASETS)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--k", nargs="+", type=int, default=[5])
    p.add_argument("--out", type=Path, default=RESULTS / "probe_derivative.csv")
    p.add_argument("--report", action="store_true", help="only print the table of --out")
    args = p.parse_args(argv)
    if not args.report:
        done = {}  # (part, data set, k, seed) -> feature sets measured
        if args.out.exists():
            with args.out.open() as f:
                for r in csv.DictReader(f):
                    done.setdefault((r["part"], r["dataset"], r["k"], r["seed"]), set()).add(
                        r["features"])
        for name in args.datasets:
            data = None  # loaded once per data set, and only if a cell is missing
            for k in args.k:
                for seed in args.seeds:
                    measured = done.get((args.part, name, str(k), str(seed)), set())
                    if measured >= expected(k):
                        continue  # measured already: a rerun only prints the table
                    data = data or load(name)
                    for row in cells(data, seed, k, args.part, frozenset(measured)):
                        append_row(args.out, row, FIELDS)
    with args.out.open() as f:
        print(table(list(csv.DictReader(f))))


if __name__ == "__main__":
    main()
