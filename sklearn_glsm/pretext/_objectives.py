"""The two self-supervised objectives of GLSM and their weighted sum."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def view_transformation_loss(
    p1: torch.Tensor,
    p2: torch.Tensor,
    z1: torch.Tensor,
    z2: torch.Tensor,
    temperature: float = 0.1,
) -> torch.Tensor:
    """Global task: each view's embedding, transformed, must identify the other view.

    The transform head maps the embedding of view 1 onto that of view 2 (and
    back). Rather than only pulling the two together, which a network can
    satisfy by mapping every spectrum to the same point, the transformed
    embedding must pick its partner out of every embedding in the batch:
    a symmetric InfoNCE loss over cosine similarities.

    Parameters
    ----------
    p1, p2 : torch.Tensor of shape (n_spectra, n_components)
        Transformed embeddings of view 1 and view 2.
    z1, z2 : torch.Tensor of shape (n_spectra, n_components)
        Embeddings of view 1 and view 2.
    temperature : float
        Temperature of the softmax over similarities. A low one makes the
        loss dwell on the hardest negatives, often spectra of the same
        material; a higher one tolerates them (Wang & Liu, CVPR 2021).

    Returns
    -------
    torch.Tensor
        Scalar loss; ``log(n_spectra)`` at chance, 0 when perfect.
    """
    targets = torch.arange(p1.shape[0], device=p1.device)

    def nce(p: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        logits = F.normalize(p, dim=1) @ F.normalize(z, dim=1).T / temperature
        return F.cross_entropy(logits, targets)

    return 0.5 * (nce(p1, z2) + nce(p2, z1))


def view_prediction_loss(
    p1: torch.Tensor, p2: torch.Tensor, z1: torch.Tensor, z2: torch.Tensor
) -> torch.Tensor:
    """Global task without negatives: each transformed view must point at the other.

    The transform head's output for view 1 must have the direction of the
    embedding of view 2 (and back), whose gradient is stopped, as in SimSiam
    (Chen & He, CVPR 2021). No spectrum is pushed away from any other, so
    near-identical spectra of one material are free to share an embedding.
    SimSiam relies on the stop-gradient and the head to keep the embeddings
    from collapsing onto one point, which does not always suffice (alone, this
    loss collapsed them on synthetic spectra); in GLSM the local task, which
    must decode every spectrum from its embedding, forbids that collapse.

    Parameters
    ----------
    p1, p2 : torch.Tensor of shape (n_spectra, n_components)
        Transformed embeddings of view 1 and view 2.
    z1, z2 : torch.Tensor of shape (n_spectra, n_components)
        Embeddings of view 1 and view 2.

    Returns
    -------
    torch.Tensor
        Scalar loss in [0, 2]: 1 minus the mean cosine similarity.
    """
    cos = F.cosine_similarity
    return 1 - 0.5 * (cos(p1, z2.detach(), dim=1).mean() + cos(p2, z1.detach(), dim=1).mean())


def reconstruction_loss(reconstructed: torch.Tensor, clean: torch.Tensor) -> torch.Tensor:
    """Local task: mean squared error between the decoded and the clean spectrum.

    Parameters
    ----------
    reconstructed, clean : torch.Tensor of shape (n_spectra, n_points)
        Decoded spectra and their noise-free, normalised originals.

    Returns
    -------
    torch.Tensor
        Scalar loss.
    """
    return F.mse_loss(reconstructed, clean)


def pseudo_label_loss(
    strong_logits: torch.Tensor,
    weak_logits: torch.Tensor,
    unlabeled: torch.Tensor,
    threshold: float = 0.95,
) -> torch.Tensor:
    """Consistency on unlabeled spectra: a confident prediction teaches its view.

    For every unlabeled spectrum whose prediction on the plain spectrum is
    at least ``threshold`` confident, the prediction on a random view (axis
    shift and stretch, gain, baseline, noise) must give the same class
    (FixMatch-style pseudo-labelling). Unconfident spectra contribute 0,
    so early in fine-tuning, when nothing is confident, the term is silent.

    Parameters
    ----------
    strong_logits : torch.Tensor of shape (n_spectra, n_classes)
        Logits of the augmented views; gradients flow through them.
    weak_logits : torch.Tensor of shape (n_spectra, n_classes)
        Logits of the plain spectra; treated as constant targets.
    unlabeled : torch.Tensor of bool, shape (n_spectra,)
        Which rows of the batch are unlabeled.
    threshold : float
        Confidence a pseudo-label needs.

    Returns
    -------
    torch.Tensor
        Scalar loss, averaged over the unlabeled rows of the batch.
    """
    probs = torch.softmax(weak_logits.detach(), dim=1)
    confidence, pseudo = probs.max(dim=1)
    mask = (unlabeled & (confidence >= threshold)).to(strong_logits.dtype)
    per_row = F.cross_entropy(strong_logits, pseudo, reduction="none")
    return (per_row * mask).sum() / unlabeled.sum().clamp_min(1)


class GLSMLoss(nn.Module):
    """``global_weight * L_global + local_weight * L_local``.

    Parameters
    ----------
    global_weight, local_weight : float
        Weights of the two tasks; a task with weight 0 is skipped.
    temperature : float
        Temperature of the global task's softmax, see
        :func:`view_transformation_loss`.
    objective : {"contrastive", "predictive"}
        The global task's loss: :func:`view_transformation_loss` (the
        transformed view must pick its partner out of the batch) or
        :func:`view_prediction_loss` (it must point at its partner; no
        negatives).
    """

    def __init__(
        self,
        global_weight: float = 1.0,
        local_weight: float = 1.0,
        temperature: float = 0.1,
        objective: str = "contrastive",
    ) -> None:
        super().__init__()
        if objective not in ("contrastive", "predictive"):
            raise ValueError(
                f"objective must be 'contrastive' or 'predictive', got {objective!r}."
            )
        self.global_weight = global_weight
        self.local_weight = local_weight
        self.temperature = temperature
        self.objective = objective

    def forward(self, outputs: dict[str, tuple[torch.Tensor, ...]]) -> dict[str, torch.Tensor]:
        """Return the total ``"loss"`` and each task's unweighted loss."""
        losses: dict[str, torch.Tensor] = {}
        total = 0.0
        if "global" in outputs:
            if self.objective == "predictive":
                losses["global_loss"] = view_prediction_loss(*outputs["global"])
            else:
                losses["global_loss"] = view_transformation_loss(
                    *outputs["global"], temperature=self.temperature
                )
            total = total + self.global_weight * losses["global_loss"]
        if "local" in outputs:
            losses["local_loss"] = reconstruction_loss(*outputs["local"])
            total = total + self.local_weight * losses["local_loss"]
        losses["loss"] = total
        return losses
