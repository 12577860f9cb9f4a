"""Choose the size of the views' axis warp on a development set, not the test part.

The network is trained from scratch (no pretraining, so each fit takes
seconds) on k = 5 labels per class of each seed's training part, with its
fine-tuning augmentation at each candidate ``shift = stretch``; it is scored
on the *rest of the training part* (labels hidden from the fit, known to
us). The test part of the protocol is not touched, so the benchmark's test
numbers stay unbiased by this choice.

python -m benchmarks.tune_views
python -m benchmarks.tune_views --datasets ftir_villegas_c4 --warps 0 0.002 0.01 --seeds 0 1 2
"""

from __future__ import annotations

import argparse

import numpy as np

from .protocol import UNLABELED, glsm_method, label_draw, load

DATASETS = ["ftir_villegas_c4", "raman_saliva_covid", "ftir_kedzierski"]


def dev_accuracy(name: str, warps, seeds, k: int = 5) -> dict[float, list[float]]:
    """Development-set accuracy of the scratch network for each axis warp."""
    data = load(name)
    scores: dict[float, list[float]] = {w: [] for w in warps}
    for seed in seeds:
        train, _, y_semi = label_draw(data, seed, k)
        dev = y_semi == UNLABELED
        X, truth = data.X[train], data.y[train].astype(str)
        for w in warps:
            model = glsm_method("scratch", data, seed, shift=w, stretch=w).fit(X, y_semi)
            scores[w].append(float(np.mean(model.predict(X[dev]) == truth[dev])))
    return scores


def main(argv=None) -> None:
    """Command-line entry point: a markdown table, data sets by warp."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--datasets", nargs="+", default=DATASETS)
    p.add_argument("--warps", nargs="+", type=float, default=[0.0, 0.001, 0.002, 0.003, 0.01])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = p.parse_args(argv)
    print("| data set | " + " | ".join(f"shift = stretch = {w:g}" for w in args.warps) + " |")
    print("|---|" + "---|" * len(args.warps))
    for name in args.datasets:
        scores = dev_accuracy(name, args.warps, args.seeds)
        print(f"| {name} | " + " | ".join(f"{np.mean(scores[w]):.3f}" for w in args.warps)
              + " |", flush=True)


if __name__ == "__main__":
    main()
