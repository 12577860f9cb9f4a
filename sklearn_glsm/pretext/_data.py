"""Batched data access for the skorch nets: one indexing call per batch, not per spectrum."""

from __future__ import annotations

import numpy as np
import torch
from skorch.dataset import Dataset


class SpectraDataset(Dataset):
    """skorch dataset over a 2-D float array (or ``numpy.memmap``) of spectra.

    PyTorch's ``DataLoader`` asks a map-style dataset for one row at a time
    and stacks the rows in ``collate_fn``; for short spectra that Python
    overhead costs as much as the network. Here the loader hands the whole
    batch of indices to :meth:`__getitems__`, which slices the array once.
    Rows are read only when their batch is drawn, so a memory map is
    streamed, never copied whole. Use with ``collate_fn=collate_batch``.

    Parameters
    ----------
    X : ndarray of shape (n_spectra, n_points)
        Spectra; float32 avoids a conversion per batch.
    y : ndarray of shape (n_spectra,) or None, default=None
        Integer targets, or None for pretraining.
    length : int or None, default=None
        Passed to :class:`skorch.dataset.Dataset`.
    """

    def __getitems__(self, indices) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch of rows ``indices`` as ``(X, y)`` tensors."""
        idx = np.asarray(indices)
        Xb = torch.from_numpy(np.asarray(self.X[idx], dtype=np.float32))
        if self.y is None:
            return Xb, torch.zeros(len(idx))
        return Xb, torch.as_tensor(np.asarray(self.y)[idx])


def collate_batch(batch):
    """Collate function for :class:`SpectraDataset`: the batch is already whole."""
    return batch
