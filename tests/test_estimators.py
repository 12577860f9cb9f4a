"""Behaviour of GLSMTransformer and GLSMClassifier beyond sklearn's generic checks."""

from __future__ import annotations

import copy
import pickle
import re
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.ensemble import VotingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted
from skorch.exceptions import DeviceWarning

from sklearn_glsm import GLSMClassifier, GLSMTransformer, make_derivative_teacher, quiet_windows
from sklearn_glsm._classifier import most_confident
from sklearn_glsm.datasets import make_spectra
from sklearn_glsm.preprocessing import WavenumberResampler

from ._instances import fast

N_SAMPLES, N_FEATURES, N_CLASSES, N_LABELED = 120, 128, 3, 40
HAS_CUDA = torch.cuda.is_available()




@pytest.fixture(scope="module")
def data():
    """An easy 3-class problem; the first ``N_LABELED`` rows keep their labels."""
    X, y, wavenumbers = make_spectra(
        n_samples=N_SAMPLES, n_features=N_FEATURES, n_classes=N_CLASSES, random_state=0
    )
    y_semi = np.where(np.arange(N_SAMPLES) < N_LABELED, y, -1)
    return X, y, y_semi, wavenumbers


@pytest.fixture(scope="module")
def transformer(data):
    """A fitted transformer, shared read-only by the tests."""
    return fast(GLSMTransformer).fit(data[0])


@pytest.fixture(scope="module")
def classifier(data):
    """A classifier fitted semi-supervised (80 of 120 rows unlabeled), shared read-only."""
    X, _, y_semi, _ = data
    return fast(GLSMClassifier).fit(X, y_semi)


def encoder_state(estimator):
    """A copy of the encoder weights of a fitted estimator."""
    return {k: v.clone() for k, v in estimator.net_.module_.encoder.state_dict().items()}


def same_weights(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# -- GLSMTransformer ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transformer_keeps_the_floating_dtype(transformer, data, dtype):
    """transform, embed and reconstruct return the input's float dtype and the right
    shapes: the pooled features (4 * width channels at n_positions bins), the
    n_components-dimensional embedding, the spectra."""
    X = data[0].astype(dtype)
    Z = transformer.transform(X)
    assert Z.shape == (N_SAMPLES, 4 * 4 * 4) and Z.dtype == dtype
    E = transformer.embed(X)
    assert E.shape == (N_SAMPLES, 8) and E.dtype == dtype
    R = transformer.reconstruct(X[:5])
    assert R.shape == (5, N_FEATURES) and R.dtype == dtype
    assert np.isfinite(Z).all() and np.isfinite(R).all()


def test_transform_gives_the_features_the_embedding_is_a_linear_map_of(transformer, data):
    """transform returns the encoder's pooled features, below the linear layer whose
    output (embed) the pretext tasks compare: that layer applied to them is embed."""
    X = data[0][:10].astype(np.float32)
    fc = transformer.net_.module_.encoder.fc
    with torch.no_grad():
        mapped = fc(torch.as_tensor(transformer.transform(X))).numpy()
    np.testing.assert_allclose(mapped, transformer.embed(X), rtol=1e-4, atol=1e-5)
    with pytest.raises(NotFittedError):
        GLSMTransformer().embed(X)


def test_transformer_fits_float32(data):
    """Fitting on float32 gives the same embedding as fitting on the float64 data."""
    X = data[0]
    Z32 = fast(GLSMTransformer).fit(X.astype(np.float32)).transform(X)
    Z64 = fast(GLSMTransformer).fit(X).transform(X)
    assert Z32.dtype == np.float64
    np.testing.assert_array_equal(Z32, Z64)


def test_fit_transform_equals_fit_then_transform(transformer, data):
    """fit_transform refits to exactly the model the shared fit() gave."""
    X = data[0]
    np.testing.assert_array_equal(fast(GLSMTransformer).fit_transform(X), transformer.transform(X))


def test_reconstruct_follows_the_intensity_scale(transformer, data):
    """With normalize="snv", reconstructions of ``a * X + b`` are ``a * R + b``: the output is
    on the input's intensity scale (e.g. counts instead of absorbance)."""
    X = data[0][:20]
    R = transformer.reconstruct(X)
    R_scaled = transformer.reconstruct(X * 1000 + 250)
    np.testing.assert_allclose(R_scaled, R * 1000 + 250, rtol=1e-4, atol=1e-2)
    # Each reconstruction lies in the range of its spectrum, not in SNV units.
    assert np.all(np.abs(R.mean(1) - X.mean(1)) < X.std(1))


def test_reconstruct_needs_the_local_task(data):
    """Without the denoising task there is no decoder to reconstruct with."""
    X = data[0][:40]
    with pytest.raises(ValueError, match="local"):
        fast(GLSMTransformer, local_weight=0).fit(X).reconstruct(X)
    with pytest.raises(ValueError, match="pretrain_epochs"):
        fast(GLSMTransformer, pretrain_epochs=0).fit(X).reconstruct(X)


def test_history_has_one_record_per_epoch(transformer):
    """history_["pretrain"] holds one dict per epoch with both losses and no batch lists."""
    history = transformer.history_["pretrain"]
    assert [row["epoch"] for row in history] == [1, 2]
    for row in history:
        assert "batches" not in row
        assert np.isfinite(row["global_loss"]) and np.isfinite(row["local_loss"])
        assert row["dur"] > 0
        # The total is the weighted sum of the two tasks (weights 1).
        assert row["train_loss"] == pytest.approx(row["global_loss"] + row["local_loss"])


@pytest.mark.parametrize(
    ("weights", "recorded", "absent"),
    [
        (dict(global_weight=0), "local_loss", "global_loss"),
        (dict(local_weight=0), "global_loss", "local_loss"),
    ],
)
def test_history_records_only_the_enabled_task(data, weights, recorded, absent):
    """A task with weight 0 is not trained, so its loss is not recorded."""
    history = fast(GLSMTransformer, **weights).fit(data[0][:40]).history_["pretrain"]
    assert len(history) == 2
    for row in history:
        assert recorded in row and absent not in row
        assert row["train_loss"] == pytest.approx(row[recorded])


def test_feature_names_and_pandas_output(transformer, data):
    """Output columns are named glsmtransformer0...; set_output gives a DataFrame with them,
    keeping the input's index."""
    pd = pytest.importorskip("pandas")
    names = [f"glsmtransformer{i}" for i in range(64)]
    assert list(transformer.get_feature_names_out()) == names
    est = copy.deepcopy(transformer).set_output(transform="pandas")
    X = pd.DataFrame(data[0][:7], index=[f"s{i}" for i in range(7)])
    out = est.transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == names
    assert list(out.index) == list(X.index)
    np.testing.assert_array_equal(out.to_numpy(), transformer.transform(data[0][:7]))


def test_pretraining_loss_decreases(data):
    """Over 10 epochs both self-supervised losses go down on synthetic spectra (observed
    over seeds: total and global to 0.6-0.85x, local to 0.82-0.92x of the first epoch)."""
    history = fast(GLSMTransformer, pretrain_epochs=10).fit(data[0]).history_["pretrain"]
    for key, factor in (("train_loss", 0.9), ("global_loss", 0.9), ("local_loss", 0.97)):
        first, last = history[0][key], history[-1][key]
        assert last < factor * first, (key, first, last)


def test_reconstruct_denoises():
    """After short denoising pretraining, reconstruct(noisy) is much closer to the clean
    spectrum than the noisy one, and barely moves when noise is added.

    The small decoder cannot reproduce a spectrum exactly (its MSE floor is ~0.2 of the
    spectra's variance after 20 epochs), so the noise is taken at the spectra's own standard
    deviation, where denoising gains ~2.5x (asserted: 1.6x).
    """
    X, _, _ = make_spectra(
        n_samples=N_SAMPLES,
        n_features=N_FEATURES,
        noise=0.0,
        spike_probability=0.0,
        random_state=1,
    )
    glsm = fast(
        GLSMTransformer,
        global_weight=0,
        pretrain_epochs=20,
        lr=1e-2,
        n_components=32,
        n_positions=16,
    ).fit(X)
    rng = np.random.default_rng(0)
    sigma = X.std(axis=1).mean()
    noisy = X + sigma * rng.standard_normal(X.shape)
    mse_noisy = np.mean((noisy - X) ** 2)
    R = glsm.reconstruct(noisy)
    assert np.mean((R - X) ** 2) < mse_noisy / 1.6
    # Weaker, noise-level-free property: the reconstruction is insensitive to the noise.
    assert np.mean((R - glsm.reconstruct(X)) ** 2) < mse_noisy / 3


# -- GLSMClassifier -----------------------------------------------------------------


def test_semi_supervised_fit(classifier, data):
    """-1 rows are excluded from classes_ and used by pretraining; fine-tuning sees the
    labeled rows and those the default teacher labeled (unlabeled_weight=0: no others)."""
    np.testing.assert_array_equal(classifier.classes_, [0, 1, 2])
    pretrain, finetune = classifier.history_["pretrain"], classifier.history_["finetune"]
    assert len(pretrain) == 1 and len(finetune) == 40
    # batch_size=32: 120 rows make 4 pretraining batches; the teacher labels the most
    # confident three quarters of the 80 others (about 60, rounded up per class).
    assert pretrain[0]["train_batch_count"] == 4
    assert classifier.teacher == "derivative" and 58 <= classifier.n_pseudo_labels_ <= 63
    assert _rows_fine_tuned(classifier) == N_LABELED + classifier.n_pseudo_labels_
    assert "pseudo_loss" not in finetune[0]
    assert classifier.n_features_in_ == N_FEATURES


def test_unlabeled_weight_adds_unlabeled_rows_to_fine_tuning(data):
    """unlabeled_weight>0: fine-tuning draws min(120, max(8 * 40, 4 * 32)) = 120 rows per
    epoch, half labeled, half unlabeled (4 batches), and logs the pseudo-label loss."""
    X, _, y_semi, _ = data
    clf = fast(GLSMClassifier, finetune_epochs=2, unlabeled_weight=1.0).fit(X, y_semi)
    assert clf.history_["finetune"][0]["train_batch_count"] == 4
    assert "pseudo_loss" in clf.history_["finetune"][0]


def test_predict_and_predict_proba(classifier, data):
    """Probabilities are rows summing to 1; predict is their argmax among classes_."""
    X = data[0]
    proba = classifier.predict_proba(X)
    assert proba.shape == (N_SAMPLES, N_CLASSES) and proba.dtype == np.float64
    assert np.all(proba >= 0)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=0, atol=1e-12)
    pred = classifier.predict(X)
    np.testing.assert_array_equal(pred, classifier.classes_[proba.argmax(1)])
    assert set(pred) <= set(classifier.classes_)


def test_accuracy_well_above_chance(classifier, data):
    """With 40 labels (and 80 unlabeled rows for pretraining), the unlabeled rows are
    classified far above chance (1/3); observed 0.96-1.0 over seeds."""
    X, y, _, _ = data
    assert classifier.score(X[N_LABELED:], y[N_LABELED:]) >= 0.8


def test_classifier_pretrains_like_the_transformer(data):
    """Pretraining inside the classifier uses every row of X, labeled or not: with the same
    seed and a frozen encoder, its encoder equals a GLSMTransformer's fitted on all of X."""
    X, _, y_semi, _ = data
    clf = fast(GLSMClassifier, finetune="head", finetune_epochs=2).fit(X, y_semi)
    params = {k: v for k, v in clf.get_params().items() if k in GLSMTransformer().get_params()}
    glsm = GLSMTransformer(**params).fit(X)
    assert same_weights(encoder_state(clf), encoder_state(glsm))


@pytest.mark.parametrize("kind", ["str", "object"])
def test_string_labels_with_unlabeled_marker(data, kind):
    """The string "-1" among string labels, or int -1 in an object array, marks unlabeled
    rows."""
    X, y, _, _ = data
    names = np.array(["ecoli", "saureus", "spneumo"])
    if kind == "str":
        y_semi = np.where(np.arange(N_SAMPLES) < N_LABELED, names[y], "-1")
    else:
        y_semi = names[y].astype(object)
        y_semi[N_LABELED:] = -1
    clf = fast(GLSMClassifier, finetune_epochs=5).fit(X, y_semi)
    np.testing.assert_array_equal(clf.classes_, names)
    assert set(clf.predict(X)) <= set(names)
    # The 40 labeled rows and those the default teacher labeled: no "-1" class.
    assert _rows_fine_tuned(clf) == N_LABELED + clf.n_pseudo_labels_


def test_unlabeled_none_makes_minus_one_a_class(data):
    """With ±1 labels, unlabeled=None keeps -1 as a class; by default those rows would be
    unlabeled, leaving a single class, which is refused."""
    X, y, _, _ = data
    y_pm = np.where(y == 0, -1, 1)
    clf = fast(GLSMClassifier, unlabeled=None, finetune_epochs=2, pretrain_epochs=0)
    np.testing.assert_array_equal(clf.fit(X, y_pm).classes_, [-1, 1])
    with pytest.raises(ValueError, match="class"):
        fast(GLSMClassifier, finetune_epochs=2).fit(X, y_pm)


def test_custom_unlabeled_marker(data):
    """Another marker (here 99) marks the unlabeled rows instead of -1."""
    X, y, _, _ = data
    y_semi = np.where(np.arange(N_SAMPLES) < N_LABELED, y, 99)
    clf = fast(GLSMClassifier, unlabeled=99, finetune_epochs=2, pretrain_epochs=0)
    np.testing.assert_array_equal(clf.fit(X, y_semi).classes_, [0, 1, 2])


def test_all_unlabeled_raises(data):
    """A y without any label cannot train a classifier."""
    X = data[0][:20]
    with pytest.raises(ValueError, match="no labeled sample"):
        fast(GLSMClassifier).fit(X, np.full(20, -1))


def test_single_labeled_class_raises(data):
    """Labels of a single class (the rest unlabeled) are refused, naming the problem."""
    X = data[0][:20]
    y = np.array([0] * 5 + [-1] * 15)
    with pytest.raises(ValueError, match="class"):
        fast(GLSMClassifier).fit(X, y)


@pytest.mark.parametrize("finetune", ["head", "full"])
def test_pretrained_encoder_is_used_and_left_intact(transformer, data, finetune):
    """pretrained= skips pretraining and starts from a copy of the transformer's encoder:
    finetune="head" keeps those weights, "full" changes them; the transformer is unchanged."""
    X, _, y_semi, _ = data
    before = encoder_state(transformer)
    Z_before = transformer.transform(X)
    clf = fast(GLSMClassifier, pretrained=transformer, finetune=finetune).fit(X, y_semi)
    assert clf.history_["pretrain"] == []
    assert same_weights(encoder_state(clf), before) == (finetune == "head")
    assert same_weights(encoder_state(transformer), before)
    np.testing.assert_array_equal(transformer.transform(X), Z_before)
    if finetune == "head":
        # The classifier's embedding is the transformer's embedding.
        module = clf.net_.module_
        Z = clf._map_batches(clf.net_, module.embed, X)
        np.testing.assert_array_equal(Z, transformer.embed(X).astype(np.float32))


def test_adapt_epochs_go_on_pretraining_from_the_pretrained_network(transformer, data):
    """adapt_epochs continue the transformer's pretext training on X, from a copy of its
    weights (encoder and decoder): the transformer is unchanged, the epochs are recorded
    as the classifier's pretraining, and a refit with the same seed is identical."""
    X, _, y_semi, _ = data
    before = encoder_state(transformer)
    clf = fast(GLSMClassifier, pretrained=transformer, adapt_epochs=2, finetune_epochs=2)
    clf.fit(X, y_semi)
    assert same_weights(encoder_state(transformer), before)
    assert len(clf.history_["pretrain"]) == 2
    assert {"global_loss", "local_loss"} <= set(clf.history_["pretrain"][0])
    again = clone(clf).fit(X, y_semi)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    plain = fast(GLSMClassifier, pretrained=transformer, finetune_epochs=2).fit(X, y_semi)
    assert not np.array_equal(plain.predict_proba(X), clf.predict_proba(X))
    # Without a pretext task there is nothing to adapt with: the encoder is used as it is.
    untrained = fast(GLSMTransformer, global_weight=0.0, local_weight=0.0).fit(X)
    idle = fast(GLSMClassifier, pretrained=untrained, adapt_epochs=2, finetune_epochs=1)
    assert idle.fit(X, y_semi).history_["pretrain"] == []
    # The adapting net starts from the transformer's weights, not from new ones.
    net = fast(GLSMClassifier, adapt_epochs=1, lr=1e-12)._adapt(
        transformer, X.astype(np.float32), transformer.device_)
    source = transformer.net_.module_.state_dict()
    for name, value in net.module_.state_dict().items():
        np.testing.assert_allclose(value.cpu().numpy(), source[name].cpu().numpy(),
                                   atol=1e-6, err_msg=name)


@pytest.mark.parametrize("source", ["pretrained", "own pretraining"])
def test_reset_embedding_redraws_only_the_embedding_layer(transformer, data, source):
    """reset_embedding=True starts fine-tuning from the pretrained convolutions but a
    fresh embedding layer, whether the encoder comes from pretrained= or from the
    classifier's own pretraining; the transformer is left intact."""
    X, _, y_semi, _ = data
    before = encoder_state(transformer)
    # A learning rate this small leaves the fine-tuned weights at their start.
    params = dict(finetune_epochs=1, finetune_lr=1e-12, pretrain_epochs=2)
    if source == "pretrained":
        params["pretrained"] = transformer
    kept, reset = (encoder_state(fast(GLSMClassifier, reset_embedding=flag, **params)
                                 .fit(X, y_semi)) for flag in (False, True))
    for name in kept:
        same = torch.allclose(kept[name], reset[name], atol=1e-6)
        assert same != name.startswith("fc."), name
        if source == "pretrained":
            assert torch.allclose(kept[name], before[name], atol=1e-6), name
    assert same_weights(encoder_state(transformer), before)


def test_reset_embedding_leaves_a_linear_probe_on_the_pretrained_embedding(
        transformer, data):
    """finetune="head" probes the embedding as pretrained, whatever reset_embedding."""
    X, _, y_semi, _ = data
    clf = fast(GLSMClassifier, pretrained=transformer, finetune="head",
               reset_embedding=True, finetune_epochs=1).fit(X, y_semi)
    assert same_weights(encoder_state(clf), encoder_state(transformer))


def test_reset_embedding_is_seeded_and_inert_without_pretraining(data):
    """The fresh layer comes from random_state, and a network trained from scratch is
    the same with and without the option."""
    X, _, y_semi, _ = data
    fits = [fast(GLSMClassifier, reset_embedding=flag, pretrain_epochs=epochs,
                 finetune_epochs=3).fit(X, y_semi)
            for flag, epochs in [(True, 1), (True, 1), (False, 0), (True, 0)]]
    assert same_weights(encoder_state(fits[0]), encoder_state(fits[1]))
    assert same_weights(encoder_state(fits[2]), encoder_state(fits[3]))


@pytest.mark.parametrize("derivative", [0, 1])
def test_linear_skip_adds_a_trained_linear_model_on_the_inputs(data, derivative):
    """linear_skip=True adds to the head's logits a linear map of the encoder's input
    channels (spectrum, and derivative when the encoder has one), trained with it."""
    X, _, y_semi, _ = data
    clf = fast(GLSMClassifier, linear_skip=True, derivative=derivative).fit(X, y_semi)
    module = clf.net_.module_
    assert module.linear.in_features == (1 + derivative) * N_FEATURES
    assert module.linear.weight.abs().sum() > 0
    x = torch.as_tensor(X[:5], dtype=torch.float32, device=clf.device_)
    module.eval()  # as prediction runs it: no views, no dropout
    with torch.no_grad():
        z = module.normalizer(x)[0]
        expected = module.head(module.encoder(z)) + module.linear(
            module.encoder.inputs(z).flatten(1))
    np.testing.assert_allclose(clf.predict_proba(X[:5]),
                               torch.softmax(expected, 1).cpu().numpy(), rtol=1e-5, atol=1e-6)
    assert fast(GLSMClassifier).fit(X, y_semi).net_.module_.linear is None


def test_linear_skip_follows_the_pretrained_encoders_inputs(transformer, data):
    """With pretrained=, the linear path sees the inputs of that encoder, whatever the
    classifier's own derivative setting."""
    X, _, y_semi, _ = data
    clf = fast(GLSMClassifier, pretrained=transformer, linear_skip=True,
               derivative=1 - transformer.derivative, finetune_epochs=2).fit(X, y_semi)
    assert clf.net_.module_.linear.in_features == (1 + transformer.derivative) * N_FEATURES


def test_classifier_pickled_before_the_linear_path_loads(classifier, data):
    """A fitted module pickled before linear_skip existed has no `linear` child; it
    loads without one and predicts as before."""
    X = data[0]
    old = copy.deepcopy(classifier)
    del old.net_.module_.linear
    assert not hasattr(old.net_.module_, "linear")
    loaded = pickle.loads(pickle.dumps(old))
    assert loaded.net_.module_.linear is None
    np.testing.assert_array_equal(loaded.predict_proba(X), classifier.predict_proba(X))


def test_temperature_reaches_the_global_loss(data):
    """The temperature parameter is the one the contrastive loss uses."""
    X = data[0]
    fitted = [fast(GLSMTransformer, temperature=t).fit(X) for t in (0.1, 0.5)]
    assert [t.net_.criterion_.temperature for t in fitted] == [0.1, 0.5]
    losses = [t.history_["pretrain"][0]["global_loss"] for t in fitted]
    assert losses[0] != losses[1]


def test_global_objective_reaches_the_loss(data):
    """``global_objective`` picks the global task's loss: the predictive one lies in
    [0, 2] (1 - cosine), the contrastive one starts near log(batch size)."""
    X = data[0]
    fitted = {o: fast(GLSMTransformer, global_objective=o).fit(X)
              for o in ("contrastive", "predictive")}
    assert fitted["predictive"].net_.criterion_.objective == "predictive"
    first = {o: t.history_["pretrain"][0]["global_loss"] for o, t in fitted.items()}
    assert 0 <= first["predictive"] <= 2 < first["contrastive"]


def test_predictive_global_task_alone_warns_of_collapse(data):
    """Without negatives and without the local task nothing keeps the embeddings apart:
    the fit warns, and does not with the local task on."""
    X = data[0]
    with pytest.warns(UserWarning, match="collapsing"):
        fast(GLSMTransformer, global_objective="predictive", local_weight=0.0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast(GLSMTransformer, global_objective="predictive").fit(X)


def _rows_fine_tuned(clf):
    """How many rows one fine-tuning epoch of a fitted classifier went through."""
    return sum(b["train_batch_size"] for b in clf.net_.history[-1]["batches"])


def test_teacher_labels_its_most_confident_fraction_per_class(data):
    """A teacher fitted on the labeled rows labels the most confident ``teacher_fraction``
    (three quarters by default) of the unlabeled rows it predicts as each class; those
    rows join fine-tuning; the teacher itself stays unfitted."""
    X, _, y_semi, _ = data
    teacher = LogisticRegression(max_iter=500)
    clf = fast(GLSMClassifier, teacher=teacher, finetune_epochs=2).fit(X, y_semi)
    unlabeled = y_semi == -1
    pred = clf.teacher_.predict(X[unlabeled])
    expected = sum(int(np.ceil(0.75 * np.sum(pred == c))) for c in np.unique(pred))
    assert clf.n_pseudo_labels_ == expected > 0
    assert _rows_fine_tuned(clf) == N_LABELED + expected
    half = fast(GLSMClassifier, teacher=teacher, teacher_fraction=0.5,
                finetune_epochs=2).fit(X, y_semi)
    halves = sum(int(np.ceil(0.5 * np.sum(pred == c))) for c in np.unique(pred))
    assert half.n_pseudo_labels_ == halves < expected
    np.testing.assert_array_equal(clf.teacher_.classes_, clf.classes_)
    with pytest.raises(NotFittedError):
        check_is_fitted(teacher)
    plain = fast(GLSMClassifier, finetune_epochs=2, teacher=None).fit(X, y_semi)
    assert plain.n_pseudo_labels_ == 0 and not hasattr(plain, "teacher_")
    assert _rows_fine_tuned(plain) == N_LABELED


def test_derivative_teacher_is_the_multiscale_vote(data):
    """``teacher="derivative"`` fits make_derivative_teacher with the quiet windows of
    every spectrum of X (labeled or not), and labels rows as a teacher passed by hand
    does."""
    X, y, y_semi, _ = data
    clf = fast(GLSMClassifier, teacher="derivative", finetune_epochs=2).fit(X, y_semi)
    assert isinstance(clf.teacher_, VotingClassifier)
    windows = quiet_windows(X)
    assert [name for name, _ in clf.teacher_.estimators] == [f"w{w}" for w in windows]
    unlabeled = y_semi == -1
    # The synthetic classes differ in their bands, which the derivatives keep.
    assert np.mean(clf.teacher_.predict(X[unlabeled]) == y[unlabeled]) > 0.9
    by_hand = fast(GLSMClassifier, teacher=make_derivative_teacher(windows),
                   finetune_epochs=2)
    by_hand.fit(X, y_semi)
    assert by_hand.n_pseudo_labels_ == clf.n_pseudo_labels_ > 0
    np.testing.assert_allclose(by_hand.predict_proba(X), clf.predict_proba(X), atol=1e-6)
    # Short spectra keep the windows they can hold.
    short = fast(GLSMClassifier, teacher="derivative", finetune_epochs=1).fit(X[:, :12], y_semi)
    held = quiet_windows(X[:, :12])
    assert set(held) <= {3, 5, 9}
    assert [name for name, _ in short.teacher_.estimators] == [f"w{w}" for w in held]


def test_teacher_is_idle_when_every_row_is_labeled(data):
    """The default teacher acts on unlabeled rows only: with every row labeled the fit is
    the one without a teacher (so the benchmark's all-labels cells are the same fit)."""
    X, y, _, _ = data
    taught = fast(GLSMClassifier, finetune_epochs=2).fit(X, y)
    plain = fast(GLSMClassifier, finetune_epochs=2, teacher=None).fit(X, y)
    assert taught.n_pseudo_labels_ == 0 and not hasattr(taught, "teacher_")
    np.testing.assert_array_equal(taught.predict_proba(X), plain.predict_proba(X))


def test_auto_finetune_epochs_are_30_when_the_teacher_labels_rows(data):
    """``finetune_epochs="auto"`` (the default) fine-tunes 30 epochs when the teacher
    added rows, 100 when it added none (no teacher, or every row labeled); an integer
    is used as given."""
    X, y, y_semi, _ = data
    settings = dict(pretrain_epochs=0, finetune_epochs="auto")
    taught = fast(GLSMClassifier, **settings).fit(X, y_semi)
    assert taught.n_pseudo_labels_ > 0
    assert taught.finetune_epochs_ == len(taught.history_["finetune"]) == 30
    alone = fast(GLSMClassifier, teacher=None, **settings).fit(X, y_semi)
    assert alone.finetune_epochs_ == len(alone.history_["finetune"]) == 100
    assert fast(GLSMClassifier, **settings).fit(X, y).finetune_epochs_ == 100
    given = fast(GLSMClassifier, pretrain_epochs=0, finetune_epochs=3).fit(X, y_semi)
    assert given.finetune_epochs_ == len(given.history_["finetune"]) == 3
    assert GLSMClassifier().finetune_epochs == "auto"
    with pytest.raises(InvalidParameterError, match="finetune_epochs"):
        fast(GLSMClassifier, finetune_epochs="many").fit(X, y_semi)


def test_derivative_teacher_rejects_what_it_cannot_use(data):
    """Spectra shorter than its smallest window, or windows a derivative cannot use."""
    X, _, y_semi, _ = data
    with pytest.raises(ValueError, match="at least 3 points; these have 2"):
        fast(GLSMClassifier, teacher="derivative", finetune_epochs=1).fit(X[:, :2], y_semi)
    for windows in [(), (4,), (1, 5)]:
        with pytest.raises(ValueError, match="odd lengths of at least 3"):
            make_derivative_teacher(windows)
    with pytest.raises(InvalidParameterError, match="teacher"):
        fast(GLSMClassifier, teacher="linear").fit(X, y_semi)


def test_teacher_with_other_classes_raises(data):
    """A teacher whose classes are not the labels' cannot label rows for them."""

    class Renamer(LogisticRegression):
        def fit(self, X, y):
            return super().fit(X, np.asarray(y) + 10)

    X, _, y_semi, _ = data
    with pytest.raises(ValueError, match="teacher's classes"):
        fast(GLSMClassifier, teacher=Renamer(), finetune_epochs=1).fit(X, y_semi)


def test_network_input_feeds_the_network_and_leaves_the_teacher_the_spectra(data):
    """With ``network_input`` the network trains and predicts on the transformed spectra
    (the same fit as a pipeline with that transformer in front, teacher aside), while
    the teacher is fitted on the spectra as given."""
    X, _, y_semi, wavenumbers = data
    coarse = wavenumbers[::2]
    resample = WavenumberResampler(wavenumbers=wavenumbers, target=coarse)
    clf = fast(GLSMClassifier, network_input=resample, finetune_epochs=2).fit(X, y_semi)
    assert clf.n_features_in_ == N_FEATURES
    assert clf.net_.module_.linear is None
    assert clf.network_input_ is not resample and check_is_fitted(clf.network_input_) is None
    assert clf.teacher_.n_features_in_ == N_FEATURES  # the teacher saw full resolution
    # The network is that of a pipeline whose classifier gets the coarse spectra and
    # the teacher's pseudo-labels as labels.
    y_taught = y_semi.copy()
    proba = clf.teacher_.predict_proba(X[y_semi == -1])
    rows = np.flatnonzero(y_semi == -1)[most_confident(proba, clf.teacher_fraction)]
    y_taught[rows] = clf.teacher_.classes_[clf.teacher_.predict_proba(X[rows]).argmax(1)]
    pipe = make_pipeline(resample, fast(GLSMClassifier, teacher=None, finetune_epochs=2))
    pipe.fit(X, y_taught)
    np.testing.assert_array_equal(clf.predict_proba(X), pipe.predict_proba(X))
    # Until the next fit, predictions use the fitted transformer, whatever the parameter.
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.set_params(network_input=None).predict_proba(X), proba)
    # The linear path is as long as the network's input.
    skip = fast(GLSMClassifier, network_input=resample, linear_skip=True, teacher=None,
                finetune_epochs=1).fit(X, y_semi)
    assert skip.net_.module_.linear.in_features == 2 * len(coarse)
    assert skip.predict(X).shape == (N_SAMPLES,)
    # Without it again, a refit drops the fitted transformer.
    skip.set_params(network_input=None).fit(X, y_semi)
    assert not hasattr(skip, "network_input_")


def test_network_input_errors(data, transformer):
    """A transformer that drops rows is refused; with ``pretrained``, the error names
    network_input when its output does not fit the encoder's axis."""
    X, _, y_semi, wavenumbers = data

    class DropRow(WavenumberResampler):
        def transform(self, X):
            return super().transform(X)[1:]

    with pytest.raises(ValueError, match="one row per spectrum"):
        fast(GLSMClassifier, network_input=DropRow(wavenumbers=wavenumbers),
             teacher=None).fit(X, y_semi)
    coarse = WavenumberResampler(wavenumbers=wavenumbers, target=wavenumbers[::2])
    with pytest.raises(ValueError, match="network_input gives 64 points"):
        fast(GLSMClassifier, pretrained=transformer, network_input=coarse).fit(X, y_semi)


def test_projection_head_is_pretraining_only(data):
    """With ``projection_head=True`` the views are compared after an MLP that the
    transformer's embedding and the classifier's network do not contain."""
    X, _, y_semi, _ = data
    plain, projected = (fast(GLSMTransformer, projection_head=flag).fit(X)
                        for flag in (False, True))
    assert isinstance(plain.net_.module_.projector, torch.nn.Identity)
    assert isinstance(projected.net_.module_.projector, torch.nn.Sequential)
    assert projected.transform(X).shape == plain.transform(X).shape
    clf = fast(GLSMClassifier, projection_head=True, finetune_epochs=2).fit(X, y_semi)
    assert not any("projector" in name for name, _ in clf.net_.module_.named_parameters())


@pytest.mark.parametrize("cls", [GLSMTransformer, GLSMClassifier])
def test_even_derivative_window_raises(data, cls):
    """A Savitzky-Golay window has a centre point: an even one is refused at fit."""
    X, y, _, _ = data
    with pytest.raises(ValueError, match="derivative_window must be odd"):
        fast(cls, derivative=1, derivative_window=8).fit(X[:10], y[:10])


def test_derivative_reaches_the_encoder_and_carries_over(data):
    """``derivative`` builds a two-channel encoder; fine-tuning a pretrained one keeps it,
    whatever the classifier's own setting."""
    X, y, y_semi, _ = data
    clf = fast(GLSMClassifier, derivative=2, derivative_window=7).fit(X, y_semi)
    encoder = clf.net_.module_.encoder
    assert (encoder.derivative, encoder.derivative_window) == (2, 7)
    assert encoder.stem[0].in_channels == 2
    assert clf.score(X, y) > 0.5
    source = fast(GLSMTransformer, derivative=1, derivative_window=5).fit(X)
    assert source.embed(X).shape == (len(X), source.n_components)
    clf = fast(GLSMClassifier, pretrained=source).fit(X, y_semi)
    assert clf.net_.module_.encoder.derivative == 1


def test_pretrained_with_other_length_raises(transformer):
    """Spectra of another length than the pretrained encoder's point to the resampler."""
    X, y, _ = make_spectra(n_samples=30, n_features=100, n_classes=2, random_state=0)
    with pytest.raises(ValueError, match="WavenumberResampler"):
        fast(GLSMClassifier, pretrained=transformer).fit(X, y)


def test_pretrained_unfitted_raises(data):
    """An unfitted transformer cannot serve as pretrained encoder."""
    X, y, _, _ = data
    with pytest.raises(NotFittedError):
        fast(GLSMClassifier, pretrained=fast(GLSMTransformer)).fit(X, y)


def test_transfer_between_axes_in_a_pipeline():
    """An encoder pretrained on instrument A's axis (96 points) is fine-tuned on instrument B
    spectra (128 points, wider range) resampled onto A's axis inside a Pipeline."""
    X_b, y, axis_b = make_spectra(
        n_samples=N_SAMPLES,
        n_features=N_FEATURES,
        n_classes=N_CLASSES,
        wavenumber_range=(380.0, 1820.0),
        random_state=3,
    )
    axis_a = np.linspace(400.0, 1800.0, 96)
    to_a = WavenumberResampler(wavenumbers=axis_b, target=axis_a)
    glsm = fast(GLSMTransformer).fit(to_a.fit_transform(X_b[60:]))  # unlabeled, on A's axis
    pipe = make_pipeline(
        WavenumberResampler(wavenumbers=axis_b, target=axis_a),
        fast(GLSMClassifier, pretrained=glsm),
    )
    pipe.fit(X_b[:60], y[:60])
    clf = pipe[-1]
    assert clf.n_features_in_ == 96 and clf.history_["pretrain"] == []
    pred = pipe.predict(X_b[60:])
    np.testing.assert_array_equal(pred, clf.predict(to_a.transform(X_b[60:])))
    assert np.mean(pred == y[60:]) >= 0.8  # chance is 1/3; observed 0.97-1.0
    # Without the resampler, the length mismatch is reported.
    with pytest.raises(ValueError, match="WavenumberResampler"):
        clone(clf).set_params(pretrained=glsm).fit(X_b[:60], y[:60])


# -- scikit-learn integration -------------------------------------------------------


def test_clone_is_unfitted_with_equal_params(classifier):
    """clone copies the parameters and none of the fitted state."""
    copy_ = clone(classifier)
    assert copy_.get_params() == classifier.get_params()
    assert not hasattr(copy_, "net_") and not hasattr(copy_, "classes_")
    with pytest.raises(NotFittedError):
        copy_.predict(np.zeros((1, N_FEATURES)))


def test_pipeline_with_chemotools_snv(data):
    """A chemotools preprocessing step in front of the classifier fits and predicts."""
    scatter = pytest.importorskip("chemotools.scatter")
    X, y, y_semi, _ = data
    pipe = make_pipeline(scatter.StandardNormalVariate(), fast(GLSMClassifier)).fit(X, y_semi)
    assert pipe.score(X[N_LABELED:], y[N_LABELED:]) >= 0.8


def test_frozen_transformer_features_feed_a_classifier(transformer, data):
    """A fitted transformer, frozen in a Pipeline, gives a logistic regression fitted
    on the labeled rows its pooled features; fitting the pipeline leaves it as it was."""
    X, y, y_semi, _ = data
    before = encoder_state(transformer)
    labeled = y_semi != -1
    pipe = make_pipeline(FrozenEstimator(transformer), LogisticRegression(max_iter=2000))
    pipe.fit(X[labeled], y[labeled])
    assert pipe[-1].n_features_in_ == transformer.net_.module_.encoder.n_features
    assert pipe.score(X[~labeled], y[~labeled]) >= 0.8  # chance is 1/3; 0.91 on this fixture
    assert same_weights(encoder_state(transformer), before)


def test_grid_search_in_parallel(data):
    """GridSearchCV over a Pipeline, in two worker processes, explores both values."""
    X, y, _, _ = data
    pipe = make_pipeline(
        WavenumberResampler(), fast(GLSMClassifier, finetune_epochs=5, pretrain_epochs=0)
    )
    search = GridSearchCV(
        pipe, {"glsmclassifier__finetune_augment": [True, False]}, cv=2, n_jobs=2
    ).fit(X[:60], y[:60])
    assert len(search.cv_results_["params"]) == 2
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_params_["glsmclassifier__finetune_augment"] in (True, False)
    assert search.predict(X[:5]).shape == (5,)


def test_cross_val_score(data):
    """cross_val_score gives one finite score per fold, above chance on average."""
    X, y, _, _ = data
    scores = cross_val_score(fast(GLSMClassifier, pretrain_epochs=0), X[:90], y[:90], cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    assert scores.mean() >= 0.8  # chance is 1/3; observed 0.97-0.99


def test_cross_val_score_with_frozen_pretrained(transformer, data):
    """Wrapped in FrozenEstimator, a pretrained transformer survives the cloning of
    cross-validation and is reused, not refitted, in every fold."""
    X, y, _, _ = data
    before = encoder_state(transformer)
    clf = fast(GLSMClassifier, pretrained=FrozenEstimator(transformer), finetune_epochs=5)
    assert np.all(np.isfinite(cross_val_score(clf, X[:60], y[:60], cv=2)))
    assert same_weights(encoder_state(transformer), before)


def test_cross_val_score_with_plain_pretrained(transformer, data):
    """clone() keeps a fitted ``pretrained`` transformer fitted, so CV fine-tunes it."""
    X, y, _, _ = data
    clf = fast(GLSMClassifier, pretrained=transformer, finetune_epochs=2)
    assert clone(clf).pretrained is transformer
    scores = cross_val_score(clf, X[:60], y[:60], cv=2)
    assert scores.shape == (2,)


def test_joblib_round_trip_is_bit_identical(classifier, transformer, data, tmp_path):
    """A dumped and reloaded model predicts bit-identically, and can be pickled again."""
    X = data[0]
    for est, method in ((classifier, "predict_proba"), (transformer, "transform")):
        path = tmp_path / f"{type(est).__name__}.joblib"
        joblib.dump(est, path)
        loaded = joblib.load(path)
        expected = getattr(est, method)(X)
        np.testing.assert_array_equal(getattr(loaded, method)(X), expected)
        again = pickle.loads(pickle.dumps(loaded))
        np.testing.assert_array_equal(getattr(again, method)(X), expected)
    np.testing.assert_array_equal(
        joblib.load(tmp_path / "GLSMClassifier.joblib").classes_, classifier.classes_
    )


@pytest.mark.parametrize("which", ["classifier", "transformer"])
def test_cuda_model_unpickles_on_cpu(request, data, monkeypatch, which):
    """A model fitted on a GPU loads on a CPU-only machine (skorch maps it to the CPU with
    a DeviceWarning) and predicts as before.

    With a GPU the model is really fitted there, and the CPU's predictions match to
    float32 rounding (TF32 convolutions on the GPU). Without one it is simulated: the
    net is marked as living on "cuda" before pickling, its tensors stay on the CPU, and
    the predictions match exactly.
    """
    method = "predict_proba" if which == "classifier" else "transform"
    if HAS_CUDA:
        X, _, y_semi, _ = data
        cls = GLSMClassifier if which == "classifier" else GLSMTransformer
        est = fast(cls, device="cuda").fit(X, *([y_semi] if which == "classifier" else []))
        expected = getattr(est, method)(data[0])
    else:
        est = copy.deepcopy(request.getfixturevalue(which))
        expected = getattr(est, method)(data[0])
        est.net_.device = "cuda"
        est.device_ = "cuda"
    blob = pickle.dumps(est)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(DeviceWarning):
        loaded = pickle.loads(blob)
    assert torch.device(loaded.net_.device).type == "cpu"
    assert all(p.device.type == "cpu" for p in loaded.net_.module_.parameters())
    np.testing.assert_allclose(getattr(loaded, method)(data[0]), expected,
                               rtol=1e-3 if HAS_CUDA else 0, atol=1e-3 if HAS_CUDA else 0)


def _tensors_outside(obj, path="", seen=None) -> list[str]:
    """Paths of the tensors, modules and optimizers reachable from ``obj``."""
    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, type):
        return []
    seen.add(id(obj))
    if isinstance(obj, (torch.Tensor, torch.nn.Module, torch.optim.Optimizer)):
        return [path]
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (list, tuple)):
        items = enumerate(obj)
    else:
        items = vars(obj).items() if hasattr(obj, "__dict__") else ()
    return [p for k, v in items for p in _tensors_outside(v, f"{path}.{k}", seen)]


@pytest.mark.parametrize("which", ["classifier", "transformer"])
def test_pickled_net_keeps_every_tensor_where_skorch_maps_it(request, which):
    """Everything holding tensors (the module, the optimizer inside the scheduler
    callback...) is pickled in skorch's device-mapped part of the state.

    A tensor anywhere else would be restored onto the device it was saved from, so a
    GPU-fitted model would fail to load without one: this checks it on any machine.
    """
    net = request.getfixturevalue(which).net_
    state = net.__getstate__()
    state.pop("__cuda_dependent_attributes__")
    assert _tensors_outside(state) == []


# -- reproducibility ----------------------------------------------------------------


def test_same_seed_gives_identical_models(classifier, transformer, data):
    """Refits with the same int random_state are bit-identical; another seed differs."""
    X, _, y_semi, _ = data
    np.testing.assert_array_equal(
        fast(GLSMClassifier).fit(X, y_semi).predict_proba(X), classifier.predict_proba(X)
    )
    np.testing.assert_array_equal(
        fast(GLSMTransformer).fit(X).transform(X), transformer.transform(X)
    )
    other = fast(GLSMTransformer, random_state=1).fit(X).transform(X)
    assert not np.array_equal(other, transformer.transform(X))


@pytest.mark.parametrize("random_state", [0, None])
def test_fit_leaves_global_rng_untouched(data, random_state):
    """Fitting neither reads nor advances the caller's torch and numpy global generators."""
    X, _, y_semi, _ = data
    torch.manual_seed(123)
    np.random.seed(123)  # noqa: NPY002 (the legacy global state is what is checked)
    torch_state, np_state = torch.get_rng_state(), np.random.get_state()  # noqa: NPY002
    fast(GLSMTransformer, random_state=random_state).fit(X[:40])
    fast(GLSMClassifier, random_state=random_state, finetune_epochs=2).fit(X, y_semi)
    assert torch.equal(torch.get_rng_state(), torch_state)
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == np_state[0] and after[2:] == np_state[2:]
    np.testing.assert_array_equal(after[1], np_state[1])


def test_random_state_none_gives_fresh_models(data):
    """random_state=None fits, and two such fits are (almost surely) different."""
    X = data[0][:40]
    Z1 = fast(GLSMTransformer, random_state=None).fit_transform(X)
    Z2 = fast(GLSMTransformer, random_state=None).fit_transform(X)
    assert np.isfinite(Z1).all() and not np.array_equal(Z1, Z2)


def test_random_state_instance_is_advanced(data):
    """A RandomState instance is drawn from: two fits from one instance differ."""
    X = data[0][:40]
    rng = np.random.RandomState(0)
    Z1 = fast(GLSMTransformer, random_state=rng).fit_transform(X)
    Z2 = fast(GLSMTransformer, random_state=rng).fit_transform(X)
    assert not np.array_equal(Z1, Z2)


# -- device -------------------------------------------------------------------------


@pytest.mark.skipif(HAS_CUDA, reason="CUDA is available")
@pytest.mark.parametrize("cls", [GLSMTransformer, GLSMClassifier])
def test_cuda_without_gpu_raises(data, cls):
    """device="cuda" fails early, naming CUDA, where there is no GPU."""
    X, y, _, _ = data
    with pytest.raises(ValueError, match="CUDA"):
        fast(cls, device="cuda").fit(X[:20], y[:20])


def test_auto_device_resolves(transformer):
    """device="auto" picks CUDA when present, else the CPU, and records it in device_."""
    assert transformer.device == "auto"
    assert transformer.device_ == ("cuda" if HAS_CUDA else "cpu")
    assert all(p.device.type == transformer.device_ for p in transformer.net_.module_.parameters())


@pytest.mark.skipif(not HAS_CUDA, reason="needs CUDA")
def test_fit_and_predict_on_cuda(data):
    """On a GPU, fitting and prediction run there and return numpy arrays on the host."""
    X, y, y_semi, _ = data
    clf = fast(GLSMClassifier, device="cuda").fit(X, y_semi)
    assert clf.device_ == "cuda"
    assert next(clf.net_.module_.parameters()).is_cuda
    proba = clf.predict_proba(X)
    assert isinstance(proba, np.ndarray) and proba.shape == (N_SAMPLES, N_CLASSES)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert clf.score(X[N_LABELED:], y[N_LABELED:]) >= 0.6
    glsm = fast(GLSMTransformer, device="cuda").fit(X)
    assert glsm.transform(X).shape == (N_SAMPLES, 8)


# -- verbosity ----------------------------------------------------------------------


def test_verbose_prints_an_epoch_table(data, capsys):
    """verbose=1 prints one row per epoch under a header naming the losses."""
    X, _, y_semi, _ = data
    fast(GLSMTransformer, verbose=1).fit(X[:40])
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "epoch" in line)
    for column in ("global_loss", "local_loss", "train_loss", "dur"):
        assert column in header
    assert len(re.findall(r"^\s+\d+\s", out, flags=re.MULTILINE)) == 2  # 2 epochs
    fast(GLSMClassifier, verbose=1, finetune_epochs=3).fit(X, y_semi)
    out = capsys.readouterr().out
    assert len(re.findall(r"^\s+\d+\s", out, flags=re.MULTILINE)) == 1 + 3


def test_verbose_zero_is_silent(data, capsys):
    """verbose=0 prints nothing, to stdout or stderr."""
    X, _, y_semi, _ = data
    fast(GLSMTransformer, verbose=0).fit(X[:40])
    fast(GLSMClassifier, verbose=0, finetune_epochs=2).fit(X, y_semi)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# -- batch invariance ----------------------------------------------------------------


def test_single_rows_match_the_full_batch(classifier, transformer, data):
    """A spectrum's output is bit-identical whether predicted alone, with others, or in
    another order (including rows beyond the first batch of 32)."""
    X = data[0]
    Z = transformer.transform(X)
    P = classifier.predict_proba(X)
    for i in (0, 31, 32, 77, N_SAMPLES - 1):
        np.testing.assert_array_equal(transformer.transform(X[i : i + 1])[0], Z[i])
        np.testing.assert_array_equal(classifier.predict_proba(X[i : i + 1])[0], P[i])
    np.testing.assert_array_equal(transformer.transform(X[::-1]), Z[::-1])
    np.testing.assert_array_equal(transformer.reconstruct(X[5:6]), transformer.reconstruct(X)[5:6])


# -- parameter validation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "param", "value"),
    [
        (GLSMTransformer, "n_components", 0),
        (GLSMTransformer, "lr", -1),
        (GLSMTransformer, "normalize", "l2"),
        (GLSMTransformer, "global_weight", -0.5),
        (GLSMTransformer, "batch_size", 0),
        (GLSMTransformer, "derivative", 3),
        (GLSMClassifier, "derivative_window", 3),
        (GLSMClassifier, "finetune", "x"),
        (GLSMClassifier, "n_components", 0),
        (GLSMClassifier, "lr", -1),
        (GLSMClassifier, "finetune_epochs", 0),
        (GLSMClassifier, "dropout", 1.0),
        (GLSMClassifier, "pretrained", "not an estimator"),
    ],
)
def test_invalid_parameters_raise_at_fit(data, cls, param, value):
    """Invalid values raise InvalidParameterError (a ValueError) naming the parameter, at fit
    and not at construction."""
    X, y, _, _ = data
    est = fast(cls, **{param: value})
    with pytest.raises(InvalidParameterError, match=f"'{param}'"):
        est.fit(X[:10], y[:10])
    assert issubclass(InvalidParameterError, ValueError)


@pytest.mark.parametrize("cls", [GLSMTransformer, GLSMClassifier])
def test_non_finite_spectra_are_refused(data, cls):
    """NaN in X is refused up front by input validation."""
    X, y, _, _ = data
    X = X[:10].copy()
    X[3, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fast(cls).fit(X, y[:10])
