"""The spectrum encoder shared by both pretext tasks and the classifier."""

from __future__ import annotations

import torch
from torch import nn

from ._layers import Resample1d, ResidualBlock1d, _groups, stage_channels


class SpectrumEncoder(nn.Module):
    """1-D ResNet mapping a normalised spectrum to an embedding.

    The last feature map is average-pooled onto ``n_positions`` bins along
    the axis and *flattened*, not globally pooled: where a band sits on the
    wavenumber axis identifies the compound, and a first probe lost 2-4
    points of accuracy with global average pooling.

    Parameters
    ----------
    n_components : int
        Size of the embedding.
    width : int
        Channels of the stem; each residual stage doubles them, up to
        ``4 * width``.
    depth : int
        Number of residual stages; each halves the length.
    n_positions : int
        Bins along the wavenumber axis kept before flattening.
    """

    def __init__(
        self, n_components: int = 64, width: int = 16, depth: int = 4, n_positions: int = 16
    ) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            # A strided stem: spectra are long (1000-4000 points) and sampled
            # finer than the instrument resolves, so a learned 4x low-pass
            # downsampling loses little and makes CPU training affordable.
            nn.Conv1d(1, width, kernel_size=9, stride=4, padding=4, bias=False),
            nn.GroupNorm(_groups(width), width),
            nn.ReLU(),
        )
        blocks = []
        channels = width
        for i in range(depth):
            out = stage_channels(width, i)
            blocks.append(ResidualBlock1d(channels, out, stride=2))
            channels = out
        self.blocks = nn.Sequential(*blocks)
        self.pool = Resample1d(n_positions, mode="pool")
        self.out_channels = channels
        self.n_positions = n_positions
        self.project = nn.Sequential(
            nn.GroupNorm(_groups(channels), channels),
            nn.ReLU(),
        )
        self.fc = nn.Linear(channels * n_positions, n_components)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed spectra of shape (n_spectra, n_points) into (n_spectra, n_components)."""
        h = self.blocks(self.stem(x.unsqueeze(1)))
        h = self.pool(self.project(h))
        return self.fc(h.flatten(1))
