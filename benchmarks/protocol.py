"""The benchmark protocol of ``../shared/data/BENCHMARK.md`` as code.

Data sets, splits (stratified 30 % test, or 30 % of subjects for the saliva
sets), label draws (k labeled spectra per class, the rest ``y = -1``), the
classical baselines after per-spectrum SNV, and the GLSM methods. Test
spectra are never passed to any ``fit``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from chemotools.derivative import SavitzkyGolay
from chemotools.scatter import StandardNormalVariate
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.cross_decomposition import PLSRegression
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GroupShuffleSplit,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelBinarizer
from sklearn.svm import SVC

from sklearn_glsm import GLSMClassifier, GLSMTransformer, make_derivative_teacher, quiet_windows
from sklearn_glsm.datasets import hide_labels
from sklearn_glsm.preprocessing import WavenumberResampler, common_axis

# ``../shared/data`` beside the checkout; GLSM_BENCHMARK_DATA points elsewhere
# (a machine where the checkout travels without its neighbours).
DATA = Path(os.environ.get("GLSM_BENCHMARK_DATA",
                           Path(__file__).resolve().parents[1].parent / "shared" / "data"))

# Spacing of the common grid the networks see, in cm^-1: the FTIR sets are
# recorded at 4 cm^-1 resolution (sampled near 1 cm^-1), the Raman sets at
# about 1.2 cm^-1 sampling.
GRID_STEP = {"ftir": 4.0, "raman": 1.2}

# The label that marks an unlabeled spectrum (labels are strings here).
UNLABELED = "-1"


@dataclass
class Dataset:
    """Spectra, labels, axis and (for subject splits) donors of one data set;
    ``materials``, where the protocol's labels group finer ones (the polymer
    groups of the FTIR sets), the material of each spectrum."""

    name: str
    X: np.ndarray
    y: np.ndarray
    wavenumbers: np.ndarray
    groups: np.ndarray | None = None
    materials: np.ndarray | None = None


def material_shown(data: Dataset, labeled_rows: np.ndarray,
                   scored_rows: np.ndarray) -> np.ndarray:
    """For each of ``scored_rows`` (rows of ``data``), whether a spectrum of its
    class and material is among ``labeled_rows``; ``data.materials`` must exist."""
    if data.materials is None:
        raise ValueError(f"{data.name} has no materials under its classes")
    y = data.y.astype(str)
    shown = set(zip(y[labeled_rows], data.materials[labeled_rows], strict=True))
    return np.array([pair in shown for pair in zip(y[scored_rows], data.materials[scored_rows],
                                                     strict=True)], dtype=bool)


def load(name: str) -> Dataset:
    """Load one benchmark data set with the labels the protocol uses."""
    d = np.load(DATA / f"{name}.npz", allow_pickle=False)
    X = d["X"].astype(np.float32)
    wn = d["wavenumbers"]
    if name.startswith("raman_saliva"):
        return Dataset(name, X, d["y"], wn, groups=d["subject"])
    if "y" not in d.files:
        return Dataset(name, X, np.full(len(X), UNLABELED), wn)
    grouped = name in ("ftir_kedzierski", "ftir_jung", "ftir_frond")
    y = d["polymer_group"] if grouped else d["y"]
    # Groups with fewer than 2 members cannot be split (PVC in Kedzierski).
    values, counts = np.unique(y, return_counts=True)
    keep = np.isin(y, values[counts >= 2])
    materials = d["y"][keep] if grouped else None
    return Dataset(name, X[keep], y[keep], wn, None, materials)


def split(data: Dataset, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices: 30 % test, stratified or by subject."""
    idx = np.arange(len(data.y))
    if data.groups is not None:
        gss = GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=seed)
        return next(gss.split(idx, data.y, data.groups))
    return train_test_split(idx, test_size=0.3, stratify=data.y, random_state=seed)


def label_draw(data: Dataset, seed: int,
               k: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train and test indices of ``seed`` and the training labels with all but
    ``k`` per class hidden as :data:`UNLABELED` (``k=None`` keeps every label)."""
    train, test = split(data, seed)
    y_semi = hide_labels(data.y[train].astype(str), k, unlabeled=UNLABELED, random_state=seed)
    return train, test, y_semi


def _step(data: Dataset) -> float:
    return GRID_STEP["raman" if data.name.startswith("raman") else "ftir"]


def grid(data: Dataset, step: float | None = None) -> np.ndarray:
    """The networks' axis: the data set's range at the modality's spacing."""
    step = step or _step(data)
    lo, hi = data.wavenumbers.min(), data.wavenumbers.max()
    return np.arange(lo, hi + 1e-9, step)


def to_grid(data: Dataset) -> WavenumberResampler:
    """The resampler from the data set's axis onto the networks' :func:`grid`."""
    return WavenumberResampler(wavenumbers=data.wavenumbers, target=grid(data))


# Extra unlabeled spectra a data set's pretraining may use (same instrument).
UNLABELED_POOL = {"ftir_kedzierski": "ftir_kedzierski_unlabeled"}

TRANSFER_PAIRS = [
    ("ftir_kedzierski_unlabeled", "ftir_jung"),
    ("ftir_villegas_c4", "ftir_frond"),
    ("ftir_villegas_c4", "ftir_villegas_c8"),
    ("raman_saliva_covid", "raman_saliva_pd_ad"),
]


def _onto_axis(pool: Dataset, data: Dataset) -> np.ndarray:
    # A pool's axis may end a point (or, for another study, some cm^-1) short
    # of the data set's: hold the edge values rather than refuse it.
    resample = WavenumberResampler(wavenumbers=pool.wavenumbers, target=data.wavenumbers,
                                   extrapolate=True)
    return resample.fit_transform(pool.X).astype(np.float32)


def copied_rows(other: Dataset, data: Dataset) -> np.ndarray:
    """Mask of ``other``'s spectra that are byte-for-byte copies of one of ``data``'s
    (none when the axes differ in length; :mod:`benchmarks.overlap` also looks for
    copies moved onto another axis)."""
    if other.X.shape[1] != data.X.shape[1]:
        return np.zeros(len(other.X), dtype=bool)
    seen = {row.tobytes() for row in data.X}
    return np.array([row.tobytes() in seen for row in other.X], dtype=bool)


def donor_rows(other: Dataset, data: Dataset) -> np.ndarray:
    """Mask of ``other``'s spectra from donors ``data`` has too (sets split by subject)."""
    if other.groups is None or data.groups is None:
        return np.zeros(len(other.X), dtype=bool)
    return np.isin(other.groups, data.groups)


def without_overlap(other: Dataset, data: Dataset) -> Dataset:
    """``other`` without the spectra that are also ``data``'s: the rows of donors
    ``data`` shares (both split by subject) and exact copies of its spectra.

    The two saliva sets share 34 control donors, whose 801 spectra are in both
    files byte for byte; pretraining on one of them whole would show the other's
    test spectra to its fit, which the protocol forbids.
    """
    keep = ~(donor_rows(other, data) | copied_rows(other, data))
    if keep.all():
        return other
    groups = None if other.groups is None else other.groups[keep]
    return Dataset(other.name, other.X[keep], other.y[keep], other.wavenumbers, groups)


def unlabeled_pool(data: Dataset) -> np.ndarray | None:
    """The extra unlabeled spectra of ``data``, resampled onto its axis, or None."""
    if data.name not in UNLABELED_POOL:
        return None
    return _onto_axis(load(UNLABELED_POOL[data.name]), data)


def extra_pool(data: Dataset, names: tuple[str, ...]) -> np.ndarray | None:
    """The spectra of the data sets ``names``, labels dropped, on ``data``'s axis.

    Pretraining on the pooled spectra of other studies or instruments: they
    join the pretraining only, not fine-tuning, whose unlabeled rows (for
    pseudo-labels) stay the data set's own. Spectra the other sets share with
    ``data`` (:func:`without_overlap`) are left out, so its test part stays
    unseen. None when ``names`` is empty.
    """
    if data.name in names:
        raise ValueError(f"{data.name} cannot pool its own spectra: its test part would be seen")
    if not names:
        return None
    return np.concatenate([_onto_axis(without_overlap(load(name), data), data)
                           for name in names])


def pool_label(name: str, pool: bool = True, extra: tuple[str, ...] = ()) -> str:
    """A data set's name in the results, marked when its pretraining pool differs
    from the protocol's: ``"<name> (no pool)"`` or ``"<name> +<other>+<other>"``."""
    if extra:
        return f"{name} +" + "+".join(extra)
    return name if pool or name not in UNLABELED_POOL else f"{name} (no pool)"


def with_pool(X_train: np.ndarray, y_semi: np.ndarray,
              pool: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The training part with the unlabeled ``pool`` (from :func:`unlabeled_pool`)
    appended, its rows marked :data:`UNLABELED`; unchanged when ``pool`` is None."""
    if pool is None:
        return X_train, y_semi
    return (np.concatenate([X_train, pool]),
            np.concatenate([y_semi, np.full(len(pool), UNLABELED, dtype=object)]))


def transfer_grid(source: Dataset, target: Dataset) -> np.ndarray:
    """The common axis of a transfer pair: their overlap at the modality's spacing."""
    return common_axis(source.wavenumbers, target.wavenumbers, step=_step(target))


def pretrain_source(source: Dataset, axis: np.ndarray, seed: int, **overrides):
    """GLSM pretraining on every spectrum of ``source`` (no labels), on ``axis``.

    Pass the source :func:`without_overlap` the target, so that no spectrum of
    the target's test part is pretrained on.
    """
    resample = WavenumberResampler(wavenumbers=source.wavenumbers, target=axis)
    X = resample.fit_transform(source.X).astype(np.float32)
    params = {k: v for k, v in overrides.items() if k in GLSMTransformer().get_params()}
    return GLSMTransformer(random_state=seed, **params).fit(X)


# The transfer methods: the source's encoder pretrained with both pretext tasks
# or with one of them (the ablations), then fine-tuned on the target; and the
# same network without pretraining.
# A method's ``network_input`` set to this hands the classifier the resampler the
# benchmark would put in front of it: the classifier gets the spectra as measured,
# its teacher sees them so, and its network sees what it would have seen anyway.
RESAMPLER = "resampler"

TRANSFER_METHODS = {
    # The package's defaults (with the derivative teacher) on the source's encoder;
    # the ablations were measured before the teacher was the default.
    "GLSM transfer": {},
    "GLSM transfer no teacher": {"teacher": None},
    "GLSM transfer global-only": {"local_weight": 0.0, "teacher": None},
    "GLSM transfer local-only": {"global_weight": 0.0, "teacher": None},
    "scratch": {"pretrain_epochs": 0},
    "scratch no teacher": {"pretrain_epochs": 0, "teacher": None},
    # The teacher on the target's spectra as measured, the network on the pair's axis.
    "GLSM transfer full-resolution teacher": {"network_input": RESAMPLER},
    # The source's encoder pretrained 20 epochs more on the target's spectra first.
    "GLSM transfer adapted": {"adapt_epochs": 20},
    # The two ablations under the default teacher (the rows above pin it off).
    "GLSM transfer global-only with teacher": {"local_weight": 0.0},
    "GLSM transfer local-only with teacher": {"global_weight": 0.0},
    # A linear probe on the source's frozen encoder, under the default teacher.
    "GLSM transfer linear probe": {"finetune": "head"},
}


def transfer_method(name: str, target: Dataset, axis: np.ndarray, seed: int,
                    source_model=None, **overrides):
    """Fine-tune the source's encoder (a "GLSM transfer" method) or the same network
    from scratch ("scratch") on the target's labels, on the pair's common axis."""
    params = dict(overrides)
    own = TRANSFER_METHODS.get(name, {})
    # The method's fine-tuning settings (a teacher); its pretext settings acted
    # on the source's pretraining.
    params.update((k, v) for k, v in own.items() if k not in GLSMTransformer().get_params())
    if own.get("pretrain_epochs") == 0:
        params["pretrain_epochs"] = 0
    else:
        params["pretrained"] = source_model
    return behind(WavenumberResampler(wavenumbers=target.wavenumbers, target=axis),
                  random_state=seed, **params)


def behind(resample: WavenumberResampler, **params):
    """``GLSMClassifier(**params)`` in a Pipeline behind ``resample``, or, for a method
    whose ``network_input`` is :data:`RESAMPLER`, with ``resample`` as its network
    input (the network's input is the same bit for bit)."""
    if params.get("network_input") == RESAMPLER:
        return GLSMClassifier(**{**params, "network_input": resample})
    return make_pipeline(resample, GLSMClassifier(**params))


class PLSDA(PLSRegression):
    """PLS-DA: PLS regression on one-hot classes, predicting the largest output."""

    def fit(self, X, y):  # noqa: D102
        self._lb = LabelBinarizer().fit(y)
        Y = self._lb.transform(y)
        if Y.shape[1] == 1:
            Y = np.hstack([1 - Y, Y])
        self.n_components = min(self.n_components, len(y) - 1, X.shape[1])
        return super().fit(X, Y)

    def predict(self, X):  # noqa: D102
        return self._lb.classes_[np.argmax(super().predict(X), axis=1)]


def svm():
    """The protocol's SVM baseline: per-spectrum SNV, then an RBF SVM with C = 10."""
    return make_pipeline(StandardNormalVariate(), SVC(C=10.0, gamma="scale"))


def classical_baselines(n_labeled: int, seed: int) -> dict:
    """The protocol's classical methods, each after per-spectrum SNV."""
    snv = StandardNormalVariate
    n_pca = max(1, min(20, n_labeled - 1))
    return {
        "LR": make_pipeline(snv(), LogisticRegression(max_iter=2000)),
        "SVM": svm(),
        "PCA+LR": make_pipeline(snv(), PCA(n_pca, random_state=seed),
                                LogisticRegression(max_iter=2000)),
        "PLS-DA": make_pipeline(snv(), PLSDA(n_components=10)),
        "1-NN": make_pipeline(snv(), KNeighborsClassifier(1)),
        "RF": make_pipeline(snv(), RandomForestClassifier(300, random_state=seed, n_jobs=2)),
    }


def features(deriv: int, window: int):
    """SNV alone (``deriv=0``), or a Savitzky-Golay derivative (quadratic fit) then SNV."""
    if deriv == 0:
        return make_pipeline(StandardNormalVariate())
    return make_pipeline(SavitzkyGolay(window_length=window, polyorder=2, deriv=deriv,
                                       mode="nearest"), StandardNormalVariate())


def derivative_teacher(deriv: int = 1, window: int = 11):
    """Logistic regression on a derivative of the spectra: the teacher of "GLSM teacher".

    The defaults are the classifier's own derivative channel (first
    derivative, 11 points on the networks' grid).
    """
    return make_pipeline(features(deriv, window), LogisticRegression(max_iter=2000))


def svm_teacher(cv: int = 5):
    """:func:`svm` as a teacher, its probabilities Platt-scaled by ``cv``-fold
    cross-validation (so ``cv`` labels per class at least): nonlinear, where the
    default teacher's members are linear. (SNV works per spectrum, so calibrating
    the pipeline is calibrating the SVM.)"""
    return CalibratedClassifierCV(svm(), cv=cv, ensemble=False)


class ChosenTeacher(ClassifierMixin, BaseEstimator):
    """The default teacher's vote or :func:`svm_teacher`, whichever
    cross-validation on the labeled spectra prefers.

    Both are scored by ``folds``-fold stratified cross-validation (fewer folds
    when a class has fewer labels; the vote alone with one label per class);
    a tie keeps the vote. The vote's windows are ``windows``, or
    :func:`sklearn_glsm.quiet_windows` of the labeled spectra.
    """

    def __init__(self, windows=None, folds: int = 5):
        self.windows = windows
        self.folds = folds

    def fit(self, X, y):  # noqa: D102
        X, y = np.asarray(X), np.asarray(y)
        vote = make_derivative_teacher(quiet_windows(X) if self.windows is None
                                       else self.windows)
        fewest = np.unique(y, return_counts=True)[1].min()
        self.scores_ = {}
        if fewest >= 2:
            cv = StratifiedKFold(min(self.folds, fewest), shuffle=True, random_state=0)
            self.scores_ = {name: cross_val_score(model, X, y, cv=cv).mean()
                            for name, model in (("vote", vote), ("SVM", svm()))}
        prefers_svm = bool(self.scores_) and self.scores_["SVM"] > self.scores_["vote"]
        self.choice_ = "SVM" if prefers_svm else "vote"
        model = svm_teacher(cv=min(5, fewest)) if self.choice_ == "SVM" else vote
        self.model_ = model.fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):  # noqa: D102
        return self.model_.predict_proba(X)

    def predict(self, X):  # noqa: D102
        return self.model_.predict(X)


GLSM_METHODS = {
    # The package's defaults: since they include the built-in derivative
    # teacher (sklearn_glsm.make_derivative_teacher), the rows of the methods
    # below that were measured before it (ablations, options) pin teacher=None.
    "GLSM": {},
    "GLSM no teacher": {"teacher": None},
    "GLSM global-only": {"local_weight": 0.0, "teacher": None},
    "GLSM local-only": {"global_weight": 0.0, "teacher": None},
    # The same network and fine-tuning without pretraining: what pretraining adds.
    "scratch": {"pretrain_epochs": 0},
    "scratch no teacher": {"pretrain_epochs": 0, "teacher": None},
    # An option, not the default: FixMatch-style pseudo-labels on the unlabeled
    # rows during fine-tuning (see docs/benchmarks.md, development set).
    "GLSM pseudo-labels": {"unlabeled_weight": 1.0, "teacher": None},
    # An option: a linear model on the input channels beside the network
    # (docs/benchmarks.md, "A linear path beside the network").
    "GLSM linear-skip": {"linear_skip": True, "teacher": None},
    # A single-window teacher: logistic regression on the 11-point derivative
    # (docs/benchmarks.md, "Self-training from a linear teacher").
    # Measured with 100 fine-tuning epochs, the default before
    # finetune_epochs="auto" (30 when the teacher labels rows).
    "GLSM teacher": {"teacher": derivative_teacher(), "finetune_epochs": 100},
    # The default teacher on the spectra at their own resolution, the network on
    # the grid (network_input; docs/benchmarks.md, "The teacher at full resolution").
    "GLSM full-resolution teacher": {"network_input": RESAMPLER},
    # The two ablations under the default teacher: what each pretext task
    # adds to the default recipe (the rows above pin teacher=None).
    "GLSM global-only with teacher": {"local_weight": 0.0},
    "GLSM local-only with teacher": {"global_weight": 0.0},
    # A linear probe on the frozen encoder's pooled features, under the default
    # teacher (docs/benchmarks.md, "What the frozen encoder knows").
    "GLSM linear probe": {"finetune": "head"},
    # With every label: the SVM, ahead of the linear vote there, as the teacher
    # (docs/benchmarks.md, "Every label known"; not run by default, as its
    # calibration needs 5 labels per class).
    "GLSM SVM teacher": {"teacher": svm_teacher()},
}

# GLSM methods a plain ``benchmarks.run`` leaves out (``--methods`` names them).
ON_REQUEST = ("GLSM SVM teacher",)


def _pretrain_params(name: str, overrides: dict, methods: dict | None = None) -> dict:
    """The transformer settings of a GLSM variant: its own, then run-wide ones."""
    params = {**overrides, **(GLSM_METHODS if methods is None else methods)[name]}
    return {k: v for k, v in params.items() if k in GLSMTransformer().get_params()}


def pretraining_of(name: str, methods: dict | None = None) -> str:
    """The first GLSM variant (of ``methods``, default :data:`GLSM_METHODS`) that
    pretrains exactly as ``name`` does.

    Variants that differ only in fine-tuning (``"GLSM no teacher"``, or
    ``"GLSM transfer no teacher"`` among :data:`TRANSFER_METHODS`) share the
    pretraining, and the benchmark's cache entry, of ``"GLSM"`` (``"GLSM
    transfer"``).
    """
    methods = GLSM_METHODS if methods is None else methods
    own = _pretrain_params(name, {}, methods)
    return next(m for m in methods if _pretrain_params(m, {}, methods) == own)


def parse_variant(text: str) -> dict:
    """``"a=1,b=0.5,c=x,d=True,e=None"`` as ``{"a": 1, "b": 0.5, "c": "x", "d": True,
    "e": None}``; ``"default"`` as ``{}``."""
    if text == "default":
        return {}
    params = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"variant item {item!r} is not KEY=VALUE")
        if value in ("True", "False", "None"):
            params[key.strip()] = None if value == "None" else value == "True"
            continue
        for cast in (int, float, str):
            try:
                params[key.strip()] = cast(value)
                break
            except ValueError:
                continue
    return params


def pretraining_method(params: dict) -> tuple[str, dict]:
    """The benchmark's GLSM method and overrides that pretrain as ``params`` do.

    A variant that holds the defining settings of one of the benchmark's
    ablations (``global_weight=0.0`` is "GLSM local-only") is pretrained as
    that method with the rest of its settings as overrides, as
    ``benchmarks.run`` does, so it finds the benchmark's cache entry; any
    other is "GLSM" with the variant's settings.
    """
    for method in GLSM_METHODS:
        defining = _pretrain_params(method, {})
        if defining and all(k in params and params[k] == v for k, v in defining.items()):
            return method, {k: v for k, v in params.items() if k not in defining}
    return "GLSM", params


def pretrain_method(name: str, data: Dataset, X_train: np.ndarray, seed: int,
                    **overrides) -> GLSMTransformer:
    """The pretraining of GLSM variant ``name`` on ``X_train`` (no labels).

    It depends on the split, not on k: the benchmark fits it once per (data
    set, seed, variant) and fine-tunes it for every k, which is what a
    ``GLSMClassifier(random_state=seed)`` would pretrain inside its own fit.
    """
    resample = to_grid(data)
    X = resample.fit_transform(X_train).astype(np.float32)
    transformer = GLSMTransformer(**{"random_state": seed, "device": "auto",
                                     **_pretrain_params(name, overrides)})
    return transformer.fit(X)


def glsm_method(name: str, data: Dataset, seed: int, pretrained=None, **overrides) -> object:
    """A GLSM variant on the data set's grid, behind the resampler (:func:`behind`).

    With ``pretrained`` (from :func:`pretrain_method`) the classifier
    fine-tunes a copy of that encoder instead of pretraining anew.
    """
    # The method's defining settings win over run-wide overrides.
    params = {**overrides, **GLSM_METHODS[name]}
    if pretrained is not None:
        params["pretrained"] = pretrained
    return behind(to_grid(data), **{"random_state": seed, "device": "auto", **params})
