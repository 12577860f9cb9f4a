"""The ``glsm-demo`` command of the README's quick start, on a small file of spectra."""

from __future__ import annotations

import argparse
import re

import pytest

from sklearn_glsm._demo import _epochs, main
from sklearn_glsm.datasets import make_spectra


def test_finetune_epochs_argument():
    """``--finetune-epochs`` takes a positive integer or ``auto`` (the estimator's default)."""
    assert _epochs("auto") == "auto"
    assert _epochs("12") == 12
    for bad in ("0", "-3", "many", "1.5"):
        with pytest.raises(argparse.ArgumentTypeError, match="positive integer or 'auto'"):
            _epochs(bad)


def test_demo_runs_on_a_csv_file(tmp_path, capsys):
    """The demo reads a labeled CSV file, fits the baselines and GLSM, and prints the
    test accuracy of each."""
    X, y, wavenumbers = make_spectra(n_samples=90, n_features=64, n_classes=3,
                                     random_state=0)
    path = tmp_path / "spectra.csv"
    header = "label," + ",".join(f"{w:.2f}" for w in wavenumbers)
    rows = [f"c{label}," + ",".join(f"{v:.6f}" for v in x) for x, label in zip(X, y, strict=True)]
    path.write_text("\n".join([header, *rows]) + "\n")
    assert main([str(path), "-k", "3", "--pretrain-epochs", "1", "--finetune-epochs", "2",
                 "--device", "cpu", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "90 spectra x 64 points, 3 classes" in out
    assert "9 labeled (3 per class)" in out
    scores = [float(line.split()[-1]) for line in out.splitlines()
              if line.startswith("  ") and "GLSM" not in line]
    # SNV + LR, SNV + 1-NN and GLSM's teacher alone.
    assert len(scores) == 3 and all(0 <= s <= 1 for s in scores)
    assert "its teacher alone" in out
    assert re.search(r"teacher: .* at \d+(, \d+)* points \(quiet_windows\), \d+ unlabeled", out)
    glsm = [line for line in out.splitlines() if "GLSM (pretrain + fine-tune)" in line]
    assert len(glsm) == 1 and "on cpu" in glsm[0]
    assert 0 <= float(glsm[0].split()[4]) <= 1
