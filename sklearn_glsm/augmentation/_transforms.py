"""Random spectral augmentations as batched tensor operations.

Every function takes a batch of spectra of shape (n_spectra, n_points) on any
device and draws one random setting per spectrum from torch's generator, so
views are made on the fly on the training device and are reproducible under
``torch.manual_seed``. A strength of 0 returns the input unchanged.
"""

from __future__ import annotations

import math

import torch


def _uniform(n: int, low: float, high: float, like: torch.Tensor) -> torch.Tensor:
    return torch.rand(n, 1, device=like.device, dtype=like.dtype) * (high - low) + low


def _axis(like: torch.Tensor) -> torch.Tensor:
    """Positions of the points rescaled to [-1, 1], shape (1, n_points)."""
    n = like.shape[1]
    return torch.linspace(-1.0, 1.0, n, device=like.device, dtype=like.dtype).unsqueeze(0)


def warp_axis(x: torch.Tensor, shift: float = 0.0, stretch: float = 0.0) -> torch.Tensor:
    """Shift and stretch the wavenumber axis of each spectrum.

    Models calibration offsets and peak-position variation between
    instruments: band ``i`` moves to ``c + (i - c) * (1 + s) + d`` with
    ``d ~ U(-shift, shift) * n_points`` and ``s ~ U(-stretch, stretch)``,
    ``c`` the centre of the axis. Values are linearly interpolated and the
    edges are held.

    Parameters
    ----------
    x : torch.Tensor of shape (n_spectra, n_points)
        Spectra.
    shift : float
        Largest shift, as a fraction of the axis length.
    stretch : float
        Largest relative stretch or compression of the axis.

    Returns
    -------
    torch.Tensor of shape (n_spectra, n_points)
        Warped spectra.
    """
    if shift <= 0 and stretch <= 0:
        return x
    n_spectra, n_points = x.shape
    d = _uniform(n_spectra, -shift, shift, x) * n_points
    s = _uniform(n_spectra, -stretch, stretch, x)
    centre = (n_points - 1) / 2.0
    idx = torch.arange(n_points, device=x.device, dtype=x.dtype).unsqueeze(0)
    # Inverse map: the value at output index i is read from the input at pos.
    pos = ((idx - centre - d) / (1.0 + s) + centre).clamp(0, n_points - 1)
    lo = pos.floor().long().clamp(max=n_points - 2) if n_points > 1 else pos.floor().long()
    frac = pos - lo.to(x.dtype)
    hi = (lo + 1).clamp(max=n_points - 1)
    return torch.gather(x, 1, lo) * (1 - frac) + torch.gather(x, 1, hi) * frac


def _smooth_curves(like: torch.Tensor, n_terms: int = 3) -> torch.Tensor:
    """Random smooth curves of unit scale: a few low-frequency cosines."""
    t = _axis(like)
    n = like.shape[0]
    out = torch.zeros_like(like)
    for k in range(1, n_terms + 1):
        amp = torch.randn(n, 1, device=like.device, dtype=like.dtype) / k
        phase = _uniform(n, 0.0, 2 * math.pi, like)
        out = out + amp * torch.cos(k * math.pi * (t + 1) / 2 + phase)
    return out / math.sqrt(n_terms)


def scale_intensity(x: torch.Tensor, scale: float = 0.0) -> torch.Tensor:
    """Multiply each spectrum by a smooth random gain ``1 + scale * g(axis)``.

    A constant factor would be undone by per-spectrum normalisation; a gain
    that varies slowly along the axis changes the relative band heights, as
    concentration, focus and detector response do.

    Parameters
    ----------
    x : torch.Tensor of shape (n_spectra, n_points)
        Spectra.
    scale : float
        Standard deviation of the relative gain.

    Returns
    -------
    torch.Tensor of shape (n_spectra, n_points)
    """
    if scale <= 0:
        return x
    floor = x.min(dim=1, keepdim=True).values
    gain = (1.0 + scale * _smooth_curves(x)).clamp_min(0.1)
    return (x - floor) * gain + floor


def add_baseline(x: torch.Tensor, amplitude: float = 0.0) -> torch.Tensor:
    """Add a smooth random baseline drift (fluorescence, scattering, ATR contact).

    Parameters
    ----------
    x : torch.Tensor of shape (n_spectra, n_points)
        Spectra, ideally on a normalised scale.
    amplitude : float
        Standard deviation of the drift, in the units of ``x``.

    Returns
    -------
    torch.Tensor of shape (n_spectra, n_points)
    """
    if amplitude <= 0:
        return x
    t = _axis(x)
    n = x.shape[0]
    coef = torch.randn(n, 3, device=x.device, dtype=x.dtype) * amplitude
    # Offset, slope and curvature: Legendre polynomials of degree 0-2.
    drift = coef[:, :1] + coef[:, 1:2] * t + coef[:, 2:3] * 0.5 * (3 * t**2 - 1)
    return x + drift


def add_noise(
    x: torch.Tensor, noise: float = 0.0, shot: float = 0.0, spikes: float = 0.0
) -> torch.Tensor:
    """Add detector noise, shot-like noise and cosmic-ray spikes.

    Parameters
    ----------
    x : torch.Tensor of shape (n_spectra, n_points)
        Spectra, ideally on a normalised scale.
    noise : float
        Standard deviation of additive Gaussian noise.
    shot : float
        Scale of signal-dependent noise, whose standard deviation grows as
        the square root of the height above the spectrum's minimum.
    spikes : float
        Expected number of one-point spikes per spectrum; each is 3 to 10
        units high.

    Returns
    -------
    torch.Tensor of shape (n_spectra, n_points)
    """
    out = x
    if noise > 0:
        out = out + noise * torch.randn_like(x)
    if shot > 0:
        height = (x - x.min(dim=1, keepdim=True).values).clamp_min(0)
        out = out + shot * height.sqrt() * torch.randn_like(x)
    if spikes > 0:
        p = min(spikes / x.shape[1], 1.0)
        hit = torch.rand_like(x) < p
        size = torch.rand_like(x) * 7.0 + 3.0
        out = out + hit.to(x.dtype) * size
    return out
