"""Augmentation pipelines: the two views of the global task, the corruption of the local."""

from __future__ import annotations

import torch
from torch import nn

from ._transforms import add_baseline, add_noise, scale_intensity, warp_axis


class SpectralViews(nn.Module):
    """Draw one random view of each spectrum: warp, gain, baseline, noise.

    Applied to per-spectrum normalised spectra, so every strength is in the
    units of a standard-normal-variate spectrum and does not depend on the
    raw intensity scale. The module has no parameters; calling it twice on
    the same batch gives two independent views.

    Parameters
    ----------
    shift : float
        Largest shift of the axis, as a fraction of its length.
    stretch : float
        Largest relative stretch of the axis.
    scale : float
        Standard deviation of the smooth relative intensity gain.
    baseline : float
        Standard deviation of the added baseline drift.
    noise : float
        Standard deviation of the added Gaussian noise.
    """

    def __init__(
        self,
        shift: float = 0.0,
        stretch: float = 0.0,
        scale: float = 0.0,
        baseline: float = 0.0,
        noise: float = 0.0,
    ) -> None:
        super().__init__()
        self.shift = shift
        self.stretch = stretch
        self.scale = scale
        self.baseline = baseline
        self.noise = noise

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = warp_axis(x, self.shift, self.stretch)
        x = scale_intensity(x, self.scale)
        x = add_baseline(x, self.baseline)
        return add_noise(x, self.noise)


class SpectralCorruption(nn.Module):
    """Corrupt spectra for the denoising (local) task.

    Parameters
    ----------
    noise : float
        Standard deviation of additive Gaussian noise.
    shot : float
        Scale of signal-dependent, shot-like noise.
    spikes : float
        Expected number of cosmic-ray-like spikes per spectrum.
    """

    def __init__(self, noise: float = 0.0, shot: float = 0.0, spikes: float = 0.0) -> None:
        super().__init__()
        self.noise = noise
        self.shot = shot
        self.spikes = spikes

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return add_noise(x, self.noise, self.shot, self.spikes)
