"""Persistence (joblib, the pickle-free save_model / load_model) and reproducibility.

test_estimators already checks the joblib round trip of predict_proba and transform, the
unpickling of a CUDA model on a CPU-only machine, and that two fits with one seed agree.
"""

from __future__ import annotations

import copy
import io
import json
import pickle
import zipfile

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.exceptions import DeviceWarning

import sklearn_glsm
from sklearn_glsm import GLSMClassifier, GLSMTransformer, load_model, save_model
from sklearn_glsm.nn import ClassificationHead
from sklearn_glsm.preprocessing import WavenumberResampler

from ._instances import fast


@pytest.fixture(scope="module")
def transformer(data):
    return fast(GLSMTransformer).fit(data[0])


@pytest.fixture(scope="module")
def models(data, transformer):
    """Fitted models of every kind save_model stores, with the method to compare."""
    X, y, wavenumbers = data
    names = np.array(["ecoli", "saureus"])[y]
    names[::4] = "-1"  # a quarter unlabeled
    quick = dict(finetune_epochs=3)
    return {
        "transformer": (transformer, "transform"),
        "transformer-reconstruct": (transformer, "reconstruct"),
        "classifier-string-labels": (fast(GLSMClassifier, **quick).fit(X, names), "predict_proba"),
        "classifier-linear-skip": (
            fast(GLSMClassifier, derivative_window=5, linear_skip=True, **quick).fit(X, y),
            "predict_proba",
        ),
        "classifier-pretrained": (
            fast(GLSMClassifier, pretrained=transformer, finetune="head", **quick).fit(X, y),
            "predict_proba",
        ),
        "classifier-adapted": (
            fast(GLSMClassifier, pretrained=transformer, adapt_epochs=2, **quick).fit(X, names),
            "predict_proba",
        ),
        "classifier-frozen-pretrained": (
            fast(GLSMClassifier, pretrained=FrozenEstimator(transformer), **quick).fit(X, y),
            "predict_proba",
        ),
        "pipeline": (
            make_pipeline(
                WavenumberResampler(wavenumbers=wavenumbers, target=wavenumbers[::2]),
                fast(GLSMClassifier, **quick),
            ).fit(X, y),
            "predict_proba",
        ),
    }


MODELS = [
    "transformer",
    "transformer-reconstruct",
    "classifier-string-labels",
    "classifier-linear-skip",
    "classifier-adapted",
    "classifier-pretrained",
    "classifier-frozen-pretrained",
    "pipeline",
]


def glsm_steps(est):
    """The GLSM estimators inside ``est`` (itself, a pipeline's steps, ``pretrained``)."""
    found = []
    for part in est.steps if hasattr(est, "steps") else [(None, est)]:
        part = part[1]
        if isinstance(part, GLSMClassifier | GLSMTransformer):
            found.append(part)
            inner = getattr(part, "pretrained", None)
            if inner is not None:
                found += glsm_steps(getattr(inner, "estimator", inner))
    return found


# -- joblib ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["transformer-reconstruct", "pipeline"])
def test_joblib_round_trip_of_reconstruct_and_pipeline(models, data, tmp_path, name):
    """joblib keeps reconstruct, and a resampler + classifier pipeline, bit-identical."""
    est, method = models[name]
    joblib.dump(est, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(getattr(loaded, method)(data[0]), getattr(est, method)(data[0]))


def test_pickle_from_another_version_warns(transformer, data, monkeypatch):
    """A pickle written by another sklearn_glsm version loads with a warning naming both
    versions; one without a version (written before it was recorded) warns too."""
    monkeypatch.setattr(sklearn_glsm, "__version__", "0.0.1")
    blob = pickle.dumps(transformer)
    monkeypatch.undo()
    with pytest.warns(UserWarning, match=r"saved with sklearn_glsm 0\.0\.1 and is loaded with"):
        loaded = pickle.loads(blob)
    np.testing.assert_array_equal(loaded.transform(data[0]), transformer.transform(data[0]))

    state = transformer.__getstate__()
    assert state["_sklearn_glsm_version"] == sklearn_glsm.__version__
    del state["_sklearn_glsm_version"]
    with pytest.warns(UserWarning, match="an unknown version"):
        GLSMTransformer.__new__(GLSMTransformer).__setstate__(state)


def test_pickle_from_before_a_parameter_existed_loads(transformer, data):
    """A pickle written before ``global_objective`` existed loads with the value that
    behaves as it did, so ``get_params`` and ``clone`` still work."""
    state = transformer.__getstate__()
    del state["global_objective"]
    old = GLSMTransformer.__new__(GLSMTransformer)
    old.__setstate__(state)
    assert old.get_params()["global_objective"] == "contrastive"
    assert clone(old).global_objective == "contrastive"
    np.testing.assert_array_equal(old.transform(data[0]), transformer.transform(data[0]))


def test_pickle_of_this_version_loads_silently(transformer, recwarn):
    """Same version: no warning, and the version is not left as an attribute."""
    loaded = pickle.loads(pickle.dumps(transformer))
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]
    assert "_sklearn_glsm_version" not in vars(loaded)


# -- save_model / load_model ------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_save_load_round_trip_is_bit_identical(models, data, tmp_path, name):
    """A model saved without pickle predicts bit-identically after loading, with equal
    parameters and fitted attributes, and loading leaves torch's global RNG alone."""
    est, method = models[name]
    path = tmp_path / "model.glsm"
    save_model(est, path)
    rng_state = torch.get_rng_state()
    loaded = load_model(path)
    assert torch.equal(torch.get_rng_state(), rng_state)
    assert type(loaded) is type(est)
    np.testing.assert_array_equal(getattr(loaded, method)(data[0]), getattr(est, method)(data[0]))
    for original, copy_ in zip(glsm_steps(est), glsm_steps(loaded), strict=True):
        simple = {k: v for k, v in original.get_params(deep=False).items() if k != "pretrained"}
        assert {k: copy_.get_params(deep=False)[k] for k in simple} == simple
        assert copy_.history_ == original.history_
        assert copy_.n_features_in_ == original.n_features_in_
        assert copy_.device_ == original.device_
        if hasattr(original, "classes_"):
            np.testing.assert_array_equal(copy_.classes_, original.classes_)
            assert copy_.classes_.dtype == original.classes_.dtype
    # The loaded model is an ordinary estimator: it clones and refits.
    refit = clone(loaded).fit(data[0], data[1])
    assert getattr(refit, method)(data[0][:2]).shape[0] == 2


def test_save_load_keeps_feature_names_and_random_state(data, tmp_path):
    """Feature names, set_output and a RandomState random_state survive the round trip."""
    pd = pytest.importorskip("pandas")
    X, _, _ = data
    frame = pd.DataFrame(X).add_prefix("cm")
    rng = np.random.RandomState(7)
    est = fast(GLSMTransformer, random_state=rng).fit(frame).set_output(transform="pandas")
    save_model(est, tmp_path / "model.glsm")
    loaded = load_model(tmp_path / "model.glsm")
    np.testing.assert_array_equal(loaded.feature_names_in_, est.feature_names_in_)
    pd.testing.assert_frame_equal(loaded.transform(frame), est.transform(frame))
    state, loaded_state = rng.get_state(), loaded.random_state.get_state()
    np.testing.assert_array_equal(loaded_state[1], state[1])
    assert loaded_state[2:] == state[2:]


def test_gpu_model_loads_on_cpu(models, data, tmp_path, monkeypatch):
    """A model saved from a GPU loads onto the CPU with a DeviceWarning where there is no
    CUDA, and predicts as before: to float32 rounding where the fixture really was fitted
    on a GPU, exactly where it is simulated (fitted on the CPU, recorded as on CUDA)."""
    est, method = models["classifier-string-labels"]
    est = copy.deepcopy(est)
    on_gpu = est.device_.startswith("cuda")
    est.device_ = "cuda"
    save_model(est, tmp_path / "model.glsm")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(DeviceWarning, match="not available; it is loaded onto the CPU"):
        loaded = load_model(tmp_path / "model.glsm")
    assert torch.device(loaded.net_.device).type == "cpu"
    assert all(p.device.type == "cpu" for p in loaded.net_.module_.parameters())
    tol = 1e-3 if on_gpu else 0
    np.testing.assert_allclose(loaded.predict_proba(data[0]), est.predict_proba(data[0]),
                               rtol=tol, atol=tol)


class _Payload:
    """Unpickling this creates a file: proof that code from the file ran."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def _rewrite(path, out, *, meta=None, weights=None):
    """Copy the model archive at ``path`` to ``out``, replacing members."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    if meta is not None:
        members["model.json"] = json.dumps(meta)
    if weights is not None:
        members["weights.pt"] = weights
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out


def test_load_never_runs_code_from_the_file(models, tmp_path):
    """Weights holding a pickled object, a plain pickle and a joblib file are refused; the
    object's code never runs."""
    est, _ = models["transformer"]
    save_model(est, tmp_path / "good.glsm")
    marker = tmp_path / "pwned"
    buffer = io.BytesIO()
    torch.save({"estimator": _Payload(marker)}, buffer)
    evil = _rewrite(tmp_path / "good.glsm", tmp_path / "evil.glsm", weights=buffer.getvalue())
    with pytest.raises(ValueError, match="objects other than tensors; they were refused"):
        load_model(evil)
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(_Payload(marker)))
    joblib.dump(_Payload(marker), tmp_path / "evil.joblib")
    torch.save(_Payload(marker), tmp_path / "evil.pt")
    for name in ("evil.pkl", "evil.joblib", "evil.pt"):
        with pytest.raises(ValueError, match="not a model written by sklearn_glsm.save_model"):
            load_model(tmp_path / name)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda m: m["estimator"].update({"class": "Popen"}), "class 'Popen'"),
        (lambda m: m["estimator"]["fitted"].update({"__class__": 1}), "'__class__'"),
        (lambda m: m["estimator"]["params"].update({"width": -3}), "'width'"),
        (lambda m: m["estimator"]["params"].update({"width": 8}), "do not fit the network"),
        (lambda m: m.update({"format_version": 99}), "format version 99"),
    ],
    ids=["class", "dunder-attribute", "invalid-param", "other-architecture", "format"],
)
def test_load_refuses_a_tampered_description(models, tmp_path, edit, match):
    """Only sklearn_glsm's estimators are created, with valid parameters and plain attribute
    names, and the weights must fit the network the parameters describe."""
    save_model(models["transformer"][0], tmp_path / "good.glsm")
    with zipfile.ZipFile(tmp_path / "good.glsm") as archive:
        meta = json.loads(archive.read("model.json"))
    edit(meta)
    with pytest.raises(ValueError, match=match):
        load_model(_rewrite(tmp_path / "good.glsm", tmp_path / "bad.glsm", meta=meta))


def test_load_warns_about_another_version(models, tmp_path):
    """A file from another sklearn_glsm version loads with a warning naming it."""
    save_model(models["transformer"][0], tmp_path / "good.glsm")
    with zipfile.ZipFile(tmp_path / "good.glsm") as archive:
        meta = json.loads(archive.read("model.json"))
    meta["sklearn_glsm_version"] = "0.0.1"
    path = _rewrite(tmp_path / "good.glsm", tmp_path / "old.glsm", meta=meta)
    with pytest.warns(UserWarning, match=r"saved with sklearn_glsm 0\.0\.1"):
        load_model(path)


def test_save_refuses_what_it_cannot_store(data, tmp_path):
    """Estimators outside sklearn_glsm are named, not pickled."""
    pipe = make_pipeline(StandardScaler(), fast(GLSMClassifier, finetune_epochs=2))
    with pytest.raises(TypeError, match="StandardScaler, which save_model cannot store"):
        save_model(pipe, tmp_path / "model.glsm")
    with pytest.raises(TypeError, match="teacher is a StandardScaler"):
        save_model(GLSMClassifier(teacher=StandardScaler()), tmp_path / "model.glsm")


def test_save_load_with_the_derivative_teacher(data, tmp_path):
    """The built-in teacher is a name, so save_model stores the classifier; the fitted
    teacher only acts in fit and is left out."""
    X, y = data[:2]
    y_semi = np.where(np.arange(len(y)) < 20, y, -1)
    clf = fast(GLSMClassifier, teacher="derivative", finetune_epochs="auto",
               pretrain_epochs=0).fit(X, y_semi)
    save_model(clf, tmp_path / "model.glsm")
    loaded = load_model(tmp_path / "model.glsm")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.teacher == "derivative" and not hasattr(loaded, "teacher_")
    assert loaded.n_pseudo_labels_ == clf.n_pseudo_labels_ > 0
    # The net is rebuilt with the epochs "auto" chose, also from a file written before
    # finetune_epochs_ was stored.
    assert loaded.finetune_epochs_ == loaded.net_.max_epochs == 30
    with zipfile.ZipFile(tmp_path / "model.glsm") as archive:
        meta = json.loads(archive.read("model.json"))
    del meta["estimator"]["fitted"]["finetune_epochs_"]
    older = load_model(_rewrite(tmp_path / "model.glsm", tmp_path / "older.glsm", meta=meta))
    assert older.net_.max_epochs == 30
    np.testing.assert_array_equal(older.predict_proba(X), clf.predict_proba(X))


def test_save_load_with_a_network_input(data, tmp_path):
    """A classifier with a network_input (and the linear path, whose width is the
    network's input length) is stored and predicts the same once loaded."""
    X, y, wavenumbers = data
    y_semi = np.where(np.arange(len(y)) < 20, y, -1)
    resample = WavenumberResampler(wavenumbers=wavenumbers, target=wavenumbers[::2])
    clf = fast(GLSMClassifier, network_input=resample, linear_skip=True,
               finetune_epochs=2).fit(X, y_semi)
    save_model(clf, tmp_path / "model.glsm")
    loaded = load_model(tmp_path / "model.glsm")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert isinstance(loaded.network_input_, WavenumberResampler)


def test_pickle_from_before_network_input_loads(models, data):
    """A classifier pickled before ``network_input`` and ``adapt_epochs`` existed gets
    None and 0, which behave as it did."""
    classifier = models["classifier-linear-skip"][0]
    state = classifier.__getstate__()
    del state["network_input"], state["adapt_epochs"]
    old = GLSMClassifier.__new__(GLSMClassifier)
    old.__setstate__(state)
    assert clone(old).network_input is None and old.adapt_epochs == 0
    np.testing.assert_array_equal(old.predict_proba(data[0]), classifier.predict_proba(data[0]))


# -- reproducibility -------------------------------------------------------------------


def test_fits_are_identical_whatever_ran_in_between(data):
    """Fit A, fit B (another seed and settings), fit A again: the two A are bit-identical."""
    X, y, _ = data
    params = dict(finetune_epochs=3)
    first = fast(GLSMClassifier, **params).fit(X, y).predict_proba(X)
    other = fast(GLSMClassifier, random_state=1, dropout=0.3, **params).fit(X, y)
    fast(GLSMTransformer, random_state=2).fit(X)
    again = fast(GLSMClassifier, **params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(again, first)
    assert not np.array_equal(other.predict_proba(X), first)


def test_grid_search_refit_equals_a_manual_fit(data):
    """GridSearchCV's best_estimator_ is bit-identical to a fit with the best parameters."""
    X, y, _ = data
    base = fast(GLSMClassifier, finetune_epochs=3, pretrain_epochs=0)
    search = GridSearchCV(base, {"dropout": [0.0, 0.3]}, cv=2).fit(X, y)
    manual = clone(base).set_params(**search.best_params_).fit(X, y)
    np.testing.assert_array_equal(
        search.best_estimator_.predict_proba(X), manual.predict_proba(X)
    )


def test_a_probe_saved_when_it_read_the_embedding_loads_reading_it(data, transformer, tmp_path):
    """A ``finetune="head"`` classifier saved when its head read the embedding (before
    it read the pooled features) loads with a head of that width, predicting the same."""
    X, y, _ = data
    clf = fast(GLSMClassifier, pretrained=transformer, finetune="head",
               finetune_epochs=2).fit(X, y)
    module = clf.net_.module_
    # The module as such a file describes it: a head on the n_components-wide embedding.
    module.head_on_features = False
    with torch.random.fork_rng():
        torch.manual_seed(0)
        module.head = ClassificationHead(module.encoder.fc.out_features, 2)
    expected = clf.predict_proba(X)
    save_model(clf, tmp_path / "old_probe.glsm")
    loaded = load_model(tmp_path / "old_probe.glsm")
    assert loaded.net_.module_.head_on_features is False
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
