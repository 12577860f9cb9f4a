"""Suite-wide settings."""

import pytest
import torch


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
