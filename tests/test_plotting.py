"""The plotting helpers draw what they claim on a fitted estimator."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from sklearn_glsm import GLSMClassifier, GLSMTransformer  # noqa: E402
from sklearn_glsm.datasets import hide_labels, make_spectra  # noqa: E402
from sklearn_glsm.plotting import (  # noqa: E402
    plot_confusion_matrix,
    plot_embedding,
    plot_history,
    plot_reconstruction,
    plot_views,
)

from ._instances import fast  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    """Every test's figures are closed after it, so none accumulate."""
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture(scope="module")
def fitted():
    X, y, wn = make_spectra(n_samples=60, n_features=96, n_classes=3, random_state=0)
    clf = fast(GLSMClassifier, finetune_epochs=3).fit(X, hide_labels(y, 5, random_state=0))
    glsm = fast(GLSMTransformer).fit(X)
    return X, y, wn, clf, glsm


def test_plot_history_has_both_pretext_curves_and_finetuning(fitted):
    """One line per pretext loss plus the fine-tuning loss, over all epochs."""
    *_, clf, _ = fitted
    ax = plot_history(clf)
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert any("global" in s for s in labels) and any("local" in s for s in labels)
    assert any("fine-tuning" in s for s in labels)
    n_epochs = len(clf.history_["pretrain"]) + len(clf.history_["finetune"])
    assert max(np.max(line.get_xdata()) for line in ax.get_lines()) == n_epochs


def test_plot_reconstruction_draws_three_spectra_on_the_axis(fitted):
    X, _, wn, _, glsm = fitted
    ax = plot_reconstruction(glsm, X, wn, noise=0.2)
    assert len(ax.get_lines()) == 3
    np.testing.assert_allclose(ax.get_lines()[1].get_xdata(), wn)
    assert "cm" in ax.get_xlabel()


def test_plot_views_differ_from_each_other(fitted):
    X, _, wn, _, glsm = fitted
    ax = plot_views(glsm, X, wn, n_views=2)
    v1, v2 = (line.get_ydata() for line in ax.get_lines()[1:])
    assert not np.allclose(v1, v2)


def test_plot_embedding_one_collection_per_class_and_unlabeled(fitted):
    X, y, _, _, glsm = fitted
    y_semi = hide_labels(y, 5, random_state=0)
    ax = plot_embedding(glsm.transform(X), y_semi)
    assert len(ax.collections) == len(np.unique(y)) + 1
    with pytest.raises(ValueError, match="method"):
        plot_embedding(glsm.transform(X), y, method="umap")


def _labels(ax):
    return [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]


def test_plot_history_values_are_the_recorded_losses(fitted):
    """Each curve is the history column it names, epoch by epoch, pretraining first."""
    *_, clf, _ = fitted
    ax = plot_history(clf)
    lines = {line.get_label(): line for line in ax.get_lines()}
    pretrain, finetune = clf.history_["pretrain"], clf.history_["finetune"]
    for label, key in [("pretraining: global (view transformation)", "global_loss"),
                       ("pretraining: local (reconstruction)", "local_loss")]:
        np.testing.assert_allclose(lines[label].get_ydata(), [r[key] for r in pretrain])
        np.testing.assert_array_equal(lines[label].get_xdata(), np.arange(1, len(pretrain) + 1))
    finetune_line = lines["fine-tuning: total training loss"]
    np.testing.assert_allclose(finetune_line.get_ydata(), [r["train_loss"] for r in finetune])
    assert finetune_line.get_xdata()[0] == len(pretrain) + 1
    assert ax.get_yscale() == "log" and ax.get_legend() is not None


def test_plot_history_of_a_transformer_has_only_the_pretext_curves(fitted):
    *_, glsm = fitted
    labels = _labels(plot_history(glsm))
    assert len(labels) == 2 and all(s.startswith("pretraining") for s in labels)


def test_plot_history_without_pretraining_has_only_finetuning(fitted):
    """``pretrained=`` leaves the pretraining history empty: one curve from epoch 1."""
    X, y, _, _, glsm = fitted
    clf = fast(GLSMClassifier, pretrained=glsm, finetune_epochs=3).fit(X, y)
    ax = plot_history(clf)
    assert _labels(ax) == ["fine-tuning: total training loss"]
    assert ax.get_lines()[0].get_xdata()[0] == 1


def test_plot_history_skips_a_silent_pseudo_label_term(fitted):
    """A pseudo-label term that stayed 0 has no log; a positive one is drawn."""
    import copy

    *_, clf, _ = fitted

    def with_pseudo(values):
        stand_in = copy.copy(clf)
        stand_in.history_ = {
            "pretrain": [],
            "finetune": [{"train_loss": 1.0, "pseudo_loss": v} for v in values],
        }
        return stand_in

    assert _labels(plot_history(with_pseudo([0.0, 0.0]))) == ["fine-tuning: total training loss"]
    assert "fine-tuning: pseudo-label term" in _labels(plot_history(with_pseudo([0.0, 0.5])))


def test_plot_history_needs_a_fitted_estimator():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        plot_history(GLSMClassifier())


def test_plot_confusion_matrix_counts_the_predictions(fitted):
    X, y, _, clf, _ = fitted
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    fig, ax = plt.subplots()
    assert plot_confusion_matrix(clf, X, y, ax=ax) is ax
    np.testing.assert_array_equal(ax.images[0].get_array(),
                                  confusion_matrix(y, clf.predict(X)))
    accuracy = np.mean(clf.predict(X) == y)
    assert f"{accuracy:.3f}" in ax.get_title()
    assert ax.get_xlabel() == "Predicted label" and ax.get_ylabel() == "True label"
    plt.close(fig)


def test_plot_confusion_matrix_normalized_rows_sum_to_one(fitted):
    X, y, _, clf, _ = fitted
    ax = plot_confusion_matrix(clf, X, y, normalize="true", colorbar=True)
    np.testing.assert_allclose(np.asarray(ax.images[0].get_array()).sum(axis=1), 1.0)
    assert len(ax.figure.axes) == 2  # the matrix and its colour bar


def test_plot_confusion_matrix_of_a_pipeline_with_string_labels(fitted):
    """Any fitted classifier works, e.g. a pipeline, with string class names."""
    X, y, wn, *_ = fitted
    from sklearn.pipeline import make_pipeline

    from sklearn_glsm.preprocessing import WavenumberResampler

    names = np.array(["PE", "PP", "PS"])[y]
    model = make_pipeline(WavenumberResampler(wavenumbers=wn, target=wn),
                          fast(GLSMClassifier, finetune_epochs=3)).fit(X, names)
    ax = plot_confusion_matrix(model, X, names, labels=["PS", "PP", "PE"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["PS", "PP", "PE"]


def test_plot_confusion_matrix_needs_a_fitted_estimator(fitted):
    from sklearn.exceptions import NotFittedError

    X, y, *_ = fitted
    with pytest.raises(NotFittedError):
        plot_confusion_matrix(GLSMClassifier(), X, y)


def test_plot_history_loss_axis_reads_as_plain_numbers(fitted):
    """Tick labels like 0.1 and 2, not 10^-1 or 2x10^0, and some on every axis."""
    *_, clf, glsm = fitted
    for estimator in (clf, glsm):
        ax = plot_history(estimator)
        ax.figure.canvas.draw()
        labels = [t.get_text() for t in ax.get_yticklabels(minor=False)]
        labels += [t.get_text() for t in ax.get_yticklabels(minor=True)]
        shown = [s for s in labels if s]
        assert shown and not any("^" in s or "times" in s for s in shown)
        for s in shown:
            float(s)
