"""The pretext objectives of GLSM and the skorch nets that train them."""

from ._data import SpectraDataset, collate_batch
from ._net import FinetuneNet, PretextNet
from ._objectives import (
    GLSMLoss,
    pseudo_label_loss,
    reconstruction_loss,
    view_prediction_loss,
    view_transformation_loss,
)

__all__ = [
    "FinetuneNet",
    "GLSMLoss",
    "PretextNet",
    "SpectraDataset",
    "collate_batch",
    "pseudo_label_loss",
    "reconstruction_loss",
    "view_prediction_loss",
    "view_transformation_loss",
]
