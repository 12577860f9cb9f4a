"""GLSMClassifier: few-label fine-tuning of a GLSM-pretrained encoder."""

from __future__ import annotations

import copy
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from torch.utils.data import WeightedRandomSampler

from ._base import (
    GLSMBase,
    check_float32_range,
    epoch_history,
    fill_doc,
    resolve_device,
    seeded,
    unchanged_on_error,
)
from ._teacher import derivative_teacher_for
from .nn import GLSMClassifierModule, SpectrumEncoder
from .pretext import FinetuneNet


def unlabeled_mask(y: np.ndarray, marker=-1) -> np.ndarray:
    """Rows of ``y`` equal to ``marker`` or to its string form.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Targets as numbers, strings or objects.
    marker : int, str or None, default=-1
        The label of unlabeled rows; ``None`` means every row is labeled.

    Returns
    -------
    ndarray of bool, shape (n_samples,)
    """
    y = np.asarray(y)
    if marker is None:
        return np.zeros(len(y), dtype=bool)
    if y.dtype.kind in "iuf":
        return y == marker if not isinstance(marker, str) else np.zeros(len(y), dtype=bool)
    if y.dtype.kind == "U":
        return y == str(marker)
    return np.fromiter((v == marker or v == str(marker) for v in y), dtype=bool, count=len(y))


def most_confident(proba: np.ndarray, fraction: float) -> np.ndarray:
    """Rows among the most confident ``fraction`` of those predicted as each class.

    Parameters
    ----------
    proba : ndarray of shape (n_rows, n_classes)
        Predicted class probabilities.
    fraction : float
        Share of each predicted class to keep, rounded up.

    Returns
    -------
    ndarray of int
        Sorted row indices.
    """
    pred, confidence = proba.argmax(axis=1), proba.max(axis=1)
    keep = []
    for c in np.unique(pred):
        rows = np.flatnonzero(pred == c)
        order = rows[np.argsort(-confidence[rows], kind="stable")]
        keep.append(order[: int(np.ceil(fraction * len(rows)))])
    return np.sort(np.concatenate(keep)) if keep else np.zeros(0, dtype=np.intp)


@fill_doc
class GLSMClassifier(ClassifierMixin, GLSMBase):
    """Few-label spectrum classifier: GLSM pretraining, then fine-tuning.

    ``fit(X, y)`` first pretrains an encoder on *every* row of ``X`` with
    GLSM's two self-supervised tasks (see :class:`GLSMTransformer`), then
    fine-tunes it with a classification head on the labeled rows and on the
    unlabeled rows its teacher labels confidently (``teacher``). Rows whose
    label is ``-1`` are unlabeled, as in :mod:`sklearn.semi_supervised`; with
    string labels, ``"-1"`` (or the integer ``-1`` in an object array) marks
    them. With ``teacher=None`` they are used by pretraining only. Where
    ``-1`` is a real class (labels of ±1), set ``unlabeled=None`` or another
    marker.

    With ``pretrained=<fitted GLSMTransformer>`` the classifier skips
    pretraining and fine-tunes a copy of that encoder instead, whatever data
    it was pretrained on (transfer between instruments or data sets). The
    spectra must then lie on the transformer's axis; put a
    :class:`~sklearn_glsm.preprocessing.WavenumberResampler` in front of the
    classifier to bring them there.

    Parameters
    ----------
    pretrained : GLSMTransformer or None, default=None
        A fitted transformer whose encoder is fine-tuned; its architecture
        and normalisation override this estimator's. ``None`` pretrains
        anew on ``X`` (or, with ``pretrain_epochs=0``, trains from scratch).
        It is never modified, and :func:`~sklearn.base.clone` keeps it
        fitted, so cross-validation and grid searches fine-tune copies of
        the same pretrained encoder.
    adapt_epochs : int, default=0
        With ``pretrained``: epochs of GLSM pretraining that go on from the
        pretrained network (encoder and decoder) on every row of ``X``,
        labeled or not, before fine-tuning, so the encoder adapts to the new
        instrument's or data set's spectra (continued pretraining). The
        pretext settings (views, losses, normalisation) are the pretrained
        transformer's; the learning rate, batch size, device and seed this
        estimator's. 0 fine-tunes the pretrained encoder as it is. On the
        benchmark's four transfer pairs 20 epochs moved the accuracy by less
        than the seed-to-seed spread, in both directions (see the benchmarks
        page): worth validating where unlabeled spectra of the new
        instrument are at hand. Without ``pretrained``, or with a
        transformer whose pretext tasks are both off, it has no effect.
    finetune_epochs : int or "auto", default="auto"
        Epochs of supervised fine-tuning on the labeled (and
        teacher-labeled) rows. ``"auto"`` is 30 when the teacher labeled
        rows, 100 otherwise: the pseudo-labeled rows make each epoch many
        times longer, and on the benchmark 30 such epochs were within a
        point of 100 in every semi-supervised cell, in less time. The
        number used is ``finetune_epochs_``.
    finetune_lr : float or None, default=None
        Learning rate of fine-tuning; ``None`` uses ``lr``.
    finetune : {"full", "head"}, default="full"
        Fine-tune the whole encoder, or freeze it and train only the head
        (a linear probe) on its pooled features, those
        ``GLSMTransformer.transform`` returns.
    finetune_augment : bool, default=True
        Apply the global task's random views to each fine-tuning batch,
        so a few labels see many plausible variants of their spectra.
    dropout : float, default=0.1
        Dropout on the head's input during fine-tuning: the embedding, or
        the pooled features with ``finetune="head"``.
    reset_embedding : bool, default=True
        Re-initialise the encoder's last layer, the linear map from its
        pooled features to the embedding, before fine-tuning a pretrained
        encoder. Pretraining fits that layer to the pretext losses (a linear
        probe on its output classifies poorly); the convolutional features
        below it are what carries over, as with the projection head of
        SimCLR. On the benchmark's development sets the reset gained up to
        2.6 points in 8 of 9 cells (3 data sets, 1, 5 and 10 labels per
        class) and left the ninth level. No effect without pretraining, nor
        with ``finetune="head"``, whose probe reads the features below that
        layer.
    linear_skip : bool, default=False
        Add a linear model on the encoder's input channels (the normalised
        spectrum and, with ``derivative``, its derivative) beside the
        network: its logits are added to the head's and both train together
        on the same augmented views, so the network learns what a linear
        model on the spectrum misses. Trained with ``finetune="head"`` too.
        Without a teacher, on the benchmark's test sets with 1 to 10 labels
        per class, it gained up to 5.6 points on two sets of three and lost
        at most 0.4 on the third; it lost with all labels and on transfer
        (see the benchmarks page).
    unlabeled_weight : float, default=0.0
        Weight of the pseudo-label consistency on unlabeled rows during
        fine-tuning: an unlabeled spectrum the network already classifies
        with confidence ``pseudo_threshold`` must get the same class on a
        random view of it. Each fine-tuning batch is then half labeled, half
        unlabeled rows. 0 (the default) leaves it out: on the benchmark it
        helped one FTIR set with 5 or 10 labels per class, cost about a
        point on the other and about 3 points with 1 label per class (see
        the benchmarks page).
    pseudo_threshold : float, default=0.95
        Confidence a prediction needs to serve as a pseudo-label.
    teacher : "derivative", classifier or None, default="derivative"
        A classifier that labels unlabeled rows for fine-tuning
        (self-training from a teacher); it acts only when ``y`` has
        unlabeled rows. ``fit`` fits it (a clone) on the labeled rows,
        predicts the unlabeled ones, and adds the most confident
        ``teacher_fraction`` of each predicted class to the labels; the
        network then fine-tunes on labels and pseudo-labels alike.
        ``"derivative"``: the built-in teacher,
        :func:`~sklearn_glsm.make_derivative_teacher` (a soft vote of
        logistic regressions on Savitzky-Golay first derivatives) over the
        windows that suit the spectra's noise
        (:func:`~sklearn_glsm.quiet_windows` of all of ``X``, labels
        unused). With few labels a linear model on a derivative is a strong,
        well-regularised classifier of spectra, and the network learns from
        its confident labels: on the benchmark's three test sets, on the
        same pretrained encoders, it raised the mean accuracy over the sets
        by 3.8, 6.4 and 4.9 points at 1, 5 and 10 labels per class against
        ``None`` (see the benchmarks page). Any
        unfitted scikit-learn classifier with ``predict_proba`` works too,
        for example ``make_derivative_teacher()`` over all seven windows,
        which taught better on the smoothest transfer target, or, with
        hundreds of labels per class, an RBF SVM with calibrated
        probabilities, ahead of the linear vote there (see the user
        guide). ``None``: no teacher, fine-tuning on the labeled rows
        alone (faster).
    teacher_fraction : float, default=0.75
        Fraction of the unlabeled rows predicted as each class that the
        teacher labels: the most confident ones. On the benchmark three
        quarters beat a half (by 6.4 points summed over nine cells), and on
        its development rows every row (see the benchmarks page). With a teacher, fine-tuning
        goes through the labeled and the pseudo-labeled rows each epoch, so
        it takes longer. :func:`~sklearn_glsm.save_model` stores a
        classifier with ``teacher="derivative"`` (not the fitted teacher,
        which only acts in ``fit``) and refuses other teachers, which joblib
        pickles.
    network_input : transformer or None, default=None
        A transformer, fitted on ``X`` in ``fit``, that turns the spectra
        into the network's input, for example a
        :class:`~sklearn_glsm.preprocessing.WavenumberResampler` onto a
        coarser axis, so finely sampled spectra train fast while the teacher
        sees them as given: a linear model on a narrow derivative gains from
        the full resolution (on the benchmark's FTIR set sampled every 0.96
        cm⁻¹, with 5 labels per class, the network it taught classified 1.6
        points better than with the teacher on the networks' 4 cm⁻¹ axis;
        see the benchmarks page). ``None`` feeds the network ``X`` itself.
        With ``pretrained``, the transformed spectra must lie on the
        pretrained encoder's axis.
    unlabeled : int, str or None, default=-1
        Label of unlabeled rows; its string form matches too, so ``-1``
        also marks ``"-1"`` among string labels. ``None``: every row is
        labeled.
{pretrain_params}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen among the labeled rows.
    net_ : FinetuneNet
        The fitted skorch classifier net; ``net_.module_`` is the
        :class:`~sklearn_glsm.nn.GLSMClassifierModule`.
    history_ : dict
        ``{"pretrain": [...], "finetune": [...]}``: one dict per epoch with
        ``train_loss`` (and, for pretraining, ``global_loss`` and
        ``local_loss``) and ``dur`` (seconds). ``"pretrain"`` is empty when
        ``pretrained`` is given (it then holds the ``adapt_epochs``) or
        ``pretrain_epochs=0``.
    n_features_in_ : int
        Number of points per spectrum seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X``, when it had string column names.
    device_ : str
        Device the net was trained on.
    teacher_ : estimator
        The fitted clone of ``teacher``; only with a teacher. With
        ``teacher="derivative"`` its ``estimators`` name the windows chosen
        (``"w3"`` is 3 points).
    network_input_ : transformer
        The fitted clone of ``network_input``; only with one.
    n_pseudo_labels_ : int
        Unlabeled rows the teacher labeled for fine-tuning (0 without one).
    finetune_epochs_ : int
        The epochs of fine-tuning: ``finetune_epochs``, or what ``"auto"``
        chose.

    See Also
    --------
    GLSMTransformer : The self-supervised pretraining alone.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_glsm import GLSMClassifier
    >>> from sklearn_glsm.datasets import make_spectra
    >>> X, y, wavenumbers = make_spectra(n_samples=80, n_features=128, random_state=0)
    >>> y_semi = np.where(np.arange(80) < 40, y, -1)   # half unlabeled
    >>> clf = GLSMClassifier(n_components=8, width=4, depth=2, pretrain_epochs=2,
    ...                      finetune_epochs=5, random_state=0).fit(X, y_semi)
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    # Fitted attributes that only act in fit; save_model leaves them out.
    _fit_only_attributes = ("teacher_",)
    _added_params = {**GLSMBase._added_params, "network_input": None, "adapt_epochs": 0}

    _parameter_constraints: dict = {
        **GLSMBase._parameter_constraints,
        "pretrained": [None, HasMethods(["fit", "transform"])],
        "adapt_epochs": [Interval(Integral, 0, None, closed="left")],
        "finetune_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "finetune_lr": [None, Interval(Real, 0, None, closed="neither")],
        "finetune": [StrOptions({"full", "head"})],
        "finetune_augment": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "reset_embedding": ["boolean"],
        "linear_skip": ["boolean"],
        "unlabeled_weight": [Interval(Real, 0, None, closed="left")],
        "pseudo_threshold": [Interval(Real, 0, 1, closed="both")],
        "teacher": [None, StrOptions({"derivative"}), HasMethods(["fit", "predict_proba"])],
        "teacher_fraction": [Interval(Real, 0, 1, closed="right")],
        "network_input": [None, HasMethods(["fit", "transform"])],
        "unlabeled": [None, Integral, str],
    }

    def __init__(
        self,
        *,
        pretrained=None,
        adapt_epochs: int = 0,
        finetune_epochs: int | str = "auto",
        finetune_lr: float | None = None,
        finetune: str = "full",
        finetune_augment: bool = True,
        dropout: float = 0.1,
        reset_embedding: bool = True,
        linear_skip: bool = False,
        unlabeled_weight: float = 0.0,
        pseudo_threshold: float = 0.95,
        teacher="derivative",
        teacher_fraction: float = 0.75,
        network_input=None,
        unlabeled: int | str | None = -1,
        n_components: int = 64,
        width: int = 16,
        depth: int = 4,
        n_positions: int = 16,
        normalize: str = "snv",
        derivative: int = 1,
        derivative_window: int = 11,
        global_weight: float = 1.0,
        local_weight: float = 1.0,
        temperature: float = 0.1,
        global_objective: str = "contrastive",
        projection_head: bool = False,
        shift: float = 0.002,
        stretch: float = 0.002,
        scale: float = 0.1,
        baseline: float = 0.1,
        view_noise: float = 0.02,
        corrupt_noise: float = 0.1,
        corrupt_shot: float = 0.05,
        corrupt_spikes: float = 1.0,
        pretrain_epochs: int = 50,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 64,
        device: str = "auto",
        random_state=None,
        verbose: int = 0,
    ) -> None:
        super().__init__(
            n_components=n_components,
            width=width,
            depth=depth,
            n_positions=n_positions,
            normalize=normalize,
            derivative=derivative,
            derivative_window=derivative_window,
            global_weight=global_weight,
            local_weight=local_weight,
            temperature=temperature,
            global_objective=global_objective,
            projection_head=projection_head,
            shift=shift,
            stretch=stretch,
            scale=scale,
            baseline=baseline,
            view_noise=view_noise,
            corrupt_noise=corrupt_noise,
            corrupt_shot=corrupt_shot,
            corrupt_spikes=corrupt_spikes,
            pretrain_epochs=pretrain_epochs,
            lr=lr,
            weight_decay=weight_decay,
            batch_size=batch_size,
            device=device,
            random_state=random_state,
            verbose=verbose,
        )
        self.pretrained = pretrained
        self.adapt_epochs = adapt_epochs
        self.finetune_epochs = finetune_epochs
        self.finetune_lr = finetune_lr
        self.finetune = finetune
        self.finetune_augment = finetune_augment
        self.dropout = dropout
        self.reset_embedding = reset_embedding
        self.linear_skip = linear_skip
        self.unlabeled_weight = unlabeled_weight
        self.pseudo_threshold = pseudo_threshold
        self.teacher = teacher
        self.teacher_fraction = teacher_fraction
        self.network_input = network_input
        self.unlabeled = unlabeled

    def __sklearn_clone__(self):
        # A fitted `pretrained` transformer is learned data, not a setting:
        # clones share it, so each fold of a cross-validation fine-tunes a
        # copy of the same encoder (fit deep-copies it and never changes it).
        params = self.get_params(deep=False)
        return type(self)(**{
            k: v if k == "pretrained" else clone(v, safe=False) for k, v in params.items()
        })

    def _encoder(self, X: np.ndarray, device: str) -> tuple[SpectrumEncoder, str, list]:
        """The encoder to fine-tune, its normalisation and the pretraining history."""
        if self.pretrained is not None:
            source = self.pretrained
            check_is_fitted(source, msg="`pretrained` must be a fitted GLSMTransformer; "
                            "call its fit method first.")
            module = getattr(getattr(source, "net_", None), "module_", None)
            if not hasattr(module, "encoder"):
                raise TypeError(
                    "`pretrained` must be a fitted GLSMTransformer, got "
                    f"{type(source).__name__}."
                )
            if source.n_features_in_ != X.shape[1]:
                given = "network_input gives" if self.network_input is not None else "X has"
                raise ValueError(
                    f"{given} {X.shape[1]} points per spectrum but the pretrained "
                    f"transformer was fitted on {source.n_features_in_}. Resample the "
                    "spectra onto its axis with sklearn_glsm.preprocessing."
                    "WavenumberResampler."
                )
            if self.adapt_epochs > 0 and source._has_pretext_task():
                net = self._adapt(source, X, device)
                return self._reset(net.module_.encoder), source.normalize, epoch_history(net)
            encoder = self._reset(copy.deepcopy(module.encoder))
            return encoder.to(device), source.normalize, []
        if self.pretrain_epochs > 0 and self._has_pretext_task():
            net = self._pretrain(X, device)
            return self._reset(net.module_.encoder), self.normalize, epoch_history(net)
        encoder = SpectrumEncoder(**self._architecture())
        return encoder, self.normalize, []

    def _adapt(self, source, X: np.ndarray, device: str):
        """The pretext net of ``source``, trained ``adapt_epochs`` more on ``X``."""
        adapter = clone(source).set_params(
            pretrain_epochs=self.adapt_epochs, lr=self.lr, batch_size=self.batch_size,
            verbose=self.verbose,
        )
        net = adapter._pretext_net(X.shape[1], X.shape[0], device).initialize()
        # A copy of the source's weights; the source itself is never changed.
        net.module_.load_state_dict(source.net_.module_.state_dict())
        return net.partial_fit(X, None)

    def _reset(self, encoder: SpectrumEncoder) -> SpectrumEncoder:
        """The pretrained ``encoder``, its embedding layer drawn anew if asked."""
        if self.reset_embedding and self.finetune == "full":
            encoder.fc.reset_parameters()
        return encoder

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Pretrain on all rows of ``X``, then fine-tune on the labeled ones.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_points)
            Spectra on one wavenumber axis, raw intensities.
        y : array-like of shape (n_spectra,)
            Class labels, ``-1`` (or ``"-1"`` for string labels) for
            unlabeled rows.

        Returns
        -------
        self : GLSMClassifier
            The fitted classifier.

        Raises
        ------
        FloatingPointError
            If a loss stops being finite. On this or any other error, and on
            KeyboardInterrupt, the classifier is left as it was before the call.
        """
        with unchanged_on_error(self):
            X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
            check_float32_range(X)
            labeled = ~unlabeled_mask(y, self.unlabeled)
            if not labeled.any():
                raise ValueError(
                    f"y has no labeled sample: every entry is {self.unlabeled!r} "
                    "(unlabeled). GLSMClassifier needs labels for at least 2 classes; use "
                    "GLSMTransformer to pretrain on unlabeled spectra alone."
                )
            y_labeled = y[labeled]
            if y_labeled.dtype == object:
                # Once the marker rows are gone, let numpy pick the labels' own
                # dtype, so predictions compare with plain int or str targets.
                y_labeled = np.asarray(y_labeled.tolist())
            check_classification_targets(y_labeled)
            classes = np.unique(y_labeled)
            if len(classes) < 2:
                raise ValueError(
                    "GLSMClassifier needs labeled samples of at least 2 classes; the "
                    f"labeled rows hold one class only ({classes[0]!r})."
                )
            codes = np.full(len(y), -1, dtype=np.int64)
            codes[labeled] = np.searchsorted(classes, y_labeled)
            teacher, n_pseudo = None, 0
            if self.teacher is not None and not labeled.all():
                # Self-training: the teacher's confident labels join the real ones.
                teacher, taught, pseudo = self._teach(X, labeled, y_labeled, classes)
                codes[taught], n_pseudo = pseudo, len(taught)
            labeled = codes >= 0
            y_encoded = codes[labeled]
            network_input = None
            if self.network_input is not None:
                # The teacher has seen X as given; the network sees it transformed.
                network_input = clone(self.network_input).fit(X)
                X = self._network_X(X, network_input)
            X = X.astype(np.float32, copy=False)
            device = resolve_device(self.device)
            with seeded(self.random_state, device):
                encoder, normalize, pretrain_history = self._encoder(X, device)
                semi = self.unlabeled_weight > 0 and not labeled.all()
                if semi:
                    # Unlabeled rows take part with target -1 (see FinetuneNet).
                    targets = np.full(len(y), -1, dtype=np.int64)
                    targets[labeled] = y_encoded
                    rows = slice(None)
                else:
                    # A view, not a copy, when every row is labeled (memory maps).
                    targets = y_encoded
                    rows = slice(None) if labeled.all() else labeled
                epochs = self._finetune_epochs(n_pseudo)
                net = self._finetune_net(
                    encoder, normalize, len(classes), len(targets), device, epochs,
                    labeled=labeled if semi else None, n_points=X.shape[1],
                )
                net.fit(X[rows], targets)
            self.classes_ = classes
            self.net_ = net
            if network_input is not None:
                self.network_input_ = network_input
            elif hasattr(self, "network_input_"):
                del self.network_input_
            self.n_pseudo_labels_ = n_pseudo
            self.finetune_epochs_ = epochs
            if teacher is not None:
                self.teacher_ = teacher
            elif hasattr(self, "teacher_"):
                del self.teacher_
            self.device_ = device
            self.history_ = {"pretrain": pretrain_history, "finetune": epoch_history(net)}
        return self

    @staticmethod
    def _network_X(X: np.ndarray, network_input) -> np.ndarray:
        """``X`` through the fitted ``network_input``, checked for the network."""
        X_net = np.asarray(network_input.transform(X))
        if X_net.ndim != 2 or X_net.shape[0] != X.shape[0]:
            raise ValueError(
                f"network_input must return one row per spectrum; it turned X of shape "
                f"{X.shape} into shape {X_net.shape}."
            )
        if not np.issubdtype(X_net.dtype, np.floating):
            X_net = X_net.astype(np.float64)
        check_float32_range(X_net)
        return X_net

    def _finetune_epochs(self, n_pseudo: int) -> int:
        """The epochs of fine-tuning when the teacher labeled ``n_pseudo`` rows."""
        if self.finetune_epochs != "auto":
            return self.finetune_epochs
        # Measured on the benchmark: see the finetune_epochs parameter.
        return 30 if n_pseudo > 0 else 100

    def _teach(self, X, labeled, y_labeled, classes):
        """Fit the teacher on the labeled rows; its confident labels of the others.

        Returns the fitted teacher, the unlabeled row indices it labels (the
        most confident ``teacher_fraction`` of those it predicts as each
        class) and their labels as indices into ``classes``.
        """
        if isinstance(self.teacher, str):  # "derivative", the only name validation lets in
            teacher = derivative_teacher_for(X)
        else:
            teacher = clone(self.teacher)
        teacher.fit(X[labeled], y_labeled)
        if not np.array_equal(np.asarray(teacher.classes_), classes):
            raise ValueError(
                f"The teacher's classes {list(teacher.classes_)} differ from the labels' "
                f"{list(classes)}; it must be a classifier fitted on the same labels."
            )
        candidates = np.flatnonzero(~labeled)
        proba = teacher.predict_proba(X[candidates])
        keep = most_confident(proba, self.teacher_fraction)
        return teacher, candidates[keep], proba[keep].argmax(axis=1)

    def _finetune_net(
        self,
        encoder: SpectrumEncoder,
        normalize: str,
        n_classes: int,
        n_samples: int,
        device: str,
        epochs: int,
        labeled: np.ndarray | None = None,
        n_points: int | None = None,
    ) -> FinetuneNet:
        """The unfitted fine-tuning net around ``encoder``, for ``epochs`` epochs.

        With ``labeled`` (the mask of labeled rows among all training rows)
        the net trains semi-supervised: a sampler draws batches half from
        labeled, half from unlabeled rows, and an epoch is
        ``max(8 * n_labeled, 4 * batch_size)`` draws, at most all rows.
        """
        semi = labeled is not None
        module = GLSMClassifierModule(
            encoder,
            n_classes=n_classes,
            normalize=normalize,
            views=self._views() if self.finetune_augment else None,
            dropout=self.dropout,
            freeze_encoder=self.finetune == "head",
            consistency=semi,
            n_points=n_points if self.linear_skip else None,
        )
        kwargs = self._net_kwargs(n_samples, epochs, device)
        kwargs["lr"] = self.finetune_lr if self.finetune_lr is not None else self.lr
        if semi:
            n_labeled = int(labeled.sum())
            weights = np.where(labeled, 0.5 / n_labeled, 0.5 / (n_samples - n_labeled))
            n_draws = min(n_samples, max(8 * n_labeled, 4 * kwargs["batch_size"]))
            kwargs["iterator_train__shuffle"] = False
            kwargs["iterator_train__sampler"] = WeightedRandomSampler(
                torch.as_tensor(weights, dtype=torch.double), n_draws, replacement=True
            )
        return FinetuneNet(
            module=module,
            criterion=torch.nn.CrossEntropyLoss,
            classes=np.arange(n_classes),
            callbacks=self._callbacks(("pseudo_loss",) * semi, epochs),
            unlabeled_weight=self.unlabeled_weight,
            pseudo_threshold=self.pseudo_threshold,
            **kwargs,
        )

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_points)
            Spectra on the axis seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_spectra, n_classes)
            Probability of each class, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        if hasattr(self, "network_input_"):  # what fit used, whatever set_params did since
            X = self._network_X(X, self.network_input_)
        module = self.net_.module_
        proba = self._map_batches(self.net_, lambda xb: torch.softmax(module(xb), 1), X)
        proba = proba.astype(np.float64)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predict the class of each spectrum.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_points)
            Spectra on the axis seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_spectra,)
            Predicted labels, from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``(X, y)``.

        Labels never seen in ``fit`` (for example rows marked unlabeled) are
        counted as misclassified, as in scikit-learn, with a warning naming them.

        Parameters
        ----------
        X : array-like of shape (n_spectra, n_points)
            Spectra on the axis seen in ``fit``.
        y : array-like of shape (n_spectra,)
            True labels.
        sample_weight : array-like of shape (n_spectra,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Fraction of correctly classified spectra.
        """
        check_is_fitted(self)
        unseen = set(np.ravel(y).tolist()) - set(self.classes_.tolist())
        if unseen:
            hint = ""
            if self.unlabeled in unseen or str(self.unlabeled) in unseen:
                hint = f" Leave out the rows marked {self.unlabeled!r} (unlabeled) to score."
            warnings.warn(
                f"y holds labels never seen in fit: {sorted(unseen, key=str)}; they count "
                f"as misclassified.{hint}",
                UserWarning,
                stacklevel=2,
            )
        return super().score(X, y, sample_weight=sample_weight)
