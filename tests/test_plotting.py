"""The plotting helpers draw what they claim on a fitted estimator."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from sklearn_glsm import GLSMClassifier, GLSMTransformer  # noqa: E402
from sklearn_glsm.datasets import hide_labels, make_spectra  # noqa: E402
from sklearn_glsm.plotting import (  # noqa: E402
    plot_embedding,
    plot_history,
    plot_reconstruction,
    plot_views,
)

from ._instances import fast  # noqa: E402


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
    assert any("finetune" in s for s in labels)
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
