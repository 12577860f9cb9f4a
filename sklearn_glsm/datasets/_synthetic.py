"""Synthetic vibrational spectra with a known class structure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np

__all__ = ["make_spectra"]

# Peak heights are drawn in this range, so the largest possible peak height is 1 and the
# ``baseline`` and ``noise`` strengths are relative to it.
_SHARED_HEIGHT = (0.4, 1.0)
# Class-specific bands are weaker than the shared matrix bands, as in real biological or
# polymer spectra where the discriminative features are small changes on a common profile.
_CLASS_HEIGHT = (0.15, 0.6)
# Keep peak centres away from the axis ends so that every band is fully visible.
_EDGE_MARGIN = 0.05
# Cosmic-ray spikes are much taller than any Raman band.
_SPIKE_HEIGHT = (2.0, 8.0)
_LN2 = math.log(2.0)


def _as_generator(random_state) -> np.random.Generator:
    """Return a ``Generator`` without ever drawing from NumPy's global RNG."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        # Seeding from the given RandomState advances it, as sklearn users expect.
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    if random_state is None or isinstance(random_state, Integral):
        return np.random.default_rng(random_state)
    raise ValueError(
        "random_state must be None, an int, a numpy.random.Generator or a "
        f"numpy.random.RandomState; got {random_state!r}."
    )


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an int; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}.")
    return int(value)


def _check_nonneg(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number; got {value!r}.")
    if value < 0:
        raise ValueError(f"{name} must be non-negative; got {value}.")
    return float(value)


def _check_range(name: str, value, *, strict: bool, positive: bool) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair of numbers (low, high); got {value!r}.") from None
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"{name} must be finite; got {value!r}.")
    if (strict and not low < high) or (not strict and not low <= high):
        relation = "<" if strict else "<="
        raise ValueError(f"{name} must be increasing (low {relation} high); got {value!r}.")
    if positive and low <= 0:
        raise ValueError(f"{name} must be positive; got {value!r}.")
    return low, high


def _class_counts(n_samples: int, n_classes: int, class_weights) -> np.ndarray:
    """Split ``n_samples`` into per-class counts, rounding by largest remainder."""
    if class_weights is None:
        weights = np.full(n_classes, 1.0 / n_classes)
    else:
        weights = np.asarray(class_weights, dtype=np.float64)
        if weights.shape != (n_classes,):
            raise ValueError(
                f"class_weights must have one entry per class ({n_classes}); "
                f"got shape {weights.shape}."
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(
                "class_weights must be finite, non-negative and not all zero; "
                f"got {class_weights!r}."
            )
        weights = weights / weights.sum()
    exact = weights * n_samples
    counts = np.floor(exact).astype(np.int64)
    remainder = n_samples - counts.sum()
    # Stable sort so ties go to the lower class index, keeping the split deterministic.
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:remainder]] += 1
    return counts


def _add_pseudo_voigt(
    out: np.ndarray,
    axis: np.ndarray,
    center: np.ndarray,
    fwhm: np.ndarray,
    height: np.ndarray,
    eta: np.ndarray,
    buffers: tuple[np.ndarray, np.ndarray],
) -> None:
    """Add one pseudo-Voigt band per row of ``out``; parameters have shape ``(n, 1)``.

    Works in place in two preallocated buffers: on large outputs, fresh temporaries cost
    more (page faults) than the arithmetic itself.
    """
    u, g = buffers
    np.subtract(axis[None, :], center, out=u)
    u *= 2.0 / fwhm
    np.square(u, out=u)  # (distance / half width) ** 2
    np.multiply(u, -_LN2, out=g)
    # exp(-50) ~ 2e-22 is zero for our purpose; clipping avoids numpy's slow underflow path.
    np.maximum(g, -50.0, out=g)
    np.exp(g, out=g)
    g *= height * (1.0 - eta)
    u += 1.0
    np.reciprocal(u, out=u)
    u *= height * eta
    out += u
    out += g


def make_spectra(
    n_samples: int = 600,
    n_features: int = 500,
    n_classes: int = 4,
    *,
    n_peaks: int = 6,
    n_shared_peaks: int = 4,
    wavenumber_range: tuple[float, float] = (400.0, 1800.0),
    peak_width: tuple[float, float] = (4.0, 20.0),
    shift: float = 3.0,
    intensity_variation: float = 0.2,
    baseline: float = 0.5,
    noise: float = 0.01,
    spike_probability: float = 0.05,
    class_weights: Sequence[float] | None = None,
    return_peaks: bool = False,
    random_state: int | np.random.Generator | np.random.RandomState | None = None,
):
    """Generate a labelled set of synthetic Raman-like spectra.

    Every class is a sum of pseudo-Voigt bands (a mix of a Lorentzian and a Gaussian of the
    same width): ``n_shared_peaks`` bands common to all classes plus ``n_peaks`` bands
    specific to each class, the latter weaker than the former. Each spectrum then receives
    the nuisances met in real measurements: random band shifts, random band intensities, a
    smooth fluorescence-like baseline, Gaussian noise and, occasionally, a cosmic-ray spike.
    With the defaults the classes are separable, but a nearest-neighbour classifier on raw
    spectra trained on a few labels per class is clearly imperfect, because the baseline
    dominates Euclidean distances.

    Band parameters are drawn once per class from ``random_state``; intensities are in
    arbitrary units with the tallest possible band height equal to 1.

    Parameters
    ----------
    n_samples : int, default=600
        Number of spectra, at least 1.
    n_features : int, default=500
        Number of points on the wavenumber axis, at least 2.
    n_classes : int, default=4
        Number of classes, at least 1.
    n_peaks : int, default=6
        Number of class-specific bands per class.
    n_shared_peaks : int, default=4
        Number of bands shared by all classes (the common matrix).
    wavenumber_range : tuple of float, default=(400.0, 1800.0)
        First and last wavenumber of the axis in cm^-1, increasing.
    peak_width : tuple of float, default=(4.0, 20.0)
        Range of band full widths at half maximum in cm^-1, ``0 < low <= high``.
    shift : float, default=3.0
        Standard deviation in cm^-1 of the random shift of each band in each spectrum.
    intensity_variation : float, default=0.2
        Standard deviation of the relative change of each band height in each spectrum;
        a height is multiplied by ``max(0, 1 + intensity_variation * N(0, 1))``.
    baseline : float, default=0.5
        Typical amplitude of the smooth background, relative to the largest band height.
        Each spectrum's amplitude is drawn uniformly in ``[0.5, 1.5] * baseline``.
    noise : float, default=0.01
        Standard deviation of the additive Gaussian noise, relative to the largest band
        height.
    spike_probability : float, default=0.05
        Probability in ``[0, 1]`` that a spectrum contains one cosmic-ray spike (a single
        channel 2 to 8 times the largest band height).
    class_weights : sequence of float or None, default=None
        Relative class proportions, one non-negative entry per class. ``None`` gives
        balanced classes. Counts are rounded so that they sum to ``n_samples``.
    return_peaks : bool, default=False
        If True, also return the band parameters of every class.
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, \
default=None
        Seed or generator. An int gives reproducible output. NumPy's global RNG is never
        used.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), dtype float64
        The spectra. Mostly non-negative; noise can make values slightly negative.
    y : ndarray of shape (n_samples,), dtype int64
        Class labels in ``range(n_classes)``, in shuffled order.
    wavenumbers : ndarray of shape (n_features,), dtype float64
        Ascending, evenly spaced wavenumber axis in cm^-1.
    peaks : dict
        Only if ``return_peaks`` is True. The noise-free band parameters, each an array of
        shape ``(n_classes, n_shared_peaks + n_peaks)`` with the shared bands first:
        ``"centers"`` (cm^-1), ``"widths"`` (FWHM, cm^-1), ``"heights"`` and ``"eta"``
        (Lorentzian fraction in [0, 1]); plus ``"shared"``, a boolean mask of shape
        ``(n_shared_peaks + n_peaks,)`` marking the shared bands.

    Raises
    ------
    ValueError
        If an argument is out of range.

    See Also
    --------
    sklearn.datasets.make_classification : Generic (non-spectral) analogue.

    Examples
    --------
    >>> from sklearn_glsm.datasets import make_spectra
    >>> X, y, wavenumbers = make_spectra(n_samples=90, n_classes=3, random_state=0)
    >>> X.shape, y.shape, wavenumbers.shape
    ((90, 500), (90,), (500,))
    >>> import numpy as np
    >>> np.bincount(y).tolist()
    [30, 30, 30]
    >>> float(wavenumbers[0]), float(wavenumbers[-1])
    (400.0, 1800.0)
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    n_features = _check_int("n_features", n_features, 2)
    n_classes = _check_int("n_classes", n_classes, 1)
    n_peaks = _check_int("n_peaks", n_peaks, 0)
    n_shared_peaks = _check_int("n_shared_peaks", n_shared_peaks, 0)
    wn_low, wn_high = _check_range(
        "wavenumber_range", wavenumber_range, strict=True, positive=False
    )
    width_low, width_high = _check_range("peak_width", peak_width, strict=False, positive=True)
    shift = _check_nonneg("shift", shift)
    intensity_variation = _check_nonneg("intensity_variation", intensity_variation)
    baseline = _check_nonneg("baseline", baseline)
    noise = _check_nonneg("noise", noise)
    spike_probability = _check_nonneg("spike_probability", spike_probability)
    if spike_probability > 1:
        raise ValueError(f"spike_probability must be in [0, 1]; got {spike_probability}.")
    counts = _class_counts(n_samples, n_classes, class_weights)
    rng = _as_generator(random_state)

    wavenumbers = np.linspace(wn_low, wn_high, n_features)
    span = wn_high - wn_low
    lo_c, hi_c = wn_low + _EDGE_MARGIN * span, wn_high - _EDGE_MARGIN * span

    # Class templates, shape (n_classes, n_bands); shared bands are repeated for every class.
    def draw_bands(n_rows: int, n_cols: int, heights: tuple[float, float]):
        return (
            rng.uniform(lo_c, hi_c, (n_rows, n_cols)),
            rng.uniform(width_low, width_high, (n_rows, n_cols)),
            rng.uniform(*heights, (n_rows, n_cols)),
            rng.uniform(0.0, 1.0, (n_rows, n_cols)),
        )

    shared = draw_bands(1, n_shared_peaks, _SHARED_HEIGHT)
    specific = draw_bands(n_classes, n_peaks, _CLASS_HEIGHT)
    centers, widths, heights, eta = (
        np.concatenate([np.repeat(s, n_classes, axis=0), c], axis=1)
        for s, c in zip(shared, specific, strict=True)
    )

    y = np.repeat(np.arange(n_classes, dtype=np.int64), counts)
    rng.shuffle(y)

    # Per-spectrum band parameters, shape (n_samples, n_bands).
    n_bands = n_shared_peaks + n_peaks
    s_centers = centers[y] + shift * rng.standard_normal((n_samples, n_bands))
    s_heights = heights[y] * np.maximum(
        0.0, 1.0 + intensity_variation * rng.standard_normal((n_samples, n_bands))
    )
    s_widths, s_eta = widths[y], eta[y]

    # Bands are evaluated in float32: it halves memory traffic and its ~1e-7 relative error
    # is far below any noise level of interest.
    signal = np.zeros((n_samples, n_features), dtype=np.float32)
    buffers = (np.empty_like(signal), np.empty_like(signal))
    axis32 = wavenumbers.astype(np.float32)
    # Looping over bands (not samples) keeps memory at O(n_samples * n_features).
    for k in range(n_bands):
        band = slice(k, k + 1)
        _add_pseudo_voigt(
            signal,
            axis32,
            *(p[:, band].astype(np.float32) for p in (s_centers, s_widths, s_heights, s_eta)),
            buffers,
        )
    del buffers
    X = signal.astype(np.float64)
    del signal

    # Fluorescence-like background: a decaying exponential plus a random quadratic, scaled
    # to a maximum of 1 on the axis before applying the per-spectrum amplitude.
    t = np.linspace(0.0, 1.0, n_features)[None, :]
    decay = rng.uniform(0.2, 1.0, (n_samples, 1))
    mix = rng.uniform(0.0, 1.0, (n_samples, 1))
    a1, a2 = rng.uniform(-1.0, 1.0, (2, n_samples, 1))
    quad = 1.0 + a1 * t + a2 * t**2
    quad -= quad.min(axis=1, keepdims=True)
    curve = mix * np.exp(-t / decay) + (1.0 - mix) * quad
    curve /= np.maximum(curve.max(axis=1, keepdims=True), np.finfo(np.float64).tiny)
    X += baseline * rng.uniform(0.5, 1.5, (n_samples, 1)) * curve

    X += noise * rng.standard_normal((n_samples, n_features))

    has_spike = rng.random(n_samples) < spike_probability
    rows = np.flatnonzero(has_spike)
    cols = rng.integers(0, n_features, rows.size)
    X[rows, cols] += rng.uniform(*_SPIKE_HEIGHT, rows.size)

    if return_peaks:
        shared_mask = np.arange(n_bands) < n_shared_peaks
        peaks = {
            "centers": centers,
            "widths": widths,
            "heights": heights,
            "eta": eta,
            "shared": shared_mask,
        }
        return X, y, wavenumbers, peaks
    return X, y, wavenumbers
