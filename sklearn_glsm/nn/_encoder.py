"""The spectrum encoder shared by both pretext tasks and the classifier."""

from __future__ import annotations

import torch
from torch import nn

from ._layers import Resample1d, ResidualBlock1d, _groups, savgol, snv, stage_channels


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
    derivative : {0, 1, 2}
        Order of a Savitzky-Golay derivative of the spectrum fed to the stem
        as a second channel (itself standardised), beside the spectrum; 0
        feeds the spectrum alone.
    derivative_window : int
        Window of that derivative, in points (odd, at least 5).
    """

    def __init__(
        self,
        n_components: int = 64,
        width: int = 16,
        depth: int = 4,
        n_positions: int = 16,
        derivative: int = 0,
        derivative_window: int = 11,
    ) -> None:
        super().__init__()
        self.derivative = derivative
        self.derivative_window = derivative_window
        self.stem = nn.Sequential(
            # A strided stem: spectra are long (1000-4000 points) and sampled
            # finer than the instrument resolves, so a learned 4x low-pass
            # downsampling loses little and makes CPU training affordable.
            nn.Conv1d(1 + (derivative > 0), width, kernel_size=9, stride=4, padding=4,
                      bias=False),
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

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if "derivative" not in self.__dict__:  # pickled before the derivative channel existed
            self.derivative, self.derivative_window = 0, 11

    def inputs(self, x: torch.Tensor) -> torch.Tensor:
        """The stem's input channels, shape (n_spectra, 1 or 2, n_points)."""
        if not self.derivative:
            return x.unsqueeze(1)
        d = snv(savgol(x, self.derivative, self.derivative_window))[0]
        return torch.stack([x, d], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed spectra of shape (n_spectra, n_points) into (n_spectra, n_components)."""
        return self.embed_inputs(self.inputs(x))

    @property
    def n_features(self) -> int:
        """Length of :meth:`features`: channels of the last stage times ``n_positions``."""
        return self.out_channels * self.n_positions

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The pooled feature map before the last linear layer, flattened.

        Shape (n_spectra, :attr:`n_features`). The pretext tasks act on the
        embedding, a linear map of these features; like the representation
        before a contrastive projection head, they keep more of what tells
        classes apart than the embedding does.
        """
        return self.features_of_inputs(self.inputs(x))

    def features_of_inputs(self, h: torch.Tensor) -> torch.Tensor:
        """:meth:`features` of the stem's input channels, as :meth:`inputs` returns them."""
        return self.pool(self.project(self.blocks(self.stem(h)))).flatten(1)

    def embed_inputs(self, h: torch.Tensor) -> torch.Tensor:
        """Embed the stem's input channels, as :meth:`inputs` returns them."""
        return self.fc(self.features_of_inputs(h))
