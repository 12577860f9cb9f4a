"""Figures of a GLSM fit: training curves, views, reconstructions, embeddings,
confusion matrices.

matplotlib is an optional dependency (``pip install sklearn-glsm[plots]``);
it is imported when a function is called.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted


def _axes(ax, figsize=(6, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_history(estimator, ax=None):
    """Training curves from ``history_``: both pretext losses and fine-tuning.

    Pretraining contributes the global loss (view transformation, an InfoNCE
    cross-entropy, ``log(batch_size)`` at chance) and the local loss (mean
    squared reconstruction error in SNV units); a classifier's fine-tuning
    adds its training loss and, when unlabeled rows took part, the
    pseudo-label term. The stages follow each other along one epoch axis,
    separated by a dotted line; the loss axis is logarithmic.

    Parameters
    ----------
    estimator : GLSMTransformer or GLSMClassifier
        A fitted estimator.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.
    """
    check_is_fitted(estimator)
    ax = _axes(ax, (7, 4))
    curves = {
        "pretrain": [
            ("global_loss", "pretraining: global (view transformation)", "C0"),
            ("local_loss", "pretraining: local (reconstruction)", "C1"),
        ],
        "finetune": [
            ("train_loss", "fine-tuning: total training loss", "C3"),
            ("pseudo_loss", "fine-tuning: pseudo-label term", "C2"),
        ],
    }
    names = {"pretrain": "pretraining", "finetune": "fine-tuning"}
    offset, spans = 0, []
    for stage, rows in estimator.history_.items():
        if not rows:
            continue
        epochs = np.arange(1, len(rows) + 1) + offset
        for key, label, color in curves.get(stage, [("train_loss", f"{stage}: loss", None)]):
            if key not in rows[0]:
                continue
            values = np.array([row[key] for row in rows], dtype=float)
            values[values <= 0] = np.nan  # a silent pseudo-label term has no log
            if np.isnan(values).all():
                continue
            ax.plot(epochs, values, color=color, lw=1.5, label=label)
        if offset:
            ax.axvline(offset + 0.5, color="0.6", ls=":", lw=1)
        spans.append((names.get(stage, stage), offset + 0.5 * (len(rows) + 1)))
        offset += len(rows)
    if len(spans) > 1:  # name the stages above the axes
        for name, middle in spans:
            ax.text(middle, 1.01, name, transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=8, color="0.3")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Training loss (log scale)")
    ax.set_yscale("log")
    # Plain numbers (0.3, 2) rather than 3x10^-1 on the log axis. Minor ticks are
    # labelled only when the axis spans less than a decade: 2, 3 and 5 times a
    # power of ten, or every one on a very short axis.
    from matplotlib.ticker import FuncFormatter

    def minor_label(value, _):
        low, high = ax.get_ylim()
        if high >= 10 * low or value <= 0:
            return ""
        mantissa = round(value / 10 ** np.floor(np.log10(value)))
        return f"{value:.2g}" if high < 2 * low or mantissa in (2, 3, 5) else ""

    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.2g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(minor_label))
    ax.legend(fontsize=8)
    ax.set_title("GLSM training curves", pad=16 if len(spans) > 1 else None)
    return ax


def plot_reconstruction(transformer, X, wavenumbers=None, *, noise=0.0, index=0,
                        random_state=0, ax=None):
    """Original, noisy and reconstructed spectrum of one row of ``X``.

    Parameters
    ----------
    transformer : GLSMTransformer
        A fitted transformer trained with the local task.
    X : array-like of shape (n_spectra, n_points)
        Spectra on the transformer's axis.
    wavenumbers : array-like of shape (n_points,), optional
        The axis in cm^-1; point indices when omitted.
    noise : float, default=0.0
        Gaussian noise added before reconstruction, relative to the
        spectrum's standard deviation.
    index : int, default=0
        Row of ``X`` to show.
    random_state : int, default=0
        Seed of the added noise.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.
    """
    x = np.asarray(X, dtype=float)[index : index + 1]
    rng = np.random.default_rng(random_state)
    noisy = x + noise * x.std() * rng.standard_normal(x.shape)
    recon = transformer.reconstruct(noisy)
    axis = np.arange(x.shape[1]) if wavenumbers is None else np.asarray(wavenumbers)
    ax = _axes(ax, (8, 4))
    if noise > 0:
        ax.plot(axis, noisy[0], color="0.7", lw=0.8, label=f"noisy input (noise {noise:g} sd)")
    ax.plot(axis, x[0], color="k", lw=1.2, label="original")
    ax.plot(axis, recon[0], color="C3", lw=1.2, ls="--", label="reconstructed")
    ax.set_xlabel("Wavenumber (cm$^{-1}$)" if wavenumbers is not None else "Point")
    ax.set_ylabel("Intensity")
    ax.legend(fontsize=8)
    ax.set_title("Local task: denoising reconstruction")
    return ax


def plot_views(estimator, X, wavenumbers=None, *, index=0, n_views=2, random_state=0, ax=None):
    """The random views of one spectrum that the global task compares.

    Views are drawn with the estimator's augmentation strengths (shift,
    stretch, scale, baseline, view_noise) on the SNV-normalised spectrum;
    it need not be fitted.

    Parameters
    ----------
    estimator : GLSMTransformer or GLSMClassifier
        Supplies the view strengths.
    X : array-like of shape (n_spectra, n_points)
        Spectra.
    wavenumbers : array-like of shape (n_points,), optional
        The axis in cm^-1.
    index : int, default=0
        Row of ``X`` to show.
    n_views : int, default=2
        Number of views.
    random_state : int, default=0
        Seed of the views (the global torch state is left untouched).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.
    """
    from ..nn import snv

    x = torch.as_tensor(np.asarray(X, dtype=np.float32)[index : index + 1])
    clean = snv(x)[0]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(random_state)
        views = [snv(estimator._views()(clean))[0][0].numpy() for _ in range(n_views)]
    axis = np.arange(x.shape[1]) if wavenumbers is None else np.asarray(wavenumbers)
    ax = _axes(ax, (8, 4))
    ax.plot(axis, clean[0].numpy(), color="k", lw=1.2, label="original (SNV)")
    for i, v in enumerate(views, 1):
        ax.plot(axis, v + 0.0, lw=0.9, alpha=0.85, label=f"view {i}")
    ax.set_xlabel("Wavenumber (cm$^{-1}$)" if wavenumbers is not None else "Point")
    ax.set_ylabel("SNV intensity")
    ax.legend(fontsize=8)
    ax.set_title(f"Global task: {n_views} random views of one spectrum")
    return ax


def plot_embedding(Z, y, *, method="pca", random_state=0, ax=None):
    """2-D map of embeddings coloured by class.

    Parameters
    ----------
    Z : array-like of shape (n_spectra, n_dims)
        Features or embeddings, e.g. ``GLSMTransformer.transform(X)`` (the
        encoder's pooled features) or ``GLSMTransformer.embed(X)``.
    y : array-like of shape (n_spectra,)
        Class of each spectrum (``-1`` rows are drawn in grey as unlabeled).
    method : {"pca", "tsne"}, default="pca"
        Projection to 2-D.
    random_state : int, default=0
        Seed of t-SNE.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE
    from sklearn.preprocessing import StandardScaler

    Z = StandardScaler().fit_transform(np.asarray(Z, dtype=float))
    if method == "tsne":
        P = TSNE(2, random_state=random_state, init="pca").fit_transform(Z)
    elif method == "pca":
        P = PCA(2).fit_transform(Z)
    else:
        raise ValueError(f"method must be 'pca' or 'tsne', got {method!r}.")
    y = np.asarray(y).astype(str)
    ax = _axes(ax, (6, 5))
    unl = y == "-1"
    if unl.any():
        ax.scatter(*P[unl].T, s=6, color="0.8", label="unlabeled")
    for c in np.unique(y[~unl]):
        ax.scatter(*P[y == c].T, s=10, label=c)
    axis_name = {"pca": "principal component", "tsne": "t-SNE"}[method]
    ax.set_xlabel(f"{axis_name} 1")
    ax.set_ylabel(f"{axis_name} 2")
    ax.legend(fontsize=8, markerscale=2)
    ax.set_title(f"Learned embedding ({method.upper() if method == 'pca' else 't-SNE'})")
    return ax


def plot_confusion_matrix(estimator, X, y, ax=None, *, normalize=None, labels=None,
                          xticks_rotation="horizontal", cmap="Blues", colorbar=False):
    """Confusion matrix of a fitted classifier on labeled spectra.

    A thin wrapper of :meth:`sklearn.metrics.ConfusionMatrixDisplay.from_predictions`
    that predicts once and puts the accuracy in the title.

    Parameters
    ----------
    estimator : classifier
        A fitted classifier, e.g. :class:`~sklearn_glsm.GLSMClassifier` or a
        pipeline ending in one.
    X : array-like of shape (n_spectra, n_points)
        Spectra, typically held-out test spectra.
    y : array-like of shape (n_spectra,)
        Their true classes. Pass labeled rows only: a row marked unlabeled
        counts as a class of its own.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    normalize : {"true", "pred", "all"} or None, default=None
        Normalise the counts over the true classes (rows), the predicted
        classes (columns) or all spectra; ``None`` shows counts.
    labels : array-like of shape (n_classes,), optional
        Classes to show and their order; by default every class in ``y`` or
        in the predictions.
    xticks_rotation : {"horizontal", "vertical"} or float, default="horizontal"
        Rotation of the predicted-class labels; long class names read
        better at 45 degrees.
    cmap : str or matplotlib Colormap, default="Blues"
        Colour map of the cells.
    colorbar : bool, default=False
        Draw a colour bar.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on; ``ax.images[0]`` is the matrix.

    See Also
    --------
    sklearn.metrics.ConfusionMatrixDisplay : The display used.
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    check_is_fitted(estimator)
    y = np.asarray(y)
    y_pred = estimator.predict(X)
    ax = _axes(ax, (5.5, 5))
    ConfusionMatrixDisplay.from_predictions(
        y, y_pred, labels=labels, normalize=normalize, ax=ax, cmap=cmap,
        colorbar=colorbar, xticks_rotation=xticks_rotation,
        values_format=".2f" if normalize else None,
    )
    accuracy = np.mean(y_pred == y)
    ax.set_title(f"Confusion matrix: accuracy {accuracy:.3f} on {len(y)} spectra")
    return ax
