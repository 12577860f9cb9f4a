"""Probe what GLSM pretraining learned, on a development set (not the test part).

Pretrains the default ``GLSMTransformer`` on one seed's training part (all
spectra, no labels), then scores, on the training spectra whose labels are
hidden (k = 5 per class are labeled):

* logistic regression and 1-NN on the frozen embedding (``embed``: is the
  embedding organised by class?) and on the pooled features below it
  (``transform``);
* the default full fine-tuning (``GLSMClassifier(pretrained=...)``), with
  and without drawing the embedding layer anew first (``reset_embedding``).

``--temperature`` sets the softmax temperature of the global task's
contrastive loss (``GLSMTransformer(temperature=...)``), to test whether
instance discrimination among near-identical spectra is what keeps the
embedding from grouping classes.

python -m benchmarks.probe_embedding --dataset ftir_villegas_c4 --seed 0
python -m benchmarks.probe_embedding --dataset ftir_villegas_c4 --seed 0 --temperature 0.5
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from sklearn_glsm import GLSMTransformer

from .protocol import UNLABELED, glsm_method, label_draw, load, pretrain_method, to_grid


def main(argv=None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dataset", default="ftir_villegas_c4")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--temperature", type=float, default=None)
    args = p.parse_args(argv)
    temperature = args.temperature or GLSMTransformer().temperature
    data = load(args.dataset)
    train, _, y_semi = label_draw(data, args.seed, args.k)
    labeled, dev = y_semi != UNLABELED, y_semi == UNLABELED
    X, truth = data.X[train], data.y[train].astype(str)
    transformer = pretrain_method("GLSM", data, X, args.seed, temperature=temperature)
    resample = to_grid(data)
    X_grid = resample.fit_transform(X).astype(np.float32)
    scores = {}
    for frozen, Z in [("embedding", transformer.embed(X_grid)),
                      ("pooled features", transformer.transform(X_grid))]:
        for name, est in [("LR", LogisticRegression(max_iter=3000)),
                          ("1-NN", KNeighborsClassifier(1))]:
            est.fit(Z[labeled], y_semi[labeled])
            scores[f"{frozen} + {name}"] = np.mean(est.predict(Z[dev]) == truth[dev])
    for reset in (True, False):
        model = glsm_method("GLSM no teacher", data, args.seed, transformer,
                            reset_embedding=reset).fit(X, y_semi)
        scores[f"full fine-tuning, reset_embedding={reset}"] = np.mean(
            model.predict(X[dev]) == truth[dev])
    for name, score in scores.items():
        print(f"{args.dataset} seed={args.seed} k={args.k} temperature={temperature:g} "
              f"{name}: {score:.3f} (development set, {int(dev.sum())} spectra)")


if __name__ == "__main__":
    main()
