"""Teachers for self-training, alone (no network), on the development or test part.

``GLSMClassifier``'s student mostly learns to agree with its teacher
(``probe_selftrain``: within about a point of it on two sets of three), so a
better teacher is the most direct lever on the default fit. This probe
compares teachers alone, in seconds rather than hours: each is fitted on the
k labeled training spectra per class (and, if it is transductive, on the
unlabeled ones too: the data set's pool and the development rows it is not
scored on), then scored on the held-out half of the development rows (the
split of ``probe_selftrain``; ``--part dev``, where choices are made), on
the development rows of new donors (``--part donors``, sets split by
subject: ``probe_selftrain --held-out donors``) or on the protocol's test
part (``--part test``, to report). ``--resolution grid``
puts the spectra on the networks' grid first, as the benchmark's pipeline
does for the classifier and so for its teacher; ``native`` keeps them as
measured (what the teacher sees with ``GLSMClassifier(network_input=...)``).

Teachers:

* ``vote``: ``make_derivative_teacher()``, all seven windows (the default
  before the quiet windows).
* ``quiet <t> x<n>``: the vote over the ``n`` narrowest windows whose
  derivative is at most a share ``t`` noise (``sklearn_glsm.quiet_windows``
  of every spectrum the teacher sees, labels unused); ``quiet 0.03 x3`` is
  the built-in teacher's choice (the default). ``quiet 0.03 x3 + w41``
  adds the widest window to those.
* ``vote C=<c>``: the same with another regularisation strength.
  ``quiet vote L1 C=<c>``: the quiet vote with an L1 penalty (saga), which
  keeps a few bands per class instead of spreading the weights.
* ``vote self-trained <r>``: the vote refitted ``r`` times on the labels and
  its own most confident pseudo-labels of the unlabeled spectra (a share
  ``teacher_fraction * i / r`` of each predicted class in round ``i``).
* ``spreading w<w>``: label spreading (kNN graph, 10 neighbours) on a PCA
  (20 components, fitted on every spectrum it sees) of the SNV'd
  ``w``-point first derivative; ``vote + spreading w11`` averages the two.
* ``vote augmented``: the vote fitted on the labeled spectra and 20 random
  views of each, drawn by the global task's view generator at the
  classifier's default strengths (``GLSMClassifier().get_params()``), on
  SNV'd spectra; ``vote augmented, no warp`` leaves the axis unwarped
  (gain, baseline and noise only).
* ``vote d1+d2``: the vote with a second-derivative member beside each
  first-derivative one (same windows).
* ``vote on pool PCA``: each member's logistic regression on the first 50
  principal components of its derivative, the PCA fitted on every spectrum
  the teacher sees (labeled and unlabeled).
* ``pool-metric nearest mean``: over the quiet windows, the nearest class
  mean on those 50 components whitened by their variance among all the
  spectra the teacher sees (shrunk by their mean variance): LDA with the
  unlabeled spectra's total covariance, which spans the same discriminant
  directions as the within-class one that a few labels cannot estimate.
  ``quiet vote on whitened pool PCA``: a logistic regression on the same
  whitened components (shrunk by a tenth of the mean variance).
* ``quiet vote smoothed a=<a>``: the default's quiet vote, its
  probabilities then smoothed over a kNN graph (10 neighbours, symmetric,
  normalised as in label spreading) of every spectrum it sees and scores
  (SNV'd derivative at the narrowest quiet window, PCA to 30 components):
  ``F <- a S F + (1 - a) P``, 50 steps, the labeled spectra's ``P`` one-hot.
  Transductive label propagation that starts from the teacher's opinion of
  every spectrum instead of from the labels alone (``spreading``).
* ``quiet vote, EM priors``: the quiet vote's probabilities reweighted by
  the class priors of the unlabeled spectra it sees, estimated by EM from
  its own probabilities of them (Saerens et al. 2002), since a vote fitted
  on ``k`` labels per class assumes equal priors.
* ``quiet vote on denoised spectra``: the default's quiet vote fitted on,
  and applied to, the spectra as the seed's cached GLSM pretraining (the
  benchmark's, from ``--cache``) reconstructs them with its local task's
  denoising decoder (``GLSMTransformer.reconstruct``), its windows chosen on
  those; ``..., raw windows`` keeps the windows of the spectra as given.
  Grid resolution only (the encoder's axis).
* ``quiet vote on EMSC`` (``order 4``), ``quiet vote on MSC``: the quiet
  vote on spectra scatter-corrected first (chemotools; the reference is the
  mean of every spectrum the teacher sees, on which the correction is fitted).
* ``embedding LR`` / ``embedding 1-NN``, ``pooled features LR`` / ``pooled
  features 1-NN``: logistic regression (C = 10) or 1-NN on the seed's cached
  pretraining's frozen embedding (``GLSMTransformer.embed``) or pooled
  features (``transform``), unit-normalised; ``quiet vote + pooled features
  LR`` averages the latter with the quiet vote. ``SNV LR``: the protocol's
  logistic regression baseline on SNV'd spectra.
* ``SVM``: the protocol's RBF SVM on SNV, its probabilities Platt-scaled by
  cross-validation (``benchmarks.protocol.svm_teacher``; k >= 2, so only
  when named); ``vote or SVM by CV``: the quiet vote or that SVM, whichever
  cross-validation on the labels prefers (``benchmarks.protocol.ChosenTeacher``).

``confident`` is the teacher's accuracy on the most confident half per
predicted class of the scored rows (what the student would be taught),
``accuracy`` on all of them.

python -m benchmarks.probe_teacher --k 1 5 10
python -m benchmarks.probe_teacher --k 1 5 10 --teachers vote --resolution native
python -m benchmarks.probe_teacher --k 1 5 10 --teachers vote --part test --resolution native
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "vote augmented" "vote d1+d2"
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "vote augmented, no warp"
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "vote on pool PCA"
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "pool-metric nearest mean" \
    "quiet vote on whitened pool PCA"
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "quiet vote smoothed a=0.5" \
    "quiet vote smoothed a=0.8" "quiet vote, EM priors"
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "quiet vote L1 C=1" "quiet vote L1 C=10"
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "quiet vote on denoised spectra" \
    "quiet vote on denoised spectra, raw windows"
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "quiet 0.03 x3" "quiet 0.03 x2" \
    "quiet 0.03 x1" "quiet 0.01 x3" "quiet 0.01 x1"
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "quiet 0.03 x4" "quiet 0.03 x5" \
    "quiet 0.03 x3 + w41" \
    --datasets ftir_villegas_c4 raman_saliva_covid ftir_kedzierski ftir_frond ftir_villegas_c8 \
    ftir_jung raman_saliva_pd_ad
python -m benchmarks.probe_teacher --k 5 1 10 --teachers vote "quiet 0.03 x3" "quiet 0.03 x1" \
    --datasets ftir_frond ftir_villegas_c8 ftir_jung raman_saliva_pd_ad
python -m benchmarks.probe_teacher --k 1 5 10 --teachers vote "quiet 0.03 x3" --part test
python -m benchmarks.probe_teacher --k 1 5 10 --teachers vote "quiet 0.03 x3" --part test \
    --datasets ftir_frond
python -m benchmarks.probe_teacher --k 5 1 10 --teachers vote "quiet 0.03 x3" --resolution native
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "quiet 0.03 x3" --resolution native \
    --part test
python -m benchmarks.probe_teacher --k 1 5 10 --part donors --datasets raman_saliva_covid
python -m benchmarks.probe_teacher --k 1 5 10 --part donors --datasets raman_saliva_covid \
    --teachers "quiet 0.03 x3"
python -m benchmarks.probe_teacher --k 5 10 --teachers SVM
python -m benchmarks.probe_teacher --k 1 5 10 --teachers "embedding LR" "pooled features LR" \
    "SNV LR" "embedding 1-NN" "pooled features 1-NN"
python -m benchmarks.probe_teacher --k 1 5 10 --part test --teachers "embedding LR" \
    "pooled features LR" "SNV LR" "quiet 0.03 x3"
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "quiet vote + pooled features LR"
python -m benchmarks.probe_teacher --k 5 1 10 --teachers "quiet vote on EMSC" "quiet vote on MSC"
python -m benchmarks.probe_teacher --k 5 10 1 --teachers "vote or SVM by CV"
python -m benchmarks.probe_teacher --report
python -m benchmarks.probe_teacher --k 5 --datasets ftir_villegas_c4 --confusion "quiet 0.03 x3"
python -m benchmarks.probe_teacher --k 1 5 10 --datasets ftir_kedzierski \
    --materials "quiet 0.03 x3"
python -m benchmarks.probe_teacher --noise ftir_villegas_c4 raman_saliva_covid ftir_kedzierski \
    ftir_villegas_c8 ftir_frond raman_saliva_pd_ad ftir_jung
"""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

import numpy as np
import torch
from chemotools.scatter import (
    ExtendedMultiplicativeScatterCorrection,
    MultiplicativeScatterCorrection,
    StandardNormalVariate,
)
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.decomposition import PCA
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.semi_supervised import LabelSpreading

from sklearn_glsm import GLSMClassifier, derivative_noise, make_derivative_teacher, quiet_windows
from sklearn_glsm._classifier import most_confident
from sklearn_glsm._teacher import DERIVATIVE_WINDOWS
from sklearn_glsm.augmentation import SpectralViews

from .dev_sweep import append_missing, dev_split, held_out, mean_table
from .protocol import (
    UNLABELED,
    ChosenTeacher,
    classical_baselines,
    features,
    label_draw,
    load,
    material_shown,
    svm_teacher,
    to_grid,
    unlabeled_pool,
)
from .run import RESULTS, SEMI_DATASETS

FIELDS = ["dataset", "k", "seed", "teacher", "part", "resolution", "accuracy", "confident"]
KEYS = ("dataset", "k", "seed", "teacher", "part", "resolution")


def self_trained(base, X_lab, y_lab, X_unl, rounds: int, fraction: float = 0.5):
    """``base`` refitted ``rounds`` times on the labels and its confident pseudo-labels."""
    model = clone(base).fit(X_lab, y_lab)
    for i in range(1, rounds + 1):
        proba = model.predict_proba(X_unl)
        keep = most_confident(proba, fraction * i / rounds)
        X = np.concatenate([X_lab, X_unl[keep]])
        y = np.concatenate([y_lab, model.classes_[proba[keep].argmax(axis=1)]])
        model = clone(base).fit(X, y)
    return model


def pool_pca(window: int, n_components: int, X_all: np.ndarray):
    """SNV'd first derivative at ``window``, then a PCA fitted on every spectrum seen."""
    pca = PCA(min(n_components, len(X_all) - 1), random_state=0)
    return make_pipeline(features(1, window), pca).fit(X_all)


class Spreading:
    """Label spreading on a kNN graph of SNV'd derivatives (PCA of every spectrum seen)."""

    def __init__(self, window: int = 11, n_components: int = 20, n_neighbors: int = 10):
        self.window, self.n_components, self.n_neighbors = window, n_components, n_neighbors

    def fit(self, X_lab, y_lab, X_unl):
        X_all = np.concatenate([X_lab, X_unl])
        self.prep_ = pool_pca(self.window, self.n_components, X_all)
        F = self.prep_.transform(X_all)
        self.classes_, codes = np.unique(y_lab, return_inverse=True)
        y = np.concatenate([codes, np.full(len(X_unl), -1)])
        self.model_ = LabelSpreading(kernel="knn", n_neighbors=self.n_neighbors).fit(F, y)
        return self

    def predict_proba(self, X):
        with np.errstate(invalid="ignore", divide="ignore"):
            proba = self.model_.predict_proba(self.prep_.transform(X))
        # A spectrum whose neighbours carry no label mass gets 0/0: no opinion.
        proba[~np.isfinite(proba).all(axis=1)] = 1.0 / len(self.classes_)
        return proba


def augmented(X_lab, y_lab, copies: int = 20, warp: bool = True, seed: int = 0):
    """The vote fitted on SNV'd labeled spectra and ``copies`` random views of each."""
    d = GLSMClassifier().get_params()
    views = SpectralViews(d["shift"] * warp, d["stretch"] * warp, d["scale"], d["baseline"],
                          d["view_noise"])
    Z = StandardNormalVariate().fit_transform(X_lab)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        V = views(torch.as_tensor(np.repeat(Z, copies, axis=0))).numpy()
    X = np.concatenate([Z, V])
    return make_derivative_teacher().fit(X, np.concatenate([y_lab, np.repeat(y_lab, copies)]))


def first_and_second(X_lab, y_lab):
    """The vote with a second-derivative member beside each first-derivative one."""
    second = [(f"d2w{w}", make_pipeline(features(2, w), LogisticRegression(max_iter=2000)))
              for w in DERIVATIVE_WINDOWS]
    members = make_derivative_teacher().estimators + second
    return VotingClassifier(members, voting="soft").fit(X_lab, y_lab)


class PoolMetric:
    """A vote over the quiet windows (``windows="all"``: every window), each member
    on the SNV'd derivative's PCA (fitted on every spectrum seen) whitened by the
    pool's variances (unless ``whiten=False``): the nearest class mean in that
    metric (LDA with the total covariance of all spectra in place of the few
    labels' within-class one) or, with ``lr``, a logistic regression."""

    def __init__(self, n_components: int = 50, shrink: float = 1.0, lr: bool = False,
                 windows: str = "quiet", whiten: bool = True, max_iter: int = 3000):
        self.n_components, self.shrink, self.lr = n_components, shrink, lr
        self.windows, self.whiten, self.max_iter = windows, whiten, max_iter

    def fit(self, X_lab, y_lab, X_unl):
        X_all = np.concatenate([X_lab, X_unl])
        self.classes_ = np.unique(y_lab)
        self.members_ = []
        windows = quiet_windows(X_all) if self.windows == "quiet" else DERIVATIVE_WINDOWS
        for w in windows:
            prep = pool_pca(w, self.n_components, X_all)
            var = prep[-1].explained_variance_
            # Shrunk towards the mean variance, so the faintest components are not blown up.
            scale = 1 / np.sqrt(var + self.shrink * var.mean()) if self.whiten else 1.0
            Z = prep.transform(X_lab) * scale
            model = (LogisticRegression(max_iter=self.max_iter).fit(Z, y_lab) if self.lr else
                     np.stack([Z[y_lab == c].mean(axis=0) for c in self.classes_]))
            self.members_.append((prep, scale, model))
        return self

    def predict_proba(self, X):
        probas = []
        for prep, scale, model in self.members_:
            Z = prep.transform(X) * scale
            if self.lr:
                probas.append(model.predict_proba(Z))
                continue
            logits = -0.5 * ((Z[:, None, :] - model[None]) ** 2).sum(axis=-1)
            probas.append(np.exp(logits - logits.max(axis=1, keepdims=True)))
            probas[-1] /= probas[-1].sum(axis=1, keepdims=True)
        return np.mean(probas, axis=0)


def smooth_over_graph(vote, X_lab, y_lab, X_rest, alpha: float, n_neighbors: int = 10,
                      n_components: int = 30, steps: int = 50) -> np.ndarray:
    """``vote``'s probabilities of ``X_rest`` smoothed over a kNN graph of ``X_lab`` and
    ``X_rest`` (SNV'd derivative at the narrowest quiet window, PCA), the labels
    ``y_lab`` clamped one-hot: ``F <- alpha S F + (1 - alpha) P``, ``steps`` times."""
    X_all = np.concatenate([X_lab, X_rest])
    Z = pool_pca(quiet_windows(X_all)[0], n_components, X_all).transform(X_all)
    _, idx = NearestNeighbors(n_neighbors=n_neighbors + 1).fit(Z).kneighbors(Z)
    n = len(Z)
    W = sparse.csr_matrix((np.ones(n * n_neighbors),
                           (np.repeat(np.arange(n), n_neighbors), idx[:, 1:].ravel())),
                          shape=(n, n))
    W = W + W.T
    scale = sparse.diags(1 / np.sqrt(np.asarray(W.sum(axis=1)).ravel()))
    S = scale @ W @ scale
    P = vote.predict_proba(X_all)
    P[: len(X_lab)] = np.eye(len(vote.classes_))[np.searchsorted(vote.classes_, y_lab)]
    F = P.copy()
    for _ in range(steps):
        F = alpha * (S @ F) + (1 - alpha) * P
    F = F[len(X_lab):]
    return F / F.sum(axis=1, keepdims=True)


class Smoothed:
    """The quiet vote's probabilities smoothed over a kNN graph of every spectrum
    seen (labeled, unlabeled and those predicted), the labels clamped one-hot."""

    def __init__(self, alpha: float):
        self.alpha = alpha

    def fit(self, X_lab, y_lab, X_unl):
        self.X_lab_, self.y_lab_, self.X_unl_ = X_lab, y_lab, X_unl
        self.vote_ = quiet_vote(0.03, 3)(X_lab, y_lab, X_unl)
        self.classes_ = self.vote_.classes_
        return self

    def predict_proba(self, X):
        rest = np.concatenate([self.X_unl_, X])
        return smooth_over_graph(self.vote_, self.X_lab_, self.y_lab_, rest,
                                 self.alpha)[-len(X):]


class SmoothedVote(ClassifierMixin, BaseEstimator):
    """:class:`Smoothed` as a ``GLSMClassifier`` teacher: ``fit`` keeps the labeled
    spectra; ``predict_proba`` fits the quiet vote (its windows from the labeled
    spectra and those predicted, as the built-in teacher's from every spectrum of
    the classifier's ``fit``) and smooths its probabilities over the graph of
    both, so the classifier's unlabeled rows, predicted at once, are the graph."""

    def __init__(self, alpha: float = 0.8):
        self.alpha = alpha

    def fit(self, X, y):
        self.X_, self.y_ = np.asarray(X), np.asarray(y)
        self.classes_ = np.unique(self.y_)
        return self

    def predict_proba(self, X):
        vote = quiet_vote(0.03, 3)(self.X_, self.y_, X)
        return smooth_over_graph(vote, self.X_, self.y_, np.asarray(X), self.alpha)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class PriorShift:
    """The quiet vote, its probabilities reweighted by the unlabeled spectra's class
    priors as EM estimates them from the vote's own probabilities (Saerens et al.
    2002: adjusted posteriors, their mean as the new priors, ``steps`` times)."""

    def __init__(self, steps: int = 100):
        self.steps = steps

    def fit(self, X_lab, y_lab, X_unl):
        self.vote_ = quiet_vote(0.03, 3)(X_lab, y_lab, X_unl)
        self.classes_ = self.vote_.classes_
        self.fit_priors_ = np.array([np.mean(y_lab == c) for c in self.classes_])
        P, priors = self.vote_.predict_proba(X_unl), self.fit_priors_
        for _ in range(self.steps):
            adjusted = P * priors / self.fit_priors_
            priors = (adjusted / adjusted.sum(axis=1, keepdims=True)).mean(axis=0)
        self.priors_ = priors
        return self

    def predict_proba(self, X):
        P = self.vote_.predict_proba(X) * self.priors_ / self.fit_priors_
        return P / P.sum(axis=1, keepdims=True)


def transductive(cls, *args):
    """``(X_lab, y_lab, X_unl) -> cls(*args).fit(...)``, as the table's entries are called."""
    return lambda Xl, yl, Xu: cls(*args).fit(Xl, yl, Xu)


class Denoised:
    """A teacher fitted on, and applied to, the spectra as the pretrained
    ``transformer``'s local-task decoder reconstructs them; with ``raw_windows``
    the quiet vote's windows are those of the spectra as given."""

    def __init__(self, transformer, raw_windows: bool = False):
        self.transformer, self.raw_windows = transformer, raw_windows

    def _clean(self, X):
        return self.transformer.reconstruct(np.asarray(X, dtype=np.float32))

    def fit(self, X_lab, y_lab, X_unl):
        # Each spectrum is reconstructed once; reconstruct is batch-invariant, so
        # the labeled ones' windows and fit see the same values.
        clean = self._clean(X_lab)
        seen = (np.concatenate([X_lab, X_unl]) if self.raw_windows
                else np.concatenate([clean, self._clean(X_unl)]))
        self.model_ = make_derivative_teacher(quiet_windows(seen)).fit(clean, y_lab)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(self._clean(X))


class Embedded:
    """``model`` (unfitted) on the pretrained ``transformer``'s frozen representation,
    unit-normalised: its ``n_components``-dimensional embedding (``embed``, what the
    pretext tasks compare) or, with ``pooled``, the pooled features below it
    (``transform``)."""

    def __init__(self, transformer, model, pooled: bool = False):
        self.transformer, self.model, self.pooled = transformer, model, pooled

    def _embed(self, X):
        X = np.asarray(X, dtype=np.float32)
        Z = (self.transformer.transform if self.pooled else self.transformer.embed)(X)
        Z = Z.astype(np.float64)
        return Z / np.linalg.norm(Z, axis=1, keepdims=True)

    def fit(self, X_lab, y_lab, X_unl):
        self.model_ = clone(self.model).fit(self._embed(X_lab), y_lab)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(self._embed(X))


class Averaged:
    """The mean of two fitted-on-demand teachers' probabilities; ``teachers`` are
    ``(X_lab, y_lab, X_unl) -> fitted model`` callables, as :data:`TEACHERS`' values."""

    def __init__(self, *teachers):
        self.teachers = teachers

    def fit(self, X_lab, y_lab, X_unl):
        self.models_ = [fit(X_lab, y_lab, X_unl) for fit in self.teachers]
        self.classes_ = self.models_[0].classes_
        return self

    def predict_proba(self, X):
        return np.mean([m.predict_proba(X) for m in self.models_], axis=0)


def sparse_quiet_vote(C: float, max_iter: int = 5000):
    """The quiet vote, each logistic regression with an L1 penalty of strength ``1 / C``."""
    # l1_ratio=1 is the L1 penalty (scikit-learn >= 1.8, which deprecates penalty=).
    return quiet_vote(0.03, 3, C=C, max_iter=max_iter, l1_ratio=1.0, solver="saga")


class Corrected:
    """The quiet vote on spectra corrected first by ``correction`` (a chemotools
    transformer, unfitted), fitted on every spectrum the teacher sees: EMSC
    against their mean removes each spectrum's gain and polynomial baseline,
    which a first derivative turns into offsets and slopes that SNV leaves."""

    def __init__(self, correction):
        self.correction = correction

    def fit(self, X_lab, y_lab, X_unl):
        X_all = np.concatenate([X_lab, X_unl])
        self.correction_ = clone(self.correction).fit(X_all)
        self.vote_ = quiet_vote(0.03, 3)(self.correction_.transform(X_lab), y_lab,
                                         self.correction_.transform(X_unl))
        self.classes_ = self.vote_.classes_
        return self

    def predict_proba(self, X):
        return self.vote_.predict_proba(self.correction_.transform(X))


def quiet_vote(max_noise: float, members: int, widest: bool = False, *, C: float = 1.0,
               max_iter: int = 2000, **lr_params):
    """The vote over ``sklearn_glsm.quiet_windows`` of every spectrum the teacher sees
    (and, with ``widest``, the widest window as well); ``C``, ``max_iter`` and
    ``lr_params`` set every member's logistic regression."""
    def fit(Xl, yl, Xu):
        windows = quiet_windows(np.concatenate([Xl, Xu]), max_noise=max_noise,
                                n_windows=members)
        if widest and DERIVATIVE_WINDOWS[-1] not in windows:
            windows = [*windows, DERIVATIVE_WINDOWS[-1]]
        vote = make_derivative_teacher(windows, C=C, max_iter=max_iter)
        vote.set_params(**{f"{name}__logisticregression__{key}": value
                           for name, _ in vote.estimators for key, value in lr_params.items()})
        return vote.fit(Xl, yl)
    return fit


# (max_noise, members); (0.03, 3) is the default teacher's choice.
QUIET = [(0.03, 3), (0.03, 2), (0.03, 1), (0.01, 3), (0.01, 1), (0.03, 4), (0.03, 5)]
TEACHERS = {
    "vote": lambda Xl, yl, Xu: make_derivative_teacher().fit(Xl, yl),
    "vote C=0.1": lambda Xl, yl, Xu: make_derivative_teacher(C=0.1).fit(Xl, yl),
    "vote C=10": lambda Xl, yl, Xu: make_derivative_teacher(C=10.0).fit(Xl, yl),
    "vote C=100": lambda Xl, yl, Xu: make_derivative_teacher(C=100.0).fit(Xl, yl),
    "vote self-trained 1": lambda Xl, yl, Xu: self_trained(make_derivative_teacher(), Xl, yl,
                                                           Xu, 1),
    "vote self-trained 3": lambda Xl, yl, Xu: self_trained(make_derivative_teacher(), Xl, yl,
                                                           Xu, 3),
    "spreading w11": lambda Xl, yl, Xu: Spreading(11).fit(Xl, yl, Xu),
    "spreading w3": lambda Xl, yl, Xu: Spreading(3).fit(Xl, yl, Xu),
    "vote + spreading w11": transductive(
        Averaged, lambda Xl, yl, Xu: make_derivative_teacher().fit(Xl, yl),
        transductive(Spreading, 11)),
    "vote augmented": lambda Xl, yl, Xu: augmented(Xl, yl),
    "vote augmented, no warp": lambda Xl, yl, Xu: augmented(Xl, yl, warp=False),
    "vote d1+d2": lambda Xl, yl, Xu: first_and_second(Xl, yl),
    "vote on pool PCA": transductive(PoolMetric, 50, 1.0, True, "all", False, 2000),
    "pool-metric nearest mean": lambda Xl, yl, Xu: PoolMetric().fit(Xl, yl, Xu),
    "quiet vote on whitened pool PCA": lambda Xl, yl, Xu: PoolMetric(shrink=0.1, lr=True).fit(
        Xl, yl, Xu),
    **{f"quiet {t:g} x{n}": quiet_vote(t, n) for t, n in QUIET},
    "quiet 0.03 x3 + w41": quiet_vote(0.03, 3, widest=True),
    **{f"quiet vote smoothed a={a:g}": transductive(Smoothed, a) for a in (0.5, 0.8)},
    "quiet vote, EM priors": transductive(PriorShift),
    **{f"quiet vote L1 C={c:g}": sparse_quiet_vote(c) for c in (1.0, 10.0)},
    "quiet vote on EMSC": transductive(Corrected, ExtendedMultiplicativeScatterCorrection()),
    "quiet vote on EMSC order 4": transductive(
        Corrected, ExtendedMultiplicativeScatterCorrection(order=4)),
    "quiet vote on MSC": transductive(Corrected, MultiplicativeScatterCorrection()),
    # The protocol's logistic regression on SNV'd spectra (its baseline "LR").
    "SNV LR": lambda Xl, yl, Xu: classical_baselines(len(yl), 0)["LR"].fit(Xl, yl),
    # The protocol's SVM, calibrated by up to 5-fold cross-validation: k >= 2.
    "SVM": lambda Xl, yl, Xu: svm_teacher(
        cv=min(5, np.unique(yl, return_counts=True)[1].min())).fit(Xl, yl),
    # The quiet vote or that SVM, whichever cross-validation on the labels prefers.
    "vote or SVM by CV": lambda Xl, yl, Xu: ChosenTeacher(
        quiet_windows(np.concatenate([Xl, Xu]))).fit(Xl, yl),
}
# Teachers a plain run leaves out (``--teachers`` names them): the SVM needs k >= 2.
ON_REQUEST = ("SVM",)
# The probes' logistic regression on a frozen representation (Embedded clones it).
FROZEN_LR = LogisticRegression(C=10.0, max_iter=2000)


def frozen(model, pooled: bool = False):
    """``(transformer) -> teacher``: ``model`` on the transformer's frozen
    representation (:class:`Embedded`), as :data:`ENCODER_TEACHERS`' values."""
    return lambda enc: transductive(Embedded, enc, model, pooled)


# Teachers that need the seed's pretrained transformer: (transformer) -> teacher.
ENCODER_TEACHERS = {
    "quiet vote on denoised spectra": lambda enc: (
        lambda Xl, yl, Xu: Denoised(enc).fit(Xl, yl, Xu)),
    "quiet vote on denoised spectra, raw windows": lambda enc: (
        lambda Xl, yl, Xu: Denoised(enc, raw_windows=True).fit(Xl, yl, Xu)),
    "embedding 1-NN": frozen(KNeighborsClassifier(1)),
    "embedding LR": frozen(FROZEN_LR),
    "pooled features 1-NN": frozen(KNeighborsClassifier(1), pooled=True),
    "pooled features LR": frozen(FROZEN_LR, pooled=True),
    "quiet vote + pooled features LR": lambda enc: transductive(
        Averaged, quiet_vote(0.03, 3), frozen(FROZEN_LR, pooled=True)(enc)),
}


def split(data, seed: int, k: int, part: str, resolution: str) -> dict:
    """What every teacher of one seed sees: labeled spectra, unlabeled ones, scored ones."""
    train, test, y_semi = label_draw(data, seed, k)
    grid = to_grid(data).fit(data.X[train])
    prep = grid.transform if resolution == "grid" else (lambda X: X)
    X = prep(data.X[train])
    truth = data.y[train].astype(str)
    dev = np.flatnonzero(y_semi == UNLABELED)
    if part in ("dev", "donors"):
        held = held_out({"data": data, "train": train, "dev": y_semi == UNLABELED}, seed,
                        "rows" if part == "dev" else "donors")
        X_eval, y_eval, eval_rows = X[held], truth[held], train[held]
        X_unl = X[np.setdiff1d(dev, held)]
    else:
        X_eval, y_eval, eval_rows = prep(data.X[test]), data.y[test].astype(str), test
        X_unl = X[dev]
    pool = unlabeled_pool(data)
    if pool is not None:
        X_unl = np.concatenate([X_unl, prep(pool)])
    labeled = y_semi != UNLABELED
    return {"X_lab": X[labeled], "y_lab": y_semi[labeled].astype(str), "X_unl": X_unl,
            "X_eval": X_eval, "y_eval": y_eval,
            # Rows of ``data``, for what else is known of them (materials_table).
            "lab_rows": train[labeled], "eval_rows": eval_rows}


def fitted_teacher(name: str, seed: int, k: int, teacher: str, s: dict, resolution: str,
                   cache_dir: Path, encoders: dict | None = None):
    """``teacher`` fitted on the seed's :func:`split` ``s``. A teacher of
    :data:`ENCODER_TEACHERS` gets the seed's pretraining from ``benchmarks.run``'s
    cache in ``cache_dir`` (pretrained there first if missing), read once per seed
    into ``encoders``; it needs the encoder's axis, ``resolution="grid"``."""
    if teacher not in ENCODER_TEACHERS:
        return TEACHERS[teacher](s["X_lab"], s["y_lab"], s["X_unl"])
    if resolution != "grid":
        raise ValueError(f"{teacher!r} needs --resolution grid (the encoder's axis)")
    encoders = {} if encoders is None else encoders
    if seed not in encoders:
        encoders[seed] = dev_split(name, seed, k, {}, cache_dir)["pretrained"]
    return ENCODER_TEACHERS[teacher](encoders[seed])(s["X_lab"], s["y_lab"], s["X_unl"])


def cells(name: str, k: int, seeds: list[int], teachers: list[str], part: str = "dev",
          resolution: str = "grid", cache_dir: Path = RESULTS / "cache"):
    """(key, make_row) pairs for :func:`~benchmarks.dev_sweep.append_missing`.

    ``part="dev"`` scores the held-out half of the development rows (the
    other half and the pool are the unlabeled spectra a transductive teacher
    sees), ``"donors"`` those of half the donors without a labeled spectrum;
    ``"test"`` the protocol's test part (every development row and the pool
    are then unlabeled). ``resolution="grid"`` puts the spectra on
    the networks' grid first, as the benchmark's pipeline does; ``"native"``
    keeps them as measured. The data set is loaded, and a seed's split made,
    only once a missing row needs them, and a seed's cached pretraining once
    an encoder teacher does (:func:`fitted_teacher`).
    """
    data, splits, encoders = None, {}, {}

    def make_row(seed: int, teacher: str) -> dict:
        nonlocal data
        data = data or load(name)
        if seed not in splits:
            splits[seed] = split(data, seed, k, part, resolution)
        s = splits[seed]
        model = fitted_teacher(name, seed, k, teacher, s, resolution, cache_dir, encoders)
        proba = model.predict_proba(s["X_eval"])
        pred = model.classes_[proba.argmax(axis=1)]
        conf = most_confident(proba, 0.5)
        return {"dataset": name, "k": k, "seed": seed, "teacher": teacher,
                "part": part, "resolution": resolution,
                "accuracy": f"{np.mean(pred == s['y_eval']):.4f}",
                "confident": f"{np.mean(pred[conf] == s['y_eval'][conf]):.4f}"}

    for seed in seeds:
        for teacher in teachers:
            yield (name, k, seed, teacher, part, resolution), partial(make_row, seed, teacher)


def noise_table(names: list[str], resolution: str = "grid") -> str:
    """Median noise share of each window's derivative, and the quiet windows, per data set.

    Measured as the built-in teacher measures it (``sklearn_glsm.quiet_windows``)
    on the training part of seed 0, all its spectra, labels unused.
    """
    header = " | ".join(f"w{w}" for w in DERIVATIVE_WINDOWS)
    lines = [f"| data set | points | {header} | quiet windows |",
             "|---|---|" + "---|" * len(DERIVATIVE_WINDOWS) + "---|"]
    for name in names:
        data = load(name)
        train, _, _ = label_draw(data, 0, 5)
        X = data.X[train]
        if resolution == "grid":
            X = to_grid(data).fit_transform(X)
        share = np.median(derivative_noise(X), axis=0)
        cells = " | ".join(f"{s:.3f}" for s in share)
        lines.append(f"| {name} | {X.shape[1]} | {cells} | {quiet_windows(X)} |")
    return "\n".join(lines)


def confusion_table(name: str, k: int, seeds: list[int], teacher: str, part: str = "dev",
                    resolution: str = "grid", cache_dir: Path = RESULTS / "cache") -> str:
    """The confusion matrix of ``teacher`` on the scored rows, summed over ``seeds``
    (rows: true class; columns: predicted), as markdown."""
    data, total, classes = load(name), 0, None
    for seed in seeds:
        s = split(data, seed, k, part, resolution)
        model = fitted_teacher(name, seed, k, teacher, s, resolution, cache_dir)
        classes = model.classes_
        pred = classes[model.predict_proba(s["X_eval"]).argmax(axis=1)]
        total = total + confusion_matrix(s["y_eval"], pred, labels=classes)
    lines = [f"{name}, k = {k}, {teacher}, {part} part, seeds {seeds} summed",
             "| true \\ predicted | " + " | ".join(map(str, classes)) + " |",
             "|---|" + "---|" * len(classes)]
    lines += [f"| {c} | " + " | ".join(map(str, row)) + " |"
              for c, row in zip(classes, total, strict=True)]
    errors = int(total.sum() - np.trace(total))
    return "\n".join([*lines, f"errors: {errors} of {int(total.sum())}"])


def materials_table(name: str, k: int, seeds: list[int], teacher: str, part: str = "dev",
                    resolution: str = "grid", cache_dir: Path = RESULTS / "cache") -> str:
    """Recall of ``teacher`` per class, apart for the scored spectra whose material
    (``Dataset.materials``: the finer label under a polymer group) is among the
    labeled spectra of their class and for those whose material is not; summed
    over ``seeds``, as markdown."""
    data = load(name)
    counts: dict = {}
    for seed in seeds:
        s = split(data, seed, k, part, resolution)
        model = fitted_teacher(name, seed, k, teacher, s, resolution, cache_dir)
        pred = model.classes_[model.predict_proba(s["X_eval"]).argmax(axis=1)]
        shown = material_shown(data, s["lab_rows"], s["eval_rows"])
        for truth, seen, hit in zip(s["y_eval"], shown, pred == s["y_eval"], strict=True):
            n, h = counts.get((truth, seen), (0, 0))
            counts[(truth, seen)] = (n + 1, h + int(hit))
    lines = [f"{name}, k = {k}, {teacher}, {part} part, seeds {seeds} summed",
             "| class | materials | spectra of a labeled material | their recall "
             "| spectra of an unlabeled material | their recall |",
             "|---|---|---|---|---|---|"]
    for c in np.unique(data.y.astype(str)):
        cells = []
        for seen in (True, False):
            n, h = counts.get((c, seen), (0, 0))
            cells += [str(n), f"{h / n:.3f}" if n else ""]
        n_materials = len(np.unique(data.materials[data.y.astype(str) == c]))
        lines.append(f"| {c} | {n_materials} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    """Command-line entry point: fit the missing cells, append them, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", nargs="+", default=SEMI_DATASETS)
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--k", nargs="+", type=int, default=[5])
    p.add_argument("--teachers", nargs="+", choices=[*TEACHERS, *ENCODER_TEACHERS],
                   default=[t for t in TEACHERS if t not in ON_REQUEST])
    p.add_argument("--part", choices=["dev", "donors", "test"], default="dev",
                   help="dev: a random half of the development rows; donors: those of half "
                   "the donors without a labeled spectrum (sets split by subject); test")
    p.add_argument("--resolution", choices=["grid", "native"], default="grid",
                   help="the networks' grid, or the spectra as measured")
    p.add_argument("--out", type=Path, default=RESULTS / "probe_teacher.csv")
    p.add_argument("--cache", type=Path, default=RESULTS / "cache",
                   help="benchmarks.run's pretraining cache (the encoder teachers)")
    p.add_argument("--report", action="store_true", help="only print the table of --out")
    p.add_argument("--noise", nargs="*", metavar="DATASET",
                   help="only print each window's noise share on these data sets (default: "
                   "--datasets) at --resolution")
    p.add_argument("--materials", metavar="TEACHER", choices=[*TEACHERS, *ENCODER_TEACHERS],
                   help="only print TEACHER's recall per class, apart for spectra of "
                   "materials some labeled spectrum has and of the others (sets labeled by "
                   "polymer group)")
    p.add_argument("--confusion", metavar="TEACHER", choices=[*TEACHERS, *ENCODER_TEACHERS],
                   help="only print TEACHER's confusion matrix per data set and k, summed "
                   "over the seeds")
    args = p.parse_args(argv)
    # One table per data set and k of one teacher: its confusions, or its recall by material.
    for table, teacher in ((confusion_table, args.confusion), (materials_table, args.materials)):
        if teacher:
            for name in args.datasets:
                for k in args.k:
                    print(table(name, k, args.seeds, teacher, args.part, args.resolution,
                                args.cache))
            return
    if args.noise is not None:
        print(noise_table(args.noise or args.datasets, args.resolution))
        return
    if not args.report:
        for name in args.datasets:
            for k in args.k:
                append_missing(args.out, FIELDS, KEYS,
                               cells(name, k, args.seeds, args.teachers, args.part,
                                     args.resolution, args.cache))
    print(mean_table(args.out, ("part", "resolution", "k", "teacher", "dataset"),
                     {"accuracy": "accuracy", "confident": "on the confident half"}))


if __name__ == "__main__":
    main()
