"""Self-training the network from a linear teacher: a probe on the development set.

With a handful of labels, logistic regression on a Savitzky-Golay derivative
classifies some benchmark sets better than the fine-tuned network
(``benchmarks.probe_ensemble``). This probe asks whether the network can
learn from it: ``GLSMClassifier(teacher=...)``, with that linear model as
the teacher (``protocol.derivative_teacher``, fitted on the k labeled
spectra), labels the unlabeled training spectra and the data set's pool;
the most confident ``--fraction`` of each predicted class joins the labels,
and the default GLSM (on the seed's cached pretraining) fine-tunes on
labels and pseudo-labels together.

To score a student that was trained on its teacher's labels fairly, half of
the development rows (drawn with the seed) are *held out*: never
pseudo-labeled, and the only rows scored. All three models (GLSM on the
labels alone, the teacher, the student) are scored on the same held-out
half; ``pseudo_accuracy`` is the teacher's accuracy on the pseudo-labeled
training spectra (the pool's labels are unknown and not counted). The test
part is never touched. Cells already in ``--out`` are skipped.

On a set split by subject, held-out rows drawn at random come from the
donors of the labeled spectra, while the test part's come from other
donors; ``--held-out donors`` scores instead the spectra of half the
donors none of whose spectra is labeled (the other half stay unlabeled
training rows the teacher may label).

python -m benchmarks.probe_selftrain --k 5
python -m benchmarks.probe_selftrain --teacher multiscale --k 5 --datasets raman_saliva_covid \
    --held-out donors
python -m benchmarks.probe_selftrain --teacher smoothed --k 5 --fraction 0.75 --threads 2
python -m benchmarks.probe_selftrain --report
python -m benchmarks.probe_selftrain --teacher multiscale --fraction 0.75 --k 5 \
    --datasets ftir_kedzierski --materials
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sklearn_glsm._classifier import most_confident

from .dev_sweep import dev_split, held_out, probe_parser, run_probe, variant_params
from .probe_ensemble import derivative_channel
from .probe_teacher import SmoothedVote
from .protocol import UNLABELED, derivative_teacher, glsm_method, material_shown
from .run import RESULTS

# The teachers: LR on the network's own derivative channel, or the package's
# soft vote over several windows (sklearn_glsm.make_derivative_teacher).
# "smoothed": that vote's probabilities smoothed over a kNN graph of the
# spectra (probe_teacher.SmoothedVote).
TEACHERS = {"single": lambda params: derivative_teacher(*derivative_channel(params)),
            "multiscale": lambda params: "derivative",
            "native": lambda params: "derivative",
            "smoothed": lambda params: SmoothedVote(0.8)}

FIELDS = ["dataset", "k", "seed", "variant", "fraction", "n_pseudo", "pseudo_accuracy", "glsm",
          "teacher", "student", "average"]


def fit_student(name: str, seed: int, k: int, fraction: float, variant: str, cache_dir: Path,
                teacher: str = "single", by: str = "rows") -> dict:
    """Fit the student ``GLSMClassifier(teacher=...)`` without the held-out dev rows.

    Returns the split, the fitted ``student`` (a pipeline behind the grid's
    resampler, or the full-resolution route for ``"native"``), what it was
    fitted on (``X_fit``, ``y_fit``, the rows ``kept``, among them the
    ``labeled`` ones and the unlabeled ``candidates`` for pseudo-labels), the
    held-out rows (``X_held``, ``truth``), the variant's ``params`` and the
    accuracy of the teacher's pseudo-labels on the training rows.
    """
    params = variant_params(variant)
    split = dev_split(name, seed, k, params, cache_dir)
    X_fit, y_fit = split["X_fit"], np.asarray(split["y_fit"], dtype=object)
    held = held_out(split, seed, by)
    kept = np.setdiff1d(np.arange(len(X_fit)), held)
    candidates = kept[y_fit[kept] == UNLABELED]
    # "native": the package's full-resolution route (network_input), which gets
    # the spectra as measured; the others sit behind the grid's resampler.
    native = teacher == "native"
    method = "GLSM full-resolution teacher" if native else "GLSM"
    student = glsm_method(method, split["data"], seed, split["pretrained"],
                          **{**params, "teacher": TEACHERS[teacher](params)},
                          teacher_fraction=fraction)
    student.fit(X_fit[kept], y_fit[kept])
    clf = student if native else student[-1]
    grid = (lambda X: X) if native else student[0].transform
    # Which rows the teacher labeled, and how well: the classifier's own rule.
    proba = clf.teacher_.predict_proba(grid(X_fit[candidates]))
    taught = most_confident(proba, fraction)
    rows, pseudo = candidates[taught], clf.teacher_.classes_[proba[taught].argmax(axis=1)]
    return {"split": split, "params": params, "student": student, "clf": clf, "grid": grid,
            "X_fit": X_fit, "y_fit": y_fit, "kept": kept, "candidates": candidates,
            "labeled": kept[y_fit[kept] != UNLABELED], "held": held,
            "X_held": split["X"][held],
            "truth": split["truth"][held],
            "pseudo_accuracy": pseudo_accuracy(split, rows, pseudo)}


def pseudo_accuracy(split: dict, rows: np.ndarray, pseudo: np.ndarray) -> str:
    """Accuracy of the pseudo-labels ``pseudo`` of ``rows`` of the fit, on the training
    rows among them (the pool's labels are unknown), as the CSV stores it."""
    known = rows < len(split["X"])
    return f"{np.mean(pseudo[known] == split['truth'][rows[known]]):.4f}"


def cell(name: str, seed: int, k: int, fraction: float, variant: str, cache_dir: Path,
         teacher: str = "single", by: str = "rows") -> dict:
    """Teacher, GLSM and student for one (data set, seed), scored on held-out dev rows.

    The student is ``GLSMClassifier(teacher=...)`` itself, fitted without the
    held-out rows; the pseudo-labels' accuracy is read back from its fitted
    teacher.
    """
    fit = fit_student(name, seed, k, fraction, variant, cache_dir, teacher, by)
    split, student, clf, grid = fit["split"], fit["student"], fit["clf"], fit["grid"]
    X_held, truth = fit["X_held"], fit["truth"]
    glsm = glsm_method("GLSM", split["data"], seed, split["pretrained"], **fit["params"])
    glsm.fit(fit["X_fit"], fit["y_fit"])
    teacher = clf.teacher_
    both = (student.predict_proba(X_held) + teacher.predict_proba(grid(X_held))) / 2
    scores = {"glsm": glsm.predict(X_held), "student": student.predict(X_held),
              "teacher": teacher.predict(grid(X_held)), "average": teacher.classes_[
                  both.argmax(axis=1)]}
    return {"dataset": name, "k": k, "seed": seed, "variant": variant, "fraction": fraction,
            "n_pseudo": clf.n_pseudo_labels_, "pseudo_accuracy": fit["pseudo_accuracy"],
            **{key: f"{np.mean(pred == truth):.4f}" for key, pred in scores.items()}}


def materials_table(name: str, seeds: list[int], k: int, fraction: float, variant: str,
                    cache_dir: Path, teacher: str = "single") -> str:
    """Student and teacher recall on the held-out rows, apart for spectra whose
    material (``Dataset.materials``) some labeled spectrum of their class has and
    for the others, summed over ``seeds``, as markdown; the students are fitted
    again (nothing is read from the CSV)."""
    hits: dict = {}
    for seed in seeds:
        fit = fit_student(name, seed, k, fraction, variant, cache_dir, teacher)
        train = fit["split"]["train"]
        # Labeled and held-out rows are training rows (the pool comes after them).
        shown = material_shown(fit["split"]["data"], train[fit["labeled"]], train[fit["held"]])
        preds = {"student": fit["student"].predict(fit["X_held"]),
                 "teacher": fit["clf"].teacher_.predict(fit["grid"](fit["X_held"]))}
        for model, pred in preds.items():
            right = pred == fit["truth"]
            for key, rows in (("labeled", shown), ("unlabeled", ~shown)):
                n, h = hits.get((model, key), (0, 0))
                hits[(model, key)] = (n + int(rows.sum()), h + int(right[rows].sum()))
    lines = [f"{name}, k = {k}, teacher {teacher}, fraction {fraction}, seeds {seeds} summed",
             "| model | spectra of a labeled material | accuracy | spectra of a material "
             "without a label | accuracy |", "|---|---|---|---|---|"]
    for model in ("teacher", "student"):
        cells = []
        for key in ("labeled", "unlabeled"):
            n, h = hits[(model, key)]
            cells += [str(n), f"{h / n:.3f}" if n else ""]
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


COLUMNS = {"n_pseudo": "pseudo-labels", "pseudo_accuracy": "their accuracy", "glsm": "GLSM",
           "teacher": "teacher", "student": "student", "average": "average"}


def main(argv=None) -> None:
    """Command-line entry point: fit the missing cells, append them, print the table."""
    p = probe_parser(__doc__.split("\n")[0])
    p.add_argument("--fraction", type=float, default=0.5)
    p.add_argument("--teacher", choices=list(TEACHERS), default="single",
                   help="single: LR on the network's derivative channel; multiscale: "
                   'the built-in teacher="derivative"')
    p.add_argument("--held-out", choices=["rows", "donors"], default="rows",
                   help="score a random half of the development rows, or the rows of half "
                   "the donors without a labeled spectrum (sets split by subject)")
    p.add_argument("--out", type=Path, default=None,
                   help="default: probe_selftrain.csv, or probe_selftrain_<teacher>.csv; "
                   "with --held-out donors, _donors before .csv")
    p.add_argument("--materials", action="store_true",
                   help="only print student and teacher accuracy apart for held-out spectra "
                   "of materials some labeled spectrum has and of the others (fits again)")
    args = p.parse_args(argv)
    if args.materials:
        for name in args.datasets:
            print(materials_table(name, args.seeds, args.k, args.fraction, args.variant,
                                  args.cache, args.teacher))
        return
    suffix = "" if args.teacher == "single" else f"_{args.teacher}"
    suffix += "_donors" if args.held_out == "donors" else ""
    args.out = args.out or RESULTS / f"probe_selftrain{suffix}.csv"
    run_probe(args, FIELDS, "fraction",
              lambda name, seed: cell(name, seed, args.k, args.fraction, args.variant,
                                      args.cache, args.teacher, args.held_out),
              COLUMNS)


if __name__ == "__main__":
    main()
