"""The built-in teacher for self-training: logistic regression on spectral derivatives.

With a handful of labels per class, a linear model on a Savitzky-Golay first
derivative is a strong, well-regularised classifier of vibrational spectra,
and the network can learn from its confident predictions
(``GLSMClassifier(teacher="derivative")``, the default). Which derivative
window is best depends on the spectra's noise: on the benchmark's smooth
FTIR sets the narrowest window wins, on its noisy Raman set a wide one (see
the benchmarks page). Choosing it by cross-validation on five labels per
class gained 2 points on one FTIR set and lost 4 on the Raman set, so the
choice uses no labels: the teacher averages the probabilities of one model
per window over the narrowest windows in which noise takes a small share of
the derivative (:func:`quiet_windows`), measured on every spectrum the
classifier is given, labeled or not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from chemotools.derivative import SavitzkyGolay
from chemotools.scatter import StandardNormalVariate
from scipy.signal import savgol_coeffs
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

# From a central difference (3 points) to 41 points; on the benchmark's grids
# that is 12-164 cm-1 for FTIR (4 cm-1 spacing) and 3.6-49 cm-1 for Raman (1.2).
DERIVATIVE_WINDOWS = (3, 5, 9, 15, 21, 31, 41)


def make_derivative_teacher(
    windows: Sequence[int] = DERIVATIVE_WINDOWS, *, C: float = 1.0, max_iter: int = 2000
) -> VotingClassifier:
    """Soft vote of logistic regressions on first derivatives at several windows.

    Each member is a quadratic Savitzky-Golay first derivative (chemotools,
    ``mode="nearest"``), then standard normal variate, then
    :class:`~sklearn.linear_model.LogisticRegression`; the vote averages the
    members' probabilities. It is the teacher that
    ``GLSMClassifier(teacher="derivative")`` uses, with the windows that fit
    the spectra.

    Parameters
    ----------
    windows : sequence of int, default=(3, 5, 9, 15, 21, 31, 41)
        Savitzky-Golay window lengths, in points of the spectra it is fitted
        on; each odd and at least 3.
    C : float, default=1.0
        Inverse regularisation strength of every logistic regression.
    max_iter : int, default=2000
        Iteration limit of every logistic regression.

    Returns
    -------
    teacher : VotingClassifier
        An unfitted classifier with ``predict_proba``.

    Examples
    --------
    >>> from sklearn_glsm import GLSMClassifier, make_derivative_teacher
    >>> teacher = make_derivative_teacher(windows=(5, 21))
    >>> [name for name, _ in teacher.estimators]
    ['w5', 'w21']
    >>> clf = GLSMClassifier(teacher=teacher)
    """
    windows = list(windows)
    bad = [w for w in windows if w < 3 or w % 2 == 0]
    if not windows or bad:
        raise ValueError(
            f"windows must be odd lengths of at least 3 points; got {windows!r}."
        )
    members = [
        (
            f"w{w}",
            make_pipeline(
                SavitzkyGolay(window_length=w, polyorder=2, deriv=1, mode="nearest"),
                StandardNormalVariate(),
                LogisticRegression(C=C, max_iter=max_iter),
            ),
        )
        for w in windows
    ]
    return VotingClassifier(members, voting="soft")


def derivative_teacher_for(X) -> VotingClassifier:
    """:func:`make_derivative_teacher` with the windows that suit the spectra ``X``.

    The windows are :func:`quiet_windows` of ``X``: the narrowest in whose
    derivative noise is small, so smooth spectra keep their narrow bands and
    noisy ones are smoothed. ``X`` may include unlabeled spectra; no label is
    used.

    Raises
    ------
    ValueError
        If the spectra are shorter than the smallest window (3 points).
    """
    n_points = X.shape[1]
    if n_points < DERIVATIVE_WINDOWS[0]:
        raise ValueError(
            f'teacher="derivative" needs spectra of at least {DERIVATIVE_WINDOWS[0]} '
            f"points; these have {n_points}. Pass teacher=None to fine-tune on the "
            "labeled rows alone."
        )
    return make_derivative_teacher(quiet_windows(X))


def quiet_windows(
    X, windows: Sequence[int] = DERIVATIVE_WINDOWS, *, max_noise: float = 0.03,
    n_windows: int = 3, max_spectra: int = 1000,
) -> list[int]:
    """The narrowest derivative windows in which the spectra's noise is small.

    A window is quiet when white noise takes at most ``max_noise`` of the
    variance of the first derivative it gives (median over the spectra, see
    :func:`derivative_noise`). Narrow windows keep narrow bands apart but
    amplify noise; this keeps the ``n_windows`` narrowest quiet ones. On
    the benchmark's spectra that is 3, 5 and 9 points for the FTIR sets and
    21, 31 and 41 for the noisy Raman set, where the full set of windows
    (the vote before) was 2 points behind on one FTIR set at 5 labels per class
    (see the benchmarks page).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_points)
        Spectra on an evenly spaced axis; labels are not needed.
    windows : sequence of int, default=(3, 5, 9, 15, 21, 31, 41)
        Candidate Savitzky-Golay window lengths; those longer than the
        spectra are left out.
    max_noise : float, default=0.03
        Largest share of the derivative's variance that noise may take.
    n_windows : int, default=3
        How many windows to keep.
    max_spectra : int, default=1000
        The noise is measured on at most this many spectra, evenly spaced
        through ``X`` (the median settles long before).

    Returns
    -------
    windows : list of int
        The ``n_windows`` narrowest quiet windows, fewer if fewer are
        quiet; the ``n_windows`` widest that fit if none is.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_glsm import quiet_windows
    >>> axis = np.linspace(0, 1, 500)
    >>> smooth = np.exp(-((axis[None] - np.linspace(0.3, 0.7, 20)[:, None]) / 0.02) ** 2)
    >>> quiet_windows(smooth)
    [3, 5, 9]
    >>> noisy = smooth + np.random.default_rng(0).normal(0, 0.05, smooth.shape)
    >>> quiet_windows(noisy)
    [21, 31, 41]
    """
    X = np.asarray(X)
    fit = [w for w in windows if w <= X.shape[1]]
    if X.shape[1] < 5:  # too short for the noise estimate
        return fit[:n_windows]
    rows = np.unique(np.linspace(0, len(X) - 1, min(len(X), max_spectra)).astype(int))
    share = np.median(derivative_noise(X[rows], fit), axis=0)
    quiet = [w for w, s in zip(fit, share, strict=True) if s <= max_noise]
    return quiet[:n_windows] if quiet else fit[-n_windows:]


def derivative_noise(X, windows: Sequence[int] = DERIVATIVE_WINDOWS) -> np.ndarray:
    """Share of each window's first derivative that is white noise, per spectrum.

    The noise level of each spectrum is the DER_SNR estimate (Stoehr et al.
    2008: a robust median of second differences two points apart, which
    narrow bands barely touch); the variance it adds to a quadratic
    Savitzky-Golay first derivative is that level squared times the sum of
    the filter's squared coefficients. Dividing by the derivative's variance
    along the axis gives the share the noise takes of what standard normal
    variate scales.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_points)
        Spectra on an evenly spaced axis, ``n_points`` at least 5.
    windows : sequence of int, default=(3, 5, 9, 15, 21, 31, 41)
        Savitzky-Golay window lengths, odd, at least 3 and at most ``n_points``.

    Returns
    -------
    noise : ndarray of shape (n_samples, len(windows))
        Between 0 (noise-free) and 1 (noise only; the estimate's spread
        above 1 is clipped, and a spectrum whose derivative is flat counts
        as noise only).
    """
    X = np.asarray(X, dtype=float)
    sigma = 1.482602 / np.sqrt(6.0) * np.median(
        np.abs(2.0 * X[:, 2:-2] - X[:, :-4] - X[:, 4:]), axis=1)
    noise = np.empty((len(X), len(windows)))
    for j, w in enumerate(windows):
        derivative = SavitzkyGolay(window_length=w, polyorder=2, deriv=1,
                                   mode="nearest").fit_transform(X)
        gain = np.sum(savgol_coeffs(w, 2, deriv=1) ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = sigma**2 * gain / derivative.var(axis=1)
        noise[:, j] = np.where(np.isfinite(share), share, 1.0)
    return np.minimum(noise, 1.0)
