"""Does the global task without negatives collapse the embeddings?

Pretrains ``GLSMTransformer(global_objective=...)`` on synthetic spectra
(``make_spectra``, 600 × 400, 15 epochs, seed 0) with and without the local
task, and prints the last epoch's global loss and the spread of the
embeddings: the mean over dimensions of the standard deviation of the
unit-normalised embeddings (about ``1/sqrt(n_components)`` = 0.125 when they
point every way, 0 when they all point the same way). Minutes on a CPU.

python -m benchmarks.probe_collapse
"""

from __future__ import annotations

import numpy as np
import torch

from sklearn_glsm import GLSMTransformer
from sklearn_glsm.datasets import make_spectra

SETTINGS = [
    ("contrastive, both tasks", {}),
    ("predictive, both tasks", {"global_objective": "predictive"}),
    ("predictive, global task alone", {"global_objective": "predictive", "local_weight": 0.0}),
]


def spread(embedding: np.ndarray) -> float:
    """Mean per-dimension standard deviation of the unit-normalised embeddings."""
    unit = embedding / np.linalg.norm(embedding, axis=1, keepdims=True)
    return float(unit.std(axis=0).mean())


def main() -> None:
    """Pretrain each setting and print its final global loss and embedding spread."""
    torch.set_num_threads(1)
    X, _, _ = make_spectra(n_samples=600, n_features=400, random_state=0)
    print("| setting | global loss, last epoch | spread of the embeddings |")
    print("|---|---|---|")
    for label, params in SETTINGS:
        model = GLSMTransformer(pretrain_epochs=15, random_state=0, **params).fit(X)
        loss = model.history_["pretrain"][-1]["global_loss"]
        print(f"| {label} | {loss:.3f} | {spread(model.transform(X)):.4f} |", flush=True)


if __name__ == "__main__":
    main()
