"""Merge the CSVs of benchmark runs made side by side into one results file.

Two ``benchmarks.run`` processes must not append to one CSV (their rows could
interleave), so parallel runs each write their own copy (``--out``) and this
merges them: every cell (data set, k, seed, method) of a part that the
target does not hold yet is appended to it, in the part's order; a cell the
target already holds is kept as it is, or with ``--replace`` (a remeasurement
after a default changed) replaced in place by the part's row; ``--replaced-to``
then keeps the rows replaced in a side CSV, the record of the old default.

Examples
--------
cp benchmarks/results/semi_supervised.csv benchmarks/results/part_a.csv  # cells done are skipped
cp benchmarks/results/semi_supervised.csv benchmarks/results/part_b.csv
python -m benchmarks.run --datasets ftir_villegas_c4 --out benchmarks/results/part_a.csv &
python -m benchmarks.run --datasets raman_saliva_covid --out benchmarks/results/part_b.csv &
wait
python -m benchmarks.merge benchmarks/results/semi_supervised.csv \
    benchmarks/results/part_a.csv benchmarks/results/part_b.csv --remove
# after a default changed: the new rows in place, the old ones aside
python -m benchmarks.merge benchmarks/results/semi_supervised.csv \
    benchmarks/results/semi_supervised_teacher_fraction_0.75.csv --replace \
    --replaced-to benchmarks/results/semi_supervised_teacher_fraction_0.5.csv
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from .run import FIELDS, append_row, cell_of, done_cells, read_rows, write_rows


def merge(target: Path, parts: list[Path], replace: bool = False,
          replaced_to: Path | None = None) -> int:
    """Append to ``target`` every cell of ``parts`` it lacks; return how many rows changed.

    Parameters
    ----------
    target : Path
        The results CSV to complete; created when missing.
    parts : list of Path
        CSVs written by ``benchmarks.run --out``, with the same columns.
    replace : bool, default=False
        Also replace, in place, the target's rows of the cells that the parts
        hold (a remeasurement after a default changed); otherwise they are kept.
    replaced_to : Path or None, default=None
        With ``replace``: append the rows replaced to this CSV (created when
        missing), so the old default's numbers stay on record.

    Returns
    -------
    n_changed : int
        Rows appended to ``target``, plus those replaced.
    """
    rows: dict[tuple, dict] = {}  # the first part's row of each cell, in the parts' order
    for part in parts:
        with part.open() as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != FIELDS:
                raise ValueError(f"{part} has columns {reader.fieldnames}, expected {FIELDS}")
            for row in reader:
                rows.setdefault(cell_of(row), row)
    kept = read_rows(target)
    done = {cell_of(r) for r in kept}
    changed = 0
    if replace and done & rows.keys():
        # A row equal to the part's is not replaced: rerunning a merge moves nothing.
        replaced = [r for r in kept if rows.get(cell_of(r), r) != r]
        if replaced_to is not None:
            aside = done_cells(replaced_to)
            for r in replaced:
                if cell_of(r) not in aside:
                    append_row(replaced_to, r)
        changed = len(replaced)
        write_rows(target, [rows.get(cell_of(r), r) for r in kept])
    for cell, row in rows.items():
        if cell not in done:
            append_row(target, row)
            changed += 1
    return changed


def main(argv: list[str] | None = None) -> None:  # noqa: D103
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("target", type=Path, help="the results CSV to complete")
    p.add_argument("parts", type=Path, nargs="+", help="CSVs of runs made side by side")
    p.add_argument("--remove", action="store_true", help="delete the parts once merged")
    p.add_argument("--replace", action="store_true",
                   help="replace the target's rows of the cells the parts hold")
    p.add_argument("--replaced-to", type=Path, metavar="CSV",
                   help="with --replace: keep the rows replaced in this CSV")
    args = p.parse_args(argv)
    if args.replaced_to and not args.replace:
        p.error("--replaced-to goes with --replace")
    parts = [part for part in args.parts if part.resolve() != args.target.resolve()]
    changed = merge(args.target, parts, args.replace, args.replaced_to)
    print(f"{changed} rows {'added or replaced' if args.replace else 'added'} in {args.target}")
    if args.remove:
        for part in parts:
            part.unlink()


if __name__ == "__main__":
    main()
