"""The built-in teacher for self-training: logistic regression on spectral derivatives.

With a handful of labels per class, a linear model on a Savitzky-Golay first
derivative is a strong, well-regularised classifier of vibrational spectra,
and the network can learn from its confident predictions
(``GLSMClassifier(teacher="derivative")``, the default). Which derivative window is best
depends on the data: on the benchmark's FTIR sets the narrowest window wins,
on its noisy Raman set a wide one (see the benchmarks page). Choosing it by
cross-validation on five labels per class gained 2 points on one FTIR set and
lost 4 on the Raman set; this teacher does not choose: it averages the
probabilities of one model per window.
"""

from __future__ import annotations

from collections.abc import Sequence

from chemotools.derivative import SavitzkyGolay
from chemotools.scatter import StandardNormalVariate
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


def derivative_teacher_for(n_points: int) -> VotingClassifier:
    """:func:`make_derivative_teacher` with the default windows that fit ``n_points``.

    Raises
    ------
    ValueError
        If the spectra are shorter than the smallest window (3 points).
    """
    windows = [w for w in DERIVATIVE_WINDOWS if w <= n_points]
    if not windows:
        raise ValueError(
            f'teacher="derivative" needs spectra of at least {DERIVATIVE_WINDOWS[0]} '
            f"points; these have {n_points}. Pass teacher=None to fine-tune on the "
            "labeled rows alone."
        )
    return make_derivative_teacher(windows)
