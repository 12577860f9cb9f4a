"""Loaders for spectra stored as CSV/TSV tables or NumPy files.

Every loader returns ``(X, y, wavenumbers)``: ``X`` a 2-D float array with one spectrum per
row, ``y`` the labels or ``None``, and ``wavenumbers`` a 1-D float64 axis in ascending order.
Files stored high-to-low (common for FTIR) have both the axis and the columns of ``X``
reversed.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

__all__ = [
    "BACTERIA_ID_SPLITS",
    "load_bacteria_id",
    "load_spectra",
    "load_spectra_csv",
    "load_spectra_npy",
    "load_spectra_npz",
]

PathLike = str | os.PathLike

BACTERIA_ID_SPLITS = ("reference", "finetune", "test", "2018clinical", "2019clinical")

_CSV_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": "\t"}


def _check_axis(wavenumbers, n_features: int, source) -> tuple[np.ndarray, bool]:
    """Validate a spectral axis; return it ascending and whether it had to be reversed."""
    try:
        axis = np.asarray(wavenumbers, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{source}: the wavenumbers are not numeric.") from None
    if axis.ndim != 1:
        raise ValueError(f"{source}: the wavenumbers must be 1-D; got shape {axis.shape}.")
    if axis.shape[0] != n_features:
        raise ValueError(
            f"{source}: {axis.shape[0]} wavenumbers for {n_features} spectral columns in X."
        )
    if not np.all(np.isfinite(axis)):
        bad = int(np.flatnonzero(~np.isfinite(axis))[0])
        raise ValueError(f"{source}: wavenumber {bad} is {axis[bad]} (NaN or infinite).")
    step = np.diff(axis)
    if np.all(step > 0):
        return axis, False
    if np.all(step < 0):
        return axis[::-1].copy(), True
    raise ValueError(
        f"{source}: the wavenumber axis is not strictly monotonic (it must be strictly "
        "ascending or strictly descending, without repeated values)."
    )


def _check_X(X: np.ndarray, source) -> None:
    if X.ndim != 2:
        raise ValueError(f"{source}: X must be 2-D (n_spectra, n_points); got shape {X.shape}.")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{source}: X must be numeric; got dtype {X.dtype}.")


def _check_y(y: np.ndarray, n_samples: int, source) -> np.ndarray:
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{source}: y must be 1-D; got shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise ValueError(f"{source}: X has {n_samples} spectra but y has {y.shape[0]} labels.")
    return y


def _integral_labels(y: np.ndarray) -> np.ndarray:
    """Turn float labels holding whole numbers (as in the Bacteria-ID files) into int64."""
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        return y.astype(np.int64)
    return y


def _finish(X: np.ndarray, y, wavenumbers, source, *, keep_memmap: bool = False):
    """Shared tail of the loaders: validate, orient the axis ascending, cast to float64.

    ``wavenumbers=None`` stands for the index axis ``0, 1, ..., n_points - 1``.
    """
    _check_X(X, source)
    if wavenumbers is None:
        wavenumbers = np.arange(X.shape[1], dtype=np.float64)
    axis, reverse = _check_axis(wavenumbers, X.shape[1], source)
    if y is not None:
        y = _check_y(np.asarray(y), X.shape[0], source)
    if keep_memmap and not reverse and X.dtype.kind == "f":
        # The point of memory-mapping is not to hold X in memory, so return it untouched.
        return X, y, axis
    if reverse:
        X = X[:, ::-1]
    # ascontiguousarray turns the reversed view into a C-ordered copy.
    X = np.ascontiguousarray(X, dtype=np.float64)
    return X, y, axis


def _parse_float(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def load_spectra_csv(
    path: PathLike,
    *,
    delimiter: str | None = None,
    label_column: int | str | None = None,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Load spectra from a delimited text table with a header row of wavenumbers.

    The expected layout is one spectrum per row; the first row is the header and holds the
    wavenumber (cm^-1) of each column, except for an optional label column whose header
    cell is a name such as ``"label"``::

        label,400.0,401.0,402.0
        E. coli,0.12,0.15,0.11
        S. aureus,0.10,0.18,0.09

    Parameters
    ----------
    path : str or path-like
        The file to read.
    delimiter : str or None, default=None
        Field separator. ``None`` picks it from the extension: ``","`` for ``.csv``, a tab
        for ``.tsv`` and ``.txt``, and ``","`` otherwise.
    label_column : int, str or None, default=None
        The column holding the class labels, by position (negative positions count from
        the end) or by header name. ``None`` means the file has no labels and every column
        is a wavenumber.

    Returns
    -------
    X : ndarray of shape (n_spectra, n_points), dtype float64
        The spectra, columns in ascending wavenumber order.
    y : ndarray of shape (n_spectra,) or None
        The labels: int64 if every label is an integer, otherwise strings (surrounding
        whitespace removed). ``None`` if ``label_column`` is None.
    wavenumbers : ndarray of shape (n_points,), dtype float64
        The ascending axis in cm^-1. A descending header is reversed together with the
        columns of ``X``.

    Raises
    ------
    ValueError
        If the file is empty, a header cell other than the label column is not a number,
        the axis has NaN or is not monotonic, a row has a different number of cells than
        the header, a value is not numeric, or ``label_column`` is not in the header.

    See Also
    --------
    load_spectra : Dispatch on the file extension.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn_glsm.datasets import load_spectra_csv
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "spectra.csv"
    >>> _ = path.write_text("label,1000,1001,1002\\na,0.1,0.2,0.3\\nb,0.3,0.2,0.1\\n")
    >>> X, y, wavenumbers = load_spectra_csv(path, label_column="label")
    >>> X.shape, y.tolist(), wavenumbers.tolist()
    ((2, 3), ['a', 'b'], [1000.0, 1001.0, 1002.0])
    """
    path = Path(path)
    if delimiter is None:
        delimiter = _CSV_SUFFIXES.get(path.suffix.lower(), ",")
    # utf-8-sig drops the byte-order mark that spreadsheet programs put before the header.
    with open(path, newline="", encoding="utf-8-sig") as handle:
        # Blank lines (e.g. a trailing newline pair) carry no spectrum; skip them.
        rows = [
            row for row in csv.reader(handle, delimiter=delimiter) if any(c.strip() for c in row)
        ]
    if not rows:
        raise ValueError(f"{path}: the file is empty (expected a header row of wavenumbers).")
    header, body = [cell.strip() for cell in rows[0]], rows[1:]
    n_columns = len(header)

    label_index = None
    if label_column is not None:
        if isinstance(label_column, str):
            if label_column not in header:
                raise ValueError(
                    f"{path}: label_column {label_column!r} is not in the header {header[:5]}"
                    f"{'...' if n_columns > 5 else ''}."
                )
            label_index = header.index(label_column)
        else:
            if not -n_columns <= label_column < n_columns:
                raise ValueError(
                    f"{path}: label_column {label_column} is out of range for {n_columns} columns."
                )
            label_index = label_column % n_columns
    spectral = [j for j in range(n_columns) if j != label_index]
    if not spectral:
        raise ValueError(f"{path}: no wavenumber columns besides the label column.")

    axis = []
    for j in spectral:
        value = _parse_float(header[j])
        if value is None:
            hint = "" if label_column is not None else " (pass label_column= if it holds labels)"
            raise ValueError(
                f"{path}: header cell {header[j]!r} in column {j} is not a wavenumber{hint}."
            )
        axis.append(value)

    if not body:
        raise ValueError(f"{path}: the file has a header but no spectra.")
    lengths = np.array([len(row) for row in body])
    if np.all(lengths == lengths[0]) and lengths[0] != n_columns:
        raise ValueError(
            f"{path}: the header has {n_columns} columns but the rows have {lengths[0]}."
        )
    ragged = np.flatnonzero(lengths != n_columns)
    if ragged.size:
        i = int(ragged[0])
        # Data rows are counted from 1 below the header, skipping blank lines.
        raise ValueError(
            f"{path}: ragged rows; data row {i + 1} has {lengths[i]} cells but the header "
            f"has {n_columns}."
        )

    cells = np.array(body, dtype=str)
    try:
        X = cells[:, spectral].astype(np.float64)
    except ValueError:
        # Locate the offending cell only on failure, to keep the fast path vectorised.
        for i, row in enumerate(body):
            for j in spectral:
                if _parse_float(row[j]) is None:
                    raise ValueError(
                        f"{path}: value {row[j]!r} in data row {i + 1}, column {j} is not numeric."
                    ) from None
        raise

    y = None
    if label_index is not None:
        y = np.char.strip(cells[:, label_index])
        try:
            y = y.astype(np.int64)
        except ValueError:
            pass
    return _finish(X, y, axis, path)


def _load_npy(path: PathLike, mmap_mode, what: str) -> np.ndarray:
    try:
        return np.load(path, mmap_mode=mmap_mode, allow_pickle=False)
    except ValueError as exc:
        # NumPy refuses object arrays without pickling; say which file and why.
        raise ValueError(f"{path}: cannot load {what} without pickling ({exc}).") from None


def load_spectra_npy(
    x_path: PathLike,
    y_path: PathLike | None = None,
    wavenumbers: PathLike | np.ndarray | None = None,
    *,
    mmap_mode: str | None = None,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Load spectra from plain ``.npy`` files.

    Parameters
    ----------
    x_path : str or path-like
        ``.npy`` file holding a 2-D array of shape (n_spectra, n_points).
    y_path : str, path-like or None, default=None
        ``.npy`` file holding the labels, one per spectrum. Float labels holding whole
        numbers are returned as int64.
    wavenumbers : str, path-like, array-like or None, default=None
        The axis in cm^-1: a ``.npy`` file, an array, or ``None`` for the index axis
        ``np.arange(n_points)``.
    mmap_mode : {None, "r", "r+", "c"}, default=None
        Passed to :func:`numpy.load` for ``X``. When set, ``X`` is returned as the
        ``numpy.memmap`` itself, without copying it into memory and without casting it to
        float64, provided it already has a floating dtype and an ascending axis; otherwise
        a float64 copy is made.

    Returns
    -------
    X : ndarray of shape (n_spectra, n_points)
        float64, or the memory map described under ``mmap_mode``.
    y : ndarray of shape (n_spectra,) or None
        The labels, or ``None`` without ``y_path``.
    wavenumbers : ndarray of shape (n_points,), dtype float64
        The ascending axis; a descending axis is reversed together with the columns of X.

    Raises
    ------
    ValueError
        If X is not 2-D and numeric, y is not 1-D or its length differs from the number of
        spectra, the axis length differs from the number of columns, or the axis contains
        NaN or is not monotonic.

    See Also
    --------
    load_bacteria_id : The Bacteria-ID files, a set of ``.npy`` arrays.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from sklearn_glsm.datasets import load_spectra_npy
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "X.npy"
    >>> np.save(path, np.ones((4, 10)))
    >>> X, y, wavenumbers = load_spectra_npy(path)
    >>> X.shape, y, wavenumbers[:3].tolist()
    ((4, 10), None, [0.0, 1.0, 2.0])
    """
    X = _load_npy(x_path, mmap_mode, "X")
    y = None if y_path is None else _integral_labels(_load_npy(y_path, None, "y"))
    if isinstance(wavenumbers, str | os.PathLike):
        wavenumbers = _load_npy(wavenumbers, None, "wavenumbers")
    return _finish(X, y, wavenumbers, x_path, keep_memmap=mmap_mode is not None)


def load_spectra_npz(
    path: PathLike,
    *,
    x_key: str = "X",
    y_key: str | None = "y",
    wavenumbers_key: str | None = "wavenumbers",
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Load spectra from a NumPy ``.npz`` archive.

    The archive is read with ``allow_pickle=False``, so it must hold plain numeric or
    string arrays (``np.savez(path, X=X, y=y, wavenumbers=wavenumbers)``).

    Parameters
    ----------
    path : str or path-like
        The ``.npz`` file.
    x_key : str, default="X"
        Key of the 2-D array of spectra, shape (n_spectra, n_points).
    y_key : str or None, default="y"
        Key of the labels. If the archive has no such key (or ``y_key`` is None), ``y`` is
        ``None``; unlabelled archives load without error.
    wavenumbers_key : str or None, default="wavenumbers"
        Key of the axis in cm^-1. ``None`` uses the index axis ``np.arange(n_points)``.

    Returns
    -------
    X : ndarray of shape (n_spectra, n_points), dtype float64
        The spectra, columns in ascending wavenumber order.
    y : ndarray of shape (n_spectra,) or None
        The labels as stored (e.g. strings), or ``None``.
    wavenumbers : ndarray of shape (n_points,), dtype float64
        The ascending axis; a descending axis is reversed together with the columns of X.

    Raises
    ------
    ValueError
        If ``x_key`` or ``wavenumbers_key`` is missing, an array needs pickling, X is not
        2-D and numeric, y or the axis has the wrong length, or the axis contains NaN or is
        not monotonic.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from sklearn_glsm.datasets import load_spectra_npz
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "spectra.npz"
    >>> np.savez(path, X=np.ones((2, 3)), y=np.array(["PE", "PP"]),
    ...          wavenumbers=np.array([3000.0, 2000.0, 1000.0]))
    >>> X, y, wavenumbers = load_spectra_npz(path)
    >>> y.tolist(), wavenumbers.tolist()
    (['PE', 'PP'], [1000.0, 2000.0, 3000.0])
    """
    try:
        with np.load(path, allow_pickle=False) as archive:
            keys = list(archive.files)
            for key, what in ((x_key, "x_key"), (wavenumbers_key, "wavenumbers_key")):
                if key is not None and key not in keys:
                    raise ValueError(
                        f"{path}: missing key {key!r} ({what}); the archive holds {keys}."
                    )
            X = archive[x_key]
            y = archive[y_key] if y_key is not None and y_key in keys else None
            axis = None if wavenumbers_key is None else archive[wavenumbers_key]
    except ValueError as exc:
        if str(exc).startswith(f"{path}:"):
            raise
        raise ValueError(f"{path}: cannot read the archive without pickling ({exc}).") from None
    return _finish(X, y, axis, path)


def load_bacteria_id(
    directory: PathLike,
    split: str = "reference",
    *,
    mmap_mode: str | None = None,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Load one split of the Bacteria-ID Raman dataset from its published ``.npy`` files.

    The dataset of Ho et al. (2019), distributed with github.com/csho33/bacteria-ID, holds
    Raman spectra of 30 bacterial and yeast isolates (1000 points per spectrum) as
    ``X_{split}.npy`` / ``y_{split}.npy`` pairs in one directory, optionally with a
    ``wavenumbers.npy`` axis. The data are not shipped with this package: download them and
    pass their directory.

    Parameters
    ----------
    directory : str or path-like
        Directory holding the ``.npy`` files.
    split : {"reference", "finetune", "test", "2018clinical", "2019clinical"}, \
default="reference"
        Which pair of files to load.
    mmap_mode : {None, "r", "r+", "c"}, default=None
        Memory-map ``X`` instead of reading it; see :func:`load_spectra_npy`.

    Returns
    -------
    X : ndarray of shape (n_spectra, 1000)
        The spectra (float64 unless memory-mapped).
    y : ndarray of shape (n_spectra,) or None
        Integer isolate labels (stored as floats in the files, returned as int64), or
        ``None`` if ``y_{split}.npy`` is absent.
    wavenumbers : ndarray of shape (n_points,), dtype float64
        The ascending axis from ``wavenumbers.npy`` in cm^-1. If that file is absent, the
        index axis ``np.arange(n_points)`` is returned instead (not cm^-1).

    Raises
    ------
    ValueError
        If ``split`` is unknown or the files are malformed (see :func:`load_spectra_npy`).
    FileNotFoundError
        If ``X_{split}.npy`` is not in ``directory``.

    References
    ----------
    .. [1] C.-S. Ho et al., "Rapid identification of pathogenic bacteria using Raman
       spectroscopy and deep learning", Nature Communications 10, 4927 (2019).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from sklearn_glsm.datasets import load_bacteria_id
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> np.save(folder / "X_test.npy", np.zeros((6, 1000)))
    >>> np.save(folder / "y_test.npy", np.arange(6.0))
    >>> X, y, wavenumbers = load_bacteria_id(folder, split="test")
    >>> X.shape, y.dtype.name, float(wavenumbers[-1])
    ((6, 1000), 'int64', 999.0)
    """
    if split not in BACTERIA_ID_SPLITS:
        raise ValueError(f"split must be one of {BACTERIA_ID_SPLITS}; got {split!r}.")
    directory = Path(directory)
    x_path = directory / f"X_{split}.npy"
    if not x_path.is_file():
        raise FileNotFoundError(f"{x_path} not found; is {directory} the Bacteria-ID folder?")
    y_path = directory / f"y_{split}.npy"
    axis_path = directory / "wavenumbers.npy"
    return load_spectra_npy(
        x_path,
        y_path if y_path.is_file() else None,
        axis_path if axis_path.is_file() else None,
        mmap_mode=mmap_mode,
    )


def load_spectra(path: PathLike, **kwargs) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Load spectra from a file, choosing the loader from its extension.

    ``.csv``, ``.tsv`` and ``.txt`` go to :func:`load_spectra_csv`, ``.npz`` to
    :func:`load_spectra_npz` and ``.npy`` to :func:`load_spectra_npy` (as ``x_path``).

    Parameters
    ----------
    path : str or path-like
        The file to read.
    **kwargs
        Passed to the chosen loader.

    Returns
    -------
    X : ndarray of shape (n_spectra, n_points)
        The spectra.
    y : ndarray of shape (n_spectra,) or None
        The labels, or ``None`` if the file has none.
    wavenumbers : ndarray of shape (n_points,), dtype float64
        The ascending axis.

    Raises
    ------
    ValueError
        If the extension is not supported, or as raised by the chosen loader.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from sklearn_glsm.datasets import load_spectra
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "spectra.npz"
    >>> np.savez(path, X=np.ones((2, 3)), wavenumbers=np.array([1.0, 2.0, 3.0]))
    >>> X, y, wavenumbers = load_spectra(path)
    >>> X.shape, y
    ((2, 3), None)
    """
    suffix = Path(path).suffix.lower()
    if suffix in _CSV_SUFFIXES:
        return load_spectra_csv(path, **kwargs)
    if suffix == ".npz":
        return load_spectra_npz(path, **kwargs)
    if suffix == ".npy":
        return load_spectra_npy(path, **kwargs)
    raise ValueError(
        f"{path}: unsupported extension {suffix!r}; expected one of "
        f"{sorted([*_CSV_SUFFIXES, '.npz', '.npy'])}."
    )
