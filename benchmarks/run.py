"""Run the semi-supervised benchmark of ``../shared/data/BENCHMARK.md``.

Every cell (data set, k, seed, method) is appended to a CSV as soon as it is
finished, and cells already in the CSV are skipped, so an interrupted run
resumes where it stopped. ``python -m benchmarks.report`` turns the CSV into
the tables and plots in ``docs/``.

Examples
--------
python -m benchmarks.run --datasets ftir_villegas_c4 --k 5 --methods classical GLSM
python -m benchmarks.run --quick
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import time
from pathlib import Path

import joblib
import numpy as np
import torch
from sklearn.base import clone
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from tqdm import tqdm

from sklearn_glsm import GLSMTransformer

from .protocol import (
    GLSM_METHODS,
    ON_REQUEST,
    TRANSFER_METHODS,
    TRANSFER_PAIRS,
    UNLABELED,
    classical_baselines,
    glsm_method,
    label_draw,
    load,
    parse_variant,
    pool_label,
    pretrain_method,
    pretrain_source,
    pretraining_of,
    transfer_grid,
    transfer_method,
    unlabeled_pool,
    with_pool,
    without_overlap,
)
from .protocol import (
    extra_pool as extra_spectra,
)

RESULTS = Path(__file__).resolve().parent / "results"
FIELDS = ["dataset", "k", "seed", "method", "accuracy", "balanced_accuracy", "fit_seconds",
          "n_labeled", "n_train", "n_test"]
SEMI_DATASETS = ["ftir_villegas_c4", "raman_saliva_covid", "ftir_kedzierski"]

# What --quick runs: the protocol's methods (classical baselines, the same
# network from scratch, GLSM with both pretext tasks and each alone); the
# options and historical variants of GLSM_METHODS are left to the full run.
QUICK_METHODS = ["classical", "GLSM", "GLSM global-only", "GLSM local-only", "scratch"]


def cell_of(row: dict) -> tuple:
    """The cell a results row belongs to: (data set, k, seed, method), as text."""
    return (str(row["dataset"]), str(row["k"]), str(row["seed"]), str(row["method"]))


def read_rows(path: Path) -> list[dict]:
    """The rows of the CSV ``path``, none if it is missing."""
    if not path.exists():
        return []
    with path.open() as f:
        return list(csv.DictReader(f))


def done_cells(path: Path) -> set[tuple]:
    """The cells (:func:`cell_of`) already in the results CSV ``path``."""
    return {cell_of(r) for r in read_rows(path)}


def append_row(path: Path, row: dict, fields: list[str] = FIELDS) -> None:
    """Append one row to the CSV ``path``, writing the header ``fields`` if the file is new."""
    new = not path.exists()
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerow(row)


def write_rows(path: Path, rows, fields: list[str] = FIELDS) -> None:
    """Write ``path`` anew: a header of ``fields``, then ``rows`` (blank where one lacks a
    field). For the rare rewrite of a whole CSV; new rows are appended (:func:`append_row`)."""
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n", restval="")
        writer.writeheader()
        writer.writerows(rows)


def _k_label(k: int | None) -> str:
    return "all" if k is None else str(k)


def _cell_order(cell: tuple) -> tuple:
    """Cheap cells first: k = all last, then by seed, so that one pretraining
    serves every k of its (data set, seed, variant) while it is in memory."""
    dataset, k, seed, method = cell
    return (dataset, k is None, seed, method, -1 if k is None else k)


def cache_path(cache_dir: Path, key: dict) -> Path:
    """The file of the cached pretraining with ``key``."""
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return cache_dir / f"{digest}.joblib"


def cached_pretraining(cache_dir: Path, key: dict, fit, *args, **kwargs):
    """``fit(*args, **kwargs)`` once per ``key``: its result and seconds, kept on disk.

    Pretraining does not depend on k, so every k of a (data set, seed,
    variant) fine-tunes the same encoder; the file lets an interrupted run
    resume without pretraining again.
    """
    path = cache_path(cache_dir, key)
    if path.exists():
        return joblib.load(path)
    start = time.perf_counter()
    entry = {"key": key, "model": fit(*args, **kwargs), "seconds": time.perf_counter() - start,
             # A pretraining is bit-reproducible only with the same thread count
             # (benchmarks.thread_repro), so the entry says which it had.
             "torch_threads": torch.get_num_threads(), "torch": torch.__version__}
    cache_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(entry, path.with_suffix(".tmp"))
    path.with_suffix(".tmp").replace(path)
    return entry


# Transformer settings added after the cache was first filled, with the value
# that reproduces the pretraining from before they existed: at that value they
# stay out of the key, so the cached encoders remain valid.
ADDED_SETTINGS = {"temperature": 0.1, "global_objective": "contrastive",
                  "projection_head": False, "derivative": 0, "derivative_window": 11}


GLOBAL_TASK_SETTINGS = ("temperature", "global_objective", "projection_head")


def pretraining_key(dataset: str, seed: int, method: str, overrides: dict) -> dict:
    """The cache key of a GLSM method's pretraining: the variant whose
    pretraining it shares, and the transformer settings (defaults included,
    so changing a default invalidates the cache). Overrides that only
    fine-tuning reads are left out: they do not change the pretraining."""
    shared = method  # classical methods: a key that nothing reads
    if method in GLSM_METHODS:
        shared = pretraining_of(method)
    elif method in TRANSFER_METHODS:
        shared = pretraining_of(method, TRANSFER_METHODS)
    params = GLSMTransformer().get_params()
    # A transfer ablation's key records its pretext weights; the semi-supervised
    # variants' keys name the variant instead (kept: the cache predates this).
    own = {} if method in GLSM_METHODS else TRANSFER_METHODS.get(method, {})
    params.update((k, v) for k, v in {**overrides, **own}.items() if k in params)
    for name, old in ADDED_SETTINGS.items():
        if params[name] == old:
            params.pop(name)
    if {**params, **GLSM_METHODS.get(method, {})}["global_weight"] == 0:
        # Without the global task its settings do not touch the pretraining.
        for name in GLOBAL_TASK_SETTINGS:
            params.pop(name, None)
    return {"dataset": dataset, "seed": seed, "method": shared, "params": params}


def run(datasets, ks, seeds, methods, out: Path, glsm_overrides: dict,
        source_seed: int | None = None, extra_pool: tuple[str, ...] = (),
        cache_dir: Path | None = None) -> None:
    """Run every missing cell and append it to ``out``.

    A data set named ``"A->B"`` is a transfer pair: GLSM methods pretrain on
    every spectrum of A (no labels) but those it shares with B
    (:func:`~benchmarks.protocol.without_overlap`) and fine-tune on B's split, both on
    their common axis; with ``source_seed`` that pretraining is done once,
    with this seed, and serves every seed's split of B (the source data do
    not depend on B's split). A GLSM cell's ``fit_seconds`` counts its pretraining
    (measured once, see :func:`cached_pretraining`) plus its fine-tuning.
    ``extra_pool`` names other data sets whose spectra join a semi-supervised
    set's pretraining (not its fine-tuning); its rows are then named
    ``"<name> +<other>"``. Pretrained encoders are kept in ``cache_dir``
    (default: ``cache/`` beside ``out``).
    """
    if extra_pool and any("->" in d for d in datasets):
        raise ValueError("extra_pool is for the semi-supervised sets, not transfer pairs")
    done = done_cells(out)
    cache_dir = out.parent / "cache" if cache_dir is None else cache_dir
    expand = []
    for m in methods:
        expand += list(classical_baselines(2, 0)) if m == "classical" else [m]
    labels = {d: pool_label(d, True, extra_pool) for d in datasets}
    cells = sorted(((d, k, s, m) for d in datasets for k in ks for s in seeds for m in expand
                    if (labels[d], _k_label(k), str(s), m) not in done), key=_cell_order)
    bar = tqdm(cells, desc="benchmark cells", unit="cell")
    cache: dict = {}
    for dataset, k, seed, method in bar:
        bar.set_postfix_str(f"{dataset} k={_k_label(k)} seed={seed} {method}")
        source_name, _, target_name = dataset.rpartition("->")
        if dataset not in cache:
            cache.clear()
            target = load(target_name)
            # The source without the spectra it shares with the target (donors,
            # copies): they would put target test spectra into pretraining.
            whole = load(source_name) if source_name else None
            source = without_overlap(whole, target) if source_name else None
            trimmed = source is not whole
            pool = unlabeled_pool(target) if not source_name else None
            extra = extra_spectra(target, extra_pool) if not source_name else None
            cache[dataset] = (target, source, pool, extra, trimmed)
        data, source, pool, extra, trimmed = cache[dataset]
        train, test, y_semi = label_draw(data, seed, k)
        labeled = y_semi != UNLABELED
        X_train, X_test = data.X[train], data.X[test]
        pretrain_seconds = 0.0
        key = pretraining_key(labels[dataset], seed, method, glsm_overrides)
        start = time.perf_counter()
        if source is not None and method in TRANSFER_METHODS:
            axis = transfer_grid(source, data)
            pretrained = None
            if TRANSFER_METHODS[method].get("pretrain_epochs") != 0:
                pretrain_seed = seed if source_seed is None else source_seed
                key["seed"] = pretrain_seed
                if trimmed:
                    # Recorded only where spectra were left out, so that the other
                    # pairs keep their cached encoders.
                    key["source_spectra"] = len(source.X)
                entry = cached_pretraining(cache_dir, key, pretrain_source, source, axis,
                                           pretrain_seed,
                                           **{**glsm_overrides, **TRANSFER_METHODS[method]})
                pretrained, pretrain_seconds = entry["model"], entry["seconds"]
            model = transfer_method(method, data, axis, seed, pretrained, **glsm_overrides)
            start = time.perf_counter()
            model.fit(X_train, y_semi)
        elif method in GLSM_METHODS:
            # The data set's unlabeled pool joins pretraining and fine-tuning
            # (unlabeled); other data sets' spectra join pretraining only.
            X_train, y_semi = with_pool(X_train, y_semi, pool)
            pretrained = None
            if {**glsm_overrides, **GLSM_METHODS[method]}.get("pretrain_epochs") != 0:
                X_pre = X_train if extra is None else np.concatenate([X_train, extra])
                entry = cached_pretraining(cache_dir, key, pretrain_method, method, data,
                                           X_pre, seed, **glsm_overrides)
                pretrained, pretrain_seconds = entry["model"], entry["seconds"]
            model = glsm_method(method, data, seed, pretrained, **glsm_overrides)
            start = time.perf_counter()
            model.fit(X_train, y_semi)
        else:
            model = clone(classical_baselines(int(labeled.sum()), seed)[method])
            model.fit(X_train[labeled], y_semi[labeled].astype(str))
        seconds = time.perf_counter() - start + pretrain_seconds
        pred = np.asarray(model.predict(X_test)).astype(str)
        truth = data.y[test].astype(str)
        append_row(out, {
            "dataset": labels[dataset], "k": _k_label(k), "seed": seed, "method": method,
            "accuracy": f"{accuracy_score(truth, pred):.4f}",
            "balanced_accuracy": f"{balanced_accuracy_score(truth, pred):.4f}",
            "fit_seconds": f"{seconds:.1f}", "n_labeled": int(labeled.sum()),
            "n_train": len(train), "n_test": len(test),
        })


def main(argv=None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", nargs="+", default=SEMI_DATASETS)
    p.add_argument("--k", nargs="+", default=["1", "5", "10", "all"],
                   help="labels per class; 'all' keeps every label")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--methods", nargs="+",
                   default=["classical", *(m for m in GLSM_METHODS if m not in ON_REQUEST)],
                   help="'classical' (all six baselines) and/or GLSM variants: "
                   + ", ".join(GLSM_METHODS) + "; with --transfer: "
                   + ", ".join(TRANSFER_METHODS))
    p.add_argument("--pretrain-epochs", type=int, default=None,
                   help="override the GLSM pretraining epochs (default: the estimator's)")
    p.add_argument("--set", default=None, metavar="KEY=VALUE,...",
                   help="GLSM settings for every GLSM method of this run, e.g. "
                   "'derivative=0'; the CSV does not record them, so the default --out "
                   "is named after them (semi_supervised_derivative_0.csv)")
    p.add_argument("--transfer", action="store_true",
                   help="run the transfer pairs (A->B) instead of the semi-supervised sets")
    p.add_argument("--source-seed", type=int, default=None,
                   help="transfer: pretrain on A once with this seed for every seed of B "
                   "(default: once per seed)")
    p.add_argument("--extra-pool", nargs="+", default=[], metavar="DATASET",
                   help="other data sets whose spectra join the pretraining of the "
                   "semi-supervised sets (labels dropped); rows are named '<set> +<other>'")
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--cache", type=Path, default=None,
                   help="folder of the cached pretrainings (default: cache/ beside --out), "
                   "shared with benchmarks.dev_sweep's --cache")
    p.add_argument("--quick", action="store_true",
                   help="one data set, k=5, two seeds, 10 pretraining epochs, the protocol's "
                   "methods (" + ", ".join(QUICK_METHODS) + ") unless --methods names others "
                   "(minutes)")
    args = p.parse_args(argv)
    overrides: dict = {}
    if args.set:
        overrides.update(parse_variant(args.set))
    if args.pretrain_epochs is not None:
        overrides["pretrain_epochs"] = args.pretrain_epochs
    if args.transfer:
        if args.datasets == SEMI_DATASETS:
            args.datasets = [f"{a}->{b}" for a, b in TRANSFER_PAIRS]
        if args.methods == p.get_default("methods"):
            args.methods = ["classical", *TRANSFER_METHODS]
    stem = "transfer" if args.transfer else "semi_supervised"
    if args.set:
        # Rows fitted with other settings must never land among the defaults' rows.
        stem += "_" + re.sub(r"[^0-9A-Za-z.]+", "_", args.set).strip("_")
    if args.extra_pool:
        stem += "_pool_" + "_".join(args.extra_pool)
    args.out = args.out or RESULTS / f"{stem}.csv"
    if args.quick:
        args.datasets, args.k, args.seeds = ["ftir_villegas_c4"], ["5"], [0, 1]
        if args.methods == p.get_default("methods"):
            args.methods = QUICK_METHODS
        args.out = RESULTS / "quick.csv"
        overrides = {"pretrain_epochs": 10}
    ks = [None if k == "all" else int(k) for k in args.k]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    run(args.datasets, ks, args.seeds, args.methods, args.out, overrides, args.source_seed,
        tuple(args.extra_pool), args.cache)
    print(f"results: {args.out}")


if __name__ == "__main__":
    main()
