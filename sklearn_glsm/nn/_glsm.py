"""The GLSM networks: the pretext network and the classifier built on its encoder."""

from __future__ import annotations

import torch
from torch import nn

from ..augmentation import SpectralCorruption, SpectralViews
from ._encoder import SpectrumEncoder
from ._heads import ClassificationHead, SpectrumDecoder, ViewTransformHead
from ._layers import SpectrumNormalizer


class GLSMPretextModule(nn.Module):
    """Encoder with the two pretext heads of GLSM.

    In training mode ``forward`` returns what the two objectives need:

    * ``"global"``: two random views of each spectrum are embedded, and the
      view-transformation head maps each embedding onto the other's;
    * ``"local"``: a corrupted copy is embedded and decoded, to be compared
      with the clean spectrum.

    All encoder passes of one batch run as a single batched call. A task
    whose weight is 0 is not computed at all.

    Parameters
    ----------
    n_points : int
        Length of the spectra.
    n_components, width, depth, n_positions : int
        Size of the encoder, see :class:`SpectrumEncoder`.
    normalize : {"snv", "none"}
        Per-spectrum normalisation applied first.
    views : SpectralViews
        Generator of the global task's views.
    corruption : SpectralCorruption
        Corruption of the local task's input.
    use_global, use_local : bool
        Which pretext tasks run.
    projection_head : bool
        Compare the two views after a small MLP on the embedding, not on the
        embedding itself, so the invariances the contrastive loss demands
        are learned in a layer that fine-tuning throws away (SimCLR's
        projection head, Chen et al., ICML 2020).
    derivative, derivative_window : int
        The encoder's derivative input channel, see :class:`SpectrumEncoder`.
    """

    def __init__(
        self,
        n_points: int,
        n_components: int = 64,
        width: int = 16,
        depth: int = 4,
        n_positions: int = 16,
        normalize: str = "snv",
        views: SpectralViews | None = None,
        corruption: SpectralCorruption | None = None,
        use_global: bool = True,
        use_local: bool = True,
        projection_head: bool = False,
        derivative: int = 0,
        derivative_window: int = 11,
    ) -> None:
        super().__init__()
        self.normalizer = SpectrumNormalizer(normalize)
        self.encoder = SpectrumEncoder(
            n_components, width, depth, n_positions, derivative, derivative_window
        )
        self.projector = (
            nn.Sequential(
                nn.Linear(n_components, n_components),
                nn.ReLU(),
                nn.Linear(n_components, n_components),
            )
            if projection_head
            else nn.Identity()
        )
        self.transform_head = ViewTransformHead(n_components)
        self.decoder = SpectrumDecoder(n_components, n_points, width, depth, n_positions)
        self.views = views if views is not None else SpectralViews()
        self.corruption = corruption if corruption is not None else SpectralCorruption()
        self.use_global = use_global
        self.use_local = use_local

    def renormalize(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise an augmented spectrum again, as the encoder sees at inference."""
        return self.normalizer(x)[0]

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Embedding of raw spectra, shape (n_spectra, n_components)."""
        return self.encoder(self.normalizer(x)[0])

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The encoder's pooled features of raw spectra (``SpectrumEncoder.features``)."""
        return self.encoder.features(self.normalizer(x)[0])

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Denoised spectra on the intensity scale of the input."""
        z, mean, std = self.normalizer(x)
        return self.decoder(self.encoder(z)) * std + mean

    def forward(self, x: torch.Tensor) -> dict[str, tuple[torch.Tensor, ...]]:
        clean = self.normalizer(x)[0]
        inputs = []
        if self.use_global:
            inputs += [self.renormalize(self.views(clean)), self.renormalize(self.views(clean))]
        if self.use_local:
            inputs.append(self.corruption(clean))
        z = self.encoder(torch.cat(inputs)).chunk(len(inputs))
        out: dict[str, tuple[torch.Tensor, ...]] = {}
        if self.use_global:
            z1, z2 = self.projector(z[0]), self.projector(z[1])
            out["global"] = (self.transform_head(z1), self.transform_head(z2), z1, z2)
        if self.use_local:
            out["local"] = (self.decoder(z[-1]), clean)
        return out


class GLSMClassifierModule(nn.Module):
    """Encoder plus a classification head, for fine-tuning on few labels.

    Parameters
    ----------
    encoder : SpectrumEncoder
        A pretrained (or fresh) encoder; it is trained further unless
        ``freeze_encoder``.
    n_classes : int
        Number of classes.
    normalize : {"snv", "none"}
        Per-spectrum normalisation, the same the encoder was pretrained with.
    views : SpectralViews or None
        Augmentation applied to each training batch; none at inference.
    dropout : float
        Dropout on the head's input before the linear layer.
    freeze_encoder : bool
        Train only the head, on the frozen encoder's pooled features
        (``SpectrumEncoder.features``, what ``GLSMTransformer.transform``
        returns) rather than on its embedding, which the pretext tasks shape
        and which a linear probe classifies poorly.
    consistency : bool
        In training mode, also return the logits of the plain spectra
        (without gradient), the targets of the pseudo-label consistency on
        unlabeled rows.
    n_points : int or None
        Length of the spectra; with it, a linear map from the encoder's
        input channels (the normalised spectrum and its derivative) adds its
        logits to the head's, so the classifier contains a linear model on
        the spectrum beside the network. ``None``: no such path.
    """

    def __init__(
        self,
        encoder: SpectrumEncoder,
        n_classes: int,
        normalize: str = "snv",
        views: SpectralViews | None = None,
        dropout: float = 0.0,
        freeze_encoder: bool = False,
        consistency: bool = False,
        n_points: int | None = None,
    ) -> None:
        super().__init__()
        self.consistency = consistency
        self.normalizer = SpectrumNormalizer(normalize)
        self.encoder = encoder
        self.views = views
        self.head_on_features = freeze_encoder
        n_inputs = encoder.n_features if freeze_encoder else encoder.fc.out_features
        self.head = ClassificationHead(n_inputs, n_classes, dropout)
        self.encoder.requires_grad_(not freeze_encoder)
        self.linear = None
        if n_points is not None:
            self.linear = nn.Linear((1 + (encoder.derivative > 0)) * n_points, n_classes)
            nn.init.zeros_(self.linear.weight)
            nn.init.zeros_(self.linear.bias)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if not hasattr(self, "linear"):  # pickled before the linear path existed
            self.linear = None
        if not hasattr(self, "head_on_features"):  # a probe then read the embedding
            self.head_on_features = False

    def _logits(self, z: torch.Tensor) -> torch.Tensor:
        # The derivative channel is computed once for both paths.
        h = self.encoder.inputs(z)
        represent = (self.encoder.features_of_inputs if self.head_on_features
                     else self.encoder.embed_inputs)
        logits = self.head(represent(h))
        return logits if self.linear is None else logits + self.linear(h.flatten(1))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Embedding of raw spectra, shape (n_spectra, n_components)."""
        return self.encoder(self.normalizer(x)[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        z = self.normalizer(x)[0]
        if not self.training:
            return self._logits(z)
        view = self.normalizer(self.views(z))[0] if self.views is not None else z
        logits = self._logits(view)
        if not self.consistency:
            return logits
        with torch.no_grad():
            plain = self._logits(z)
        return logits, plain
