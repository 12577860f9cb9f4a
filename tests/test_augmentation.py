"""Behaviour of the batched spectral augmentations of :mod:`sklearn_glsm.augmentation`."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_glsm.augmentation import (
    SpectralCorruption,
    SpectralViews,
    add_baseline,
    add_noise,
    scale_intensity,
    warp_axis,
)

DTYPES = [torch.float32, torch.float64]

# Every augmentation as ``name -> f(x, strength)``; a strength of 0 must be the identity.
AUGMENTATIONS = {
    "warp_shift": lambda x, s: warp_axis(x, shift=s),
    "warp_stretch": lambda x, s: warp_axis(x, stretch=s),
    "scale_intensity": scale_intensity,
    "add_baseline": add_baseline,
    "noise": lambda x, s: add_noise(x, noise=s),
    "shot": lambda x, s: add_noise(x, shot=s),
    "spikes": lambda x, s: add_noise(x, spikes=s * 10),
    "views": lambda x, s: SpectralViews(s, s, s, s, s)(x),
    "corruption": lambda x, s: SpectralCorruption(s, s, s * 10)(x),
}

fast_settings = settings(max_examples=15, deadline=None)


def peaks(n_spectra: int, n_points: int, dtype=torch.float64, seed: int = 0) -> torch.Tensor:
    """Smooth, positive spectra: a few Gaussian bands on a small offset."""
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(n_points, dtype=torch.float64)
    centres = torch.rand(n_spectra, 3, 1, generator=g, dtype=torch.float64) * n_points
    widths = 1.0 + torch.rand(n_spectra, 3, 1, generator=g, dtype=torch.float64) * n_points / 8
    x = torch.exp(-0.5 * ((t - centres) / widths) ** 2).sum(1) + 0.1
    return x.to(dtype)


batches = st.tuples(
    st.integers(1, 5),  # n_spectra
    st.integers(1, 64),  # n_points
    st.sampled_from(DTYPES),
    st.integers(0, 2**16),  # seed of the spectra
)


@fast_settings
@given(
    batch=batches,
    name=st.sampled_from(sorted(AUGMENTATIONS)),
    strength=st.floats(0.01, 0.5),
)
def test_shape_dtype_finite(batch, name, strength):
    """Every augmentation keeps shape and floating dtype and returns finite values."""
    n_spectra, n_points, dtype, seed = batch
    x = peaks(n_spectra, n_points, dtype, seed)
    out = AUGMENTATIONS[name](x, strength)
    assert out.shape == x.shape
    assert out.dtype == dtype
    assert torch.isfinite(out).all()


@fast_settings
@given(batch=batches, name=st.sampled_from(sorted(AUGMENTATIONS)))
def test_strength_zero_is_exact_identity(batch, name):
    """A strength of 0 returns the input bit for bit and draws no random number."""
    n_spectra, n_points, dtype, seed = batch
    x = peaks(n_spectra, n_points, dtype, seed)
    state = torch.get_rng_state()
    out = AUGMENTATIONS[name](x, 0.0)
    assert torch.equal(out, x)
    assert torch.equal(torch.get_rng_state(), state)


@fast_settings
@given(
    batch=batches,
    name=st.sampled_from(sorted(AUGMENTATIONS)),
    strength=st.floats(0.01, 0.5),
    torch_seed=st.integers(0, 2**31 - 1),
)
def test_reproducible_under_manual_seed(batch, name, strength, torch_seed):
    """The same torch seed gives bit-identical augmentations."""
    n_spectra, n_points, dtype, seed = batch
    x = peaks(n_spectra, n_points, dtype, seed)
    torch.manual_seed(torch_seed)
    first = AUGMENTATIONS[name](x, strength)
    torch.manual_seed(torch_seed)
    second = AUGMENTATIONS[name](x, strength)
    assert torch.equal(first, second)


@fast_settings
@given(
    name=st.sampled_from(sorted(set(AUGMENTATIONS) - {"spikes"})),
    strength=st.floats(0.05, 0.5),
    n_points=st.integers(32, 64),
    dtype=st.sampled_from(DTYPES),
    torch_seed=st.integers(0, 2**31 - 1),
)
def test_each_spectrum_gets_its_own_draw(name, strength, n_points, dtype, torch_seed):
    """Copies of one spectrum in a batch are augmented differently, not all alike."""
    x = peaks(1, n_points, dtype).repeat(4, 1)
    torch.manual_seed(torch_seed)
    out = AUGMENTATIONS[name](x, strength)
    for i in range(1, 4):
        assert not torch.equal(out[0], out[i])


def test_spectral_views_are_parameter_free_and_independent():
    """Views have no trainable parameter, and two calls give two different views."""
    views = SpectralViews(shift=0.02, stretch=0.02, scale=0.1, baseline=0.1, noise=0.02)
    assert list(views.parameters()) == []
    x = peaks(3, 50)
    assert not torch.equal(views(x), views(x))


@pytest.mark.parametrize("dtype", DTYPES)
def test_warp_shift_moves_peak_by_up_to_shift_points(dtype):
    """A pure shift moves a band's argmax by at most ``shift * n_points`` (+1 for rounding),
    in both directions, and the shifts spread over that whole range."""
    n_points, shift = 201, 0.05
    t = torch.arange(n_points, dtype=dtype)
    x = torch.exp(-0.5 * ((t - 100) / 3.0) ** 2).repeat(500, 1)
    torch.manual_seed(0)
    moved = warp_axis(x, shift=shift).argmax(1) - 100
    limit = shift * n_points
    assert moved.abs().max() <= limit + 1
    assert moved.max() >= 0.8 * limit
    assert moved.min() <= -0.8 * limit
    # Shifts are uniform: about half go each way.
    assert 0.35 < (moved > 0).double().mean() < 0.65


def test_warp_shift_with_known_draw_is_exact_translation():
    """With the shift drawn from the seeded generator, the band moves by exactly that many
    points (a whole-number shift translates samples without interpolation error)."""
    n_points, shift = 101, 0.1
    t = torch.arange(n_points, dtype=torch.float64)
    x = torch.exp(-0.5 * ((t - 50) / 4.0) ** 2).unsqueeze(0)
    for seed in range(20):
        torch.manual_seed(seed)
        out = warp_axis(x, shift=shift)
        torch.manual_seed(seed)
        d = float((torch.rand(1, 1, dtype=torch.float64) * 2 * shift - shift) * n_points)
        centroid = float((out * t).sum() / out.sum())
        assert centroid == pytest.approx(50 + d, abs=0.05)
        assert int(out.argmax()) == pytest.approx(50 + d, abs=1)


def test_warp_stretch_keeps_the_centre_fixed():
    """A pure stretch scales positions about the axis centre: a band at the centre stays,
    a band off-centre moves by at most ``stretch * distance``."""
    n_points, stretch = 201, 0.1
    t = torch.arange(n_points, dtype=torch.float64)
    centre = torch.exp(-0.5 * ((t - 100) / 3.0) ** 2).repeat(50, 1)
    torch.manual_seed(0)
    assert (warp_axis(centre, stretch=stretch).argmax(1) == 100).all()
    off = torch.exp(-0.5 * ((t - 180) / 3.0) ** 2).repeat(50, 1)
    moved = warp_axis(off, stretch=stretch).argmax(1) - 180
    assert moved.abs().max() <= stretch * 80 + 1
    assert moved.abs().max() >= 4  # it does move


@fast_settings
@given(
    n_points=st.integers(2, 64),
    dtype=st.sampled_from(DTYPES),
    scale=st.floats(0.01, 2.0),
    torch_seed=st.integers(0, 2**31 - 1),
)
def test_scale_intensity_keeps_the_minimum_and_positivity(n_points, dtype, scale, torch_seed):
    """The gain multiplies the height above each spectrum's minimum by a positive factor:
    the minimum is kept exactly and no point drops below it."""
    x = peaks(3, n_points, dtype, seed=n_points)
    torch.manual_seed(torch_seed)
    out = scale_intensity(x, scale)
    floor = x.min(1, keepdim=True).values
    assert torch.equal(out.min(1, keepdim=True).values, floor)
    assert (out >= floor).all()


def test_add_baseline_is_a_smooth_quadratic():
    """The drift is a degree-2 polynomial of the axis: constant second difference, far
    smaller than its own amplitude and than the second difference of white noise."""
    n_points, amplitude = 128, 0.5
    x = peaks(200, n_points)
    torch.manual_seed(0)
    drift = add_baseline(x, amplitude) - x
    d2 = drift.diff(n=2, dim=1)
    torch.testing.assert_close(d2, d2[:, :1].expand_as(d2), atol=1e-12, rtol=0)
    dt = 2.0 / (n_points - 1)
    # |d2| = 3 * |c2| * dt**2 with c2 ~ N(0, amplitude); 6 sigma is never exceeded here.
    assert d2.abs().max() <= 18 * amplitude * dt**2
    noise = amplitude * torch.randn(200, n_points, dtype=torch.float64)
    assert d2.abs().mean() < 0.01 * noise.diff(n=2, dim=1).abs().mean()
    # Offsets differ between spectra, with about the requested spread.
    assert 0.3 * amplitude < drift.mean(1).std() < 2 * amplitude


def test_spikes_are_positive_one_point_outliers():
    """Spikes only add, at single points, values between 3 and 10, about ``spikes`` of them
    per spectrum on average."""
    x = peaks(400, 200)
    torch.manual_seed(0)
    diff = add_noise(x, spikes=2.0) - x
    hit = diff != 0
    assert (diff >= 0).all()
    assert diff[hit].min() >= 3 - 1e-9
    assert diff[hit].max() <= 10 + 1e-9
    assert hit.sum(1).double().mean() == pytest.approx(2.0, rel=0.15)


def test_shot_noise_grows_with_height():
    """Shot-like noise is zero at each spectrum's minimum and larger on tall bands."""
    n_points = 200
    t = torch.arange(n_points, dtype=torch.float64)
    x = 9.0 * torch.exp(-0.5 * ((t - 100) / 5.0) ** 2).repeat(300, 1)
    torch.manual_seed(0)
    diff = add_noise(x, shot=0.1) - x
    low = x.argmin(1)
    assert (diff[torch.arange(300), low] == 0).all()
    # sqrt(9) = 3 at the band top, sqrt(~0) on the flanks.
    assert diff[:, 100].std() == pytest.approx(0.3, rel=0.2)
    assert diff[:, :50].abs().max() < 1e-3


def test_gaussian_noise_has_the_requested_std():
    """Additive noise has the requested standard deviation, independent of the signal."""
    x = peaks(200, 100)
    torch.manual_seed(0)
    diff = add_noise(x, noise=0.2) - x
    assert float(diff.std()) == pytest.approx(0.2, rel=0.05)
    assert abs(float(diff.mean())) < 0.01
    assert np.corrcoef(diff.flatten().numpy(), x.flatten().numpy())[0, 1] == pytest.approx(
        0, abs=0.02
    )
