"""Behaviour of the torch modules, the pretext objectives and the skorch nets."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from sklearn_glsm.augmentation import SpectralCorruption, SpectralViews
from sklearn_glsm.nn import (
    GLSMClassifierModule,
    GLSMPretextModule,
    Resample1d,
    SpectrumDecoder,
    SpectrumEncoder,
    SpectrumNormalizer,
    savgol,
    snv,
)
from sklearn_glsm.pretext import (
    FinetuneNet,
    GLSMLoss,
    PretextNet,
    reconstruction_loss,
    view_prediction_loss,
    view_transformation_loss,
)

TINY = dict(n_components=8, width=4, depth=2, n_positions=4)


@pytest.fixture(autouse=True)
def _seed():
    """Fresh weights per test, but the same ones on every run."""
    torch.manual_seed(0)


@pytest.mark.parametrize("n_points", [1, 2, 3, 4, 5, 17, 128, 1000])
@pytest.mark.parametrize("depth", [0, 1, 3])
@pytest.mark.parametrize("derivative", [0, 1])
def test_encoder_output_shape(n_points, depth, derivative):
    """The encoder maps spectra of any length, even 1 point (shorter than the
    derivative's window), to ``n_components`` values."""
    encoder = SpectrumEncoder(n_components=8, width=4, depth=depth, n_positions=4,
                              derivative=derivative)
    z = encoder(torch.randn(3, n_points))
    assert z.shape == (3, 8)
    assert torch.isfinite(z).all()


def test_encoder_row_is_independent_of_the_batch():
    """GroupNorm, not BatchNorm: a spectrum's embedding does not depend on its batch mates."""
    encoder = SpectrumEncoder(**TINY)
    x = torch.randn(6, 64)
    torch.testing.assert_close(encoder(x[2:3]), encoder(x)[2:3], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("deriv", [1, 2])
@pytest.mark.parametrize("window", [5, 11])
def test_savgol_matches_chemotools(deriv, window):
    """The torch derivative is chemotools' Savitzky-Golay filter (quadratic fit, edges
    extended with the end values), edges included."""
    from chemotools.derivative import SavitzkyGolay

    x = torch.randn(3, 80, dtype=torch.float64).cumsum(1)
    expected = SavitzkyGolay(window_length=window, polyorder=2, deriv=deriv, mode="nearest")
    got = savgol(x, deriv, window)
    assert got.shape == x.shape
    np.testing.assert_allclose(got.numpy(), expected.fit_transform(x.numpy()), atol=1e-9)


def test_encoder_derivative_is_a_second_input_channel():
    """With ``derivative`` the stem sees the spectrum and its standardised derivative."""
    encoder = SpectrumEncoder(**TINY, derivative=1, derivative_window=5)
    assert encoder.stem[0].in_channels == 2
    x = torch.randn(3, 40).cumsum(1)
    channels = encoder.inputs(x)
    torch.testing.assert_close(channels[:, 0], x)
    torch.testing.assert_close(channels[:, 1], snv(savgol(x, 1, 5))[0])
    assert encoder(x).shape == (3, TINY["n_components"])
    assert SpectrumEncoder(**TINY).stem[0].in_channels == 1


def test_encoder_pickled_before_the_derivative_loads_without_it():
    """An encoder pickled by a version without the derivative option feeds one channel."""
    encoder = SpectrumEncoder(**TINY)
    x = torch.randn(2, 32)
    expected = encoder(x)
    del encoder.derivative, encoder.derivative_window
    loaded = pickle.loads(pickle.dumps(encoder))
    assert loaded.derivative == 0
    torch.testing.assert_close(loaded(x), expected)


@pytest.mark.parametrize("n_points", [1, 3, 5, 7, 127, 501])
@pytest.mark.parametrize("depth", [0, 2, 4])
def test_decoder_output_length_matches_odd_lengths(n_points, depth):
    """The decoder returns exactly ``n_points`` values, also for odd lengths."""
    decoder = SpectrumDecoder(8, n_points, width=4, depth=depth, n_positions=4)
    out = decoder(torch.randn(2, 8))
    assert out.shape == (2, n_points)


def test_snv_standardises_each_row_and_can_be_undone():
    """Each row gets mean 0 and (population) std 1; ``z * std + mean`` restores it."""
    x = torch.randn(4, 50, dtype=torch.float64) * torch.tensor([[1.0], [10.0], [1e3], [1e-2]])
    z, mean, std = snv(x + 5)
    torch.testing.assert_close(z.mean(1), torch.zeros(4, dtype=torch.float64))
    torch.testing.assert_close(z.std(1, unbiased=False), torch.ones(4, dtype=torch.float64))
    torch.testing.assert_close(z * std + mean, x + 5)
    assert mean.shape == std.shape == (4, 1)


@pytest.mark.parametrize("value", [0.0, 5.0, -3e4])
def test_snv_of_constant_rows_is_zero_not_nan(value):
    """A flat (or all-zero) spectrum normalises to zeros, with no NaN or inf."""
    x = torch.full((2, 10), value)
    z, mean, std = snv(x)
    assert torch.equal(z, torch.zeros_like(x))
    assert torch.isfinite(std).all() and (std > 0).all()
    torch.testing.assert_close(z * std + mean, x)


def test_normalizer_none_passes_values_through():
    """``normalize="none"`` returns the input with mean 0 and std 1 as statistics."""
    x = torch.randn(3, 7) * 100
    z, mean, std = SpectrumNormalizer("none")(x)
    assert torch.equal(z, x)
    assert torch.equal(mean, torch.zeros(3, 1)) and torch.equal(std, torch.ones(3, 1))


def test_glsm_loss_passes_its_temperature():
    """GLSMLoss(temperature=t) computes the global task at temperature t."""
    out = _outputs()
    for t in (0.1, 0.5):
        torch.testing.assert_close(
            GLSMLoss(1.0, 0.0, temperature=t)(out)["global_loss"],
            view_transformation_loss(*out["global"], temperature=t),
        )


@pytest.mark.parametrize(
    ("use_global", "use_local", "keys"),
    [(True, True, {"global", "local"}), (True, False, {"global"}), (False, True, {"local"})],
)
def test_pretext_module_returns_the_enabled_tasks(use_global, use_local, keys):
    """In train mode the module returns only the enabled tasks, with the shapes the losses
    expect; the local target is the SNV of the clean input."""
    module = GLSMPretextModule(
        n_points=40,
        **TINY,
        views=SpectralViews(0.01, 0.01, 0.1, 0.1, 0.02),
        corruption=SpectralCorruption(0.1, 0.05, 1.0),
        use_global=use_global,
        use_local=use_local,
    ).train()
    x = torch.rand(5, 40) * 1000
    out = module(x)
    assert set(out) == keys
    if use_global:
        p1, p2, z1, z2 = out["global"]
        for t in (p1, p2, z1, z2):
            assert t.shape == (5, 8)
        assert not torch.equal(z1, z2)  # two different random views
    if use_local:
        reconstructed, clean = out["local"]
        assert reconstructed.shape == clean.shape == (5, 40)
        torch.testing.assert_close(clean, snv(x)[0])


def test_pretext_module_reconstruct_is_on_the_input_scale():
    """With SNV, ``reconstruct`` is equivariant to a gain and an offset of the input."""
    module = GLSMPretextModule(n_points=30, **TINY).eval()
    x = torch.rand(4, 30, dtype=torch.float32)
    base = module.reconstruct(x)
    assert base.shape == (4, 30)
    torch.testing.assert_close(
        module.reconstruct(x * 1000 + 50), base * 1000 + 50, rtol=1e-4, atol=1e-2
    )


def test_classifier_module_freezes_encoder_and_augments_only_in_training():
    """``freeze_encoder`` stops gradients to the encoder only, and the head (a linear
    probe) reads the encoder's pooled features, not its embedding; views apply in train
    mode."""
    module = GLSMClassifierModule(
        SpectrumEncoder(**TINY),
        n_classes=3,
        views=SpectralViews(noise=0.5),
        dropout=0.0,
        freeze_encoder=True,
    )
    assert not any(p.requires_grad for p in module.encoder.parameters())
    assert all(p.requires_grad for p in module.head.parameters())
    assert module.head.linear.in_features == module.encoder.n_features
    x = torch.rand(4, 32)
    module.eval()
    z = module.normalizer(x)[0]
    torch.testing.assert_close(module(x), module.head(module.encoder.features(z)))
    module.train()
    assert not torch.equal(module(x), module(x))
    module.eval()
    assert torch.equal(module(x), module(x))
    assert module(x).shape == (4, 3)


def test_classifier_module_pickled_before_the_probe_read_features_reads_the_embedding():
    """A module pickled when the frozen head read the embedding (no ``head_on_features``)
    keeps doing so once loaded, so its head's weights still fit."""
    module = GLSMClassifierModule(SpectrumEncoder(**TINY), n_classes=3)
    state = module.__dict__.copy()
    del state["head_on_features"]
    old = GLSMClassifierModule.__new__(GLSMClassifierModule)
    old.__setstate__(state)
    assert old.head_on_features is False
    x = torch.rand(4, 32)
    torch.testing.assert_close(old.eval()(x), module.eval()(x))


def test_view_transformation_loss_penalises_collapse():
    """Contrastive global loss: ``log(n)`` when every embedding is the same (collapse cannot
    satisfy it), near 0 when each view picks out its own partner, above ``log(n)`` when the
    partners are mismatched; gradients reach the transformed embeddings."""
    n = 6
    same = torch.ones(n, 8)
    assert float(view_transformation_loss(same, same, same, same)) == pytest.approx(
        np.log(n), rel=1e-5
    )
    z = torch.eye(n, 8)  # distinct, orthogonal embeddings
    assert float(view_transformation_loss(z, z, z, z)) < 0.01
    shuffled = z.roll(1, dims=0)
    assert float(view_transformation_loss(z, z, shuffled, shuffled)) > np.log(n)
    p1, p2 = torch.randn(n, 8, requires_grad=True), torch.randn(n, 8, requires_grad=True)
    view_transformation_loss(p1, p2, torch.randn(n, 8), torch.randn(n, 8)).backward()
    assert p1.grad is not None and p2.grad is not None


def test_view_prediction_loss_has_no_negatives_and_stops_the_target_gradient():
    """Predictive global loss: 0 when each transformed view points at its partner, whatever
    the other spectra (no negatives: identical embeddings cost nothing), 2 when it points
    away; gradients reach the transformed embeddings, never the targets."""
    n = 6
    same = torch.ones(n, 8)
    assert float(view_prediction_loss(same, same, same, same)) == pytest.approx(0.0, abs=1e-6)
    z = torch.randn(n, 8)
    assert float(view_prediction_loss(2 * z, 3 * z, z, z)) == pytest.approx(0.0, abs=1e-6)
    assert float(view_prediction_loss(-z, -z, z, z)) == pytest.approx(2.0, abs=1e-6)
    p1, p2 = torch.randn(n, 8, requires_grad=True), torch.randn(n, 8, requires_grad=True)
    z1, z2 = torch.randn(n, 8, requires_grad=True), torch.randn(n, 8, requires_grad=True)
    view_prediction_loss(p1, p2, z1, z2).backward()
    assert p1.grad is not None and p2.grad is not None
    assert z1.grad is None and z2.grad is None


def test_glsm_loss_passes_its_objective():
    """GLSMLoss(objective="predictive") computes the predictive global loss."""
    out = _outputs()
    torch.testing.assert_close(
        GLSMLoss(1.0, 0.0, objective="predictive")(out)["global_loss"],
        view_prediction_loss(*out["global"]),
    )
    with pytest.raises(ValueError, match="objective must be"):
        GLSMLoss(objective="simsiam")


def test_reconstruction_loss_is_mse():
    """The local loss is the mean squared error."""
    a, b = torch.randn(3, 10), torch.randn(3, 10)
    assert float(reconstruction_loss(a, b)) == pytest.approx(float(((a - b) ** 2).mean()))


def _outputs(keys=("global", "local")):
    p1, p2, z1, z2 = (torch.randn(4, 8) for _ in range(4))
    out = {}
    if "global" in keys:
        out["global"] = (p1, p2, z1, z2)
    if "local" in keys:
        out["local"] = (torch.randn(4, 20), torch.randn(4, 20))
    return out


@pytest.mark.parametrize(("gw", "lw"), [(1.0, 1.0), (0.3, 2.0), (0.0, 1.0), (1.0, 0.0)])
def test_glsm_loss_is_the_weighted_sum(gw, lw):
    """``loss = global_weight * global_loss + local_weight * local_loss``."""
    out = _outputs()
    losses = GLSMLoss(gw, lw)(out)
    assert set(losses) == {"global_loss", "local_loss", "loss"}
    expected = gw * view_transformation_loss(*out["global"]) + lw * reconstruction_loss(
        *out["local"]
    )
    torch.testing.assert_close(losses["loss"], expected)


@pytest.mark.parametrize(
    ("use_global", "use_local", "keys"),
    [(False, True, {"local_loss", "loss"}), (True, False, {"global_loss", "loss"})],
)
def test_glsm_loss_with_a_task_off(use_global, use_local, keys):
    """A task switched off (weight 0, so the module skips it) has no loss term at all."""
    module = GLSMPretextModule(n_points=24, **TINY, use_global=use_global, use_local=use_local)
    losses = GLSMLoss(float(use_global), float(use_local))(module(torch.rand(3, 24)))
    assert set(losses) == keys
    (term,) = keys - {"loss"}
    torch.testing.assert_close(losses["loss"], losses[term])


def _pretext_net(**kwargs):
    return PretextNet(
        module=GLSMPretextModule,
        module__n_points=16,
        **{f"module__{k}": v for k, v in TINY.items()},
        criterion=GLSMLoss,
        max_epochs=1,
        batch_size=4,
        train_split=None,
        verbose=0,
        **kwargs,
    )


def test_pretext_net_raises_on_nan_input():
    """NaN spectra make the pretext loss NaN: training stops with FloatingPointError naming
    the loss, not with silently NaN weights."""
    X = np.full((8, 16), np.nan, dtype=np.float32)
    with pytest.raises(FloatingPointError, match="global_loss.*pretraining"):
        _pretext_net().fit(X, None)


@pytest.mark.parametrize("task", ["global", "local"])
def test_pretext_net_get_loss_names_the_nan_term(task):
    """``get_loss`` names the task whose loss is NaN."""
    net = _pretext_net().initialize()
    out = _outputs((task,))
    out[task] = (torch.full_like(out[task][0], np.nan), *out[task][1:])
    with pytest.raises(FloatingPointError, match=f"{task}_loss"):
        net.get_loss(out, training=True)


def test_finetune_net_raises_on_nan_loss():
    """The fine-tuning net refuses a NaN classification loss, in get_loss and in fit."""
    net = FinetuneNet(
        module=GLSMClassifierModule,
        module__encoder=SpectrumEncoder(**TINY),
        module__n_classes=2,
        criterion=torch.nn.CrossEntropyLoss,
        classes=[0, 1],
        max_epochs=1,
        batch_size=4,
        train_split=None,
        verbose=0,
    ).initialize()
    with pytest.raises(FloatingPointError, match="classification loss"):
        net.get_loss(torch.full((2, 2), np.nan), torch.tensor([0, 1]))
    X = np.full((8, 16), np.nan, dtype=np.float32)
    y = np.array([0, 1] * 4)
    with pytest.raises(FloatingPointError, match="classification loss.*fine-tuning"):
        net.fit(X, y)


@pytest.mark.parametrize("length, size", [(61, 16), (16, 16), (9, 16)])
def test_resample_pool_is_adaptive_average_pooling(length, size):
    """The matrix form computes torch's adaptive average pooling, also when upsampling."""
    h = torch.randn(4, 3, length)
    torch.testing.assert_close(Resample1d(size, "pool")(h), F.adaptive_avg_pool1d(h, size))


@pytest.mark.parametrize("length, size", [(256, 1000), (64, 63), (7, 7)])
def test_resample_linear_is_linear_interpolation(length, size):
    """The matrix form computes torch's linear interpolation (align_corners=False); its
    weights are float64, torch's float32, hence the tolerance."""
    h = torch.randn(4, 1, length)
    expected = F.interpolate(h, size=size, mode="linear", align_corners=False)
    torch.testing.assert_close(Resample1d(size, "linear")(h), expected, rtol=1e-4, atol=1e-4)


def test_resample_gradient_is_the_transposed_matrix():
    """The backward pass is a matrix product: summing the output gives each input
    point the total weight it carries, which for pooling is size / window counts."""
    h = torch.zeros(1, 1, 8, requires_grad=True)
    Resample1d(4, "pool")(h).sum().backward()
    torch.testing.assert_close(h.grad, torch.full((1, 1, 8), 0.5))


def test_resample_rejects_unknown_mode():
    with pytest.raises(ValueError, match="'pool' or 'linear'"):
        Resample1d(4, "cubic")


def test_decoder_pickled_without_resize_layer_still_decodes():
    """Decoders pickled before ``Resample1d`` replaced ``F.interpolate`` lack the
    ``resize`` layer; unpickling adds it and they decode as torch's interpolation did."""
    import pickle

    decoder = SpectrumDecoder(n_components=8, n_points=100, width=4, depth=2, n_positions=8)
    z = torch.randn(3, 8)
    expected = decoder(z)
    del decoder._modules["resize"]
    restored = pickle.loads(pickle.dumps(decoder))
    torch.testing.assert_close(restored(z), expected)


def test_projection_head_sits_between_embedding_and_global_loss():
    """The global task's outputs are the projected embeddings of the two views."""
    torch.manual_seed(0)
    module = GLSMPretextModule(64, n_components=8, width=4, depth=2, n_positions=4,
                               use_local=False, projection_head=True).train()
    x = torch.randn(5, 64)
    torch.manual_seed(1)
    p1, p2, z1, z2 = module(x)["global"]
    torch.manual_seed(1)
    views = [module.renormalize(module.views(module.normalizer(x)[0])) for _ in range(2)]
    z = module.encoder(torch.cat(views)).chunk(2)
    torch.testing.assert_close(z1, module.projector(z[0]))
    torch.testing.assert_close(p2, module.transform_head(module.projector(z[1])))
