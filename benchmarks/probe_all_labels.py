"""Every label known: where does the network trail the SVM, on a development set?

With all labels (k = "all") the benchmark's SVM leads GLSM on
``ftir_kedzierski`` in every seed (0.970 against 0.953 on the test part).
No development rows exist at k = all (every training label is known), so this
probe makes some: per seed, a stratified ``--fraction`` of the training part
is held out of every fit (spectra and labels), the methods are fitted on the
rest, all labeled (GLSM also on the data set's unlabeled pool, as in the
benchmark), and scored on the held-out rows. The test part is never touched.

A method is a classical baseline of the protocol ("SVM", "LR", ...), a GLSM
method of ``benchmarks.protocol.GLSM_METHODS`` ("GLSM", "GLSM no teacher",
...), or one of those with settings after a colon (``"GLSM:
finetune_epochs=100"``; ``teacher=svm`` is the protocol's ``svm_teacher``,
``teacher=chosen`` its ``ChosenTeacher``). GLSM methods fine-tune the
benchmark's cached pretraining of the seed, which saw the held-out rows
without labels (as it saw every training spectrum); a GLSM row also scores
its fitted teacher alone (``teacher_accuracy``, blank without one). Cells
in ``--out`` are skipped.

python -m benchmarks.probe_all_labels
python -m benchmarks.probe_all_labels --methods "GLSM: finetune_epochs=100" "GLSM: teacher=svm" \\
    "GLSM: teacher=chosen"
python -m benchmarks.probe_all_labels --report
python -m benchmarks.probe_all_labels --recall --methods SVM LR   # recall per class
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from .dev_sweep import append_missing, dev_split, mean_table
from .protocol import (
    GLSM_METHODS,
    ChosenTeacher,
    classical_baselines,
    glsm_method,
    load,
    parse_variant,
    split,
    svm_teacher,
    with_pool,
)
from .run import RESULTS

FIELDS = ["dataset", "seed", "method", "fraction", "dev_accuracy", "teacher_accuracy",
          "teacher_choice", "n_fit", "n_dev", "fit_seconds"]
METHODS = ["SVM", "LR", "PCA+LR", "1-NN", "RF", "GLSM", "GLSM no teacher"]


def method_settings(method: str) -> tuple[str, dict]:
    """``"GLSM: a=1,b=2"`` as ``("GLSM", {"a": 1, "b": 2})``; ``"SVM"`` as ``("SVM", {})``.

    ``teacher=svm`` stands for :func:`~benchmarks.protocol.svm_teacher`,
    ``teacher=chosen`` for :class:`~benchmarks.protocol.ChosenTeacher`.
    """
    name, _, settings = method.partition(":")
    params = parse_variant(settings.strip()) if settings.strip() else {}
    if params.get("teacher") == "svm":
        params["teacher"] = svm_teacher()
    elif params.get("teacher") == "chosen":
        params["teacher"] = ChosenTeacher()
    return name.strip(), params


def held_out_rows(truth: np.ndarray, seed: int, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices into the training part: the rows fitted on, and the stratified
    ``fraction`` held out of every fit."""
    return train_test_split(np.arange(len(truth)), test_size=fraction, stratify=truth,
                            random_state=seed)


def predictions(name: str, seed: int, method: str, fraction: float, cache_dir: Path) -> dict:
    """Fit one method on the seed's training part less its held-out rows.

    Returns the held-out rows' labels (``truth``) and the method's predictions
    of them (``pred``); for a GLSM method with a fitted teacher also the
    teacher's (``teacher_pred``) and, if it chose, its ``choice``; and
    ``n_fit``, ``seconds``.
    """
    base, settings = method_settings(method)
    teacher_pred, choice = None, ""
    if base in GLSM_METHODS:
        # dev_split at k = all: every training label, the pool, and the benchmark's
        # cached pretraining of the seed (every training spectrum and the pool).
        s = dev_split(name, seed, None, {**settings, **GLSM_METHODS[base]}, cache_dir)
        X, truth = s["X"], s["truth"]
        fit, dev = held_out_rows(truth, seed, fraction)
        model = glsm_method(base, s["data"], seed, s["pretrained"], **settings)
        X_fit, y_fit = with_pool(X[fit], truth[fit].astype(object), s["X_fit"][len(X):])
        start = time.perf_counter()
        model.fit(X_fit, y_fit)
        seconds = time.perf_counter() - start
        # The teacher sees the classifier's input: the resampled spectra, or with
        # network_input the spectra as measured.
        net, X_teacher = (model[-1], model[0].transform(X[dev])) if hasattr(model, "steps") \
            else (model, X[dev])
        if getattr(net, "teacher_", None) is not None:
            teacher_pred = np.asarray(net.teacher_.predict(X_teacher)).astype(str)
            choice = getattr(net.teacher_, "choice_", "")
    else:
        data = load(name)
        train, _ = split(data, seed)
        X, truth = data.X[train], data.y[train].astype(str)
        fit, dev = held_out_rows(truth, seed, fraction)
        model = clone(classical_baselines(len(fit), seed)[base])
        start = time.perf_counter()
        model.fit(X[fit], truth[fit])
        seconds = time.perf_counter() - start
    return {"truth": truth[dev], "pred": np.asarray(model.predict(X[dev])).astype(str),
            "teacher_pred": teacher_pred, "choice": choice, "n_fit": len(fit),
            "seconds": seconds}


def cell(name: str, seed: int, method: str, fraction: float, cache_dir: Path) -> dict:
    """One CSV row: :func:`predictions` scored."""
    p = predictions(name, seed, method, fraction, cache_dir)
    taught = p["teacher_pred"] is not None
    teacher = f"{np.mean(p['teacher_pred'] == p['truth']):.4f}" if taught else ""
    return {"dataset": name, "seed": seed, "method": method, "fraction": fraction,
            "dev_accuracy": f"{np.mean(p['pred'] == p['truth']):.4f}",
            "teacher_accuracy": teacher, "teacher_choice": p["choice"],
            "n_fit": p["n_fit"], "n_dev": len(p["truth"]), "fit_seconds": f"{p['seconds']:.1f}"}


def recall_table(name: str, methods: list[str], seeds: list[int], fraction: float,
                 cache_dir: Path) -> str:
    """Markdown: each method's recall of each class on the held-out rows, summed over
    ``seeds``, and its teacher's where a GLSM method was taught (the methods are
    fitted again; nothing is read from the CSV)."""
    classes = np.unique(load(name).y.astype(str))
    lines = ["| method | " + " | ".join(classes) + " | held-out rows |",
             "|" + "---|" * (len(classes) + 2)]
    for method in methods:
        # Hits per class of the method and, for a taught GLSM, of its teacher.
        hits: dict = {}
        counts = np.zeros(len(classes))
        for seed in seeds:
            p = predictions(name, seed, method, fraction, cache_dir)
            counts += [np.sum(p["truth"] == c) for c in classes]
            for who, pred in ((method, p["pred"]), (f"{method}, its teacher", p["teacher_pred"])):
                if pred is not None:
                    hits[who] = hits.get(who, 0) + np.array(
                        [np.sum((p["truth"] == c) & (pred == c)) for c in classes])
        for who, h in hits.items():
            recall = [f"{a / n:.3f}" if n else "" for a, n in zip(h, counts, strict=True)]
            lines.append(f"| {who} | " + " | ".join(recall) + f" | {int(counts.sum())} |")
    return "\n".join(lines)


COLUMNS = {"dev_accuracy": "accuracy", "teacher_accuracy": "its teacher alone"}


def main(argv=None) -> None:
    """Command-line entry point: fit the missing cells, append them, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", nargs="+", default=["ftir_kedzierski"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--methods", nargs="+", default=METHODS)
    p.add_argument("--fraction", type=float, default=0.3,
                   help="share of the training part held out of every fit")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cache", type=Path, default=RESULTS / "cache")
    p.add_argument("--out", type=Path, default=RESULTS / "probe_all_labels.csv")
    p.add_argument("--report", action="store_true", help="only print the table of --out")
    p.add_argument("--recall", action="store_true",
                   help="only print each method's recall per class (fits them again)")
    args = p.parse_args(argv)
    if args.recall:
        torch.set_num_threads(args.threads)
        for name in args.datasets:
            print(f"{name}\n" + recall_table(name, args.methods, args.seeds, args.fraction,
                                               args.cache))
        return
    if not args.report:
        torch.set_num_threads(args.threads)
        append_missing(args.out, FIELDS, ("dataset", "seed", "method", "fraction"), (
            ((name, seed, method, args.fraction),
             lambda name=name, seed=seed, method=method: cell(name, seed, method, args.fraction,
                                                              args.cache))
            for name in args.datasets for method in args.methods for seed in args.seeds))
    print(mean_table(args.out, ("dataset", "fraction", "method"), COLUMNS))


if __name__ == "__main__":
    main()
