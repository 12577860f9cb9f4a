"""Out-of-core data: batched access and fitting on a ``numpy.memmap``."""

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from sklearn_glsm import GLSMClassifier, GLSMTransformer
from sklearn_glsm.pretext import SpectraDataset, collate_batch

from ._instances import fast


def test_dataset_returns_whole_batches_in_index_order():
    X = np.arange(20, dtype=np.float64).reshape(10, 2)
    y = np.arange(10) * 10
    ds = SpectraDataset(X, y)
    Xb, yb = ds.__getitems__([7, 2, 5])
    assert Xb.dtype == torch.float32
    np.testing.assert_array_equal(Xb.numpy(), X[[7, 2, 5]])
    np.testing.assert_array_equal(yb.numpy(), [70, 20, 50])
    batches = list(DataLoader(ds, batch_size=4, collate_fn=collate_batch))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(torch.cat([b[0] for b in batches]).numpy(), X)
    # Pretraining has no targets: a placeholder of the batch's length.
    assert SpectraDataset(X).__getitems__([0, 1])[1].shape == (2,)


def test_fit_on_memmap_equals_fit_in_memory(tmp_path, data):
    X, y, _ = data
    path = tmp_path / "X.npy"
    np.save(path, X.astype(np.float32))
    X_map = np.load(path, mmap_mode="r")
    assert isinstance(X_map, np.memmap)

    in_memory = fast(GLSMTransformer).fit(X_map.copy())
    mapped = fast(GLSMTransformer).fit(X_map)
    np.testing.assert_array_equal(mapped.transform(X_map), in_memory.transform(X_map))

    clf_memory = fast(GLSMClassifier, finetune_epochs=3).fit(X_map.copy(), y)
    clf_mapped = fast(GLSMClassifier, finetune_epochs=3).fit(X_map, y)
    np.testing.assert_array_equal(
        clf_mapped.predict_proba(X_map), clf_memory.predict_proba(X_map)
    )
    # The caller's read-only map is untouched and still a map.
    assert isinstance(X_map, np.memmap) and not X_map.flags.writeable


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_memmap_batches_train_on_cuda(tmp_path, data):
    """On a GPU, batches read from the map are moved to the device as they are drawn."""
    X, y, _ = data
    np.save(tmp_path / "X.npy", X.astype(np.float32))
    X_map = np.load(tmp_path / "X.npy", mmap_mode="r")
    clf = fast(GLSMClassifier, finetune_epochs=3, device="cuda").fit(X_map, y)
    assert next(clf.net_.module_.parameters()).is_cuda
    proba = clf.predict_proba(X_map)
    assert isinstance(proba, np.ndarray)
    np.testing.assert_allclose(proba.sum(1), 1.0)
