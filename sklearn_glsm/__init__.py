"""GLSM: global and local self-supervised semantics for few-label spectral classification.

Pretrain a spectrum encoder on unlabeled Raman, SERS, FTIR or NIR spectra with
two self-supervised tasks, then fine-tune it with a few labels, all as
scikit-learn estimators.
"""

from ._classifier import GLSMClassifier
from ._persistence import load_model, save_model
from ._teacher import derivative_noise, make_derivative_teacher, quiet_windows
from ._transformer import GLSMTransformer

__version__ = "0.1.0"

__all__ = [
    "GLSMClassifier",
    "GLSMTransformer",
    "derivative_noise",
    "load_model",
    "make_derivative_teacher",
    "quiet_windows",
    "save_model",
    "__version__",
]
