"""skorch nets for the two training stages, with the loss checks they share."""

from __future__ import annotations

import math

from skorch import NeuralNet, NeuralNetClassifier

_REMEDY = (
    "Lower `lr`, keep `normalize='snv'` for raw intensities, and check X for "
    "extreme values."
)


def check_finite_loss(value: float, name: str, stage: str) -> None:
    """Stop training with a clear error when a loss stops being finite."""
    if not math.isfinite(value):
        raise FloatingPointError(
            f"The {name} diverged to {value} during {stage}. {_REMEDY}"
        )


class PretextNet(NeuralNet):
    """skorch net for self-supervised pretraining.

    The module returns a dict of pretext outputs and the criterion
    (:class:`GLSMLoss`) turns it into losses; there are no targets. Each
    task's loss is recorded per batch so ``PassthroughScoring`` can log it
    per epoch.
    """

    def get_loss(self, y_pred, y_true=None, X=None, training=False):  # noqa: D102
        losses = self.criterion_(y_pred)
        for name, value in losses.items():
            value = float(value.detach())
            check_finite_loss(value, "total pretext loss" if name == "loss" else name,
                              "pretraining")
            if name != "loss" and training:
                self.history.record_batch(name, value)
        return losses["loss"]


class FinetuneNet(NeuralNetClassifier):
    """skorch classifier for fine-tuning that refuses to train on a NaN loss."""

    def get_loss(self, y_pred, y_true, X=None, training=False):  # noqa: D102
        loss = super().get_loss(y_pred, y_true, X=X, training=training)
        check_finite_loss(float(loss.detach()), "classification loss", "fine-tuning")
        return loss
