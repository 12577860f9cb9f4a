"""Few-label settings: keep k labels per class, mark the rest unlabeled."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state


def hide_labels(
    y, n_per_class: int | None, *, unlabeled=-1, random_state=None
) -> np.ndarray:
    """Keep ``n_per_class`` random labels of each class; mark the rest unlabeled.

    Builds the few-label targets that :class:`~sklearn_glsm.GLSMClassifier`
    takes, as a benchmark or a lab would: all spectra measured, a handful
    labeled.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Full labels.
    n_per_class : int or None
        Labels kept per class (all of a class when it has fewer); ``None``
        keeps every label.
    unlabeled : int or str, default=-1
        Marker written into the hidden rows. With string labels the result
        is an object array holding strings and this marker.
    random_state : int, RandomState instance or None, default=None
        Which rows keep their label.

    Returns
    -------
    y_semi : ndarray of shape (n_samples,)
        ``y`` with the hidden labels replaced by ``unlabeled``.

    Examples
    --------
    >>> from sklearn_glsm.datasets import hide_labels
    >>> hide_labels([0, 0, 0, 1, 1, 1], 1, random_state=0)
    array([-1, -1,  0, -1, -1,  1])
    """
    y = np.asarray(y)
    if n_per_class is not None and n_per_class < 1:
        raise ValueError(f"n_per_class must be a positive int or None, got {n_per_class}.")
    rng = check_random_state(random_state)
    keep = np.ones(len(y), dtype=bool)
    if n_per_class is not None:
        keep[:] = False
        for c in np.unique(y):
            members = np.flatnonzero(y == c)
            chosen = rng.choice(members, size=min(n_per_class, len(members)), replace=False)
            keep[chosen] = True
    numeric = y.dtype.kind in "iu" and isinstance(unlabeled, int | np.integer)
    y_semi = y.copy() if numeric else y.astype(object)
    y_semi[~keep] = unlabeled
    return y_semi
