"""GLSMTransformer: self-supervised pretraining on unlabeled spectra."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ._base import (
    GLSMBase,
    epoch_history,
    fill_doc,
    resolve_device,
    seeded,
    unchanged_on_error,
)


@fill_doc
class GLSMTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, GLSMBase):
    """Pretrain a spectrum encoder on unlabeled spectra; transform to its features.

    ``fit`` trains the encoder with GLSM's two self-supervised tasks: the
    *global* task (two random views of a spectrum, differing in axis shift
    and stretch, intensity, baseline and noise, must be transformable into
    each other) and the *local* task (a noisy spectrum must be decoded back
    to the clean one). ``transform`` returns the encoder's pooled features
    (for any scikit-learn estimator downstream), ``embed`` the embedding the
    pretext tasks compare, ``reconstruct`` denoised spectra.

    Labels are never used. A fitted transformer can be handed to
    :class:`GLSMClassifier` through ``pretrained=`` to fine-tune its encoder
    on a few labels, on this data set or another one.

    Parameters
    ----------
{pretrain_params}

    Attributes
    ----------
    net_ : PretextNet
        The fitted skorch net; ``net_.module_`` is the
        :class:`~sklearn_glsm.nn.GLSMPretextModule`.
    history_ : dict
        ``{"pretrain": [...]}``: one dict per epoch with ``train_loss``,
        ``global_loss``, ``local_loss`` and ``dur`` (seconds).
    n_features_in_ : int
        Number of points per spectrum seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X``, when it had string column names.
    device_ : str
        Device the net was trained on.

    See Also
    --------
    GLSMClassifier : Few-label classifier fine-tuned from this encoder.

    Examples
    --------
    >>> from sklearn_glsm import GLSMTransformer
    >>> from sklearn_glsm.datasets import make_spectra
    >>> X, y, wavenumbers = make_spectra(n_samples=60, n_features=128, random_state=0)
    >>> glsm = GLSMTransformer(n_components=8, width=4, depth=2, pretrain_epochs=2,
    ...                        random_state=0)
    >>> glsm.fit_transform(X).shape  # 4 * width channels at n_positions=16 bins
    (60, 256)
    >>> glsm.embed(X).shape
    (60, 8)
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Pretrain the encoder on spectra ``X``; labels are ignored.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_points)
            Unlabeled spectra on one wavenumber axis, raw intensities.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : GLSMTransformer
            The fitted transformer.

        Raises
        ------
        FloatingPointError
            If a loss stops being finite. On this or any other error, and on
            KeyboardInterrupt, the transformer is left as it was before the call.
        """
        with unchanged_on_error(self):
            X = self._validate_X(X, reset=True)
            device = resolve_device(self.device)
            with seeded(self.random_state, device):
                self.net_ = self._pretrain(X.astype(np.float32, copy=False), device)
            self.device_ = device
            self.history_ = {"pretrain": epoch_history(self.net_)}
        return self

    @property
    def _n_features_out(self) -> int:
        # Read off the fitted encoder (get_feature_names_out), so a transformer
        # pickled before transform returned the pooled features names them right.
        return self.net_.module_.encoder.n_features

    def transform(self, X):
        """Encode spectra with the pretrained encoder: its pooled features.

        The features are the encoder's last feature map, average-pooled onto
        ``n_positions`` bins along the axis and flattened (``4 * width *
        n_positions`` values with ``depth >= 2``; 1024 by default), the
        input of the linear layer whose ``n_components``-dimensional output
        the pretext tasks compare and decode. That layer plays the part of a
        contrastive projection head: its output is pressed to ignore the
        views' differences and to tell every spectrum apart, and a
        classifier on it does worse than on the features below it (logistic
        regression on 5 labels per class: by 9 to 21 points on the test part
        of the benchmark's three semi-supervised sets; see the benchmarks
        page).

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_points)
            Spectra on the axis seen in ``fit``.

        Returns
        -------
        X_new : ndarray of shape (n_spectra, n_features)
            The pooled features, in the floating dtype of ``X``.
        """
        return self._apply("features", X)

    def embed(self, X):
        """The ``n_components``-dimensional embedding the pretext tasks act on.

        A linear map of :meth:`transform`'s features, shaped by the global
        task to be the same for two views of one spectrum and different for
        any two spectra: for looking at what pretraining learned, not for
        classifying (use :meth:`transform`).

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_points)
            Spectra on the axis seen in ``fit``.

        Returns
        -------
        Z : ndarray of shape (n_spectra, n_components)
            Embeddings, in the floating dtype of ``X``.
        """
        return self._apply("embed", X)

    def reconstruct(self, X):
        """Denoise spectra with the local task's decoder.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_points)
            Spectra on the axis seen in ``fit``, raw intensities.

        Returns
        -------
        X_denoised : ndarray of shape (n_spectra, n_points)
            Reconstructed spectra on the intensity scale of ``X``.
        """
        check_is_fitted(self)
        if self.local_weight == 0 or self.pretrain_epochs == 0:
            raise ValueError(
                "reconstruct needs the local (denoising) task: this transformer "
                f"was fitted with local_weight={self.local_weight} and "
                f"pretrain_epochs={self.pretrain_epochs}."
            )
        return self._apply("reconstruct", X)

    def _apply(self, method: str, X) -> np.ndarray:
        """The fitted pretext module's ``method`` on validated spectra ``X``, in
        batches, in the floating dtype of ``X``."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        out = self._map_batches(self.net_, getattr(self.net_.module_, method), X)
        return out.astype(X.dtype, copy=False)
