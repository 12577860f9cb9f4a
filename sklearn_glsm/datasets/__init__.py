"""Synthetic spectra and loaders for spectra stored in common file formats.

Every generator and loader returns ``(X, y, wavenumbers)`` with one spectrum per row
of ``X`` and an ascending wavenumber axis in cm^-1; ``hide_labels`` makes few-label
targets.
"""

from ._labels import hide_labels
from ._loaders import (
    BACTERIA_ID_SPLITS,
    load_bacteria_id,
    load_spectra,
    load_spectra_csv,
    load_spectra_npy,
    load_spectra_npz,
)
from ._synthetic import make_spectra

__all__ = [
    "BACTERIA_ID_SPLITS",
    "hide_labels",
    "load_bacteria_id",
    "load_spectra",
    "load_spectra_csv",
    "load_spectra_npy",
    "load_spectra_npz",
    "make_spectra",
]
