"""Saving and loading fitted models without pickle, for files from untrusted sources.

``joblib`` and ``pickle`` files can run arbitrary code when loaded, and
``skops.io`` cannot store torch modules. :func:`save_model` instead writes a
zip archive of two members:

* ``model.json``: the class, the parameters and the fitted attributes
  (arrays, numbers, strings, the training history) of each estimator;
* ``weights.pt``: the network weights, a dict of tensors written by
  :func:`torch.save`.

:func:`load_model` reads them with :func:`json.loads` and
``torch.load(weights_only=True)``, creates the estimators from a fixed list of
classes and rebuilds their networks from the parameters, so loading a file
never imports or runs code named in it.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import warnings
import zipfile

import numpy as np
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from skorch.exceptions import DeviceWarning

from ._base import resolve_device, seeded, version_warning
from ._classifier import GLSMClassifier
from ._transformer import GLSMTransformer
from .nn import ClassificationHead, SpectrumEncoder
from .preprocessing import WavenumberResampler

__all__ = ["load_model", "save_model"]

_FORMAT = "sklearn_glsm.model"
_FORMAT_VERSION = 1

# The only classes a file may name; nothing else is ever instantiated.
_CLASSES = {
    cls.__name__: cls
    for cls in (GLSMClassifier, GLSMTransformer, WavenumberResampler, Pipeline, FrozenEstimator)
}


def save_model(estimator, path: str | os.PathLike) -> None:
    """Save a fitted model without pickle.

    Parameters
    ----------
    estimator : GLSMClassifier, GLSMTransformer or Pipeline
        The model. Pipelines may hold :class:`GLSMClassifier`,
        :class:`GLSMTransformer` and
        :class:`~sklearn_glsm.preprocessing.WavenumberResampler` steps;
        ``pretrained`` may be a transformer or a
        :class:`~sklearn.frozen.FrozenEstimator` of one.
    path : str or path-like
        File to write (a zip archive); it is overwritten.

    Raises
    ------
    TypeError
        If the model holds an estimator or a value this format cannot store.

    See Also
    --------
    load_model : Load the model back.

    Notes
    -----
    The optimizer state is not stored: a loaded model predicts exactly as the
    saved one, and ``fit`` retrains it from scratch. Nor is a classifier's
    fitted teacher (``teacher_``), which only acts in ``fit``; a classifier
    with ``teacher="derivative"`` is stored, one with a teacher estimator is
    refused (use joblib).
    """
    from . import __version__

    tensors: dict[str, dict[str, torch.Tensor]] = {}
    meta = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "sklearn_glsm_version": __version__,
        "estimator": _describe(estimator, "estimator", tensors),
    }
    buffer = io.BytesIO()
    torch.save(tensors, buffer)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.json", json.dumps(meta, indent=1))
        archive.writestr("weights.pt", buffer.getvalue())


def load_model(path: str | os.PathLike):
    """Load a model written by :func:`save_model`, running no code from the file.

    Networks are placed on the device they were fitted on, or on the CPU
    with a warning when that device is not available here.

    Parameters
    ----------
    path : str or path-like
        File written by :func:`save_model`.

    Returns
    -------
    estimator : estimator
        The fitted model.

    Raises
    ------
    ValueError
        If the file is not a model written by :func:`save_model`, names a
        class outside sklearn_glsm's estimators, or holds anything but tensors
        in its weights (such as a pickled object, which is refused unread).
    """
    from . import __version__

    try:
        with zipfile.ZipFile(path) as archive:
            meta = json.loads(archive.read("model.json"))
            weights = archive.read("weights.pt")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"{os.fspath(path)!r} is not a model written by sklearn_glsm.save_model."
        ) from exc
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        raise ValueError(f"{os.fspath(path)!r} is not a model written by sklearn_glsm.save_model.")
    if meta.get("format_version") != _FORMAT_VERSION:
        raise ValueError(
            f"{os.fspath(path)!r} has model format version {meta.get('format_version')!r}; "
            f"this sklearn_glsm reads version {_FORMAT_VERSION}."
        )
    try:
        tensors = torch.load(io.BytesIO(weights), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise ValueError(
            f"The weights in {os.fspath(path)!r} hold objects other than tensors; they were "
            "refused without being run."
        ) from exc
    version_warning("model", meta.get("sklearn_glsm_version"), __version__)
    return _build(meta["estimator"], tensors)


# -- writing ----------------------------------------------------------------------


def _describe(estimator, where: str, tensors: dict) -> dict:
    """JSON-able description of ``estimator``; its net's weights go into ``tensors``."""
    name = type(estimator).__name__
    if _CLASSES.get(name) is not type(estimator):
        raise TypeError(
            f"{where} is a {name}, which save_model cannot store; it stores "
            f"{', '.join(sorted(_CLASSES))}. Use joblib for other models."
        )
    params = estimator.get_params(deep=False)
    fitted = {}
    for key, value in vars(estimator).items():
        if key in params or key in getattr(estimator, "_fit_only_attributes", ()):
            continue  # predictions never use them (a classifier's fitted teacher)
        if key == "net_":
            tensors[where] = {k: v.cpu() for k, v in value.module_.state_dict().items()}
            fitted[key] = {"__net__": where}
        else:
            fitted[key] = _encode(value, f"{where}.{key}", tensors)
    return {
        "class": name,
        "params": {k: _encode(v, f"{where}.{k}", tensors) for k, v in params.items()},
        "fitted": fitted,
    }


def _encode(value, where: str, tensors: dict):
    """``value`` as JSON: arrays, tuples, estimators and RandomStates are tagged."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufUO":
        return {"__ndarray__": _encode(value.tolist(), where, tensors), "dtype": value.dtype.str}
    if isinstance(value, list | tuple):
        items = [_encode(v, f"{where}[{i}]", tensors) for i, v in enumerate(value)]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _encode(v, f"{where}.{k}", tensors) for k, v in value.items()}
    if isinstance(value, np.random.RandomState):
        kind, keys, pos, has_gauss, gauss = value.get_state()
        return {"__random_state__": [kind, keys.tolist(), pos, has_gauss, gauss]}
    if hasattr(value, "get_params"):
        return {"__estimator__": _describe(value, where, tensors)}
    raise TypeError(f"save_model cannot store {where}, a {type(value).__name__}.")


# -- reading ----------------------------------------------------------------------


def _build(desc: dict, tensors: dict):
    """The fitted estimator that ``desc`` (from :func:`_describe`) describes."""
    cls = _CLASSES.get(desc.get("class"))
    if cls is None:
        raise ValueError(
            f"The file names the class {desc.get('class')!r}, which load_model does not "
            f"create; it creates {', '.join(sorted(_CLASSES))}."
        )
    estimator = cls(**{k: _decode(v, tensors) for k, v in desc["params"].items()})
    if hasattr(cls, "_parameter_constraints"):
        estimator._validate_params()  # nothing below runs on parameters the class refuses
    net = None
    for key, value in desc["fitted"].items():
        if not key.isidentifier() or key.startswith("__"):
            raise ValueError(f"The file sets the attribute {key!r}, which is refused.")
        if key == "net_":
            net = value["__net__"]
        else:
            setattr(estimator, key, _decode(value, tensors))
    if net is not None:
        estimator.net_ = _rebuild_net(estimator, tensors[net])
    return estimator


def _decode(value, tensors: dict):
    if isinstance(value, list):
        return [_decode(v, tensors) for v in value]
    if not isinstance(value, dict):
        return value
    if "__ndarray__" in value:
        return np.array(_decode(value["__ndarray__"], tensors), dtype=np.dtype(value["dtype"]))
    if "__tuple__" in value:
        return tuple(_decode(v, tensors) for v in value["__tuple__"])
    if "__random_state__" in value:
        kind, keys, pos, has_gauss, gauss = value["__random_state__"]
        random_state = np.random.RandomState()
        random_state.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, gauss))
        return random_state
    if "__estimator__" in value:
        return _build(value["__estimator__"], tensors)
    return {k: _decode(v, tensors) for k, v in value.items()}


def _probe_as_saved(module, head_weight, dropout: float) -> None:
    """A linear probe (``finetune="head"``) saved when it read the embedding, not the
    pooled features, gets a head of the embedding's width that reads it again."""
    if head_weight is None or not module.head_on_features:
        return
    width = head_weight.shape[1]
    if width != module.encoder.n_features and width == module.encoder.fc.out_features:
        module.head_on_features = False
        module.head = ClassificationHead(head_weight.shape[1], head_weight.shape[0],
                                         dropout).to(module.encoder.fc.weight.device)


def _rebuild_net(estimator, state_dict: dict):
    """Create the estimator's net as ``fit`` does and load the saved weights into it."""
    device = estimator.device_
    if device.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(
            f"The model was fitted on {device!r}, which is not available; it is loaded "
            "onto the CPU.",
            DeviceWarning,
            stacklevel=4,
        )
        device = "cpu"
    device = resolve_device(device)
    # Building a net draws initial weights, overwritten below; the fork keeps the
    # caller's random state as it was.
    with seeded(0, device):
        if isinstance(estimator, GLSMTransformer):
            net = estimator._pretext_net(
                estimator.n_features_in_, estimator.batch_size, device
            ).initialize()
        else:
            # A pretrained transformer's architecture overrides the classifier's.
            source = estimator.pretrained if estimator.pretrained is not None else estimator
            encoder = SpectrumEncoder(**source._architecture())
            # The linear path's width gives the network's input length, which
            # differs from n_features_in_ behind a network_input.
            skip = state_dict.get("linear.weight")
            n_points = None if skip is None else skip.shape[1] // (1 + (encoder.derivative > 0))
            # Files from before finetune_epochs_ existed hold an integer parameter.
            epochs = getattr(estimator, "finetune_epochs_", None) or estimator._finetune_epochs(
                getattr(estimator, "n_pseudo_labels_", 0))
            net = estimator._finetune_net(
                encoder, source.normalize, len(estimator.classes_), estimator.batch_size, device,
                epochs, n_points=n_points,
            ).initialize()
            _probe_as_saved(net.module_, state_dict.get("head.linear.weight"), estimator.dropout)
    try:
        net.module_.load_state_dict(state_dict)
    except RuntimeError as exc:
        raise ValueError(
            "The saved weights do not fit the network the saved parameters describe."
        ) from exc
    return net
