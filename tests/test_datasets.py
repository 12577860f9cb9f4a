"""Tests for sklearn_glsm.datasets: the synthetic generator and the file loaders."""

import re

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from sklearn_glsm.datasets import (
    BACTERIA_ID_SPLITS,
    load_bacteria_id,
    load_spectra,
    load_spectra_csv,
    load_spectra_npy,
    load_spectra_npz,
    make_spectra,
)

# --------------------------------------------------------------------------- make_spectra


def test_make_spectra_shapes_dtypes_axis():
    X, y, wn = make_spectra(n_samples=50, n_features=120, n_classes=3, random_state=0)
    assert X.shape == (50, 120) and X.dtype == np.float64
    assert y.shape == (50,) and y.dtype.kind == "i"
    assert wn.shape == (120,) and wn.dtype == np.float64
    assert np.all(np.diff(wn) > 0)
    assert wn[0] == 400.0 and wn[-1] == 1800.0
    assert set(np.unique(y)) == {0, 1, 2}
    assert np.all(np.isfinite(X))
    # Non-negative up to noise: the minimum is a few noise standard deviations below zero.
    assert X.min() > -0.1


def test_make_spectra_deterministic_for_int_seed():
    a = make_spectra(n_samples=40, n_features=60, random_state=7)
    b = make_spectra(n_samples=40, n_features=60, random_state=7)
    c = make_spectra(n_samples=40, n_features=60, random_state=8)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


def test_make_spectra_does_not_touch_global_rng():
    # The legacy global RNG is exactly what is being watched here.
    before = np.random.get_state()  # noqa: NPY002
    make_spectra(n_samples=10, n_features=20, random_state=None)
    make_spectra(n_samples=10, n_features=20, random_state=1)
    make_spectra(n_samples=10, n_features=20, random_state=np.random.RandomState(0))
    after = np.random.get_state()  # noqa: NPY002
    np.testing.assert_array_equal(before[1], after[1])
    assert before[2:] == after[2:]


def test_make_spectra_accepts_generator_and_randomstate():
    X1, _, _ = make_spectra(10, 20, random_state=np.random.default_rng(3))
    X2, _, _ = make_spectra(10, 20, random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(X1, X2)
    X3, _, _ = make_spectra(10, 20, random_state=np.random.RandomState(3))
    X4, _, _ = make_spectra(10, 20, random_state=np.random.RandomState(3))
    np.testing.assert_array_equal(X3, X4)


def test_make_spectra_balanced_and_shuffled():
    _, y, _ = make_spectra(n_samples=103, n_features=30, n_classes=4, random_state=0)
    counts = np.bincount(y)
    assert counts.sum() == 103 and counts.max() - counts.min() <= 1
    # Shuffled: labels are not sorted into blocks.
    assert np.any(np.diff(y) < 0)


def test_make_spectra_class_weights():
    _, y, _ = make_spectra(
        n_samples=100, n_features=30, n_classes=3, class_weights=[0.5, 0.3, 0.2], random_state=0
    )
    np.testing.assert_array_equal(np.bincount(y), [50, 30, 20])
    _, y, _ = make_spectra(n_samples=10, n_features=30, n_classes=2, class_weights=[1, 0])
    np.testing.assert_array_equal(np.bincount(y, minlength=2), [10, 0])


def test_make_spectra_return_peaks():
    X, y, wn, peaks = make_spectra(
        n_samples=20, n_features=50, n_classes=3, n_peaks=2, n_shared_peaks=3,
        return_peaks=True, random_state=0,
    )  # fmt: skip
    for key in ("centers", "widths", "heights", "eta"):
        assert peaks[key].shape == (3, 5)
    np.testing.assert_array_equal(peaks["shared"], [True] * 3 + [False] * 2)
    # Shared bands are identical across classes, specific ones differ.
    assert np.all(peaks["centers"][:, :3] == peaks["centers"][0, :3])
    assert not np.allclose(peaks["centers"][0, 3:], peaks["centers"][1, 3:])
    assert np.all((peaks["centers"] >= wn[0]) & (peaks["centers"] <= wn[-1]))
    assert np.all((peaks["widths"] >= 4.0) & (peaks["widths"] <= 20.0))


def test_make_spectra_noise_free_matches_templates():
    # Without nuisances every spectrum of a class is the same template.
    X, y, _ = make_spectra(
        n_samples=12, n_features=80, n_classes=2, shift=0, intensity_variation=0,
        baseline=0, noise=0, spike_probability=0, random_state=0,
    )  # fmt: skip
    for c in (0, 1):
        np.testing.assert_allclose(X[y == c], np.broadcast_to(X[y == c][0], X[y == c].shape))
    assert not np.allclose(X[y == 0][0], X[y == 1][0])
    assert X.min() >= 0


def test_make_spectra_spikes():
    kwargs = dict(n_samples=30, n_features=100, baseline=0, noise=0, random_state=0)
    X0, _, _ = make_spectra(spike_probability=0.0, **kwargs)
    X1, _, _ = make_spectra(spike_probability=1.0, **kwargs)
    # Every spectrum gets one channel far above any band (bands are at most ~1 high).
    assert X0.max() < 2.0
    assert np.all(np.sum(X1 > 2.0, axis=1) >= 1)


def test_make_spectra_nearest_neighbour_sanity():
    # Separable but not trivially so: 1-NN on raw spectra, 5 labels per class.
    X, y, _ = make_spectra(random_state=0)
    rng = np.random.default_rng(0)
    train = np.concatenate(
        [rng.choice(np.flatnonzero(y == c), 5, replace=False) for c in range(4)]
    )
    test = np.setdiff1d(np.arange(y.size), train)
    score = KNeighborsClassifier(n_neighbors=1).fit(X[train], y[train]).score(X[test], y[test])
    assert 0.25 + 0.2 <= score <= 0.99


def test_make_spectra_minimal_sizes():
    X, y, wn = make_spectra(n_samples=1, n_features=2, n_classes=1, random_state=0)
    assert X.shape == (1, 2) and y.tolist() == [0] and wn.tolist() == [400.0, 1800.0]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_samples=0), "n_samples must be >= 1"),
        (dict(n_samples=2.5), "n_samples must be an int"),
        (dict(n_features=1), "n_features must be >= 2"),
        (dict(n_classes=0), "n_classes must be >= 1"),
        (dict(n_peaks=-1), "n_peaks must be >= 0"),
        (dict(wavenumber_range=(1800.0, 400.0)), "wavenumber_range must be increasing"),
        (dict(wavenumber_range=(400.0,)), "wavenumber_range must be a pair"),
        (dict(peak_width=(10.0, 5.0)), "peak_width must be increasing"),
        (dict(peak_width=(0.0, 5.0)), "peak_width must be positive"),
        (dict(shift=-1.0), "shift must be non-negative"),
        (dict(noise=-0.1), "noise must be non-negative"),
        (dict(baseline=float("nan")), "baseline must be a finite"),
        (dict(intensity_variation=-0.2), "intensity_variation must be non-negative"),
        (dict(spike_probability=1.5), re.escape("spike_probability must be in [0, 1]")),
        (dict(class_weights=[1.0, 1.0]), "one entry per class"),
        (dict(class_weights=[1.0, -1.0, 1.0, 1.0]), "non-negative"),
        (dict(random_state="seed"), "random_state must be"),
    ],
)
def test_make_spectra_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_spectra(**{"n_samples": 10, "n_features": 20, **kwargs})


# ------------------------------------------------------------------------------- CSV/TSV


def _write(path, text):
    path.write_text(text)
    return path


def test_load_csv_with_label_name(tmp_path):
    path = _write(tmp_path / "s.csv", "label,400,401.5,403\nE. coli,1,2,3\nS. aureus,4,5,6\n")
    X, y, wn = load_spectra_csv(path, label_column="label")
    np.testing.assert_array_equal(X, [[1, 2, 3], [4, 5, 6]])
    assert X.dtype == np.float64 and wn.dtype == np.float64
    np.testing.assert_array_equal(wn, [400, 401.5, 403])
    assert y.tolist() == ["E. coli", "S. aureus"]


def test_load_csv_integer_labels_by_index(tmp_path):
    path = _write(tmp_path / "s.csv", "400,401,class\n1,2,0\n3,4,1\n")
    X, y, wn = load_spectra_csv(path, label_column=-1)
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])
    assert y.dtype == np.int64 and y.tolist() == [0, 1]
    np.testing.assert_array_equal(wn, [400, 401])


def test_load_csv_without_labels_and_blank_lines(tmp_path):
    path = _write(tmp_path / "s.csv", "1,2,3\n0.5,0.6,0.7\n\n0.1,0.2,0.3\n\n")
    X, y, wn = load_spectra_csv(path)
    assert y is None and X.shape == (2, 3)


def test_load_csv_excel_bom_and_crlf(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff400,401\r\n1,2\r\n".encode())
    X, _, wn = load_spectra_csv(path)
    np.testing.assert_array_equal(X, [[1, 2]])
    np.testing.assert_array_equal(wn, [400, 401])


def test_load_tsv_and_txt_sniff_tab(tmp_path):
    text = "label\t400\t401\na\t1\t2\n"
    for name in ("s.tsv", "s.txt"):
        X, y, wn = load_spectra_csv(_write(tmp_path / name, text), label_column="label")
        np.testing.assert_array_equal(X, [[1, 2]])
    # An explicit delimiter overrides the extension.
    path = _write(tmp_path / "semi.csv", "400;401\n1;2\n")
    X, _, _ = load_spectra_csv(path, delimiter=";")
    np.testing.assert_array_equal(X, [[1, 2]])


def test_load_csv_descending_axis_reversed(tmp_path):
    path = _write(tmp_path / "s.csv", "y,4000,3000,2000\na,1,2,3\nb,4,5,6\n")
    X, y, wn = load_spectra_csv(path, label_column=0)
    np.testing.assert_array_equal(wn, [2000, 3000, 4000])
    np.testing.assert_array_equal(X, [[3, 2, 1], [6, 5, 4]])
    assert X.flags.c_contiguous


@pytest.mark.parametrize(
    "text, kwargs, match",
    [
        ("", {}, "file is empty"),
        ("400,401\n", {}, "header but no spectra"),
        ("400,401,402\n1,2,3\n4,5\n", {}, "ragged rows; data row 2 has 2 cells"),
        ("400,401,402\n1,2\n3,4\n", {}, "header has 3 columns but the rows have 2"),
        ("label,400,401\na,1,2\n", {}, r"header cell 'label' in column 0 is not a wavenumber"),
        ("400,abc,402\n1,2,3\n", {}, "header cell 'abc' in column 1"),
        ("400,nan,402\n1,2,3\n", {}, "wavenumber 1 is nan"),
        ("400,402,401\n1,2,3\n", {}, "not strictly monotonic"),
        ("400,400,401\n1,2,3\n", {}, "not strictly monotonic"),
        ("400,401\n1,x\n", {}, "value 'x' in data row 1, column 1 is not numeric"),
        ("label,400\na,1\n", {"label_column": "class"}, "label_column 'class' is not in"),
        ("label,400\na,1\n", {"label_column": 5}, "out of range"),
        ("label\na\n", {"label_column": 0}, "no wavenumber columns"),
    ],
)
def test_load_csv_malformed(tmp_path, text, kwargs, match):
    path = _write(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError, match=match) as info:
        load_spectra_csv(path, **kwargs)
    assert "bad.csv" in str(info.value)


# ----------------------------------------------------------------------------------- NPZ


def test_load_npz_roundtrip_float32_and_string_labels(tmp_path):
    X0 = np.arange(12, dtype=np.float32).reshape(3, 4)
    wn0 = np.array([400.0, 500.0, 600.0, 700.0])
    path = tmp_path / "s.npz"
    np.savez(path, X=X0, y=np.array(["PE", "PP", "PS"]), wavenumbers=wn0)
    X, y, wn = load_spectra_npz(path)
    assert X.dtype == np.float64 and X.shape == (3, 4)
    np.testing.assert_array_equal(X, X0)
    assert y.tolist() == ["PE", "PP", "PS"]
    np.testing.assert_array_equal(wn, wn0)


def test_load_npz_unlabelled_custom_keys_descending(tmp_path):
    path = tmp_path / "s.npz"
    np.savez(path, spectra=np.array([[1.0, 2.0, 3.0]]), axis=np.array([3.0, 2.0, 1.0]))
    X, y, wn = load_spectra_npz(path, x_key="spectra", wavenumbers_key="axis")
    assert y is None
    np.testing.assert_array_equal(wn, [1, 2, 3])
    np.testing.assert_array_equal(X, [[3, 2, 1]])
    # wavenumbers_key=None: index axis.
    _, _, wn = load_spectra_npz(path, x_key="spectra", wavenumbers_key=None)
    np.testing.assert_array_equal(wn, [0, 1, 2])


@pytest.mark.parametrize(
    "arrays, match",
    [
        (dict(y=np.zeros(2), wavenumbers=np.arange(3.0)), "missing key 'X'"),
        (dict(X=np.zeros((2, 3))), "missing key 'wavenumbers'"),
        (dict(X=np.zeros(3), wavenumbers=np.arange(3.0)), "X must be 2-D"),
        (dict(X=np.zeros((2, 3)), wavenumbers=np.arange(4.0)), "4 wavenumbers for 3"),
        (dict(X=np.zeros((2, 3)), y=np.zeros(3), wavenumbers=np.arange(3.0)), "y has 3 labels"),
        (dict(X=np.zeros((2, 3)), wavenumbers=np.array([1.0, np.nan, 3.0])), "NaN"),
        (dict(X=np.zeros((2, 3)), wavenumbers=np.array([1.0, 3.0, 2.0])), "not strictly mono"),
        (dict(X=np.array([[None, 1]], dtype=object), wavenumbers=np.arange(2.0)), "pickling"),
    ],
)
def test_load_npz_malformed(tmp_path, arrays, match):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=match) as info:
        load_spectra_npz(path)
    assert "bad.npz" in str(info.value)


# ----------------------------------------------------------------------------------- NPY


def test_load_npy_with_labels_and_axis_file(tmp_path):
    np.save(tmp_path / "X.npy", np.ones((3, 4), dtype=np.float32))
    np.save(tmp_path / "y.npy", np.array([0.0, 1.0, 2.0]))
    np.save(tmp_path / "wn.npy", np.array([4.0, 3.0, 2.0, 1.0]))
    X, y, wn = load_spectra_npy(tmp_path / "X.npy", tmp_path / "y.npy", tmp_path / "wn.npy")
    assert X.dtype == np.float64 and X.shape == (3, 4)
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 2]
    np.testing.assert_array_equal(wn, [1, 2, 3, 4])


def test_load_npy_descending_axis_reverses_columns(tmp_path):
    X0 = np.arange(6.0).reshape(2, 3)
    np.save(tmp_path / "X.npy", X0)
    X, y, wn = load_spectra_npy(tmp_path / "X.npy", wavenumbers=[30.0, 20.0, 10.0])
    assert y is None
    np.testing.assert_array_equal(X, X0[:, ::-1])
    np.testing.assert_array_equal(wn, [10, 20, 30])


def test_load_npy_memmap_is_not_copied(tmp_path):
    X0 = np.random.default_rng(0).random((5, 7)).astype(np.float32)
    np.save(tmp_path / "X.npy", X0)
    X, _, wn = load_spectra_npy(tmp_path / "X.npy", mmap_mode="r")
    assert isinstance(X, np.memmap) and X.dtype == np.float32
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(wn, np.arange(7.0))
    # Descending axis or integer data cannot be served as is: a float64 copy is made.
    X, _, _ = load_spectra_npy(tmp_path / "X.npy", wavenumbers=np.arange(7.0)[::-1], mmap_mode="r")
    assert not isinstance(X, np.memmap) and X.dtype == np.float64
    np.testing.assert_array_equal(X, X0[:, ::-1])
    np.save(tmp_path / "Xi.npy", np.ones((2, 3), dtype=np.int16))
    X, _, _ = load_spectra_npy(tmp_path / "Xi.npy", mmap_mode="r")
    assert not isinstance(X, np.memmap) and X.dtype == np.float64


def test_load_npy_malformed(tmp_path):
    np.save(tmp_path / "X.npy", np.ones((3, 4)))
    np.save(tmp_path / "X1d.npy", np.ones(4))
    np.save(tmp_path / "y.npy", np.zeros(2))
    np.save(tmp_path / "y2d.npy", np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"X1d\.npy: X must be 2-D"):
        load_spectra_npy(tmp_path / "X1d.npy")
    with pytest.raises(ValueError, match="X has 3 spectra but y has 2 labels"):
        load_spectra_npy(tmp_path / "X.npy", tmp_path / "y.npy")
    with pytest.raises(ValueError, match="y must be 1-D"):
        load_spectra_npy(tmp_path / "X.npy", tmp_path / "y2d.npy")
    with pytest.raises(ValueError, match="3 wavenumbers for 4 spectral columns"):
        load_spectra_npy(tmp_path / "X.npy", wavenumbers=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="wavenumber 0 is nan"):
        load_spectra_npy(tmp_path / "X.npy", wavenumbers=[np.nan, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="not strictly monotonic"):
        load_spectra_npy(tmp_path / "X.npy", wavenumbers=[1.0, 2.0, 2.0, 3.0])
    np.save(tmp_path / "Xs.npy", np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="X must be numeric"):
        load_spectra_npy(tmp_path / "Xs.npy")


# ---------------------------------------------------------------------------- Bacteria-ID


def _bacteria_folder(tmp_path, with_axis=True):
    rng = np.random.default_rng(0)
    for split, n in (("reference", 6), ("test", 4)):
        np.save(tmp_path / f"X_{split}.npy", rng.random((n, 1000)))
        np.save(tmp_path / f"y_{split}.npy", np.arange(n, dtype=np.float64) % 3)
    if with_axis:
        np.save(tmp_path / "wavenumbers.npy", np.linspace(381.98, 1792.4, 1000))
    return tmp_path


def test_load_bacteria_id(tmp_path):
    folder = _bacteria_folder(tmp_path)
    X, y, wn = load_bacteria_id(folder)
    assert X.shape == (6, 1000) and X.dtype == np.float64
    assert y.dtype == np.int64 and y.tolist() == [0, 1, 2, 0, 1, 2]
    assert wn[0] == pytest.approx(381.98) and np.all(np.diff(wn) > 0)
    X, y, _ = load_bacteria_id(str(folder), split="test")
    np.testing.assert_array_equal(X, np.load(folder / "X_test.npy"))
    assert y.shape == (4,)
    X, _, _ = load_bacteria_id(folder, split="test", mmap_mode="r")
    assert isinstance(X, np.memmap)


def test_load_bacteria_id_without_axis_uses_index(tmp_path):
    _, _, wn = load_bacteria_id(_bacteria_folder(tmp_path, with_axis=False))
    np.testing.assert_array_equal(wn, np.arange(1000.0))


def test_load_bacteria_id_errors(tmp_path):
    assert "2019clinical" in BACTERIA_ID_SPLITS
    with pytest.raises(ValueError, match="split must be one of"):
        load_bacteria_id(tmp_path, split="train")
    with pytest.raises(FileNotFoundError, match="X_finetune.npy"):
        load_bacteria_id(_bacteria_folder(tmp_path), split="finetune")


# -------------------------------------------------------------------------- load_spectra


def test_load_spectra_dispatch(tmp_path):
    csv_path = _write(tmp_path / "s.CSV", "label,1,2\na,3,4\n")
    X, y, _ = load_spectra(csv_path, label_column="label")
    np.testing.assert_array_equal(X, [[3, 4]])
    assert y.tolist() == ["a"]
    np.savez(tmp_path / "s.npz", X=np.ones((1, 2)), wavenumbers=np.array([1.0, 2.0]))
    assert load_spectra(tmp_path / "s.npz")[0].shape == (1, 2)
    np.save(tmp_path / "s.npy", np.ones((2, 2)))
    assert load_spectra(tmp_path / "s.npy", mmap_mode="r")[0].shape == (2, 2)
    with pytest.raises(ValueError, match=r"unsupported extension '\.mat'"):
        load_spectra(tmp_path / "s.mat")
