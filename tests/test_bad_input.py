"""Bad input: every error names the problem and leaves the estimator as it was.

A fit that raises (or is interrupted) leaves a fresh estimator without any
fitted attribute and a fitted one with its previous model; inputs that are
odd but valid (constant, saturated or all-zero spectra, one sample, a batch
larger than the data) train and predict finite values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import sparse
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_glsm import GLSMClassifier, GLSMTransformer
from sklearn_glsm.preprocessing import WavenumberResampler
from sklearn_glsm.pretext import FinetuneNet, PretextNet

from ._instances import fast
from .conftest import N_FEATURES, N_SAMPLES

HAS_CUDA = torch.cuda.is_available()
# Few fine-tuning epochs: these tests check behaviour, not accuracy.
QUICK = {GLSMTransformer: {}, GLSMClassifier: dict(finetune_epochs=3)}
BOTH = [GLSMTransformer, GLSMClassifier]


@pytest.fixture(scope="module")
def fitted(data):
    """One fitted estimator of each class, shared read-only."""
    X, y, _ = data
    return {cls: quick(cls).fit(X, y) for cls in BOTH}


def quick(cls, **params):
    return fast(cls, **{**QUICK[cls], **params})


def fitted_attributes(est) -> set[str]:
    """Attribute names that make check_is_fitted pass."""
    return {k for k in vars(est) if k.endswith("_") and not k.startswith("__")}


def assert_fit_fails_cleanly(est, X, y, exc, match):
    """``fit`` raises ``exc`` matching ``match``; a fresh ``est`` stays unfitted."""
    assert not fitted_attributes(est)
    with pytest.raises(exc, match=match):
        est.fit(X, y)
    assert not fitted_attributes(est), fitted_attributes(est)


def assert_refit_fails_cleanly(est, X_ok, y_ok, X, y, exc, match, **params):
    """A fitted ``est`` whose refit (with ``params`` set) raises keeps its previous model,
    attribute for attribute, and predicts as before."""
    method = "transform" if isinstance(est, GLSMTransformer) else "predict_proba"
    est.fit(X_ok, y_ok)
    expected = getattr(est, method)(X_ok)
    est.set_params(**params)
    before = dict(vars(est))
    with pytest.raises(exc, match=match):
        est.fit(X, y)
    assert vars(est).keys() == before.keys()
    assert all(vars(est)[k] is v for k, v in before.items())
    np.testing.assert_array_equal(getattr(est, method)(X_ok), expected)


def user_warnings(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, UserWarning)]


def with_value(X, row, col, value):
    X = X.copy()
    X[row, col] = value
    return X


# -- X at fit ----------------------------------------------------------------------


BAD_X = {
    "+inf": (lambda X: with_value(X, 2, 7, np.inf), ValueError, "infinity"),
    "-inf": (lambda X: with_value(X, 2, 7, -np.inf), ValueError, "infinity"),
    "empty": (lambda X: X[:0], ValueError, r"0 sample\(s\)"),
    "3-D": (lambda X: X[:, :, None], ValueError, "dim 3"),
    "1-D": (lambda X: X[0], ValueError, "Expected 2D array, got 1D array"),
    "strings": (lambda X: X.astype(str).astype(object) + "cm", ValueError, "string to float"),
    "complex": (lambda X: X + 1j, ValueError, "Complex data not supported"),
    "sparse": (lambda X: sparse.csr_matrix(X), TypeError, "Sparse data was passed"),
    "ragged": (lambda X: [list(X[0]), list(X[1][:-1])], ValueError, "inhomogeneous"),
    "beyond float32": (lambda X: X * 1e40, ValueError, "float32 range"),
}


@pytest.mark.parametrize("cls", BOTH)
@pytest.mark.parametrize("case", list(BAD_X))
def test_bad_X_at_fit(data, cls, case):
    """Input validation refuses X before any attribute is set, naming the problem."""
    X, y, _ = data
    make, exc, match = BAD_X[case]
    bad = make(X)
    # ``y`` is cut to the length of X where X is not cut, so only X is wrong.
    n = 2 if case == "ragged" else N_SAMPLES
    assert_fit_fails_cleanly(quick(cls), bad, y[:n], exc, match)


@pytest.mark.parametrize("cls", BOTH)
def test_failed_refit_keeps_the_previous_model(data, cls):
    """A fitted estimator refitted on another length of spectra, which then fails (here on
    infinity), keeps its previous model: n_features_in_ is not left at the new length."""
    X, y, _ = data
    bad = with_value(X[:, :32], 0, 0, np.inf)
    assert_refit_fails_cleanly(quick(cls), X, y, bad, y, ValueError, "infinity")


# -- X at predict -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "exc", "match"),
    [
        (lambda X: with_value(X, 1, 1, np.nan), ValueError, "NaN"),
        (lambda X: X[:, :50], ValueError, "X has 50 features, but .* is expecting 64"),
        (lambda X: X[:0], ValueError, r"0 sample\(s\)"),
        (lambda X: X * 1e40, ValueError, "float32 range"),
        (lambda X: sparse.csr_matrix(X), TypeError, "Sparse data was passed"),
    ],
    ids=["nan", "feature-count", "empty", "beyond-float32", "sparse"],
)
@pytest.mark.parametrize("method", ["transform", "reconstruct", "predict", "predict_proba"])
def test_bad_X_at_predict(fitted, data, make, exc, match, method):
    """Every inference method validates X the same way."""
    cls = GLSMTransformer if method in ("transform", "reconstruct") else GLSMClassifier
    with pytest.raises(exc, match=match):
        getattr(fitted[cls], method)(make(data[0]))


def test_other_feature_names_at_predict(data):
    """Columns named differently from those seen in fit are refused."""
    pd = pytest.importorskip("pandas")
    X, y, _ = data
    clf = quick(GLSMClassifier).fit(pd.DataFrame(X).add_prefix("w"), y)
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(pd.DataFrame(X).add_prefix("v"))


def test_non_finite_network_output_is_refused(fitted, data):
    """Spectra near the float32 limit overflow inside the network; the NaN that results is
    reported with the rows, never returned as a probability or an embedding."""
    X = data[0][:4].copy()
    X[2] = 3e38  # the per-spectrum mean overflows
    for est, method in ((fitted[GLSMClassifier], "predict_proba"),
                        (fitted[GLSMTransformer], "transform")):
        with pytest.raises(ValueError, match=r"not finite for 1 spectra \(rows \[2\]\)"):
            getattr(est, method)(X)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    X=arrays(
        np.float32,
        st.tuples(st.integers(1, 4), st.just(N_FEATURES)),
        elements=st.floats(width=32, allow_nan=False, allow_infinity=False),
    )
)
def test_property_predict_proba_never_returns_nan(fitted_classifier, X):
    """For any finite float32 spectra, extreme ones included, predict_proba returns
    probabilities summing to 1 or refuses the spectra; it never returns NaN."""
    try:
        proba = fitted_classifier.predict_proba(X)
    except ValueError as exc:
        assert "not finite" in str(exc)
    else:
        assert np.isfinite(proba).all()
        np.testing.assert_allclose(proba.sum(1), 1.0, atol=1e-12)


@pytest.fixture(scope="module")
def fitted_classifier(fitted):
    return fitted[GLSMClassifier]


# -- y ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_y", "match"),
    [
        (lambda y: y[:-1], "inconsistent numbers of samples"),
        (lambda y: np.full_like(y, -1), "no labeled sample"),
        (lambda y: np.where(y == 0, y, -1), "one class only"),
        (lambda y: y + np.linspace(0.1, 0.6, len(y)), "Unknown label type"),
        (lambda y: with_value(y.astype(float), 3, ..., np.nan), "Input y contains NaN"),
        (lambda y: np.c_[y, y], "y should be a 1d array"),
        (lambda y: None, "requires y to be passed"),
    ],
    ids=["length", "all-unlabeled", "one-class", "continuous", "nan", "2-D", "none"],
)
def test_bad_y(data, make_y, match):
    """Wrong targets are refused with the problem named, classes_ included in 'not set'."""
    X, y, _ = data
    assert_fit_fails_cleanly(quick(GLSMClassifier), X, make_y(y), ValueError, match)


def test_integral_float_labels_work(data):
    """Labels 0.0 and 1.0 are classes like 0 and 1."""
    X, y, _ = data
    clf = quick(GLSMClassifier).fit(X, y.astype(float))
    np.testing.assert_array_equal(clf.classes_, [0.0, 1.0])
    assert clf.predict(X[:3]).dtype == np.float64


def test_one_labeled_sample_per_class_works(data):
    """One label per class is a legitimate (one-shot) few-label problem: it trains without
    a warning and predicts both classes' labels only."""
    X, y, _ = data
    y_semi = np.full_like(y, -1)
    y_semi[[np.flatnonzero(y == c)[0] for c in (0, 1)]] = [0, 1]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf = quick(GLSMClassifier).fit(X, y_semi)
    assert not user_warnings(record)
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert set(clf.predict(X)) <= {0, 1}


def test_score_warns_about_unseen_labels(fitted, data):
    """Labels never seen in fit count as misclassified (as in scikit-learn) and are named
    in a warning; for the unlabeled marker the warning says to leave those rows out."""
    X, y, _ = data
    clf = fitted[GLSMClassifier]
    y_other = y.copy()
    y_other[:4] = 7
    pred = clf.predict(X)
    with pytest.warns(UserWarning, match=r"never seen in fit: \[7\]"):
        score = clf.score(X, y_other)
    assert score == np.mean(pred == y_other)
    with pytest.warns(UserWarning, match=r"\[-1\].*rows marked -1 \(unlabeled\)"):
        clf.score(X, np.where(np.arange(N_SAMPLES) < 5, -1, y))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf.score(X, y)
    assert not user_warnings(record)


# -- pretrained --------------------------------------------------------------------


def test_pretrained_errors_leave_the_classifier_unfitted(fitted, data):
    """An unfitted, a wrong-length or a non-GLSM ``pretrained`` is refused before anything
    is set on the classifier."""
    X, y, _ = data
    cases = [
        (fast(GLSMTransformer), NotFittedError, "must be a fitted GLSMTransformer"),
        (quick(GLSMTransformer).fit(X[:, :32]), ValueError, "fitted on 32.*WavenumberResampler"),
        (PCA(2).fit(X), TypeError, "must be a fitted GLSMTransformer, got PCA"),
    ]
    for pretrained, exc, match in cases:
        assert_fit_fails_cleanly(quick(GLSMClassifier, pretrained=pretrained), X, y, exc, match)


def test_pipeline_on_another_axis_names_the_resampler(data):
    """A serving pipeline fed spectra of another length is stopped by its first step."""
    X, y, wavenumbers = data
    pipe = make_pipeline(
        WavenumberResampler(wavenumbers=wavenumbers, target=wavenumbers[::2]),
        quick(GLSMClassifier),
    ).fit(X, y)
    with pytest.raises(ValueError, match="X has 50 features, but WavenumberResampler"):
        pipe.predict(X[:, :50])


# -- parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "param", "value"),
    [
        (GLSMTransformer, "width", 0),
        (GLSMTransformer, "depth", -1),
        (GLSMTransformer, "n_positions", 0),
        (GLSMTransformer, "lr", 0),
        (GLSMTransformer, "pretrain_epochs", -1),
        (GLSMTransformer, "weight_decay", -1e-4),
        (GLSMTransformer, "shift", 1.5),
        (GLSMTransformer, "stretch", 1.0),
        (GLSMTransformer, "corrupt_spikes", -1),
        (GLSMTransformer, "random_state", "seed"),
        (GLSMClassifier, "width", 0),
        (GLSMClassifier, "batch_size", -5),
        (GLSMClassifier, "pretrain_epochs", -1),
        (GLSMClassifier, "finetune_lr", 0.0),
        (GLSMClassifier, "dropout", -0.1),
        (GLSMClassifier, "unlabeled", 1.5),
        (GLSMClassifier, "finetune_augment", "yes"),
        (GLSMClassifier, "device", 0),
    ],
)
def test_invalid_sizes_and_rates(data, cls, param, value):
    """Zero or negative sizes and rates (beyond those in test_estimators) are refused at fit,
    naming the parameter, with nothing set."""
    X, y, _ = data
    assert_fit_fails_cleanly(quick(cls, **{param: value}), X, y, InvalidParameterError,
                             f"'{param}'")


@pytest.mark.parametrize("cls", BOTH)
def test_unknown_device_is_named(data, cls):
    """A device torch does not know is a ValueError naming it, not torch's RuntimeError."""
    X, y, _ = data
    assert_fit_fails_cleanly(quick(cls, device="gpu"), X, y, ValueError,
                             "device='gpu' is not a torch device")


@pytest.mark.skipif(HAS_CUDA, reason="CUDA is available")
@pytest.mark.parametrize("cls", BOTH)
def test_cuda_without_gpu_leaves_it_unfitted(data, cls):
    """device="cuda" where there is none fails before anything is set (the message is
    checked in test_estimators)."""
    X, y, _ = data
    assert_fit_fails_cleanly(quick(cls, device="cuda"), X, y, ValueError, "CUDA")


# -- odd but valid spectra -----------------------------------------------------------


def _saturated(X):
    counts = np.clip(X / X.max() * 80000, 0, 65535)
    counts[:, 20:35] = 65535  # detector saturated over a band
    return counts


ODD_SPECTRA = {
    "constant": lambda X: np.full_like(X, 123.0),
    "all-zero": np.zeros_like,
    "saturated": _saturated,
    "some-rows-zero": lambda X: np.where(np.arange(len(X))[:, None] % 3 == 0, 0.0, X),
}


@pytest.mark.parametrize("normalize", ["snv", "none"])
@pytest.mark.parametrize("case", list(ODD_SPECTRA))
def test_odd_spectra_train_and_predict_finite(data, case, normalize):
    """Constant, all-zero and saturated spectra train without NaN losses and give finite
    probabilities summing to 1, and finite embeddings and reconstructions."""
    X, y, _ = data
    X = ODD_SPECTRA[case](X)
    if normalize == "none":
        X = X / max(np.abs(X).max(), 1.0)  # "none" is for data already scaled
    clf = quick(GLSMClassifier, normalize=normalize).fit(X, y)
    for stage in ("pretrain", "finetune"):
        assert all(np.isfinite(row["train_loss"]) for row in clf.history_[stage])
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(1), 1.0, atol=1e-12)
    glsm = quick(GLSMTransformer, normalize=normalize).fit(X)
    assert np.isfinite(glsm.transform(X)).all() and np.isfinite(glsm.reconstruct(X)).all()


def test_batch_size_larger_than_the_data(data):
    """batch_size above n_samples trains on one batch per epoch."""
    X, y, _ = data
    clf = quick(GLSMClassifier, batch_size=1000).fit(X, y)
    assert clf.history_["pretrain"][0]["train_batch_count"] == 1
    assert clf.history_["finetune"][0]["train_batch_count"] == 1
    assert clf.predict_proba(X).shape == (N_SAMPLES, 2)


@pytest.mark.parametrize(
    ("shape", "test_shape"), [((1, N_FEATURES), (3, N_FEATURES)), ((N_SAMPLES, 1), (3, 1))],
    ids=["one-sample", "one-feature"],
)
def test_one_sample_or_one_feature_transformer(data, shape, test_shape):
    """A single spectrum, or spectra of a single point, pretrain and embed finitely."""
    rng = np.random.default_rng(0)
    glsm = quick(GLSMTransformer).fit(rng.random(shape))
    X_test = rng.random(test_shape)
    Z, E = glsm.transform(X_test), glsm.embed(X_test)
    assert Z.shape == (test_shape[0], glsm.net_.module_.encoder.n_features)
    assert E.shape == (test_shape[0], 8) and np.isfinite(Z).all() and np.isfinite(E).all()


# -- training that fails or is interrupted -------------------------------------------


@pytest.mark.parametrize("cls", BOTH)
def test_divergence_is_reported_and_leaves_it_unfitted(data, cls):
    """A diverging pretraining (huge lr on unnormalised counts) raises FloatingPointError
    naming the loss and the remedy; nothing is set, and a fitted estimator keeps its model."""
    X, y, _ = data
    params = dict(lr=1e6, normalize="none")
    match = r"(global_loss|local_loss|total pretext loss) diverged .* Lower `lr`"
    assert_fit_fails_cleanly(quick(cls, **params), X * 1e6, y, FloatingPointError, match)
    assert_refit_fails_cleanly(quick(cls), X, y, X * 1e6, y, FloatingPointError, match, **params)


def test_finetuning_divergence_names_the_classification_loss(data):
    """Divergence in the second stage names the classification loss."""
    X, y, _ = data
    clf = quick(GLSMClassifier, pretrain_epochs=0, normalize="none", finetune_lr=1e12)
    assert_fit_fails_cleanly(clf, X * 1e8, y, FloatingPointError,
                             "classification loss diverged")


def _interrupt_on_call(monkeypatch, net_cls, n):
    """Make the ``n``-th loss computation of ``net_cls`` raise KeyboardInterrupt."""
    calls = []
    get_loss = net_cls.get_loss

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise KeyboardInterrupt
        return get_loss(self, *args, **kwargs)

    monkeypatch.setattr(net_cls, "get_loss", interrupted)
    return calls


@pytest.mark.parametrize(
    ("cls", "net_cls"),
    [(GLSMTransformer, PretextNet), (GLSMClassifier, PretextNet), (GLSMClassifier, FinetuneNet)],
    ids=["transformer", "classifier-pretraining", "classifier-finetuning"],
)
def test_keyboard_interrupt_stops_fit_and_leaves_it_unfitted(data, monkeypatch, cls, net_cls):
    """Ctrl-C in either stage stops the fit (skorch would swallow it and carry on): the
    interrupt propagates, a fresh estimator stays unfitted, and the classifier interrupted in
    pretraining never starts fine-tuning."""
    X, y, _ = data
    calls = _interrupt_on_call(monkeypatch, net_cls, 2)
    finetune_calls = (
        _interrupt_on_call(monkeypatch, FinetuneNet, 10**9) if net_cls is PretextNet else []
    )
    est = quick(cls)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    assert len(calls) == 2 and not finetune_calls
    assert not fitted_attributes(est)


def test_keyboard_interrupt_in_a_refit_keeps_the_previous_model(data, monkeypatch):
    """An interrupted refit leaves the previously fitted model in place."""
    X, y, _ = data
    # The first fit computes 6 losses (3 epochs of 2 batches); the 9th is in the refit.
    _interrupt_on_call(monkeypatch, FinetuneNet, 9)
    assert_refit_fails_cleanly(quick(GLSMClassifier), X, y, X[:, :32], y, KeyboardInterrupt, None)
