"""Suite-wide settings."""

import pytest
import torch

from sklearn_glsm.datasets import make_spectra

# The small two-class problem of the bad-input and persistence tests.
N_SAMPLES, N_FEATURES = 40, 64


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """Run torch on one intra-op thread.

    The test networks are tiny and gain nothing from more threads, and on a
    busy 2-core machine OpenMP spin-waiting made fits 10-50x slower.
    """
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


@pytest.fixture(scope="session")
def data():
    """``(X, y, wavenumbers)``: 40 synthetic spectra of 64 points, two classes."""
    return make_spectra(n_samples=N_SAMPLES, n_features=N_FEATURES, n_classes=2, random_state=0)
