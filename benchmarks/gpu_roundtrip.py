"""Fit on one machine's GPU, load and predict on another machine's CPU.

python -m benchmarks.gpu_roundtrip save DIR    # on the GPU machine
python -m benchmarks.gpu_roundtrip check DIR   # on a CPU-only machine

``save`` fits the default GLSMClassifier (fewer epochs) on synthetic spectra on
``cuda``, and writes the model with :func:`joblib.dump` and
:func:`~sklearn_glsm.save_model`, the test spectra and
the GPU's predicted probabilities. ``check`` loads the model where there is
no GPU, predicts the same spectra and reports the largest difference in
probability and the agreement of the predicted classes.
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import joblib
import numpy as np
import torch

from sklearn_glsm import GLSMClassifier, load_model, save_model
from sklearn_glsm.datasets import hide_labels, make_spectra


def save(out: Path, device: str = "cuda") -> None:
    """Fit on the GPU and write the model, spectra and probabilities to ``out``."""
    X, y, _ = make_spectra(600, 500, n_classes=4, random_state=0)
    y_semi = hide_labels(y, 5, random_state=0)
    clf = GLSMClassifier(pretrain_epochs=10, finetune_epochs=30, device=device,
                         random_state=0).fit(X[:400], y_semi[:400])
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(clf, out / "model.joblib")
    save_model(clf, out / "model.glsm")
    np.savez(out / "spectra.npz", X=X[400:], y=y[400:], proba=clf.predict_proba(X[400:]))
    card = torch.cuda.get_device_name() if clf.device_.startswith("cuda") else "CPU"
    print(f"fitted on {card} (device_={clf.device_}); "
          f"test accuracy {clf.score(X[400:], y[400:]):.3f}")


def check(out: Path) -> None:
    """Load the GPU-fitted model here, both ways, and compare its predictions."""
    d = np.load(out / "spectra.npz")
    for how, clf in (("joblib.load", joblib.load(out / "model.joblib")),
                     ("load_model", load_model(out / "model.glsm"))):
        _compare(how, clf, d)


def _compare(how: str, clf, d) -> None:
    proba = clf.predict_proba(d["X"])
    same = np.mean(proba.argmax(1) == d["proba"].argmax(1))
    print(f"{how}: loaded on {platform.machine()}, CUDA available: "
          f"{torch.cuda.is_available()}; "
          f"device_={clf.device_}, parameters on "
          f"{next(clf.net_.module_.parameters()).device}")
    print(f"max |proba CPU - proba GPU| = {np.abs(proba - d['proba']).max():.2e}; "
          f"same predicted class for {same:.1%} of {len(proba)} spectra; "
          f"accuracy here {clf.score(d['X'], d['y']):.3f}")


def main(argv=None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("action", choices=["save", "check"])
    p.add_argument("dir", type=Path)
    p.add_argument("--device", default="cuda", help="where `save` fits (default: cuda)")
    args = p.parse_args(argv)
    if args.action == "save":
        save(args.dir, args.device)
    else:
        check(args.dir)


if __name__ == "__main__":
    main()
