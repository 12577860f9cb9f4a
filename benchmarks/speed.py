"""Throughput of the estimators against a plain PyTorch loop on the same network.

python -m benchmarks.speed [--n-samples 3000 30000] [--n-features 1000] [--epochs 2]
                           [--threads N] [--device cuda]

For each stage (pretraining, fine-tuning, transform, predict_proba) the same
module, loss, batch size and data run once through the estimator and once
through a hand-written PyTorch loop, in the same process; the table gives
spectra per second and their ratio. Results go to ``docs/benchmark_speed.md``.
"""

from __future__ import annotations

import argparse
import copy
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

from sklearn_glsm import GLSMClassifier, GLSMTransformer
from sklearn_glsm.datasets import make_spectra
from sklearn_glsm.nn import GLSMClassifierModule
from sklearn_glsm.pretext import GLSMLoss

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _plain_train(module, loss_fn, X, epochs, batch_size, lr, device):
    """The reference: shuffle, slice, forward, backward, step. Returns seconds."""
    module.to(device).train()
    opt = torch.optim.AdamW(module.parameters(), lr=lr, weight_decay=1e-4)
    X = torch.as_tensor(X)
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(X))
        for i in range(0, len(X), batch_size):
            idx = perm[i : i + batch_size]
            loss = loss_fn(module, X[idx].to(device), idx)
            opt.zero_grad()
            loss.backward()
            opt.step()
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()  # CUDA runs asynchronously: wait for the last step
    return time.perf_counter() - start


def _plain_infer(fn, X, batch_size, device):
    X = torch.as_tensor(X)
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(X), batch_size):
            fn(X[i : i + batch_size].to(device)).cpu()
    return time.perf_counter() - start


def _warm_up(X, y, device: str) -> None:
    """One short fit of each kind first, so neither side pays the process's cold start.

    Thread pools, allocator caches and (on a GPU) CUDA context and kernel
    selection are set up on first use; without this, whichever runs first
    looks slower.
    """
    glsm = GLSMTransformer(pretrain_epochs=1, random_state=0, device=device).fit(X)
    GLSMClassifier(pretrained=glsm, finetune_epochs=1, random_state=0, device=device).fit(X, y)
    glsm.transform(X)
    module = glsm._pretext_net(X.shape[1], len(X), glsm.device_).initialize().module_
    criterion = GLSMLoss()
    _plain_train(module, lambda m, xb, _: criterion(m(xb))["loss"], X, 1, glsm.batch_size,
                 glsm.lr, glsm.device_)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _best_of(repeats: int, estimator, plain) -> tuple[float, float]:
    """Fastest of ``repeats`` runs of each side, interleaved (seconds).

    Interleaving spreads slow phases of a shared machine over both sides;
    the minimum is the run least disturbed by other work.
    """
    times = [(_timed(estimator), plain()) for _ in range(repeats)]
    return min(t[0] for t in times), min(t[1] for t in times)


def measure(n_samples: int, n_features: int, epochs: int, device: str,
            repeats: int = 1) -> list[tuple]:
    """Rows (stage, n_samples, plain spectra/s, estimator spectra/s)."""
    X, y, _ = make_spectra(n_samples, n_features, n_classes=6, random_state=0)
    X = X.astype(np.float32)
    _warm_up(X[:512], y[:512], device)
    rows = []
    glsm = GLSMTransformer(pretrain_epochs=epochs, random_state=0, device=device)
    criterion = GLSMLoss()

    def plain_pretrain():
        module = glsm._pretext_net(n_features, n_samples, glsm.device_).initialize().module_
        return _plain_train(module, lambda m, xb, _: criterion(m(xb))["loss"], X, epochs,
                            glsm.batch_size, glsm.lr, glsm.device_)

    est, plain = _best_of(repeats, lambda: glsm.fit(X), plain_pretrain)
    rows.append(("pretraining", n_samples, n_samples * epochs / plain,
                 n_samples * epochs / est))

    clf = GLSMClassifier(pretrained=glsm, finetune_epochs=epochs, random_state=0,
                         device=device)
    yt = torch.as_tensor(y, dtype=torch.long)
    ce = torch.nn.CrossEntropyLoss()

    def plain_finetune():
        cmod = GLSMClassifierModule(
            copy.deepcopy(glsm.net_.module_.encoder), 6, views=glsm._views(),
            dropout=clf.dropout,
        )
        return _plain_train(cmod, lambda m, xb, idx: ce(m(xb), yt[idx].to(xb.device)), X,
                            epochs, clf.batch_size, clf.lr, clf.device_)

    est, plain = _best_of(repeats, lambda: clf.fit(X, y), plain_finetune)
    rows.append(("fine-tuning", n_samples, n_samples * epochs / plain,
                 n_samples * epochs / est))

    cmod = clf.net_.module_.eval()  # inference: no views, no dropout, as in predict_proba
    glsm.net_.module_.eval()
    for stage, method, fn in [
        ("transform", glsm.transform, glsm.net_.module_.features),
        ("predict_proba", clf.predict_proba, lambda xb: torch.softmax(cmod(xb), 1)),
    ]:
        est, plain = _best_of(repeats, lambda method=method: method(X),
                              lambda fn=fn: _plain_infer(fn, X, glsm.batch_size, glsm.device_))
        rows.append((stage, n_samples, n_samples / plain, n_samples / est))
    return rows


def main(argv=None) -> None:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-samples", type=int, nargs="+", default=[3000, 30000])
    p.add_argument("--n-features", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    p.add_argument("--repeats", type=int, default=1,
                   help="interleaved runs of each side; the fastest counts")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = []
    for n in args.n_samples:
        rows += measure(n, args.n_features, args.epochs, args.device, args.repeats)
    device = "cuda: " + torch.cuda.get_device_name() if torch.cuda.is_available() and \
        args.device != "cpu" else f"CPU ({platform.machine()}, {torch.get_num_threads()} threads)"
    command = "python -m benchmarks.speed " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = [f"Command: `{command.strip()}`", "",
             f"Device: {device}; {args.n_features} points per spectrum, {args.epochs} epochs; "
             "default network, batch size 64; a short warm-up fit of each kind first, then "
             f"the fastest of {args.repeats} interleaved runs of each side.",
             "", "| stage | spectra | plain loop (spectra/s) | estimator (spectra/s) | ratio |",
             "|---|---|---|---|---|"]
    lines += [f"| {s} | {n} | {a:.0f} | {b:.0f} | {b / a:.2f} |" for s, n, a, b in rows]
    text = "\n".join(lines) + "\n"
    (DOCS / "benchmark_speed.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
