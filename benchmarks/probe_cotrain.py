"""Co-training the network and its linear teacher: a probe on the development set.

The default classifier learns from a teacher (``teacher="derivative"``, a
vote of logistic regressions on derivatives), and the student mostly learns
to agree with it; on two sets of three the teacher alone stays ahead of its
student. A self-trained teacher (the vote refitted on its own confident
pseudo-labels) gained nothing (``benchmarks.probe_teacher``): its mistakes
reinforce themselves. Co-training hands each model the other's confident
labels instead, whose mistakes differ: here the vote is refitted on the
labels plus the *student's* most confident ``--fraction`` of each predicted
class (``teacher2``), and a second student fine-tunes the same pretrained
encoder from that teacher (``student2``). For comparison, ``student_self``
fine-tunes it from the first student itself (the network's own confident
labels: self-training of the network, no vote in the second round).

Scored as ``benchmarks.probe_selftrain`` scores (the same held-out half of
the development rows, or ``--held-out donors``, never pseudo-labeled); the
first teacher and student are that probe's own, refitted here. The test
part is never touched. Cells already in ``--out`` are skipped.

python -m benchmarks.probe_cotrain --k 5
python -m benchmarks.probe_cotrain --k 5 --datasets raman_saliva_covid --held-out donors
python -m benchmarks.probe_cotrain --report
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator

from sklearn_glsm._classifier import most_confident

from .dev_sweep import probe_parser, run_probe
from .probe_selftrain import fit_student, pseudo_accuracy
from .protocol import glsm_method
from .run import RESULTS

FIELDS = ["dataset", "k", "seed", "variant", "fraction", "held_out", "teacher", "student",
          "teacher2", "student2", "student_self", "pseudo_accuracy", "pseudo2_accuracy"]


def cell(name: str, seed: int, k: int, fraction: float, variant: str, cache_dir: Path,
         by: str = "rows") -> dict:
    """One round of co-training for one (data set, seed), scored on held-out dev rows."""
    fit = fit_student(name, seed, k, fraction, variant, cache_dir, "multiscale", by)
    split, student, candidates = fit["split"], fit["student"], fit["candidates"]
    X_fit, y_fit, grid, teacher = fit["X_fit"], fit["y_fit"], fit["grid"], fit["clf"].teacher_
    # The student's confident labels, by the classifier's own rule.
    proba = student.predict_proba(X_fit[candidates])
    taught = most_confident(proba, fraction)
    rows, pseudo = candidates[taught], student.classes_[proba[taught].argmax(axis=1)]
    labeled = fit["labeled"]
    teacher2 = clone(teacher).fit(
        grid(np.concatenate([X_fit[labeled], X_fit[rows]])),
        np.concatenate([y_fit[labeled].astype(str), pseudo.astype(str)]))
    kept = fit["kept"]
    second = {}
    for key, model in (("student2", teacher2), ("student_self", fit["clf"])):
        second[key] = glsm_method("GLSM", split["data"], seed, split["pretrained"],
                                  **{**fit["params"], "teacher": FrozenEstimator(model)},
                                  teacher_fraction=fraction).fit(X_fit[kept], y_fit[kept])
    X_held, truth = fit["X_held"], fit["truth"]
    scores = {"teacher": teacher.predict(grid(X_held)), "student": student.predict(X_held),
              "teacher2": teacher2.predict(grid(X_held)),
              **{key: model.predict(X_held) for key, model in second.items()}}
    return {"dataset": name, "k": k, "seed": seed, "variant": variant, "fraction": fraction,
            "held_out": by, **{key: f"{np.mean(pred == truth):.4f}"
                               for key, pred in scores.items()},
            "pseudo_accuracy": fit["pseudo_accuracy"],
            "pseudo2_accuracy": pseudo_accuracy(split, rows, pseudo)}


COLUMNS = {"teacher": "teacher (vote)", "student": "student", "teacher2":
           "vote on the student's labels", "student2": "second student",
           "student_self": "student of the student",
           "pseudo_accuracy": "teacher's pseudo-labels", "pseudo2_accuracy":
           "student's pseudo-labels"}


def main(argv=None) -> None:
    """Command-line entry point: fit the missing cells, append them, print the table."""
    p = probe_parser(__doc__.split("\n")[0])
    p.add_argument("--fraction", type=float, default=0.5)
    p.add_argument("--held-out", choices=["rows", "donors"], default="rows",
                   help="score a random half of the development rows, or the rows of half "
                   "the donors without a labeled spectrum (sets split by subject)")
    p.add_argument("--out", type=Path, default=RESULTS / "probe_cotrain.csv")
    args = p.parse_args(argv)
    run_probe(args, FIELDS, "held_out",
              lambda name, seed: cell(name, seed, args.k, args.fraction, args.variant,
                                      args.cache, args.held_out),
              COLUMNS)


if __name__ == "__main__":
    main()
