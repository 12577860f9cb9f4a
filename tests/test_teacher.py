"""The built-in teacher's choice of derivative windows from the spectra's noise."""

import numpy as np
import pytest

from sklearn_glsm import derivative_noise, quiet_windows
from sklearn_glsm._teacher import DERIVATIVE_WINDOWS, derivative_teacher_for


def bands(n_spectra: int = 30, n_points: int = 600, width: float = 0.02) -> np.ndarray:
    """Noise-free spectra: one Gaussian band each, at positions across the axis."""
    axis = np.linspace(0, 1, n_points)
    centres = np.linspace(0.3, 0.7, n_spectra)[:, None]
    return np.exp(-(((axis[None] - centres) / width) ** 2))


def test_noise_share_is_near_zero_without_noise_and_near_one_for_noise_alone():
    """The noise estimate (DER_SNR) divided by the derivative's variance: about 0 for
    smooth bands, about 1 for white noise, falling as the window widens."""
    rng = np.random.default_rng(0)
    smooth = derivative_noise(bands())
    assert smooth.shape == (30, len(DERIVATIVE_WINDOWS))
    assert np.all(smooth < 1e-3)
    noise = np.median(derivative_noise(rng.normal(size=(30, 600))), axis=0)
    np.testing.assert_allclose(noise, 1.0, atol=0.15)
    noisy = np.median(derivative_noise(bands() + rng.normal(0, 0.02, (30, 600))), axis=0)
    assert np.all(np.diff(noisy) < 0) and noisy[0] > 0.3 > 0.03 > noisy[-1]
    # A flat spectrum has no derivative variance: all noise, not a division by zero.
    assert derivative_noise(np.ones((2, 50)), (3,)).tolist() == [[1.0], [1.0]]


@pytest.mark.parametrize(("sigma", "expected"), [
    (0.0, [3, 5, 9]),  # smooth: the narrowest windows keep the bands sharp
    (0.05, [21, 31, 41]),  # noisy: wide windows average the noise away
    (10.0, [15, 21, 31, 41]),  # no window is quiet: the widest
])
def test_quiet_windows_follow_the_noise(sigma, expected):
    X = bands() + np.random.default_rng(0).normal(0, sigma, (30, 600)) if sigma else bands()
    assert quiet_windows(X, n_windows=len(expected)) == expected


def test_quiet_windows_options_and_short_spectra():
    """``n_windows``, ``max_noise`` and ``windows`` as documented; spectra too short to
    measure noise get the narrowest windows; only windows that fit are candidates."""
    X = bands() + np.random.default_rng(0).normal(0, 0.01, (30, 600))
    share = np.median(derivative_noise(X), axis=0)
    assert quiet_windows(X, max_noise=1.0, n_windows=7) == list(DERIVATIVE_WINDOWS)
    expected = [w for w, s in zip(DERIVATIVE_WINDOWS, share, strict=True) if s <= 0.1][:2]
    assert quiet_windows(X, max_noise=0.1, n_windows=2) == expected
    assert set(quiet_windows(X, windows=(5, 11, 999), n_windows=7)) <= {5, 11}
    assert quiet_windows(np.ones((3, 4))) == [3]
    assert quiet_windows(bands(n_points=12)) == [3, 5, 9]
    # Fewer spectra measured than given: the same windows on a stable data set.
    assert quiet_windows(X, max_spectra=10) == quiet_windows(X)


def test_derivative_teacher_for_uses_the_quiet_windows():
    teacher = derivative_teacher_for(bands())
    assert [name for name, _ in teacher.estimators] == ["w3", "w5", "w9"]
    with pytest.raises(ValueError, match="at least 3 points"):
        derivative_teacher_for(np.ones((3, 2)))
