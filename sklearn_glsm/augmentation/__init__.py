"""Spectral augmentations as batched tensor operations on the training device."""

from ._transforms import add_baseline, add_noise, scale_intensity, warp_axis
from ._views import SpectralCorruption, SpectralViews

__all__ = [
    "SpectralCorruption",
    "SpectralViews",
    "add_baseline",
    "add_noise",
    "scale_intensity",
    "warp_axis",
]
