"""Building blocks shared by the encoder and the decoders."""

from __future__ import annotations

from functools import lru_cache

import torch
from scipy.signal import savgol_coeffs
from torch import nn
from torch.nn import functional as F

# Floor on the per-spectrum standard deviation: constant or all-zero spectra
# must normalise to zeros, not to NaN.
_EPS = 1e-6


def snv(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Standard normal variate of each row, with the statistics to undo it.

    Parameters
    ----------
    x : torch.Tensor of shape (n_spectra, n_points)
        Spectra in any intensity unit (counts, absorbance, %T).

    Returns
    -------
    z : torch.Tensor of shape (n_spectra, n_points)
        Each spectrum centred and scaled to unit standard deviation.
    mean, std : torch.Tensor of shape (n_spectra, 1)
        Statistics such that ``x == z * std + mean``.
    """
    mean = x.mean(dim=1, keepdim=True)
    std = x.std(dim=1, keepdim=True, unbiased=False).clamp_min(_EPS)
    return (x - mean) / std, mean, std


@lru_cache(maxsize=16)
def _savgol_kernel(deriv: int, window: int, device: torch.device,
                   dtype: torch.dtype) -> torch.Tensor:
    coeffs = savgol_coeffs(window, polyorder=max(2, deriv), deriv=deriv, use="dot")
    return torch.as_tensor(coeffs.copy(), device=device, dtype=dtype).view(1, 1, -1)


def savgol(x: torch.Tensor, deriv: int, window: int) -> torch.Tensor:
    """Savitzky-Golay derivative (quadratic fit) of each row, in units of points.

    The same filter as chemotools'
    ``SavitzkyGolay(window_length=window, polyorder=2, deriv=deriv, mode="nearest")``,
    as a convolution that runs on the network's device inside the forward pass.

    Parameters
    ----------
    x : torch.Tensor of shape (n_spectra, n_points)
        Spectra.
    deriv : int
        Order of the derivative.
    window : int
        Odd window length, in points; the edges are padded by repeating the
        end values.

    Returns
    -------
    d : torch.Tensor of shape (n_spectra, n_points)
    """
    kernel = _savgol_kernel(deriv, window, x.device, x.dtype)
    padded = F.pad(x.unsqueeze(1), (window // 2, window // 2), mode="replicate")
    return F.conv1d(padded, kernel).squeeze(1)


class SpectrumNormalizer(nn.Module):
    """Per-spectrum normalisation inside the network.

    Raw Raman counts (up to 65 000) and absorbances (0 to 1) reach the
    convolutions on the same scale, so one learning rate trains both.

    Parameters
    ----------
    method : {"snv", "none"}
        ``"snv"`` centres and scales every spectrum on its own; ``"none"``
        passes values through (for data already on a sensible scale).
    """

    def __init__(self, method: str = "snv") -> None:
        super().__init__()
        self.method = method

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if self.method == "snv":
            return snv(x)
        ones = torch.ones_like(x[:, :1])
        return x, torch.zeros_like(ones), ones


def _groups(channels: int) -> int:
    # GroupNorm instead of BatchNorm: a prediction must not depend on which
    # other spectra share its batch, and a last batch of one must train.
    # At least 4 channels per group, so a group never normalises one value.
    for g in (8, 4, 2):
        if channels % g == 0 and channels // g >= 4:
            return g
    return 1


def stage_channels(width: int, stage: int) -> int:
    """Channels of residual stage ``stage``: from ``2 * width``, doubling up to ``4 * width``."""
    return width * min(2 ** (stage + 1), 4)


class ResidualBlock1d(nn.Module):
    """Pre-activation 1-D residual block that may halve the length.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels before and after the block.
    stride : int
        1 keeps the length, 2 halves it.
    kernel_size : int
        Width of both convolutions, in points.
    """

    def __init__(
        self, in_channels: int, out_channels: int, stride: int = 1, kernel_size: int = 3
    ) -> None:
        super().__init__()
        pad = kernel_size // 2
        self.norm1 = nn.GroupNorm(_groups(in_channels), in_channels)
        self.conv1 = nn.Conv1d(in_channels, out_channels, kernel_size, stride, pad, bias=False)
        self.norm2 = nn.GroupNorm(_groups(out_channels), out_channels)
        self.conv2 = nn.Conv1d(out_channels, out_channels, kernel_size, 1, pad, bias=False)
        self.act = nn.ReLU()
        self.skip: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.skip = nn.Conv1d(in_channels, out_channels, 1, stride, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.act(self.norm1(x))
        out = self.conv1(h)
        out = self.conv2(self.act(self.norm2(out)))
        return out + self.skip(x)


@lru_cache(maxsize=64)
def _resample_matrix(mode: str, length: int, size: int, device: torch.device,
                     dtype: torch.dtype) -> torch.Tensor:
    # torch's own operator applied to the identity: row j is the image of the
    # j-th unit vector, so ``h @ matrix`` is that operator applied to ``h``.
    eye = torch.eye(length, dtype=torch.float64)[None]
    if mode == "pool":
        out = F.adaptive_avg_pool1d(eye, size)
    else:
        out = F.interpolate(eye, size=size, mode="linear", align_corners=False)
    return out[0].to(device=device, dtype=dtype)


class Resample1d(nn.Module):
    """Adaptive average pooling or linear interpolation of the last axis onto ``size``.

    The same operator as :func:`~torch.nn.functional.adaptive_avg_pool1d` or
    ``interpolate(mode="linear")`` (up to rounding: the weights are computed in
    float64), applied as a product with a fixed matrix:
    the backward passes of those two functions add with atomics on CUDA, so
    a GPU fit with a fixed ``random_state`` would differ from run to run; a
    matrix product's gradient does not. The matrix depends on the input
    length, so it is built on first use (and cached), not stored.

    Parameters
    ----------
    size : int
        Length of the output's last axis.
    mode : {"pool", "linear"}
        Average pooling over adaptive windows, or linear interpolation with
        ``align_corners=False``.
    """

    def __init__(self, size: int, mode: str = "pool") -> None:
        super().__init__()
        if mode not in ("pool", "linear"):
            raise ValueError(f"mode must be 'pool' or 'linear', got {mode!r}.")
        self.size = size
        self.mode = mode

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """Map ``h`` of shape (..., length) to (..., size)."""
        matrix = _resample_matrix(self.mode, h.shape[-1], self.size, h.device, h.dtype)
        return h @ matrix

    def extra_repr(self) -> str:  # noqa: D102
        return f"size={self.size}, mode={self.mode!r}"
