"""Heads on top of the embedding: view transformation, decoder, classifier."""

from __future__ import annotations

import torch
from torch import nn

from ._layers import Resample1d, _groups, stage_channels


class ViewTransformHead(nn.Module):
    """MLP that maps the embedding of one view onto the embedding of the other.

    Parameters
    ----------
    n_components : int
        Size of the embedding, in and out.
    hidden : int
        Width of the hidden layer.
    """

    def __init__(self, n_components: int, hidden: int | None = None) -> None:
        super().__init__()
        hidden = hidden or max(n_components // 2, 8)
        self.net = nn.Sequential(
            nn.Linear(n_components, hidden),
            nn.LayerNorm(hidden),
            nn.GELU(),
            nn.Linear(hidden, n_components),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class SpectrumDecoder(nn.Module):
    """Decode an embedding back into a full-length spectrum.

    The embedding is unfolded onto ``n_positions`` bins, upsampled by
    transposed convolutions, then interpolated onto the exact length of the
    input axis.

    Parameters
    ----------
    n_components : int
        Size of the embedding.
    n_points : int
        Length of the spectra to reconstruct.
    width : int
        Channels of the last upsampling stage; earlier stages have more.
    depth : int
        Number of upsampling stages, each doubling the length.
    n_positions : int
        Length of the first feature map.
    """

    def __init__(
        self,
        n_components: int,
        n_points: int,
        width: int = 16,
        depth: int = 4,
        n_positions: int = 16,
    ) -> None:
        super().__init__()
        self.n_points = n_points
        self.n_positions = n_positions
        channels = stage_channels(width, depth - 1) if depth else width
        self.channels = channels
        self.fc = nn.Linear(n_components, channels * n_positions)
        layers: list[nn.Module] = []
        for i in range(depth):
            out = stage_channels(width, depth - i - 2) if i < depth - 1 else width
            layers += [
                nn.GroupNorm(_groups(channels), channels),
                nn.ReLU(),
                nn.ConvTranspose1d(channels, out, kernel_size=4, stride=2, padding=1),
            ]
            channels = out
        layers += [nn.ReLU(), nn.Conv1d(channels, 1, kernel_size=5, padding=2)]
        self.up = nn.Sequential(*layers)
        self.resize = Resample1d(n_points, mode="linear")

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if "resize" not in self._modules:  # pickled before Resample1d replaced F.interpolate
            self.resize = Resample1d(self.n_points, mode="linear")

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.fc(z).view(z.shape[0], self.channels, self.n_positions)
        h = self.up(h)
        h = self.resize(h)
        return h.squeeze(1)


class ClassificationHead(nn.Module):
    """Dropout and a linear layer from the embedding to class logits."""

    def __init__(self, n_components: int, n_classes: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(n_components, n_classes)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.linear(self.dropout(z))
