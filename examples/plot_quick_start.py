"""
===========
Quick start
===========

The shortest useful path through ``sklearn_glsm``: synthetic Raman-like
spectra, **3 labels per class**, every other spectrum unlabeled (``y = -1``),
one :class:`~sklearn_glsm.GLSMClassifier` that pretrains on all spectra and
fine-tunes on the labeled ones (and on those its teacher labels), then its
accuracy, the views its global pretext task compares, its training curves and
a confusion matrix.

Everything runs on a CPU in about a minute; ``device="auto"`` (the default)
would train on a GPU if torch saw one.
"""

# %%
# Spectra with few labels
# -----------------------
# :func:`~sklearn_glsm.datasets.make_spectra` draws spectra of four classes,
# each a sum of bands, with the nuisances of real measurements: band shifts,
# varying band heights, a fluorescence-like baseline, noise and the odd
# cosmic-ray spike. It returns the spectra, their classes and the wavenumber
# axis.
from time import perf_counter

import matplotlib.pyplot as plt
import numpy as np

from sklearn_glsm.datasets import hide_labels, make_spectra

t_start = perf_counter()
X, y, wavenumbers = make_spectra(n_samples=800, n_features=400, n_classes=4, random_state=0)
print(f"{X.shape[0]} spectra of {X.shape[1]} points, classes {np.unique(y)}")

fig, ax = plt.subplots(figsize=(8, 4))
for label in np.unique(y):
    ax.plot(wavenumbers, X[y == label][0], lw=1, label=f"class {label}")
ax.set_xlabel("Wavenumber (cm⁻¹)")
ax.set_ylabel("Intensity (a.u.)")
ax.set_title("One spectrum of each class: bands on a varying baseline")
ax.legend(fontsize="small")
fig.tight_layout()

# %%
# A quarter of the spectra is held out for testing. Of the rest,
# :func:`~sklearn_glsm.datasets.hide_labels` keeps 3 labels per class and
# writes ``-1``, the marker of an unlabeled row (as in
# :mod:`sklearn.semi_supervised`), into every other one.
from sklearn.model_selection import train_test_split

X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
y_semi = hide_labels(y_train, 3, random_state=0)
n_labeled = int(np.sum(y_semi != -1))
print(f"{n_labeled} labeled and {len(y_semi) - n_labeled} unlabeled training spectra")

# %%
# What the global pretext task compares
# -------------------------------------
# Pretraining draws two random *views* of every spectrum: the axis shifted and
# stretched a little, a smooth intensity gain, a baseline drift and noise, the
# differences between two measurements of the same sample. The encoder must
# learn features from which one view's embedding can be transformed into the
# other's. :func:`~sklearn_glsm.plotting.plot_views` draws two views of one
# spectrum with an estimator's view strengths (``shift``, ``stretch``,
# ``scale``, ``baseline``, ``view_noise``); here the defaults, exaggerated
# fivefold so the differences are visible at this size.
from sklearn_glsm import GLSMClassifier
from sklearn_glsm.plotting import plot_views

exaggerated = GLSMClassifier(shift=0.05, stretch=0.05, scale=0.5, baseline=0.5, view_noise=0.1)
ax = plot_views(exaggerated, X_train, wavenumbers, index=0)
ax.figure.tight_layout()

# %%
# Pretrain and fine-tune in one ``fit``
# -------------------------------------
# ``fit`` first pretrains the encoder on all 600 training spectra with the two
# self-supervised tasks (no label is used), then fine-tunes it with a
# classification head on the 12 labeled ones and on the unlabeled spectra
# that a linear model on their derivative (the default teacher, fitted on the
# 12 labels) classifies most confidently. The network and the epoch
# counts are much smaller than the defaults so that the example runs in
# about a minute; with real data start from the defaults.
clf = GLSMClassifier(
    n_components=32,
    width=8,
    depth=3,
    pretrain_epochs=15,
    finetune_epochs=60,
    random_state=0,
)
tic = perf_counter()
clf.fit(X_train, y_semi)
print(f"Fitted in {perf_counter() - tic:.0f} s on {clf.device_}")
print(f"Test accuracy with 3 labels per class: {clf.score(X_test, y_test):.3f}")

# %%
# For comparison, what a chemometrician would fit on the same 12 labels:
# standard normal variate (SNV), then logistic regression.
from chemotools.scatter import StandardNormalVariate
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

labeled = y_semi != -1
baseline = make_pipeline(StandardNormalVariate(), LogisticRegression(max_iter=2000))
baseline.fit(X_train[labeled], y_train[labeled])
print(f"SNV + logistic regression on the 12 labels: {baseline.score(X_test, y_test):.3f}")

# %%
# On these synthetic spectra SNV removes most of the nuisance variation, so a
# linear model on 12 labels is a strong baseline, and a network this small,
# pretrained for 15 epochs, is not expected to beat it by much, if at all. The
# point here is the workflow; :doc:`/benchmarks` has measured comparisons on
# real spectra with the default settings.

# %%
# Training curves
# ---------------
# :func:`~sklearn_glsm.plotting.plot_history` draws ``history_``: the two
# pretext losses during pretraining (global: view transformation; local:
# reconstruction), then the fine-tuning loss, along one epoch axis.
from sklearn_glsm.plotting import plot_history

ax = plot_history(clf)
ax.figure.tight_layout()

# %%
# Confusion matrix
# ----------------
# :func:`~sklearn_glsm.plotting.plot_confusion_matrix` predicts the test
# spectra and draws scikit-learn's
# :class:`~sklearn.metrics.ConfusionMatrixDisplay`.
from sklearn_glsm.plotting import plot_confusion_matrix

ax = plot_confusion_matrix(clf, X_test, y_test)
ax.figure.tight_layout()

print(f"\nTotal run time: {perf_counter() - t_start:.0f} s")
plt.show()
