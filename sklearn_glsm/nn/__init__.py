"""Torch modules: the spectrum encoder, the pretext heads, the classifier."""

from ._encoder import SpectrumEncoder
from ._glsm import GLSMClassifierModule, GLSMPretextModule
from ._heads import ClassificationHead, SpectrumDecoder, ViewTransformHead
from ._layers import Resample1d, ResidualBlock1d, SpectrumNormalizer, savgol, snv

__all__ = [
    "ClassificationHead",
    "GLSMClassifierModule",
    "GLSMPretextModule",
    "Resample1d",
    "ResidualBlock1d",
    "SpectrumDecoder",
    "SpectrumEncoder",
    "SpectrumNormalizer",
    "ViewTransformHead",
    "savgol",
    "snv",
]
