"""Average several fine-tunings of one pretrained encoder: what is it worth?

Few labels make fine-tuning noisy: the same pretrained encoder, fine-tuned
with another seed (a new draw of the embedding layer and head, other
augmented views and batch order), classifies differently. This probe
fine-tunes ``--members`` copies of one seed's cached pretraining (member 0
with the benchmark's own ``random_state``, the others with new ones) and
scores, on the development set of ``benchmarks.dev_sweep`` (training spectra
whose labels the fit does not see; never the test part), member 0 alone
(the benchmark's GLSM), the mean of the members, and the ensemble that
averages their predicted probabilities. Beside them it scores logistic
regression on the Savitzky-Golay derivative the network sees as its second
channel (the variant's ``derivative`` and ``derivative_window``, fitted on
the labeled spectra only; ``benchmarks.probe_derivative`` measures it
alone) and the average of its probabilities with member 0's: a network and
a linear model of similar accuracy, each fitted its own way, combined.
Cells already in ``--out`` are skipped.

python -m benchmarks.probe_ensemble --k 5
python -m benchmarks.probe_ensemble --k 5 --variant global_objective=predictive
python -m benchmarks.probe_ensemble --report
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from sklearn.pipeline import make_pipeline

from sklearn_glsm import GLSMClassifier

from .dev_sweep import dev_split, probe_parser, run_probe, variant_params
from .protocol import UNLABELED, derivative_teacher, glsm_method, to_grid
from .run import RESULTS

FIELDS = ["dataset", "k", "seed", "variant", "members", "single", "members_mean", "ensemble",
          "lr_derivative", "single_plus_lr", "finetune_seconds"]


def cell(name: str, seed: int, k: int, variant: str, members: int, cache_dir: Path) -> dict:
    """Fine-tune ``members`` copies of one cached pretraining; score them on the dev set."""
    params = variant_params(variant)
    split = dev_split(name, seed, k, params, cache_dir)
    X_dev, truth = split["X"][split["dev"]], split["truth"][split["dev"]]
    start = time.perf_counter()
    probas, accuracies = [], []
    for member in range(members):
        model = glsm_method("GLSM", split["data"], seed, split["pretrained"], **params)
        model[-1].set_params(random_state=seed if member == 0 else 1000 * seed + member)
        model.fit(split["X_fit"], split["y_fit"])
        probas.append(model.predict_proba(X_dev))
        accuracies.append(np.mean(model.predict(X_dev) == truth))
    classes = model[-1].classes_
    ensemble = np.mean(classes[np.mean(probas, axis=0).argmax(axis=1)] == truth)
    linear = linear_on_derivative(split, params).predict_proba(X_dev)
    mixed = np.mean(classes[(linear + probas[0]).argmax(axis=1)] == truth)
    return {"dataset": name, "k": k, "seed": seed, "variant": variant, "members": members,
            "single": f"{accuracies[0]:.4f}", "members_mean": f"{np.mean(accuracies):.4f}",
            "ensemble": f"{ensemble:.4f}",
            "lr_derivative": f"{np.mean(classes[linear.argmax(axis=1)] == truth):.4f}",
            "single_plus_lr": f"{mixed:.4f}",
            "finetune_seconds": f"{time.perf_counter() - start:.1f}"}


def derivative_channel(params: dict) -> tuple[int, int]:
    """Order and window of the network's derivative channel under ``params``."""
    defaults = GLSMClassifier().get_params()
    return (params.get("derivative", defaults["derivative"]),
            params.get("derivative_window", defaults["derivative_window"]))


def linear_on_derivative(split: dict, params: dict):
    """Logistic regression on the network's derivative channel, from the labeled spectra.

    The derivative (:func:`derivative_channel`) is taken on the networks'
    grid, then SNV, as in ``benchmarks.probe_derivative``; its classes come
    out sorted, like the classifier's.
    """
    labeled = np.asarray(split["y_fit"]) != UNLABELED
    model = make_pipeline(to_grid(split["data"]), derivative_teacher(*derivative_channel(params)))
    return model.fit(split["X_fit"][labeled], np.asarray(split["y_fit"])[labeled])


COLUMNS = {"single": "single", "members_mean": "mean of members", "ensemble": "ensemble",
           "lr_derivative": "LR on the derivative", "single_plus_lr": "single + LR"}


def main(argv=None) -> None:
    """Command-line entry point: fit the missing cells, append them, print the table."""
    p = probe_parser(__doc__.split("\n")[0])
    p.add_argument("--members", type=int, default=5)
    p.add_argument("--out", type=Path, default=RESULTS / "probe_ensemble.csv")
    args = p.parse_args(argv)
    run_probe(args, FIELDS, "members",
              lambda name, seed: cell(name, seed, args.k, args.variant, args.members, args.cache),
              COLUMNS)


if __name__ == "__main__":
    main()
