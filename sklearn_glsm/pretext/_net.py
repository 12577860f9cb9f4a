"""skorch nets for the two training stages, with the loss checks they share."""

from __future__ import annotations

import math

from skorch import NeuralNet, NeuralNetClassifier

from ._objectives import pseudo_label_loss

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


class _StopOnInterrupt:
    """Let KeyboardInterrupt stop training instead of ending it as if it were done.

    skorch catches the interrupt in ``partial_fit`` and returns the half-trained
    net, so a classifier would go on to fine-tune and an estimator would pass
    for fully fitted. The interrupt is raised again once skorch has cleaned up.
    """

    def partial_fit(self, X, y=None, classes=None, **fit_params):  # noqa: D102
        self._interrupt = None
        super().partial_fit(X, y, classes, **fit_params)
        interrupt, self._interrupt = self._interrupt, None
        if interrupt is not None:
            raise interrupt
        return self

    def fit_loop(self, *args, **kwargs):  # noqa: D102
        try:
            return super().fit_loop(*args, **kwargs)
        except KeyboardInterrupt as exc:
            self._interrupt = exc
            raise


class _LoadsWithoutGPU:
    """Let a net fitted on a GPU unpickle on a machine without one.

    skorch unpickles the fitted ``module_``, ``optimizer_`` and
    ``criterion_`` with a CPU ``map_location`` when CUDA is missing. Two more
    attributes reach CUDA tensors: the parameter ``module`` (our nets get an
    instance, the same object as ``module_``) and the callbacks (the learning
    rate scheduler holds the optimizer and its state). Pickled on their own,
    they would fail to load without a GPU; pickled with the fitted attributes
    they are mapped too, and the shared objects are stored once.
    """

    def __getstate__(self):
        prefixes = self.cuda_dependent_attributes_
        self.cuda_dependent_attributes_ = [*prefixes, "module", "callbacks"]
        try:
            return super().__getstate__()
        finally:
            self.cuda_dependent_attributes_ = prefixes


class PretextNet(_LoadsWithoutGPU, _StopOnInterrupt, NeuralNet):
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


class FinetuneNet(_LoadsWithoutGPU, _StopOnInterrupt, NeuralNetClassifier):
    """skorch classifier for fine-tuning that refuses to train on a NaN loss.

    When the module returns ``(view_logits, plain_logits)`` in training, the
    batch mixes labeled rows and unlabeled rows (target ``-1``): labeled rows
    get cross-entropy on their augmented view, unlabeled rows the
    pseudo-label consistency of :func:`pseudo_label_loss`, weighted by
    ``unlabeled_weight``.

    Parameters
    ----------
    unlabeled_weight : float
        Weight of the consistency term on unlabeled rows.
    pseudo_threshold : float
        Confidence a pseudo-label needs.
    **kwargs
        Passed to :class:`skorch.NeuralNetClassifier`.
    """

    def __init__(self, *args, unlabeled_weight=0.0, pseudo_threshold=0.95, **kwargs):
        super().__init__(*args, **kwargs)
        self.unlabeled_weight = unlabeled_weight
        self.pseudo_threshold = pseudo_threshold

    def get_loss(self, y_pred, y_true, X=None, training=False):  # noqa: D102
        if not isinstance(y_pred, tuple):
            loss = super().get_loss(y_pred, y_true, X=X, training=training)
            check_finite_loss(float(loss.detach()), "classification loss", "fine-tuning")
            return loss
        view_logits, plain_logits = y_pred
        y_true = y_true.to(view_logits.device)
        unlabeled = y_true < 0
        labeled = ~unlabeled
        supervised = (
            self.criterion_(view_logits[labeled], y_true[labeled])
            if labeled.any()
            else view_logits.sum() * 0.0
        )
        consistency = pseudo_label_loss(
            view_logits, plain_logits, unlabeled, self.pseudo_threshold
        )
        for name, value in (("classification loss", supervised),
                            ("pseudo-label loss", consistency)):
            check_finite_loss(float(value.detach()), name, "fine-tuning")
        if training:
            self.history.record_batch("pseudo_loss", float(consistency.detach()))
        return supervised + self.unlabeled_weight * consistency
