"""Compare GLSM settings on a development set, not the test part.

Each variant is a set of GLSMClassifier parameters
(``"global_weight=0.3,width=32"``, ``"finetune=head"``; ``"default"`` for
none). For every (data set, seed, variant) it pretrains on the seed's
training part (with the data set's unlabeled pool), fine-tunes on k labels
per class and scores the *rest of the training part* (labels hidden from the
fit, known to us). The protocol's test part is never touched, so a default
chosen here leaves the benchmark's test numbers unbiased.

Pretraining is the cost; it is kept in ``benchmarks.run``'s cache under the
same key, so a variant that changes only fine-tuning reuses the benchmark's
pretrained encoders and takes seconds. Rows are appended to ``--out`` as
they finish; finished rows are skipped on a rerun.

python -m benchmarks.dev_sweep --jobs 2 --variants default finetune_lr=0.0001
python -m benchmarks.dev_sweep --datasets ftir_kedzierski --seeds 0 1 2 \\
    --variants default global_weight=0.3 --jobs 2
python -m benchmarks.dev_sweep --report --out benchmarks/results/dev_sweep_h200.csv
python -m benchmarks.dev_sweep --report --best-of "linear_skip=False,derivative=1" \\
    "pretrain_epochs=0,derivative=1,derivative_window=11"
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed

from .protocol import (
    UNLABELED,
    extra_pool,
    glsm_method,
    label_draw,
    load,
    parse_variant,
    pool_label,
    pretrain_method,
    pretraining_method,
    unlabeled_pool,
    with_pool,
)
from .run import (
    RESULTS,
    SEMI_DATASETS,
    append_row,
    cached_pretraining,
    pretraining_key,
    write_rows,
)

FIELDS = ["dataset", "k", "seed", "variant", "dev_accuracy", "pretrain_seconds",
          "finetune_seconds", "device"]


def dev_split(name: str, seed: int, k: int, params: dict, cache_dir: Path,
              pool: bool = True, extra: tuple[str, ...] = ()) -> dict:
    """One seed's development split and the cached pretraining a variant fine-tunes.

    Returns a dict with ``data``, the training part ``X`` (rows ``train`` of
    ``data``) and its labels
    ``truth``, the mask ``dev`` of the rows whose labels the fit does not see,
    what the fit gets (``X_fit``, ``y_fit``: the training part with the data
    set's pool), and ``pretrained`` (None for ``pretrain_epochs=0``) with
    ``pretrain_seconds``, from :func:`~benchmarks.run.cached_pretraining`.
    """
    data = load(name)
    train, _, y_semi = label_draw(data, seed, k)
    X = data.X[train]
    X_fit, y_fit = with_pool(X, y_semi, unlabeled_pool(data) if pool else None)
    split = {"data": data, "train": train, "X": X, "truth": data.y[train].astype(str),
             "dev": y_semi == UNLABELED, "X_fit": X_fit, "y_fit": y_fit,
             "pretrained": None, "pretrain_seconds": 0.0}
    if params.get("pretrain_epochs", 1) > 0:
        # benchmarks.run's cache entry when only fine-tuning settings differ.
        method, overrides = pretraining_method(params)
        key = pretraining_key(pool_label(name, pool, extra), seed, method, overrides)
        others = extra_pool(data, extra)  # pretraining only
        X_pre = X_fit if others is None else np.concatenate([X_fit, others])
        entry = cached_pretraining(cache_dir, key, pretrain_method, method, data, X_pre, seed,
                                   **overrides)
        split["pretrained"], split["pretrain_seconds"] = entry["model"], entry["seconds"]
    return split


def held_out(split: dict, seed: int, by: str = "rows") -> np.ndarray:
    """The development rows a cell scores: a random half of them (``"rows"``), or
    the rows of a random half of the donors none of whose spectra is labeled
    (``"donors"``, for sets split by subject: new donors, as in the test part)."""
    dev_rows = np.flatnonzero(split["dev"])
    rng = np.random.default_rng(seed)
    if by == "rows":
        return rng.permutation(dev_rows)[: len(dev_rows) // 2]
    groups = split["data"].groups
    if groups is None:
        raise ValueError(f"{split['data'].name} has no donors to hold out")
    groups = groups[split["train"]]
    free = np.setdiff1d(groups[dev_rows], groups[~split["dev"]])
    chosen = rng.permutation(free)[: len(free) // 2]
    return dev_rows[np.isin(groups[dev_rows], chosen)]


def append_missing(out: Path, fields: list[str], keys: tuple[str, ...], cells) -> None:
    """Append to the CSV ``out`` each row of ``cells`` not there yet, as it is made.

    ``cells`` yields ``(key, make_row)`` pairs; ``key`` holds the values of the
    columns ``keys``, and ``make_row()`` is called only for a missing key.
    A CSV written before the probe gained a column is first rewritten with
    it (blank in its old rows), so the new rows line up with the header.
    """
    new = not out.exists()
    done = set()
    if not new:
        with out.open() as f:
            reader = csv.DictReader(f)
            rows = list(reader)
        done = {tuple(r[k] for k in keys) for r in rows}
        if reader.fieldnames != fields:
            if not set(reader.fieldnames or []) <= set(fields):
                raise ValueError(f"{out} has columns {reader.fieldnames}, expected {fields}")
            write_rows(out, rows, fields)
    with out.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        if new:
            writer.writeheader()
        for key, make_row in cells:
            if tuple(map(str, key)) not in done:
                writer.writerow(make_row())
                f.flush()


def mean_table(path: Path, groups: tuple[str, ...], columns: dict[str, str]) -> str:
    """Markdown table of the CSV ``path``: per group (the ``groups`` columns), the mean
    over its rows of each of ``columns`` (name: heading), and the row count."""
    with path.open() as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    # Columns a probe added later are left out of tables of older CSVs.
    columns = {c: h for c, h in columns.items() if c in reader.fieldnames}
    lines = ["| " + " | ".join([*groups, *columns.values(), "seeds"]) + " |",
             "|" + "---|" * (len(groups) + len(columns) + 1)]
    for group in dict.fromkeys(tuple(r[g] for g in groups) for r in rows):
        sel = [r for r in rows if tuple(r[g] for g in groups) == group]
        # A column added later is blank in the rows measured before it.
        values = [[float(r[c]) for r in sel if r[c]] for c in columns]
        # Counts stay whole numbers; accuracies get three decimals.
        means = ["" if not v else f"{np.mean(v):.0f}" if all(x.is_integer() for x in v)
                 else f"{np.mean(v):.3f}" for v in values]
        lines.append("| " + " | ".join([*group, *means, str(len(sel))]) + " |")
    return "\n".join(lines)


def probe_parser(description: str) -> argparse.ArgumentParser:
    """The arguments every development-set probe takes (``--out`` is the probe's own)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--datasets", nargs="+", default=SEMI_DATASETS)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--variant", default="default", help="GLSM settings, as in dev_sweep")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cache", type=Path, default=RESULTS / "cache")
    p.add_argument("--report", action="store_true", help="only print the table of --out")
    return p


def run_probe(args: argparse.Namespace, fields: list[str], setting: str, cell,
              columns: dict[str, str]) -> None:
    """Fit a probe's missing cells into ``args.out``, then print its table.

    A cell is one (data set, seed) at ``args.k`` and ``args.variant``, keyed
    too by the probe's own ``setting`` (a field of the CSV and an attribute of
    ``args``); ``cell(name, seed)`` fits it and returns its row.
    """
    if not args.report:
        torch.set_num_threads(args.threads)
        value = getattr(args, setting)
        append_missing(args.out, fields, ("dataset", "k", "seed", "variant", setting), (
            ((name, args.k, seed, args.variant, value), partial(cell, name, seed))
            for name in args.datasets for seed in args.seeds))
    print(mean_table(args.out, ("variant", "k", setting, "dataset"), columns))


def variant_params(variant: str) -> dict:
    """The classifier settings of a development variant.

    The sweeps and probes predate the default teacher: a variant starts from
    the defaults without it (``"default"`` is ``teacher=None``), so rows
    measured before stay comparable; ``teacher=derivative`` adds it.
    """
    return {"teacher": None, **parse_variant(variant)}


def cell(name: str, seed: int, k: int, variant: str, threads: int, cache_dir: Path,
         pool: bool = True, extra: tuple[str, ...] = ()) -> dict:
    """Pretrain, fine-tune and score one (data set, seed, variant) on its dev set.

    ``pool=False`` leaves out the data set's extra unlabeled spectra; the row
    is then labelled ``"<name> (no pool)"``, with its own cached pretraining.
    ``extra`` names other data sets whose spectra join the pretraining
    (``"<name> +<other>"``, see :func:`~benchmarks.protocol.extra_pool`).
    """
    torch.set_num_threads(threads)
    params = variant_params(variant)
    split = dev_split(name, seed, k, params, cache_dir, pool, extra)
    model = glsm_method("GLSM", split["data"], seed, split["pretrained"], **params)
    start = time.perf_counter()
    model.fit(split["X_fit"], split["y_fit"])
    dev = split["dev"]
    accuracy = np.mean(model.predict(split["X"][dev]) == split["truth"][dev])
    return {"dataset": pool_label(name, pool, extra), "k": k, "seed": seed, "variant": variant,
            "dev_accuracy": f"{accuracy:.4f}",
            "pretrain_seconds": f"{split['pretrain_seconds']:.1f}",
            "finetune_seconds": f"{time.perf_counter() - start:.1f}",
            "device": model[-1].device_}


def _done(path: Path) -> set[tuple]:
    if not path.exists():
        return set()
    with path.open() as f:
        return {(r["dataset"], r["k"], r["seed"], r["variant"]) for r in csv.DictReader(f)}


def table(path: Path) -> str:
    """Mean dev accuracy (and seeds) per k, variant and data set, as markdown."""
    with path.open() as f:
        rows = list(csv.DictReader(f))
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    settings = list(dict.fromkeys((r["k"], r["variant"]) for r in rows))
    lines = ["| k | variant | " + " | ".join(datasets) + " |",
             "|---|---|" + "---|" * len(datasets)]
    for k, v in sorted(settings, key=lambda kv: int(kv[0])):
        cells = []
        for d in datasets:
            acc = [float(r["dev_accuracy"]) for r in rows
                   if (r["k"], r["variant"], r["dataset"]) == (k, v, d)]
            cells.append(f"{np.mean(acc):.3f} (n={len(acc)})" if acc else "")
        lines.append(f"| {k} | {v} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def best_of(path: Path, first: str, second: str) -> str:
    """Per k and data set: each variant's mean dev accuracy and the mean of the
    per-seed better one, as markdown.

    The third number bounds any rule that picks one of the two variants per
    fit (for instance by cross-validation on the labeled spectra): no such
    rule can beat an oracle that knows the dev accuracy. Only seeds that both
    variants have count.
    """
    with path.open() as f:
        rows = list(csv.DictReader(f))
    acc = {(r["k"], r["dataset"], r["variant"], r["seed"]): float(r["dev_accuracy"])
           for r in rows}
    lines = [f"| k | data set | {first} | {second} | better of the two per seed | seeds |",
             "|---|---|---|---|---|---|"]
    cells = dict.fromkeys((r["k"], r["dataset"]) for r in rows)
    for k, d in sorted(cells, key=lambda kd: (int(kd[0]), kd[1])):
        seeds = sorted({s for (kk, dd, v, s) in acc if (kk, dd, v) == (k, d, first)}
                       & {s for (kk, dd, v, s) in acc if (kk, dd, v) == (k, d, second)})
        if not seeds:
            continue
        a = np.array([acc[k, d, first, s] for s in seeds])
        b = np.array([acc[k, d, second, s] for s in seeds])
        lines.append(f"| {k} | {d} | {a.mean():.3f} | {b.mean():.3f} | "
                     f"{np.maximum(a, b).mean():.3f} | {len(seeds)} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    """Command-line entry point: run the missing cells, then print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", nargs="+", default=SEMI_DATASETS)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--variants", nargs="+", default=["default", "pretrain_epochs=0"])
    p.add_argument("--jobs", type=int, default=1, help="cells fitted side by side")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads per cell (default: the CPU cores shared by --jobs)")
    p.add_argument("--out", type=Path, default=RESULTS / "dev_sweep.csv")
    p.add_argument("--cache", type=Path, default=RESULTS / "cache",
                   help="pretrained encoders, shared with benchmarks.run")
    p.add_argument("--no-pool", action="store_true",
                   help="pretrain without the data sets' extra unlabeled spectra")
    p.add_argument("--extra-pool", nargs="+", default=[], metavar="DATASET",
                   help="other data sets whose spectra join the pretraining (labels "
                   "dropped), e.g. raman_saliva_pd_ad")
    p.add_argument("--report", action="store_true",
                   help="only print the table of the rows already in --out")
    p.add_argument("--best-of", nargs=2, metavar="VARIANT",
                   help="with --report: two variants' means and the mean of the per-seed "
                   "better one (the bound on choosing between them per fit)")
    args = p.parse_args(argv)
    if args.best_of and not args.report:
        p.error("--best-of goes with --report")
    if args.report:
        print(best_of(args.out, *args.best_of) if args.best_of else table(args.out))
        return
    for v in args.variants:
        parse_variant(v)  # fail on a malformed variant before any fit
    if args.no_pool and args.extra_pool:
        p.error("--no-pool and --extra-pool exclude each other")
    extra = tuple(args.extra_pool)
    done = _done(args.out)
    todo = [(d, s, v) for v in args.variants for d in args.datasets for s in args.seeds
            if (pool_label(d, not args.no_pool, extra), str(args.k), str(s), v) not in done]
    threads = args.threads or max(1, (os.cpu_count() or 1) // args.jobs)
    results = Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
        delayed(cell)(d, s, args.k, v, threads, args.cache, not args.no_pool, extra)
        for d, s, v in todo)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for row in results:
        append_row(args.out, row, FIELDS)
        print(", ".join(f"{k}={row[k]}" for k in FIELDS), flush=True)
    print(table(args.out))


if __name__ == "__main__":
    main()
