"""Resampling of spectra between wavenumber axes.

Spectra from different instruments (or different acquisition settings of the same
instrument) rarely share a wavenumber axis. A model trained on one axis can only
serve spectra of another after they are interpolated onto the training axis; this
module provides that step as a scikit-learn transformer plus a helper to build a
grid shared by several instruments.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike
from scipy.interpolate import CubicSpline
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["WavenumberResampler", "common_axis"]

_METHODS = ("linear", "cubic")

# Relative slack (fraction of the input span) allowed when a target point lies just
# outside the input axis. Grids built with floating-point arithmetic (e.g. by
# ``common_axis`` or ``np.arange``) can overshoot an edge by a few ulps, which must
# not be reported as extrapolation.
_RANGE_RTOL = 1e-9


def _as_axis(values: ArrayLike, name: str) -> np.ndarray:
    """Validate a wavenumber axis and return it as a float64 1-D array.

    The axis must be 1-D, non-empty, finite and strictly monotonic (ascending or
    descending). A single point is accepted: it is trivially monotonic.
    """
    try:
        axis = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 1-D array of numbers, got {values!r}.") from exc
    if axis.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape {axis.shape}.")
    if axis.size == 0:
        raise ValueError(f"{name} must contain at least one point.")
    if not np.all(np.isfinite(axis)):
        raise ValueError(f"{name} must contain only finite values.")
    if axis.size > 1:
        steps = np.diff(axis)
        if not (np.all(steps > 0) or np.all(steps < 0)):
            raise ValueError(
                f"{name} must be strictly monotonic (ascending or descending) without "
                "repeated values."
            )
    return axis


def _format_wavenumber(value: float) -> str:
    """Shortest string that round-trips to ``value`` (``'1000'``, ``'1000.5'``)."""
    return np.format_float_positional(float(value), unique=True, trim="-")


class WavenumberResampler(TransformerMixin, BaseEstimator):
    """Resample spectra from one wavenumber axis onto another.

    Each column of ``X`` is the intensity at one point of ``wavenumbers``; the
    output has one column per point of ``target``. Typical use is to serve spectra
    from instrument B to a model trained on instrument A's axis, inside a
    :class:`~sklearn.pipeline.Pipeline`.

    Interpolation is vectorised over all spectra (no Python loop per spectrum).

    Parameters
    ----------
    wavenumbers : array-like of shape (n_features,), default=None
        Wavenumber axis of the input columns, in cm^-1. Ascending or descending,
        strictly monotonic and finite. ``None`` means ``np.arange(n_features)``,
        i.e. the column index serves as the axis.
    target : array-like of shape (n_targets,), default=None
        Wavenumber axis of the output columns, in cm^-1. Strictly monotonic and
        finite; its order (ascending or descending) is the order of the output
        columns. ``None`` means the same as the (resolved) ``wavenumbers``, which
        makes the transformer the identity.
    method : {"linear", "cubic"}, default="linear"
        Interpolation scheme. ``"linear"`` is piecewise linear (like
        :func:`numpy.interp`) and never overshoots. ``"cubic"`` uses a not-a-knot
        :class:`scipy.interpolate.CubicSpline`; it is more accurate for smooth,
        well-sampled bands but can ring around sharp peaks or noise.
    extrapolate : bool, default=False
        What to do with target points outside the range of ``wavenumbers``. If
        False, :meth:`fit` raises a :class:`ValueError` naming both ranges. If
        True, the edge intensities are held constant beyond the input range
        (no polynomial extrapolation, which would diverge quickly).

    Attributes
    ----------
    wavenumbers_ : ndarray of shape (`n_features_in_`,)
        Validated input axis in cm^-1 (float64, in the order of the input columns).
    target_ : ndarray of shape (n_targets,)
        Validated output axis in cm^-1 (float64, in the order of the output columns).
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`. Defined only when `X` has
        feature names that are all strings.

    See Also
    --------
    common_axis : Grid over the range shared by several wavenumber axes.

    Notes
    -----
    Output feature names (:meth:`get_feature_names_out`, and the column labels with
    ``set_output(transform="pandas")``) are the target wavenumbers formatted as the
    shortest decimal string that round-trips, e.g. ``"1000"`` or ``"1000.5"``, so
    ``float(name)`` recovers the wavenumber.

    Target points within ``1e-9`` times the input span of an edge are treated as
    lying on that edge, so grids built with floating-point arithmetic do not
    trigger spurious out-of-range errors.

    Resampling onto a coarser grid does not low-pass filter the spectra; smooth
    first (e.g. Savitzky-Golay) if the target spacing is much coarser than the
    band widths.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_glsm.preprocessing import WavenumberResampler
    >>> axis_b = np.linspace(1800.0, 400.0, 8)  # instrument B, descending
    >>> axis_a = np.array([500.0, 1000.0, 1500.0])  # training axis of instrument A
    >>> X_b = np.tile(axis_b, (2, 1))  # intensity equal to the wavenumber
    >>> resampler = WavenumberResampler(wavenumbers=axis_b, target=axis_a)
    >>> resampler.fit_transform(X_b)
    array([[ 500., 1000., 1500.],
           [ 500., 1000., 1500.]])
    >>> resampler.get_feature_names_out()
    array(['500', '1000', '1500'], dtype=object)

    Serving instrument-B spectra to a model fitted on instrument A's axis:

    >>> from sklearn.pipeline import make_pipeline
    >>> serve = make_pipeline(resampler, fitted_model)  # doctest: +SKIP
    >>> serve.predict(X_b)  # doctest: +SKIP
    """

    def __init__(
        self,
        wavenumbers: ArrayLike | None = None,
        target: ArrayLike | None = None,
        method: str = "linear",
        extrapolate: bool = False,
    ) -> None:
        self.wavenumbers = wavenumbers
        self.target = target
        self.method = method
        self.extrapolate = extrapolate

    def fit(self, X: ArrayLike, y: None = None) -> WavenumberResampler:
        """Validate the axes against ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Spectra on the ``wavenumbers`` axis. Only the number of columns is
            used; the intensities are not learned from.
        y : None
            Ignored, present for API consistency.

        Returns
        -------
        self : WavenumberResampler
            Fitted transformer.
        """
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}.")
        if not isinstance(self.extrapolate, bool | np.bool_):
            raise ValueError(f"extrapolate must be a bool, got {self.extrapolate!r}.")

        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=True)
        n_features = X.shape[1]

        if self.wavenumbers is None:
            wavenumbers = np.arange(n_features, dtype=np.float64)
        else:
            wavenumbers = _as_axis(self.wavenumbers, "wavenumbers")
            if wavenumbers.size != n_features:
                raise ValueError(
                    f"X has {n_features} features but wavenumbers has "
                    f"{wavenumbers.size} points; they must match."
                )
        target = wavenumbers.copy() if self.target is None else _as_axis(self.target, "target")

        if not self.extrapolate:
            lo, hi = wavenumbers.min(), wavenumbers.max()
            slack = _RANGE_RTOL * (hi - lo)
            if target.min() < lo - slack or target.max() > hi + slack:
                raise ValueError(
                    f"target spans [{target.min():g}, {target.max():g}] cm^-1 but "
                    f"wavenumbers span [{lo:g}, {hi:g}] cm^-1. Choose a target inside "
                    "the input range (see common_axis) or set extrapolate=True to hold "
                    "the edge values constant."
                )

        self.wavenumbers_ = wavenumbers
        self.target_ = target
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Interpolate spectra onto the target axis.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Spectra on the ``wavenumbers`` axis.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_targets)
            Spectra on the ``target`` axis. float32 input stays float32; any other
            input is returned as float64.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)

        # Identity fast path: returns the input exactly, whatever the method.
        if np.array_equal(self.target_, self.wavenumbers_):
            return X.copy()

        x = self.wavenumbers_
        if x.size > 1 and x[0] > x[-1]:
            # Interpolators need an ascending axis; flip axis and columns together.
            x = x[::-1]
            X = X[:, ::-1]
        # Clipping implements "hold edge values" for extrapolate=True and absorbs
        # the tolerated float overshoot when extrapolate=False.
        t = np.clip(self.target_, x[0], x[-1])

        if x.size == 1:
            # A single input point can only be held constant.
            return np.repeat(X, t.size, axis=1)
        if self.method == "cubic":
            return CubicSpline(x, X, axis=1)(t).astype(X.dtype, copy=False)

        # Vectorised linear interpolation: bracket every target point once, then
        # blend the two neighbouring columns of all spectra at the same time.
        left = np.clip(np.searchsorted(x, t, side="right") - 1, 0, x.size - 2)
        weight = ((t - x[left]) / (x[left + 1] - x[left])).astype(X.dtype)
        # (1 - w) * a + w * b is exact at both knots (w = 0 or 1).
        return X[:, left] * (1 - weight) + X[:, left + 1] * weight

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """Get output feature names: the formatted target wavenumbers.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only validated against the names seen in :meth:`fit`; the output names
            do not depend on it.

        Returns
        -------
        feature_names_out : ndarray of str objects
            Target wavenumbers as shortest round-trip decimal strings, e.g.
            ``"1000.5"``.
        """
        check_is_fitted(self)
        if input_features is not None:
            input_features = np.asarray(input_features, dtype=object)
            if input_features.shape != (self.n_features_in_,):
                raise ValueError(
                    f"input_features should have length equal to number of features "
                    f"({self.n_features_in_}), got {input_features.size}."
                )
            names_in = getattr(self, "feature_names_in_", None)
            if names_in is not None and not np.array_equal(input_features, names_in):
                raise ValueError("input_features is not equal to feature_names_in_.")
        return np.asarray([_format_wavenumber(v) for v in self.target_], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def common_axis(
    *axes: ArrayLike,
    step: float | None = None,
    n_points: int | None = None,
) -> np.ndarray:
    """Build an ascending grid over the range shared by several wavenumber axes.

    The grid covers the overlap of all axes, from the largest minimum to the
    smallest maximum, so every axis can be resampled onto it with
    :class:`WavenumberResampler` without extrapolation.

    Parameters
    ----------
    *axes : array-like of shape (n_points_i,)
        One or more wavenumber axes in cm^-1, each 1-D, finite, strictly monotonic
        (ascending or descending) with at least two points.
    step : float, default=None
        Grid spacing in cm^-1. The grid starts at the lower bound of the overlap
        and stops at the last point not beyond the upper bound.
    n_points : int, default=None
        Number of evenly spaced points spanning the whole overlap, both bounds
        included. Mutually exclusive with ``step``.

    Returns
    -------
    grid : ndarray of shape (n_grid,)
        Ascending float64 grid in cm^-1.

    Raises
    ------
    ValueError
        If no axis is given, an axis is invalid, both ``step`` and ``n_points``
        are given, or the axes do not overlap.

    Notes
    -----
    When neither ``step`` nor ``n_points`` is given, the spacing is the coarsest
    among the inputs, measured as each axis' mean spacing ``range / (n - 1)``, so
    no instrument is upsampled beyond its native resolution on average.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_glsm.preprocessing import common_axis
    >>> axis_a = np.arange(400.0, 1801.0, 1.0)  # 1 cm^-1 spacing
    >>> axis_b = np.arange(1900.0, 599.0, -2.0)  # 2 cm^-1 spacing, descending
    >>> grid = common_axis(axis_a, axis_b)
    >>> print(grid[0], grid[-1], grid[1] - grid[0])
    600.0 1800.0 2.0
    >>> common_axis(axis_a, axis_b, n_points=5)
    array([ 600.,  900., 1200., 1500., 1800.])
    """
    if not axes:
        raise ValueError("common_axis needs at least one axis.")
    if step is not None and n_points is not None:
        raise ValueError("Give either step or n_points, not both.")

    checked = [_as_axis(axis, f"axes[{i}]") for i, axis in enumerate(axes)]
    for i, axis in enumerate(checked):
        if axis.size < 2:
            raise ValueError(f"axes[{i}] must have at least two points to define a range.")

    lo = max(axis.min() for axis in checked)
    hi = min(axis.max() for axis in checked)
    if lo >= hi:
        ranges = ", ".join(f"[{a.min():g}, {a.max():g}]" for a in checked)
        raise ValueError(f"The axes do not overlap: ranges {ranges} cm^-1.")

    if n_points is not None:
        if isinstance(n_points, bool) or not isinstance(n_points, Integral) or n_points < 2:
            raise ValueError(f"n_points must be an integer >= 2, got {n_points!r}.")
        return np.linspace(lo, hi, int(n_points))

    if step is None:
        step = max((axis.max() - axis.min()) / (axis.size - 1) for axis in checked)
    elif isinstance(step, bool) or not isinstance(step, Real) or not (0 < step < np.inf):
        raise ValueError(f"step must be a positive finite number, got {step!r}.")

    # The small slack keeps the upper bound when (hi - lo) / step is an integer up
    # to rounding; the final clip removes any resulting overshoot of a few ulps.
    n = int(np.floor((hi - lo) / step * (1 + 1e-12) + 1e-9)) + 1
    return np.minimum(lo + step * np.arange(n), hi)
