"""The base shared by every GLSM estimator: parameters, seeding, device, pretraining."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data
from skorch.callbacks import LRScheduler, PassthroughScoring, ProgressBar

from .augmentation import SpectralCorruption, SpectralViews
from .nn import GLSMPretextModule
from .pretext import GLSMLoss, PretextNet, SpectraDataset, collate_batch

_PRETRAIN_PARAMS_DOC = """\
    n_components : int, default=64
        Size of the embedding the encoder produces, which the pretext tasks
        compare and decode (``GLSMTransformer.embed``; ``transform`` returns
        the pooled features it is a linear map of).
    width : int, default=16
        Channels of the encoder's first stage; later stages double them.
    depth : int, default=4
        Residual stages of the encoder, each halving the length.
    n_positions : int, default=16
        Bins along the wavenumber axis kept before the embedding, so the
        embedding knows where bands sit.
    normalize : {"snv", "none"}, default="snv"
        Per-spectrum normalisation inside the network. ``"snv"`` makes raw
        counts and absorbances train alike; ``"none"`` for data already
        scaled (for example a few standardised features).
    derivative : {0, 1, 2}, default=1
        Also feed the encoder a Savitzky-Golay derivative of each normalised
        spectrum (order 1 or 2, quadratic fit, standardised), as a second
        input channel beside the spectrum; 0 feeds the spectrum alone.
        Derivatives remove baselines and sharpen overlapping bands, as in
        chemometric preprocessing; the views, the corruption and the
        reconstruction stay on the spectrum itself. The first derivative is
        the default because it gained on the benchmark's Raman set and on
        every transfer pair; 0 was ahead on one FTIR set (user guide,
        Choosing parameters).
    derivative_window : int, default=11
        Window of that derivative, in points (odd, at least 5).
    global_weight : float, default=1.0
        Weight of the global task (two views must be transformable into each
        other). 0 turns it off.
    local_weight : float, default=1.0
        Weight of the local task (reconstruct the clean spectrum from a
        noisy one). 0 turns it off.
    temperature : float, default=0.1
        Temperature of the global task's contrastive softmax. Low values
        press the encoder to tell apart even near-identical spectra of one
        material; higher ones tolerate them.
    global_objective : {"contrastive", "predictive"}, default="contrastive"
        Loss of the global task. ``"contrastive"``: the transformed
        embedding of one view must pick out the other view's among every
        spectrum of the batch (InfoNCE at ``temperature``), which also
        pushes apart different spectra, however alike. ``"predictive"``: it
        must only point at the other view's embedding (cosine, with that
        target's gradient stopped, as in SimSiam); nothing is pushed apart,
        and the local task keeps the embeddings from collapsing (alone, with
        ``local_weight=0``, it collapses them: a warning says so).
        ``temperature`` is then unused.
    projection_head : bool, default=False
        Compare the global task's views after a two-layer MLP on the
        embedding (SimCLR's projection head) instead of on the embedding
        itself. The MLP is used only in pretraining. On the benchmark's
        development sets it did not change accuracy, since the embedding
        layer is drawn anew before fine-tuning anyway (``reset_embedding``).
    shift : float, default=0.002
        Largest shift of the axis in a view, as a fraction of its length
        (0.002 is ±7 cm⁻¹ on a 400–4000 cm⁻¹ axis). Larger warps taught
        the networks to ignore band positions that separate classes on the
        benchmark spectra.
    stretch : float, default=0.002
        Largest relative stretch of the axis in a view.
    scale : float, default=0.1
        Standard deviation of a view's smooth relative intensity gain.
    baseline : float, default=0.1
        Standard deviation of a view's baseline drift, in SNV units.
    view_noise : float, default=0.02
        Standard deviation of a view's Gaussian noise, in SNV units.
    corrupt_noise : float, default=0.1
        Gaussian noise of the local task's corrupted input, in SNV units.
    corrupt_shot : float, default=0.05
        Shot-like, intensity-dependent noise of the corrupted input.
    corrupt_spikes : float, default=1.0
        Expected cosmic-ray spikes per corrupted spectrum.
    pretrain_epochs : int, default=50
        Epochs of self-supervised pretraining.
    lr : float, default=1e-3
        Learning rate of AdamW (cosine-annealed over each stage).
    weight_decay : float, default=1e-4
        Weight decay of AdamW.
    batch_size : int, default=64
        Spectra per batch; capped at the number of training spectra.
    device : {"auto", "cpu", "cuda"} or str, default="auto"
        Where to train; ``"auto"`` picks CUDA when it is available.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, batch order and augmentations. With an
        int, refits on the CPU with the same number of torch threads are
        identical (CUDA kernels may differ slightly). The caller's global
        torch and numpy random states are left untouched.
    verbose : int, default=0
        0 is silent, 1 prints one line per epoch, 2 adds a progress bar
        over the batches of each epoch."""


def fill_doc(cls: type) -> type:
    """Put the shared parameter documentation into a class docstring."""
    cls.__doc__ = cls.__doc__.replace("{pretrain_params}", _PRETRAIN_PARAMS_DOC.strip("\n"))
    return cls


def resolve_device(device: str) -> str:
    """Turn ``"auto"`` into ``"cuda"`` or ``"cpu"``; refuse CUDA where there is none."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        torch.device(device)
    except RuntimeError as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'auto', 'cpu', 'cuda' or "
            "'cuda:<index>'."
        ) from exc
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine. Use device='auto' or device='cpu'."
        )
    return device


@contextlib.contextmanager
def seeded(random_state, device: str) -> Iterator[None]:
    """Seed torch from ``random_state`` inside a fork of its global RNG.

    Everything random in a fit (initial weights, batch order, augmentations)
    draws from torch's global generator; forking it keeps the caller's state
    as it was. On CUDA, cuDNN is also held to deterministic algorithms for the
    block (and put back after), so that a fixed seed gives the same model
    there too.
    """
    if random_state is None:
        # Fresh entropy without advancing numpy's global generator.
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    else:
        seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    devices = [torch.device(device).index or 0] if device.startswith("cuda") else []
    cudnn = torch.backends.cudnn
    flags = cudnn.deterministic, cudnn.benchmark
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        if devices:
            cudnn.deterministic, cudnn.benchmark = True, False
        try:
            yield
        finally:
            cudnn.deterministic, cudnn.benchmark = flags


@contextlib.contextmanager
def unchanged_on_error(estimator: BaseEstimator) -> Iterator[None]:
    """Put ``estimator`` back as it was if the block raises, KeyboardInterrupt included.

    A fit that fails (bad labels, a diverged loss, Ctrl-C) then leaves a
    fresh estimator unfitted and a fitted one with its previous model, never
    a mix such as a new ``n_features_in_`` beside the old net. Fitting only
    rebinds attributes, so a shallow copy of them is enough.
    """
    state = vars(estimator).copy()
    try:
        yield
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(state)
        raise


def check_float32_range(X: np.ndarray) -> None:
    """Refuse values that become infinite once cast to float32, the network's dtype."""
    limit = np.finfo(np.float32).max
    if X.dtype != np.float32 and X.size and np.abs(X).max() > limit:
        raise ValueError(
            f"X holds values up to {np.abs(X).max():g} in magnitude, beyond the float32 "
            f"range ({limit:g}) the network computes in. Rescale the spectra."
        )


def version_warning(name: str, saved: str | None, current: str) -> None:
    """Warn that a model is loaded by another version of sklearn_glsm than saved it."""
    if saved != current:
        warnings.warn(
            f"This {name} was saved with sklearn_glsm {saved or 'of an unknown version'} "
            f"and is loaded with {current}. It may fail or predict differently; refit it "
            "with this version if you can.",
            UserWarning,
            stacklevel=3,
        )


def epoch_history(net) -> list[dict]:
    """Epoch-level records of a skorch history, without the per-batch lists."""
    return [{k: v for k, v in row.items() if k != "batches"} for row in net.history]


class GLSMBase(BaseEstimator):
    """Parameters, pretraining and batched inference shared by the estimators.

    Not for direct use: see :class:`GLSMTransformer` and
    :class:`GLSMClassifier`.
    """

    # Parameters added after the first release, with the value that reproduces
    # the estimators from before them (see __setstate__).
    _added_params: dict = {"global_objective": "contrastive"}

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "width": [Interval(Integral, 1, None, closed="left")],
        "depth": [Interval(Integral, 0, None, closed="left")],
        "n_positions": [Interval(Integral, 1, None, closed="left")],
        "normalize": [StrOptions({"snv", "none"})],
        "derivative": [Interval(Integral, 0, 2, closed="both")],
        "derivative_window": [Interval(Integral, 5, None, closed="left")],
        "global_weight": [Interval(Real, 0, None, closed="left")],
        "local_weight": [Interval(Real, 0, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "global_objective": [StrOptions({"contrastive", "predictive"})],
        "projection_head": ["boolean"],
        "shift": [Interval(Real, 0, 1, closed="both")],
        "stretch": [Interval(Real, 0, 1, closed="left")],
        "scale": [Interval(Real, 0, None, closed="left")],
        "baseline": [Interval(Real, 0, None, closed="left")],
        "view_noise": [Interval(Real, 0, None, closed="left")],
        "corrupt_noise": [Interval(Real, 0, None, closed="left")],
        "corrupt_shot": [Interval(Real, 0, None, closed="left")],
        "corrupt_spikes": [Interval(Real, 0, None, closed="left")],
        "pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        n_components: int = 64,
        width: int = 16,
        depth: int = 4,
        n_positions: int = 16,
        normalize: str = "snv",
        derivative: int = 1,
        derivative_window: int = 11,
        global_weight: float = 1.0,
        local_weight: float = 1.0,
        temperature: float = 0.1,
        global_objective: str = "contrastive",
        projection_head: bool = False,
        shift: float = 0.002,
        stretch: float = 0.002,
        scale: float = 0.1,
        baseline: float = 0.1,
        view_noise: float = 0.02,
        corrupt_noise: float = 0.1,
        corrupt_shot: float = 0.05,
        corrupt_spikes: float = 1.0,
        pretrain_epochs: int = 50,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 64,
        device: str = "auto",
        random_state=None,
        verbose: int = 0,
    ) -> None:
        self.n_components = n_components
        self.width = width
        self.depth = depth
        self.n_positions = n_positions
        self.normalize = normalize
        self.derivative = derivative
        self.derivative_window = derivative_window
        self.global_weight = global_weight
        self.local_weight = local_weight
        self.temperature = temperature
        self.global_objective = global_objective
        self.projection_head = projection_head
        self.shift = shift
        self.stretch = stretch
        self.scale = scale
        self.baseline = baseline
        self.view_noise = view_noise
        self.corrupt_noise = corrupt_noise
        self.corrupt_shot = corrupt_shot
        self.corrupt_spikes = corrupt_spikes
        self.pretrain_epochs = pretrain_epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def __getstate__(self):
        # Record the package version, so a pickle loaded elsewhere can tell.
        from . import __version__

        return {**super().__getstate__(), "_sklearn_glsm_version": __version__}

    def __setstate__(self, state):
        from . import __version__

        state = dict(state)
        version_warning(type(self).__name__, state.pop("_sklearn_glsm_version", None), __version__)
        # A parameter added since the pickle was written takes the value that
        # behaves as that release did, so get_params and clone keep working.
        for name, value in self._added_params.items():
            state.setdefault(name, value)
        super().__setstate__(state)

    # -- building blocks ---------------------------------------------------

    def _validate_X(self, X, reset: bool) -> np.ndarray:
        """``validate_data`` for float spectra, refusing values float32 cannot hold."""
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=reset)
        check_float32_range(X)
        return X

    def _views(self) -> SpectralViews:
        return SpectralViews(self.shift, self.stretch, self.scale, self.baseline, self.view_noise)

    def _callbacks(self, scores: tuple[str, ...], epochs: int) -> list:
        callbacks = [(name, PassthroughScoring(name, on_train=True)) for name in scores]
        if epochs > 1:
            callbacks.append(
                ("lr_scheduler", LRScheduler("CosineAnnealingLR", T_max=epochs))
            )
        if self.verbose > 1:
            callbacks.append(("progress", ProgressBar()))
        return callbacks

    def _net_kwargs(self, n_samples: int, epochs: int, device: str) -> dict:
        """Settings common to the skorch nets of both stages."""
        return {
            "optimizer": torch.optim.AdamW,
            "lr": self.lr,
            "optimizer__weight_decay": self.weight_decay,
            "max_epochs": epochs,
            "batch_size": min(self.batch_size, n_samples),
            "train_split": None,
            "iterator_train__shuffle": True,
            # Whole batches are sliced at once (and memory maps streamed).
            "dataset": SpectraDataset,
            "iterator_train__collate_fn": collate_batch,
            "iterator_valid__collate_fn": collate_batch,
            "device": device,
            "verbose": int(self.verbose > 0),
        }

    def _architecture(self) -> dict:
        """The encoder's architecture parameters, as :class:`SpectrumEncoder` takes them."""
        if self.derivative and self.derivative_window % 2 == 0:
            raise ValueError(
                f"derivative_window must be odd, got {self.derivative_window}."
            )
        return {
            "n_components": self.n_components,
            "width": self.width,
            "depth": self.depth,
            "n_positions": self.n_positions,
            "derivative": self.derivative,
            "derivative_window": self.derivative_window,
        }

    def _pretext_net(self, n_points: int, n_samples: int, device: str) -> PretextNet:
        """The unfitted pretraining net for spectra of ``n_points`` points."""
        use_global = self.global_weight > 0
        use_local = self.local_weight > 0
        module = GLSMPretextModule(
            n_points=n_points,
            **self._architecture(),
            normalize=self.normalize,
            views=self._views(),
            corruption=SpectralCorruption(
                self.corrupt_noise, self.corrupt_shot, self.corrupt_spikes
            ),
            use_global=use_global,
            use_local=use_local,
            projection_head=self.projection_head,
        )
        scores = ("global_loss",) * use_global + ("local_loss",) * use_local
        return PretextNet(
            module=module,
            criterion=GLSMLoss,
            criterion__global_weight=self.global_weight,
            criterion__local_weight=self.local_weight,
            criterion__temperature=self.temperature,
            criterion__objective=self.global_objective,
            callbacks=self._callbacks(scores, self.pretrain_epochs),
            **self._net_kwargs(n_samples, self.pretrain_epochs, device),
        )

    def _has_pretext_task(self) -> bool:
        """Whether either pretext task is on (a weight of 0 turns one off)."""
        return self.global_weight > 0 or self.local_weight > 0

    def _pretrain(self, X: np.ndarray, device: str) -> PretextNet:
        """Self-supervised pretraining on the rows of ``X``; returns the fitted net."""
        net = self._pretext_net(X.shape[1], X.shape[0], device)
        if self.pretrain_epochs > 0 and self._has_pretext_task():
            if self.global_objective == "predictive" and self.local_weight == 0:
                warnings.warn(
                    "global_objective='predictive' without the local task (local_weight=0) "
                    "has nothing that keeps the embedding from collapsing onto one point; "
                    "use local_weight > 0 or global_objective='contrastive'.",
                    UserWarning,
                    stacklevel=3,
                )
            return net.fit(X, None)
        return net.initialize()

    def _map_batches(
        self, net, fn: Callable[[torch.Tensor], torch.Tensor], X: np.ndarray
    ) -> np.ndarray:
        """Apply a module method to ``X`` in batches; return a float32 numpy array.

        Every batch is padded to exactly ``batch_size`` rows: the kernels
        that torch picks depend on the batch size, and with a fixed size a
        spectrum's output is bit-identical whichever other spectra share
        the call. Rows are sliced lazily, so a memmap is never copied whole.
        """
        size = self.batch_size
        module = net.module_
        device = torch.device(net.device)
        was_training = module.training
        module.eval()
        out = None  # filled batch by batch: no list of batches to concatenate at twice the size
        bad = []
        try:
            with torch.inference_mode():
                # One buffer for every batch; only a short last batch needs zeros.
                batch = torch.empty((size, X.shape[1]), dtype=torch.float32)
                rows = batch.numpy()  # shares memory: numpy casts and copies in one step
                for start in range(0, X.shape[0], size):
                    n = min(size, X.shape[0] - start)
                    rows[:n] = X[start : start + n]
                    rows[n:] = 0.0
                    result = fn(batch.to(device))[:n].float().cpu().numpy()
                    if out is None:
                        out = np.empty((X.shape[0], *result.shape[1:]), dtype=np.float32)
                    out[start : start + n] = result
                    # Never hand back NaN as a result: values near the float32 limit overflow.
                    finite = np.isfinite(result.reshape(n, -1)).all(axis=1)
                    bad.extend((start + np.flatnonzero(~finite)).tolist())
        finally:
            module.train(was_training)
        bad = np.asarray(bad)
        if bad.size:
            raise ValueError(
                f"The network's output is not finite for {bad.size} spectra (rows "
                f"{bad[:10].tolist()}{', ...' if bad.size > 10 else ''}): their values are "
                "too extreme for float32 arithmetic. Rescale X."
            )
        return out
