"""Tests for sklearn_glsm.preprocessing (wavenumber resampling)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_glsm.preprocessing import WavenumberResampler, common_axis


def gaussian_spectra(axis, centers=(800.0, 1200.0, 1500.0), width=40.0):
    """One Gaussian band per row, evaluated on ``axis`` (cm^-1)."""
    centers = np.asarray(centers)[:, None]
    return np.exp(-0.5 * ((np.asarray(axis)[None, :] - centers) / width) ** 2)


@parametrize_with_checks([WavenumberResampler()])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "method, n_target, atol",
    [("linear", 1401, 5e-3), ("linear", 57, 5e-3), ("cubic", 1401, 5e-5), ("cubic", 57, 5e-5)],
)
def test_gaussian_resampling_accuracy(method, n_target, atol):
    source = np.linspace(400.0, 1800.0, 351)  # 4 cm^-1 spacing
    target = np.linspace(420.0, 1780.0, n_target)  # finer and coarser grids
    resampler = WavenumberResampler(wavenumbers=source, target=target, method=method)
    out = resampler.fit_transform(gaussian_spectra(source))
    assert out.shape == (3, n_target)
    assert_allclose(out, gaussian_spectra(target), atol=atol)


@pytest.mark.parametrize("method", ["linear", "cubic"])
def test_descending_input_axis(method):
    ascending = np.linspace(400.0, 1800.0, 351)
    target = np.linspace(500.0, 1700.0, 200)
    X = gaussian_spectra(ascending)
    expected = WavenumberResampler(ascending, target, method=method).fit_transform(X)
    out = WavenumberResampler(ascending[::-1], target, method=method).fit_transform(X[:, ::-1])
    assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_descending_target_orders_output_columns():
    source = np.linspace(400.0, 1800.0, 351)
    target = np.linspace(500.0, 1700.0, 50)
    X = gaussian_spectra(source)
    up = WavenumberResampler(source, target).fit_transform(X)
    down = WavenumberResampler(source, target[::-1]).fit_transform(X)
    assert_allclose(down, up[:, ::-1])


@pytest.mark.parametrize("method", ["linear", "cubic"])
@pytest.mark.parametrize("target", [None, "same"])
def test_identity(method, target):
    axis = np.linspace(1800.0, 400.0, 100)
    X = np.random.default_rng(0).normal(size=(5, 100))
    resampler = WavenumberResampler(axis, axis if target == "same" else None, method=method)
    assert_array_equal(resampler.fit_transform(X), X)
    assert_array_equal(resampler.target_, axis)


@pytest.mark.parametrize("method", ["linear", "cubic"])
def test_knots_are_reproduced_on_a_subset(method):
    axis = np.linspace(400.0, 1800.0, 101)
    X = np.random.default_rng(1).normal(size=(4, 101))
    out = WavenumberResampler(axis, axis[::5], method=method).fit_transform(X)
    assert_allclose(out, X[:, ::5], atol=1e-12)


def test_linear_matches_numpy_interp():
    rng = np.random.default_rng(2)
    source = np.sort(rng.uniform(0.0, 100.0, 40))
    target = np.sort(rng.uniform(source[0], source[-1], 25))
    X = rng.normal(size=(6, 40))
    out = WavenumberResampler(source, target).fit_transform(X)
    expected = np.stack([np.interp(target, source, row) for row in X])
    assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_out_of_range_target_raises():
    source = np.linspace(400.0, 1800.0, 50)
    resampler = WavenumberResampler(source, np.linspace(300.0, 1800.0, 20))
    with pytest.raises(ValueError, match=r"target spans \[300, 1800\].*\[400, 1800\]"):
        resampler.fit(np.zeros((2, 50)))


@pytest.mark.parametrize("method", ["linear", "cubic"])
def test_extrapolate_holds_edge_values(method):
    source = np.linspace(400.0, 1800.0, 50)
    target = np.array([100.0, 400.0, 1000.0, 1800.0, 2500.0])
    X = np.random.default_rng(3).normal(size=(3, 50))
    out = WavenumberResampler(source, target, method=method, extrapolate=True).fit_transform(X)
    assert_allclose(out[:, 0], X[:, 0])
    assert_allclose(out[:, 1], X[:, 0])
    assert_allclose(out[:, 3], X[:, -1])
    assert_allclose(out[:, 4], X[:, -1])


def test_tiny_float_overshoot_is_not_extrapolation():
    source = np.linspace(400.0, 1800.0, 50)
    target = np.array([400.0 - 1e-10, 1800.0 + 1e-10])
    X = np.random.default_rng(4).normal(size=(2, 50))
    out = WavenumberResampler(source, target).fit_transform(X)
    assert_allclose(out, X[:, [0, -1]])


def test_mismatched_wavenumber_length_raises():
    resampler = WavenumberResampler(wavenumbers=np.arange(7.0))
    with pytest.raises(ValueError, match="X has 5 features but wavenumbers has 7 points"):
        resampler.fit(np.zeros((3, 5)))


@pytest.mark.parametrize(
    "axis, match",
    [
        ([1.0, 3.0, 2.0, 4.0], "strictly monotonic"),
        ([1.0, 2.0, 2.0, 3.0], "strictly monotonic"),
        ([1.0, np.nan, 3.0, 4.0], "finite"),
        ([[1.0, 2.0, 3.0, 4.0]], "1-D"),
        (["a", "b", "c", "d"], "array of numbers"),
    ],
)
@pytest.mark.parametrize("param", ["wavenumbers", "target"])
def test_invalid_axis_raises(axis, match, param):
    params = {"wavenumbers": np.arange(4.0), "target": None, param: axis}
    with pytest.raises(ValueError, match=match):
        WavenumberResampler(**params).fit(np.zeros((2, 4)))


@pytest.mark.parametrize(
    "params, match",
    [({"method": "quadratic"}, "method must be one of"), ({"extrapolate": "yes"}, "bool")],
)
def test_invalid_params_raise_in_fit(params, match):
    resampler = WavenumberResampler(**params)  # construction never validates
    with pytest.raises(ValueError, match=match):
        resampler.fit(np.zeros((2, 4)))


def test_transform_checks_n_features():
    resampler = WavenumberResampler(np.arange(6.0), np.arange(1.0, 5.0)).fit(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="X has 5 features"):
        resampler.transform(np.zeros((2, 5)))


def test_feature_names_out():
    resampler = WavenumberResampler(np.linspace(400.0, 1800.0, 8), [500.0, 1000.5, 1700.25])
    resampler.fit(np.zeros((1, 8)))
    names = resampler.get_feature_names_out()
    assert_array_equal(names, ["500", "1000.5", "1700.25"])
    assert_array_equal(names.astype(float), resampler.target_)
    with pytest.raises(ValueError, match="input_features"):
        resampler.get_feature_names_out(["a", "b"])


def test_pandas_output():
    pd = pytest.importorskip("pandas")
    source = np.linspace(400.0, 1800.0, 8)
    X = pd.DataFrame(gaussian_spectra(source), columns=[f"{v:g}" for v in source])
    resampler = WavenumberResampler(source, [600.0, 900.0]).set_output(transform="pandas")
    out = resampler.fit_transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["600", "900"]
    assert_array_equal(out.index, X.index)


def test_pipeline_serves_other_instrument_with_clone():
    rng = np.random.default_rng(5)
    axis_a = np.linspace(400.0, 1800.0, 300)
    axis_b = np.linspace(1850.0, 350.0, 420)  # other instrument: wider, descending
    y = np.repeat([0, 1, 2], 20)

    def make(axis):
        return gaussian_spectra(axis)[y] + 0.02 * rng.normal(size=(y.size, axis.size))

    model = LogisticRegression(max_iter=500).fit(make(axis_a), y)
    resampler = WavenumberResampler(wavenumbers=axis_b, target=axis_a)
    X_b = make(axis_b)
    serve = make_pipeline(clone(resampler).fit(X_b), model)
    assert (serve.predict(X_b) == y).mean() > 0.95

    # Training on B through A's axis also works end to end after clone.
    pipe = clone(make_pipeline(resampler, LogisticRegression(max_iter=500)))
    assert pipe.fit(X_b, y).score(X_b, y) > 0.95
    assert pipe[0] is not resampler and not hasattr(resampler, "target_")


@pytest.mark.parametrize("method", ["linear", "cubic"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_preserved(method, dtype):
    source = np.linspace(400.0, 1800.0, 60)
    X = gaussian_spectra(source).astype(dtype)
    out = WavenumberResampler(source, source[2:-2:3], method=method).fit_transform(X)
    assert out.dtype == dtype


def test_int_input_becomes_float64():
    out = WavenumberResampler(np.arange(4.0), [0.5, 2.5]).fit_transform(np.arange(8).reshape(2, 4))
    assert out.dtype == np.float64
    assert_allclose(out, [[0.5, 2.5], [4.5, 6.5]])


def test_single_point_axis():
    X = np.array([[1.0], [2.0]])
    assert_array_equal(WavenumberResampler().fit_transform(X), X)
    out = WavenumberResampler([1000.0], [990.0, 1010.0], extrapolate=True).fit_transform(X)
    assert_array_equal(out, [[1.0, 1.0], [2.0, 2.0]])


def test_common_axis_overlap_default_step():
    axis_a = np.arange(400.0, 1801.0, 1.0)
    axis_b = np.arange(1900.0, 599.0, -2.0)
    grid = common_axis(axis_a, axis_b)
    assert grid[0] == 600.0 and grid[-1] == 1800.0
    assert_allclose(np.diff(grid), 2.0)
    # Every input can be resampled onto the grid without extrapolation.
    for axis in (axis_a, axis_b):
        WavenumberResampler(axis, grid).fit(np.zeros((1, axis.size)))


def test_common_axis_step_and_n_points():
    axis_a = np.linspace(400.0, 1800.0, 100)
    axis_b = np.linspace(500.0, 2000.0, 300)
    grid = common_axis(axis_a, axis_b, step=3.0)
    assert grid[0] == 500.0 and grid[-1] <= 1800.0 and grid[-1] > 1800.0 - 3.0
    assert_allclose(np.diff(grid), 3.0)
    assert_allclose(common_axis(axis_a, axis_b, n_points=5), [500, 825, 1150, 1475, 1800])
    assert_allclose(common_axis(axis_a), axis_a)


def test_common_axis_step_hits_upper_bound_despite_rounding():
    grid = common_axis(np.array([0.0, 0.3]), step=0.1)
    assert grid.size == 4 and grid[-1] == 0.3


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (([400.0, 800.0], [900.0, 1200.0]), {}, "do not overlap"),
        (([400.0, 800.0], [800.0, 1200.0]), {}, "do not overlap"),
        ((), {}, "at least one axis"),
        (([400.0, 800.0],), {"step": 1.0, "n_points": 3}, "not both"),
        (([400.0, 800.0],), {"step": 0.0}, "step must be"),
        (([400.0, 800.0],), {"n_points": 1}, "n_points must be"),
        (([400.0],), {}, "at least two points"),
        (([400.0, 300.0, 800.0],), {}, "strictly monotonic"),
    ],
)
def test_common_axis_invalid(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        common_axis(*args, **kwargs)


@st.composite
def resampling_problems(draw):
    """Random strictly monotonic axes, a target inside them, and matching spectra."""
    n_features = draw(st.integers(2, 30))
    steps = draw(hnp.arrays(np.float64, n_features - 1, elements=st.floats(0.1, 50.0)))
    start = draw(st.floats(-1000.0, 4000.0))
    axis = start + np.concatenate([[0.0], np.cumsum(steps)])
    if draw(st.booleans()):
        axis = axis[::-1]
    n_target = draw(st.integers(1, 40))
    target = np.linspace(axis.min(), axis.max(), n_target)
    if draw(st.booleans()):
        target = target[::-1]
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n_samples = draw(st.integers(1, 8))
    X = draw(hnp.arrays(dtype, (n_samples, n_features), elements=st.floats(-1e3, 1e3, width=32)))
    method = draw(st.sampled_from(["linear", "cubic"]))
    return axis, target, X, method


@settings(max_examples=60, deadline=None)
@given(resampling_problems())
def test_property_shape_dtype_finite(problem):
    axis, target, X, method = problem
    out = WavenumberResampler(axis, target, method=method).fit_transform(X)
    assert out.shape == (X.shape[0], target.size)
    assert out.dtype == X.dtype
    assert np.all(np.isfinite(out))
    if method == "linear":
        # Linear interpolation is a convex combination: it never leaves the data range.
        tol = 1e-3 if X.dtype == np.float32 else 1e-9
        assert np.all(out >= X.min(axis=1, keepdims=True) - tol)
        assert np.all(out <= X.max(axis=1, keepdims=True) + tol)


@settings(max_examples=40, deadline=None)
@given(resampling_problems())
def test_property_identity(problem):
    axis, _, X, method = problem
    resampler = WavenumberResampler(axis, axis.copy(), method=method)
    out = resampler.fit_transform(X)
    assert out.dtype == X.dtype
    assert_array_equal(out, X)
    assert_array_equal(resampler.get_feature_names_out().astype(float), axis)


@settings(max_examples=40, deadline=None)
@given(resampling_problems())
def test_property_knots_are_reproduced(problem):
    axis, _, X, method = problem
    out = WavenumberResampler(axis, axis[::2], method=method).fit_transform(X)
    if method == "linear":
        assert_array_equal(out, X[:, ::2])
    else:
        rtol = 1e-4 if X.dtype == np.float32 else 1e-9
        assert_allclose(out, X[:, ::2], rtol=rtol, atol=rtol * (1 + np.abs(X).max()))
