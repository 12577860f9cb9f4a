"""The pretext objectives of GLSM and the skorch nets that train them."""

from ._net import FinetuneNet, PretextNet
from ._objectives import (
    GLSMLoss,
    pseudo_label_loss,
    reconstruction_loss,
    view_transformation_loss,
)

__all__ = [
    "FinetuneNet",
    "GLSMLoss",
    "PretextNet",
    "pseudo_label_loss",
    "reconstruction_loss",
    "view_transformation_loss",
]
