"""The benchmark harness: resumable cells and pretraining shared across k.

The real spectra live outside the repository; these tests swap the loader
for synthetic spectra and use a tiny network, so they check the harness's
bookkeeping, not accuracy.
"""

import csv
from functools import partial

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from benchmarks import (
    dev_sweep,
    finetune_seconds,
    overlap,
    per_class,
    probe_all_labels,
    probe_cotrain,
    probe_derivative,
    probe_ensemble,
    probe_native_network,
    probe_selftrain,
    probe_teacher,
    probe_tta,
    protocol,
    report,
    run,
    thread_repro,
)
from sklearn_glsm import (
    GLSMClassifier,
    GLSMTransformer,
    make_derivative_teacher,
    quiet_windows,
)
from sklearn_glsm._classifier import most_confident
from sklearn_glsm.datasets import make_spectra
from sklearn_glsm.preprocessing import WavenumberResampler

TINY = {"n_components": 4, "width": 4, "depth": 2, "pretrain_epochs": 1,
        "finetune_epochs": 2, "batch_size": 16}


@pytest.fixture
def synthetic(monkeypatch):
    """Replace the shared-data loader by 90 synthetic spectra of 3 classes."""
    X, y, wn = make_spectra(n_samples=90, n_features=120, n_classes=3, random_state=0)
    data = protocol.Dataset("synthetic", X.astype(np.float32), y.astype(str), wn)
    monkeypatch.setattr(run, "load", lambda name: data)
    return data


@pytest.fixture
def counted_pretraining(monkeypatch):
    """Count the calls of the benchmark's GLSM pretraining."""
    calls = []
    original = run.pretrain_method

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(run, "pretrain_method", counting)
    return calls


def _rows(path):
    with path.open() as f:
        return list(csv.DictReader(f))


def test_every_cell_once_and_pretraining_once_per_seed(synthetic, counted_pretraining,
                                                      tmp_path):
    out = tmp_path / "results.csv"
    methods = ["LR", "GLSM", "scratch"]
    run.run(["synthetic"], [2, None], [0], methods, out, TINY)
    rows = _rows(out)
    assert sorted((r["k"], r["method"]) for r in rows) == sorted(
        (k, m) for k in ("2", "all") for m in methods)
    assert {r["n_labeled"] for r in rows if r["k"] == "2"} == {"6"}
    assert all(0.0 <= float(r["accuracy"]) <= 1.0 for r in rows)
    # One pretraining serves both k, and lands in the on-disk cache.
    assert counted_pretraining == ["GLSM"]
    assert len(list((tmp_path / "cache").glob("*.joblib"))) == 1

    # A second run finds every cell done: nothing is refitted or appended.
    run.run(["synthetic"], [2, None], [0], methods, out, TINY)
    assert len(_rows(out)) == len(rows)
    assert counted_pretraining == ["GLSM"]


def test_cache_folder_apart_from_results(synthetic, counted_pretraining, tmp_path):
    """``cache_dir`` puts the encoders where another run (in another results
    folder) finds them, instead of beside ``out``."""
    cache = tmp_path / "shared_cache"
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    run.run(["synthetic"], [2], [0], ["GLSM"], tmp_path / "a" / "one.csv", TINY,
            cache_dir=cache)
    run.run(["synthetic"], [None], [0], ["GLSM"], tmp_path / "b" / "two.csv", TINY,
            cache_dir=cache)
    assert counted_pretraining == ["GLSM"]
    assert len(list(cache.glob("*.joblib"))) == 1
    assert not (tmp_path / "a" / "cache").exists()


def test_interrupted_run_keeps_finished_cells(synthetic, counted_pretraining, tmp_path,
                                              monkeypatch):
    out = tmp_path / "results.csv"
    original = run.glsm_method

    def failing(name, *args, **kwargs):
        if name == "scratch":
            raise KeyboardInterrupt
        return original(name, *args, **kwargs)

    monkeypatch.setattr(run, "glsm_method", failing)
    with pytest.raises(KeyboardInterrupt):
        run.run(["synthetic"], [2], [0], ["LR", "GLSM", "scratch"], out, TINY)
    assert sorted(r["method"] for r in _rows(out)) == ["GLSM", "LR"]

    # Resuming runs only the missing cell and reuses the cached pretraining.
    monkeypatch.setattr(run, "glsm_method", original)
    run.run(["synthetic"], [2], [0], ["LR", "GLSM", "scratch"], out, TINY)
    assert sorted(r["method"] for r in _rows(out)) == ["GLSM", "LR", "scratch"]
    assert counted_pretraining == ["GLSM"]


def test_cache_key_includes_settings(tmp_path):
    calls = []

    def fit(value):
        calls.append(value)
        return value

    first = run.cached_pretraining(tmp_path, {"seed": 0, "params": {"lr": 1e-3}}, fit, 1)
    again = run.cached_pretraining(tmp_path, {"seed": 0, "params": {"lr": 1e-3}}, fit, 2)
    other = run.cached_pretraining(tmp_path, {"seed": 0, "params": {"lr": 1e-2}}, fit, 3)
    assert (first["model"], again["model"], other["model"]) == (1, 1, 3)
    assert calls == [1, 3]
    assert first["seconds"] >= 0


@pytest.mark.parametrize("name, other", [("temperature", 0.5), ("projection_head", True),
                                         ("derivative", 2), ("derivative_window", 15),
                                         ("global_objective", "predictive")])
def test_added_settings_keep_old_cache_keys(name, other):
    """A setting added later is left out of the key at the value that reproduces the
    old pretraining, and enters it at any other value."""
    old = run.ADDED_SETTINGS[name]
    assert name not in run.pretraining_key("d", 0, "GLSM", {name: old})["params"]
    assert run.pretraining_key("d", 0, "GLSM", {name: other})["params"][name] == other


def test_global_task_settings_leave_a_local_only_key():
    """Without the global task its settings do not change the pretraining, so they stay
    out of the key: local-only pretraining is shared whatever the global objective."""
    key = run.pretraining_key
    local = key("d", 0, "GLSM local-only", {})
    assert local == key("d", 0, "GLSM local-only", {"global_objective": "predictive"})
    assert local == key("d", 0, "GLSM local-only", {"temperature": 0.5})
    assert key("d", 0, "GLSM", {}) != key("d", 0, "GLSM", {"global_objective": "predictive"})


def test_device_is_a_run_wide_setting_like_any_other(synthetic):
    """The methods train on device="auto" unless a run's settings (``--set
    device=cpu``) name another, for pretraining and fine-tuning alike."""
    assert protocol.glsm_method("GLSM", synthetic, 0)[-1].device == "auto"
    assert protocol.glsm_method("GLSM", synthetic, 0, device="cpu")[-1].device == "cpu"
    fitted = protocol.pretrain_method("GLSM", synthetic, synthetic.X[:30], 0,
                                      pretrain_epochs=1, device="cpu")
    assert fitted.device == "cpu" and fitted.device_ == "cpu"


@pytest.mark.parametrize("ablation", ["GLSM global-only", "GLSM local-only"])
def test_ablations_with_teacher_fine_tune_the_ablations_pretraining(synthetic, ablation):
    """"<ablation> with teacher" reuses the ablation's cached pretraining and
    fine-tunes with the default teacher, which the ablation itself pins off."""
    taught = f"{ablation} with teacher"
    assert run.pretraining_key("d", 0, taught, {}) == run.pretraining_key("d", 0, ablation, {})
    clf = protocol.glsm_method(taught, synthetic, 0)[-1]
    assert clf.teacher == GLSMClassifier().teacher
    assert protocol.glsm_method(ablation, synthetic, 0)[-1].teacher is None
    weights = {k: clf.get_params()[k] for k in ("global_weight", "local_weight")}
    assert weights == {k: protocol.glsm_method(ablation, synthetic, 0)[-1].get_params()[k]
                       for k in weights}
    # The transfer pairs' counterparts share the source's ablation pretraining.
    source = ablation.replace("GLSM", "GLSM transfer")
    assert (run.pretraining_key("d", 0, f"{source} with teacher", {})
            == run.pretraining_key("d", 0, source, {}))
    assert "teacher" not in protocol.TRANSFER_METHODS[f"{source} with teacher"]


def test_cheap_cells_first():
    cells = [("d", None, 0, "GLSM"), ("d", 5, 1, "GLSM"), ("d", 1, 0, "LR"),
             ("d", 10, 0, "GLSM"), ("d", 1, 0, "GLSM")]
    assert sorted(cells, key=run._cell_order) == [
        ("d", 1, 0, "GLSM"), ("d", 10, 0, "GLSM"), ("d", 1, 0, "LR"), ("d", 5, 1, "GLSM"),
        ("d", None, 0, "GLSM")]


def test_parse_variant():
    assert protocol.parse_variant("default") == {}
    assert protocol.parse_variant("width=32,lr=0.0003,finetune=head") == {
        "width": 32, "lr": 0.0003, "finetune": "head"}
    assert protocol.parse_variant("reset_embedding=True,finetune_augment=False") == {
        "reset_embedding": True, "finetune_augment": False}
    with pytest.raises(ValueError, match="KEY=VALUE"):
        protocol.parse_variant("width")


def test_dev_sweep_scores_hidden_training_labels_and_shares_pretraining(
        synthetic, monkeypatch, tmp_path, capsys):
    """Rows land in the CSV, a rerun skips them, and a variant that changes only
    fine-tuning reuses the cached pretraining of the same settings."""
    monkeypatch.setattr(dev_sweep, "load", lambda name: synthetic)
    tiny = ",".join(f"{k}={v}" for k, v in TINY.items())
    out, cache = tmp_path / "dev.csv", tmp_path / "cache"
    argv = ["--datasets", "synthetic", "--seeds", "0", "--k", "2", "--out", str(out),
            "--cache", str(cache), "--variants", tiny, tiny + ",finetune=head"]
    dev_sweep.main(argv)
    rows = _rows(out)
    assert [r["variant"] for r in rows] == [tiny, tiny + ",finetune=head"]
    assert all(0.0 <= float(r["dev_accuracy"]) <= 1.0 for r in rows)
    assert len(list(cache.glob("*.joblib"))) == 1
    dev_sweep.main(argv)
    assert len(_rows(out)) == 2
    assert "| 2 | " + tiny + " |" in capsys.readouterr().out


def test_fine_tuning_variant_shares_the_pretraining(synthetic, counted_pretraining, tmp_path):
    """'GLSM no teacher', 'GLSM pseudo-labels' and 'GLSM linear-skip' differ from
    'GLSM' only in fine-tuning: one pretraining for the four."""
    assert protocol.pretraining_of("GLSM no teacher") == "GLSM"
    assert protocol.pretraining_of("GLSM pseudo-labels") == "GLSM"
    assert protocol.pretraining_of("GLSM linear-skip") == "GLSM"
    assert protocol.pretraining_of("GLSM local-only") == "GLSM local-only"
    out = tmp_path / "results.csv"
    methods = ["GLSM", "GLSM no teacher", "GLSM pseudo-labels", "GLSM linear-skip",
               "scratch no teacher"]
    run.run(["synthetic"], [2], [0], methods, out, TINY)
    assert {r["method"] for r in _rows(out)} == set(methods)
    assert counted_pretraining == ["GLSM"]  # "scratch no teacher" does not pretrain


def test_dev_sweep_pool_settings(synthetic, monkeypatch, tmp_path):
    """--no-pool pretrains on the training part alone, --extra-pool on the pool and
    other sets' spectra, each under its own name and cache entry."""
    pool = synthetic.X[:20] * 1.1
    monkeypatch.setattr(dev_sweep, "load", lambda name: synthetic)
    monkeypatch.setattr(protocol, "UNLABELED_POOL", {"synthetic": "pool"})
    monkeypatch.setattr(dev_sweep, "unlabeled_pool", lambda data: pool)
    sizes = []
    fit = dev_sweep.pretrain_method
    monkeypatch.setattr(dev_sweep, "pretrain_method",
                        lambda *a, **kw: sizes.append(len(a[2])) or fit(*a, **kw))
    tiny = ",".join(f"{k}={v}" for k, v in TINY.items())
    out, cache = tmp_path / "dev.csv", tmp_path / "cache"
    common = ["--datasets", "synthetic", "--seeds", "0", "--k", "2", "--out", str(out),
              "--cache", str(cache), "--variants", tiny]
    monkeypatch.setattr(dev_sweep, "extra_pool",
                        lambda data, names: synthetic.X[:15] if names else None)
    dev_sweep.main(common)
    dev_sweep.main([*common, "--no-pool"])
    dev_sweep.main([*common, "--extra-pool", "other"])
    assert [r["dataset"] for r in _rows(out)] == ["synthetic", "synthetic (no pool)",
                                                  "synthetic +other"]
    n_train = len(protocol.split(synthetic, 0)[0])
    assert sizes == [n_train + len(pool), n_train, n_train + len(pool) + 15]
    assert len(list(cache.glob("*.joblib"))) == 3


def test_dev_sweep_best_of_bounds_a_per_fit_choice(tmp_path, capsys):
    """``--best-of`` averages the per-seed better of two variants, over the
    seeds both have."""
    out = tmp_path / "dev.csv"
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=dev_sweep.FIELDS)
        writer.writeheader()
        for seed, a, b in [(0, 0.8, 0.6), (1, 0.5, 0.9), (2, 0.7, None)]:
            for variant, acc in (("default", a), ("pretrain_epochs=0", b)):
                if acc is not None:
                    writer.writerow({"dataset": "d", "k": 5, "seed": seed, "variant": variant,
                                     "dev_accuracy": acc})
    dev_sweep.main(["--report", "--out", str(out), "--best-of", "default",
                    "pretrain_epochs=0"])
    row = capsys.readouterr().out.strip().splitlines()[-1]
    assert row == "| 5 | d | 0.650 | 0.750 | 0.850 | 2 |"
    with pytest.raises(SystemExit):
        dev_sweep.main(["--best-of", "default", "pretrain_epochs=0"])


def test_dev_sweep_ablation_reuses_the_benchmarks_pretraining(synthetic, monkeypatch,
                                                               tmp_path):
    """A variant that turns a task off finds the cache entry of the benchmark's
    ablation (run with the same run-wide settings): no pretraining of its own."""
    monkeypatch.setattr(dev_sweep, "load", lambda name: synthetic)
    cache = tmp_path / "cache"
    run.run(["synthetic"], [2], [0], ["GLSM local-only"], tmp_path / "results.csv", TINY)
    assert len(list(cache.glob("*.joblib"))) == 1
    monkeypatch.setattr(dev_sweep, "pretrain_method", None)  # any pretraining would fail
    tiny = ",".join(f"{k}={v}" for k, v in TINY.items())
    dev_sweep.main(["--datasets", "synthetic", "--seeds", "0", "--k", "2",
                    "--out", str(tmp_path / "dev.csv"), "--cache", str(cache),
                    "--variants", tiny + ",global_weight=0.0"])
    assert len(_rows(tmp_path / "dev.csv")) == 1
    assert protocol.pretraining_method({"local_weight": 0.0, "finetune": "head"}) == (
        "GLSM global-only", {"finetune": "head"})
    assert protocol.pretraining_method({"width": 32}) == ("GLSM", {"width": 32})


def test_probe_ensemble_member_zero_is_the_dev_sweeps_fit(synthetic, monkeypatch, tmp_path,
                                                         capsys):
    """Member 0 is the fit dev_sweep scores (same pretraining, same random_state); the
    members' mean and the ensemble are accuracies too; a rerun adds no row."""
    monkeypatch.setattr(dev_sweep, "load", lambda name: synthetic)
    tiny = ",".join(f"{k}={v}" for k, v in TINY.items())
    cache, out = tmp_path / "cache", tmp_path / "ens.csv"
    args = ["--datasets", "synthetic", "--seeds", "0", "--k", "2", "--variant", tiny,
            "--members", "3", "--out", str(out), "--cache", str(cache)]
    probe_ensemble.main(args)
    probe_ensemble.main(args)
    (row,) = _rows(out)
    assert row["members"] == "3"
    assert all(0.0 <= float(row[c]) <= 1.0 for c in probe_ensemble.FIELDS[5:10])
    dev_sweep.main(["--datasets", "synthetic", "--seeds", "0", "--k", "2", "--variants", tiny,
                    "--out", str(tmp_path / "dev.csv"), "--cache", str(cache), "--threads", "1"])
    assert _rows(tmp_path / "dev.csv")[0]["dev_accuracy"] == row["single"]
    assert len(list(cache.glob("*.joblib"))) == 1
    assert "| 3 | synthetic |" in capsys.readouterr().out


def test_most_confident_keeps_the_top_fraction_of_each_predicted_class():
    """The teacher's rule, which the probe reads back: per predicted class, the most
    confident half, rounded up."""
    proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.7, 0.3], [0.2, 0.8], [0.45, 0.55]])
    keep = np.zeros(len(proba), dtype=bool)
    keep[most_confident(proba, 0.5)] = True
    assert keep.tolist() == [True, False, True, True, False]


def test_probe_selftrain_scores_a_held_out_half(synthetic, monkeypatch, tmp_path, capsys):
    """One row per seed with the three accuracies and the pseudo-labels' count; a rerun
    adds nothing."""
    monkeypatch.setattr(dev_sweep, "load", lambda name: synthetic)
    tiny = ",".join(f"{k}={v}" for k, v in TINY.items())
    out = tmp_path / "st.csv"
    args = ["--datasets", "synthetic", "--seeds", "0", "--k", "2", "--variant", tiny,
            "--out", str(out), "--cache", str(tmp_path / "cache")]
    probe_selftrain.main(args)
    probe_selftrain.main(args)
    (row,) = _rows(out)
    assert int(row["n_pseudo"]) > 0
    assert all(0.0 <= float(row[c]) <= 1.0
               for c in ("pseudo_accuracy", "glsm", "teacher", "student"))
    assert "| 2 | 0.5 | synthetic |" in capsys.readouterr().out
    assert row["variant"] == tiny
    # The built-in teacher, into its own CSV.
    multi = tmp_path / "st_multiscale.csv"
    probe_selftrain.main([*args[:-4], "--teacher", "multiscale", "--out", str(multi),
                          "--cache", str(tmp_path / "cache")])
    (other,) = _rows(multi)
    assert other["glsm"] == row["glsm"] and int(other["n_pseudo"]) > 0


def test_probe_tta_averages_repeatable_views_of_the_held_out_rows(synthetic, monkeypatch,
                                                                   tmp_path):
    """The probe scores the taught classifier on held-out rows, plain and averaged over
    views; the views' average is a distribution, the same for the same seed."""
    monkeypatch.setattr(dev_sweep, "load", lambda name: synthetic)
    tiny = ",".join(f"{k}={v}" for k, v in TINY.items())
    out = tmp_path / "tta.csv"
    probe_tta.main(["--datasets", "synthetic", "--seeds", "0", "--k", "2", "--views", "3",
                    "--variant", f"teacher=derivative,{tiny}", "--out", str(out),
                    "--cache", str(tmp_path / "cache")])
    (row,) = _rows(out)
    assert all(0.0 <= float(row[c]) <= 1.0 for c in ("plain", "tta", "tta_plus_plain",
                                                     "teacher"))
    clf = GLSMClassifier(**TINY, random_state=0).fit(synthetic.X, synthetic.y)
    proba = probe_tta.view_proba(clf, synthetic.X[:10], 3, seed=0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(proba, probe_tta.view_proba(clf, synthetic.X[:10], 3, 0))
    assert not np.allclose(proba, clf.predict_proba(synthetic.X[:10]))


def _selftrain_args(synthetic, monkeypatch, tmp_path) -> list[str]:
    """The self-training probes' arguments on the synthetic set, tiny network, k = 2."""
    monkeypatch.setattr(dev_sweep, "load", lambda name: synthetic)
    tiny = ",".join(f"{k}={v}" for k, v in TINY.items())
    return ["--datasets", "synthetic", "--seeds", "0", "--k", "2", "--variant", tiny,
            "--cache", str(tmp_path / "cache")]


def test_probe_cotrain_refits_the_vote_on_the_students_labels(synthetic, monkeypatch,
                                                               tmp_path, capsys):
    """Its first teacher and student are probe_selftrain's (the same fits, the same
    scores); the second round adds the vote on the student's labels and its student; a
    rerun adds nothing."""
    common = _selftrain_args(synthetic, monkeypatch, tmp_path)
    out, multi = tmp_path / "co.csv", tmp_path / "multi.csv"
    probe_cotrain.main([*common, "--out", str(out)])
    probe_cotrain.main([*common, "--out", str(out)])
    probe_selftrain.main([*common, "--teacher", "multiscale", "--out", str(multi)])
    (row,), (first,) = _rows(out), _rows(multi)
    assert (row["teacher"], row["student"], row["pseudo_accuracy"]) == (
        first["teacher"], first["student"], first["pseudo_accuracy"])
    assert all(0.0 <= float(row[c]) <= 1.0 for c in ("teacher2", "student2", "pseudo2_accuracy"))
    assert row["held_out"] == "rows"
    assert "second student" in capsys.readouterr().out


def test_append_missing_upgrades_an_older_csv(tmp_path):
    """Rows of a probe that gained a column go into its older CSV under the new header
    (the old rows blank there), and the table averages what each column has; a CSV with
    a column the probe does not know is refused."""
    out = tmp_path / "probe.csv"
    out.write_text("dataset,seed,accuracy\nA,0,0.5\n")
    fields = ["dataset", "seed", "accuracy", "average"]
    cells = [(("A", 0), lambda: pytest.fail("measured already")),
             (("A", 1), lambda: {"dataset": "A", "seed": 1, "accuracy": 0.7, "average": 0.9})]
    dev_sweep.append_missing(out, fields, ("dataset", "seed"), cells)
    assert out.read_text().splitlines() == [
        "dataset,seed,accuracy,average", "A,0,0.5,", "A,1,0.7,0.9"]
    table = dev_sweep.mean_table(out, ("dataset",), {"accuracy": "acc", "average": "avg"})
    assert table.splitlines()[-1] == "| A | 0.600 | 0.900 | 2 |"
    with pytest.raises(ValueError, match="expected"):
        dev_sweep.append_missing(out, ["dataset", "seed"], ("dataset", "seed"), [])


def test_held_out_donors_are_new_donors():
    """``--held-out donors`` scores the development rows of half the donors none of whose
    spectra is labeled; "rows" keeps the random half of the development rows."""
    X, y, wn = make_spectra(n_samples=120, n_features=60, n_classes=3, random_state=0)
    donors = np.arange(120) // 4  # 30 donors, 4 spectra each
    data = protocol.Dataset("donors", X, y.astype(str), wn, groups=donors)
    train = np.arange(100)
    dev = np.ones(100, dtype=bool)
    dev[[0, 5, 50, 51]] = False  # labeled spectra, of donors 0, 1 and 12
    split = {"data": data, "train": train, "dev": dev}
    held = dev_sweep.held_out(split, 0, "donors")
    held_donors = np.unique(donors[held])
    assert len(held_donors) == (25 - 3) // 2
    assert not np.isin(held_donors, [0, 1, 12]).any()
    assert np.array_equal(held, np.flatnonzero(np.isin(donors[:100], held_donors)))
    rows = dev_sweep.held_out(split, 0, "rows")
    expected = np.random.default_rng(0).permutation(np.flatnonzero(dev))[:48]
    np.testing.assert_array_equal(rows, expected)
    with pytest.raises(ValueError, match="no donors"):
        dev_sweep.held_out({**split, "data": protocol.Dataset("x", X, y, wn)}, 0,
                                 "donors")


def test_probe_selftrain_native_teacher_and_average(synthetic, monkeypatch, tmp_path,
                                                     capsys):
    """The native teacher's row holds the averaged prediction too, and shares the
    "GLSM" fit with the other teachers; an older CSV without that column still
    prints its table."""
    common = _selftrain_args(synthetic, monkeypatch, tmp_path)
    native, multi = tmp_path / "native.csv", tmp_path / "multi.csv"
    probe_selftrain.main([*common, "--teacher", "native", "--out", str(native)])
    probe_selftrain.main([*common, "--teacher", "multiscale", "--out", str(multi)])
    (row,), (other,) = _rows(native), _rows(multi)
    assert row["glsm"] == other["glsm"] and int(row["n_pseudo"]) > 0
    assert 0.0 <= float(row["average"]) <= 1.0
    old = tmp_path / "old.csv"
    fields = [f for f in probe_selftrain.FIELDS if f != "average"]
    with old.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerow(row)
    capsys.readouterr()
    probe_selftrain.main(["--report", "--out", str(old)])
    header = capsys.readouterr().out.splitlines()[0]
    assert "student" in header and "average" not in header


# The short saga run of the L1 teachers stops before it converges, on purpose.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_probe_teacher_parts_and_resolutions(synthetic, monkeypatch, tmp_path, capsys):
    """One row per (teacher, part, resolution); the test part at the grid is the vote
    fitted on the labeled spectra and scored on the test part; a rerun adds nothing."""
    monkeypatch.setattr(probe_teacher, "load", lambda name: synthetic)
    # saga's L1 path is slow to converge on these spectra; a short run checks the code.
    for c in (1.0, 10.0):
        monkeypatch.setitem(probe_teacher.TEACHERS, f"quiet vote L1 C={c:g}",
                            probe_teacher.sparse_quiet_vote(c, max_iter=100))
    out = tmp_path / "teacher.csv"
    base = ["--datasets", "synthetic", "--seeds", "0", "--k", "3", "--out", str(out)]
    probe_teacher.main(base)
    probe_teacher.main([*base, "--teachers", "SVM"])  # on request: 3-fold calibration here
    for part in ("dev", "test"):
        for resolution in ("grid", "native"):
            probe_teacher.main([*base, "--teachers", "vote", "--part", part,
                                "--resolution", resolution])
    rows = _rows(out)
    assert len(rows) == len(probe_teacher.TEACHERS) + 3
    assert all(0.0 <= float(r[c]) <= 1.0 for r in rows for c in ("accuracy", "confident"))
    train, test, y_semi = protocol.label_draw(synthetic, 0, 3)
    labeled = y_semi != protocol.UNLABELED
    grid = protocol.to_grid(synthetic).fit(synthetic.X[train])
    vote = make_derivative_teacher().fit(grid.transform(synthetic.X[train][labeled]),
                                         y_semi[labeled])
    expected = np.mean(vote.predict(grid.transform(synthetic.X[test])) == synthetic.y[test])
    got = next(r for r in rows if (r["teacher"], r["part"], r["resolution"])
               == ("vote", "test", "grid"))
    assert float(got["accuracy"]) == pytest.approx(expected, abs=1e-4)
    assert "| test | native | 3 | vote |" in capsys.readouterr().out


def test_full_resolution_methods_resample_for_the_network_alone(synthetic):
    """The full-resolution teacher methods hand the resampler to the classifier as
    network_input and pretrain as GLSM (the same cache entry)."""
    clf = protocol.glsm_method("GLSM full-resolution teacher", synthetic, 0)
    assert isinstance(clf, GLSMClassifier)
    assert isinstance(clf.network_input, WavenumberResampler)
    np.testing.assert_array_equal(clf.network_input.target, protocol.grid(synthetic))
    assert protocol.pretraining_of("GLSM full-resolution teacher") == "GLSM"
    key = run.pretraining_key("synthetic", 0, "GLSM full-resolution teacher", {})
    assert key == run.pretraining_key("synthetic", 0, "GLSM", {})
    axis = protocol.grid(synthetic)[::2]
    transfer = protocol.transfer_method("GLSM transfer full-resolution teacher", synthetic,
                                        axis, 0)
    assert isinstance(transfer, GLSMClassifier)
    np.testing.assert_array_equal(transfer.network_input.target, axis)
    assert (protocol.pretraining_of("GLSM transfer full-resolution teacher",
                                    protocol.TRANSFER_METHODS) == "GLSM transfer")


def test_adapted_transfer_fine_tunes_the_cached_source_after_adapting(synthetic):
    """"GLSM transfer adapted" gets the source's encoder with adapt_epochs and shares
    the source pretraining (the cache entry) of "GLSM transfer"."""
    tiny = {k: v for k, v in TINY.items() if k != "finetune_epochs"}
    source = GLSMTransformer(**tiny).fit(protocol.to_grid(synthetic).fit_transform(synthetic.X))
    model = protocol.transfer_method("GLSM transfer adapted", synthetic,
                                     protocol.grid(synthetic), 0, source)
    assert model[-1].pretrained is source and model[-1].adapt_epochs == 20
    assert (protocol.pretraining_of("GLSM transfer adapted", protocol.TRANSFER_METHODS)
            == "GLSM transfer")


def test_probe_native_network_fits_the_spectra_as_measured(synthetic, monkeypatch, tmp_path,
                                                          capsys):
    """One row per seed, from a classifier fitted on the spectra's own axis; a rerun adds
    nothing."""
    seen = []

    class Recording(GLSMClassifier):
        def fit(self, X, y):
            seen.append(X.shape[1])
            return super().fit(X, y)

    monkeypatch.setattr(probe_native_network, "load", lambda name: synthetic)
    monkeypatch.setattr(probe_native_network, "GLSMClassifier",
                        lambda **kw: Recording(**{**TINY, **kw}))
    out = tmp_path / "native.csv"
    args = ["--datasets", "synthetic", "--k", "3", "--seeds", "0", "1", "--out", str(out)]
    probe_native_network.main(args)
    probe_native_network.main(args)
    rows = _rows(out)
    assert [r["seed"] for r in rows] == ["0", "1"] and seen == [synthetic.X.shape[1]] * 2
    assert all(0.0 <= float(r["accuracy"]) <= 1.0 for r in rows)
    assert "| synthetic | 3 | 120 |" in capsys.readouterr().out


def test_per_class_table_counts_recall_per_class():
    truth = np.array(["a", "a", "b", "b", "b"])
    text = per_class.table(truth, {"m": np.array(["a", "b", "b", "b", "a"])})
    assert text.splitlines()[2] == "| m | 0.600 | 1 / 2 | 2 / 3 |"


def test_probe_derivative_scores_both_parts(synthetic, monkeypatch, tmp_path):
    """Every feature set and method gets one row per part; dev rows score the hidden
    training labels, test rows the test part, and the SNV row is the protocol's 1-NN."""
    monkeypatch.setattr(probe_derivative, "load", lambda name: synthetic)
    out = tmp_path / "probe.csv"
    for part in ("dev", "test"):
        probe_derivative.main(["--part", part, "--datasets", "synthetic", "--seeds", "0",
                               "--k", "2", "--out", str(out)])
    probe_derivative.main(["--part", "test", "--datasets", "synthetic", "--seeds", "0",
                           "--k", "2", "--out", str(out)])  # a rerun adds nothing
    with out.open() as f:
        rows = list(csv.DictReader(f))
    # 1-NN and LR per feature set, the multi-scale vote and the window chosen by
    # cross-validation (LR only), per part.
    assert len(rows) == 2 * (2 * len(probe_derivative.FEATURES) + 2)
    assert all(0.0 <= float(r["accuracy"]) <= 1.0 for r in rows)
    # A CSV from before a feature set existed gets only that feature set added.
    vote = [r for r in rows if r["features"] == probe_derivative.VOTE]
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=probe_derivative.FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in rows if r["features"] != probe_derivative.VOTE)
    probe_derivative.main(["--part", "test", "--datasets", "synthetic", "--seeds", "0",
                           "--k", "2", "--out", str(out)])
    with out.open() as f:
        again = list(csv.DictReader(f))
    assert len(again) == len(rows) - 1
    assert [r for r in again if r["features"] == probe_derivative.VOTE] == vote[1:]
    train, test, y_semi = protocol.label_draw(synthetic, 0, 2)
    labeled = y_semi != protocol.UNLABELED
    grid = protocol.to_grid(synthetic)
    knn = protocol.classical_baselines(int(labeled.sum()), 0)["1-NN"]
    knn.fit(grid.fit_transform(synthetic.X[train][labeled]), y_semi[labeled])
    expected = np.mean(knn.predict(grid.transform(synthetic.X[test])) == synthetic.y[test])
    got = next(r for r in rows
               if (r["part"], r["features"], r["method"]) == ("test", "SNV", "1-NN"))
    assert float(got["accuracy"]) == pytest.approx(expected, abs=1e-4)


def test_run_set_passes_glsm_settings(monkeypatch, tmp_path):
    """``--set`` reaches every GLSM method of the run as overrides, beside
    ``--pretrain-epochs``."""
    seen = {}
    monkeypatch.setattr(run, "run", lambda *args: seen.update(overrides=args[5]))
    run.main(["--set", "derivative=1,derivative_window=7", "--pretrain-epochs", "3",
              "--out", str(tmp_path / "x.csv")])
    assert seen["overrides"] == {"derivative": 1, "derivative_window": 7, "pretrain_epochs": 3}


def test_run_set_keeps_its_rows_out_of_the_default_csv(monkeypatch):
    """Without ``--out``, a run with ``--set`` writes to a CSV named after the settings."""
    seen = {}
    monkeypatch.setattr(run, "run", lambda *args: seen.update(out=args[4]))
    run.main(["--set", "derivative=1"])
    assert seen["out"] == run.RESULTS / "semi_supervised_derivative_1.csv"
    run.main(["--transfer", "--set", "derivative=1,derivative_window=7"])
    assert seen["out"] == run.RESULTS / "transfer_derivative_1_derivative_window_7.csv"


def test_quick_runs_the_protocols_methods_unless_told_otherwise(monkeypatch):
    """``--quick`` fits the protocol's methods on one set, k = 5, two seeds, 10
    pretraining epochs; ``--methods`` still chooses."""
    seen = {}
    monkeypatch.setattr(run, "run", lambda *args: seen.update(args=args))
    run.main(["--quick"])
    datasets, ks, seeds, methods, out, overrides = seen["args"][:6]
    assert (datasets, ks, seeds) == (["ftir_villegas_c4"], [5], [0, 1])
    assert methods == ["classical", "GLSM", "GLSM global-only", "GLSM local-only", "scratch"]
    assert set(methods) - {"classical"} <= set(run.GLSM_METHODS)
    assert overrides == {"pretrain_epochs": 10} and out == run.RESULTS / "quick.csv"
    run.main(["--quick", "--methods", "GLSM teacher"])
    assert seen["args"][3] == ["GLSM teacher"]


def test_methods_on_request_run_only_when_named(monkeypatch):
    """The SVM teacher needs 5 labels per class: a plain run leaves it out,
    ``--methods`` runs it, on the pretraining that "GLSM" caches."""
    seen = {}
    monkeypatch.setattr(run, "run", lambda *args: seen.update(methods=args[3]))
    run.main([])
    assert "GLSM SVM teacher" not in seen["methods"] and "GLSM" in seen["methods"]
    run.main(["--methods", "GLSM SVM teacher", "--k", "all"])
    assert seen["methods"] == ["GLSM SVM teacher"]
    assert protocol.pretraining_of("GLSM SVM teacher") == "GLSM"


def test_transfer_ablations_pretrain_the_source_with_their_own_task(synthetic, monkeypatch,
                                                                   tmp_path):
    """Each transfer method pretrains on the source once, with its own pretext
    weights, under its own cache key; scratch does not pretrain; the teacher
    variant fine-tunes the plain method's encoder with the teacher."""
    weights = []
    original = run.pretrain_source

    def counting(*args, **kwargs):
        weights.append((kwargs.get("global_weight", 1.0), kwargs.get("local_weight", 1.0)))
        return original(*args, **kwargs)

    monkeypatch.setattr(run, "pretrain_source", counting)
    source = protocol.Dataset("source", synthetic.X * 1.5, synthetic.y, synthetic.wavenumbers)
    monkeypatch.setattr(run, "load", lambda name: source if name == "source" else synthetic)
    out = tmp_path / "transfer.csv"
    methods = list(protocol.TRANSFER_METHODS)
    for _ in range(2):  # the second run finds every cell done
        run.run(["source->synthetic"], [2], [0, 1], methods, out, TINY, source_seed=0)
    assert sorted(weights) == [(0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
    assert len(list((tmp_path / "cache").glob("*.joblib"))) == 3
    assert sorted((r["seed"], r["method"]) for r in _rows(out)) == sorted(
        (s, m) for s in ("0", "1") for m in methods)
    assert run.pretraining_key("a->b", 0, "GLSM transfer", {})["params"]["local_weight"] == 1.0
    assert run.pretraining_key("a->b", 0, "GLSM transfer global-only",
                               {})["params"]["local_weight"] == 0.0
    assert protocol.pretraining_of("GLSM transfer no teacher", protocol.TRANSFER_METHODS) \
        == "GLSM transfer"
    axis = protocol.grid(synthetic)
    assert protocol.transfer_method("GLSM transfer", synthetic, axis, 0)[-1].teacher \
        == "derivative"
    for name in ("GLSM transfer no teacher", "GLSM transfer local-only", "scratch no teacher"):
        assert protocol.transfer_method(name, synthetic, axis, 0)[-1].teacher is None
    assert protocol.transfer_method("scratch no teacher", synthetic, axis, 0)[-1] \
        .pretrain_epochs == 0


def test_report_targets_of_any_method_count_the_cells_below_classical(tmp_path, capsys):
    """--targets METHOD prints that method's target table and how many cells it is
    below the best classical method (all k, and every k below "all"), writing nothing."""
    rows = []
    for k, (ours, lr) in {"1": (0.5, 0.6), "5": (0.9, 0.8), "all": (0.9, 0.95)}.items():
        for seed in (0, 1):
            rows += [{"dataset": "d", "k": k, "seed": seed, "method": "M", "accuracy": ours},
                     {"dataset": "d", "k": k, "seed": seed, "method": "LR", "accuracy": lr}]
    csv = tmp_path / "r.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    before = sorted(report.DOCS.iterdir())
    report.main(["--csv", str(csv), "--targets", "M"])
    out = capsys.readouterr().out
    assert ("| d, k=1: not below the best classical | 0.500 vs LR 0.600 (n=2; ahead on 0/2 "
            "seeds) | **missed** |") in out
    assert "M: below the best classical method in 2 of 3 cells; 1 of 2 with k = 1, 5" in out
    assert sorted(report.DOCS.iterdir()) == before


def test_report_reads_several_csvs_of_any_k_and_says_which_k_reaches_each_target(
        tmp_path, capsys):
    """Any k is reported in numeric order ("all" last) from several CSVs read as one;
    --methods keeps the named ones ("classical": the baselines); the labels-needed
    table names the fewest labels per class at which the method, and the best
    classical method of each k, reach the k = 5 and k = 1 targets."""
    curve = {"1": (0.50, 0.60), "2": (0.80, 0.65), "5": (0.90, 0.70), "20": (0.96, 0.80),
             "all": (0.99, 0.99)}
    main = "dataset,k,seed,method,accuracy\n" + "".join(
        f"ftir_villegas_c4,{k},0,{m},{v}\n" for k, pair in curve.items() if k in ("1", "5", "all")
        for m, v in zip(("GLSM", "LR"), pair, strict=True))
    more = "dataset,k,seed,method,accuracy\n" + "".join(
        f"ftir_villegas_c4,{k},0,{m},{v}\n" for k, pair in curve.items() if k in ("2", "20")
        for m, v in zip(("GLSM", "1-NN"), pair, strict=True))
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(main)
    b.write_text(more)
    assert report.k_order(["all", "10", "2", "1"]) == ["1", "2", "10", "all"]
    report.main(["--csv", str(a), str(b), "--methods", "GLSM", "classical", "--targets", "GLSM"])
    out = capsys.readouterr().out
    assert "| ftir_villegas_c4 | 0.95, asked at k=5 | k=20 (0.960) | k=all (LR 0.990) |" in out
    assert ("| ftir_villegas_c4 | 0.700 (best classical + 0.10), asked at k=1 | k=2 (0.800) "
            "| k=5 (LR 0.700) |") in out
    assert "| ftir_villegas_c4, k=2: not below the best classical | 0.800 vs 1-NN" in out
    report.main(["--csv", str(a), str(b), "--methods", "GLSM", "LR", "--targets", "GLSM"])
    assert "1-NN" not in capsys.readouterr().out
    table = report.summary(pd.concat([pd.read_csv(p, dtype={"k": str}) for p in (a, b)]))
    assert report.markdown(table).splitlines()[2] == (
        "| method | k=1 | k=2 | k=5 | k=20 | k=all |")
    # A target no measured k reaches says how close the best came.
    short = table[table["k"].astype(str) != "all"]
    assert "| k=20 (0.960) | at no k measured (best 1-NN 0.800, k=20) |" in (
        report.labels_needed(short))
    # Transfer pairs have no such targets: no table at all.
    pair = pd.DataFrame([{"dataset": "a->b", "k": "5", "seed": 0, "method": m, "accuracy": 0.5}
                         for m in ("GLSM", "LR")])
    assert report.labels_needed(report.summary(pair)) == ""


def test_targets_count_seeds_ahead_on_the_seeds_both_methods_have():
    """Each comparison says on how many seeds the method is ahead, paired by seed and
    over the seeds both have; the k = 1 target counts seeds 0.10 ahead."""
    values = {"M": {0: 0.80, 1: 0.50, 2: 0.70}, "LR": {0: 0.60, 1: 0.55}}
    df = pd.DataFrame([{"dataset": "d", "k": "1", "seed": seed, "method": m, "accuracy": v}
                       for m, by_seed in values.items() for seed, v in by_seed.items()])
    rows = {r["what"]: r["measured"] for r in report.target_rows(report.summary(df), "M")}
    assert rows["d, k=1: not below the best classical"] == (
        "0.667 vs LR 0.575 (n=3; ahead on 1/2 seeds)")
    assert rows["d, k=1: ≥ best classical + 0.10"] == (
        "0.667 vs LR 0.575 (n=3; 0.10 ahead on 1/2 seeds)")


def test_report_compare_counts_seeds_ahead_of_the_first_column(tmp_path, capsys):
    """``report --compare`` puts methods of several CSVs side by side and counts,
    per (data set, k), the seeds on which a column beats the first one; @POOL
    picks the rows pretrained with that extra pool."""
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("dataset,k,seed,method,accuracy\nd,5,0,M,0.5\nd,5,1,M,0.7\nd,1,0,M,0.4\n")
    b.write_text("dataset,k,seed,method,accuracy\nd,5,0,M,0.6\nd,5,1,M,0.6\nd,5,1,X,0.9\n"
                 "d +p+q,5,0,M,0.8\nd +p+q,5,1,M,0.8\nd +p,5,0,M,0.1\n")
    report.main(["--compare", f"{a}:M", f"{b}:M", f"{b}:M@p+q"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| data set | k | M (a) | M (b) | M +p+q (b) |"
    assert lines[2:4] == ["| d | 1 | 0.400 |  |  |",
                          "| d | 5 | 0.600 | 0.600 (1/2) | 0.800 (2/2) |"]
    # The last row sums each column's difference to the first over cells both measured.
    assert lines[4] == "| sum, k ≤ 10 | points vs the first | | +0.0 | +20.0 |"
    with pytest.raises(SystemExit):
        report.main(["--compare", str(a)])
    # --value fit_seconds: the mean fit time, without seed counts.
    c = tmp_path / "c.csv"
    c.write_text("dataset,k,seed,method,accuracy,fit_seconds\nd,5,0,M,0.5,10\nd,5,1,M,0.7,20\n"
                 "d,5,0,N,0.9,40\nd,5,1,N,0.9,50\n")
    report.main(["--compare", f"{c}:M", f"{c}:N", "--value", "fit_seconds"])
    assert capsys.readouterr().out.splitlines()[2] == "| d | 5 | 15.0 | 45.0 |"


def _merge_row(dataset, seed, accuracy):
    """A results row of ``benchmarks.run`` for the merge tests."""
    return {"dataset": dataset, "k": "5", "seed": str(seed), "method": "GLSM",
            "accuracy": str(accuracy), "balanced_accuracy": str(accuracy),
            "fit_seconds": "1.0", "n_labeled": "15", "n_train": "60", "n_test": "30"}


def test_transfer_target_is_missed_on_a_tie():
    """Pretraining must beat the network from scratch: equal means (which summing
    4-decimal accuracies in another order can leave a float bit apart) are a miss."""
    # 0.1 + 0.2 is 0.30000000000000004 in floats: the first mean is a bit above.
    seeds = {"GLSM transfer": [0.1, 0.2], "scratch": [0.3, 0.0]}
    df = pd.DataFrame([{"dataset": "a->b", "k": "5", "seed": i, "method": m, "accuracy": v}
                       for m, values in seeds.items() for i, v in enumerate(values)])
    table = report.summary(df)
    assert table["mean"].iloc[0] > table["mean"].iloc[1]
    lines = report.targets(table).splitlines()
    assert lines[2] == ("| a->b, k=5: pretraining beats the network from scratch | "
                        "0.150 vs 0.150 (ahead on 1/2 seeds) | **missed** |")
    df.loc[df["method"] == "GLSM transfer", "accuracy"] += 0.0002
    assert report.targets(report.summary(df)).splitlines()[2].endswith("| met |")


def test_merge_appends_the_cells_the_target_lacks(tmp_path):
    """Parts of runs made side by side: new cells appended once, the target's kept."""
    from benchmarks import merge

    target, part_a, part_b = (tmp_path / f"{n}.csv" for n in ("all", "part_a", "part_b"))
    run.append_row(target, _merge_row("a", 0, 0.5))
    # A copy of the target's cell, then a new one; the other run, and a repeated cell.
    for r in (_merge_row("a", 0, 0.9), _merge_row("a", 1, 0.6)):
        run.append_row(part_a, r)
    for r in (_merge_row("b", 0, 0.7), _merge_row("a", 1, 0.6)):
        run.append_row(part_b, r)
    merge.main([str(target), str(part_a), str(part_b), "--remove"])
    with target.open() as f:
        rows = [(r["dataset"], r["seed"], r["accuracy"]) for r in csv.DictReader(f)]
    assert rows == [("a", "0", "0.5"), ("a", "1", "0.6"), ("b", "0", "0.7")]
    assert not part_a.exists() and not part_b.exists()
    assert merge.merge(target, [target]) == 0


def test_merge_replace_swaps_the_cells_the_parts_remeasured(tmp_path):
    """``--replace``: the target's rows of the parts' cells are replaced where they stand,
    the other rows kept, new cells appended."""
    from benchmarks import merge

    target, part = tmp_path / "all.csv", tmp_path / "part.csv"
    for r in (_merge_row("a", 0, 0.5), _merge_row("a", 1, 0.6), _merge_row("b", 0, 0.7)):
        run.append_row(target, r)
    for r in (_merge_row("a", 1, 0.9), _merge_row("c", 0, 0.8)):
        run.append_row(part, r)
    merge.main([str(target), str(part), "--replace"])
    with target.open() as f:
        rows = [(r["dataset"], r["seed"], r["accuracy"]) for r in csv.DictReader(f)]
    assert rows == [("a", "0", "0.5"), ("a", "1", "0.9"), ("b", "0", "0.7"), ("c", "0", "0.8")]
    assert part.exists()
    assert merge.merge(target, [part]) == 0  # without --replace the target's rows stay


def test_merge_replaced_to_keeps_the_old_rows_aside(tmp_path):
    """``--replaced-to``: the rows replaced go to a side CSV, once; merging again moves
    nothing (the target's rows then equal the part's)."""
    from benchmarks import merge

    target, part, old = tmp_path / "all.csv", tmp_path / "part.csv", tmp_path / "old.csv"
    for r in (_merge_row("a", 0, 0.5), _merge_row("a", 1, 0.6)):
        run.append_row(target, r)
    run.append_row(part, _merge_row("a", 1, 0.9))
    for _ in range(2):
        merge.main([str(target), str(part), "--replace", "--replaced-to", str(old)])
    with old.open() as f:
        assert [(r["seed"], r["accuracy"]) for r in csv.DictReader(f)] == [("1", "0.6")]
    with target.open() as f:
        assert [r["accuracy"] for r in csv.DictReader(f)] == ["0.5", "0.9"]
    with pytest.raises(SystemExit):
        merge.main([str(target), str(part), "--replaced-to", str(old)])


def test_merge_refuses_other_columns(tmp_path):
    from benchmarks import merge

    part = tmp_path / "part.csv"
    part.write_text("dataset,accuracy\na,0.5\n")
    with pytest.raises(ValueError, match="columns"):
        merge.merge(tmp_path / "all.csv", [part])


def test_default_pretraining_key_follows_the_default_derivative():
    """With ``derivative=1`` the default, a default run finds the encoders cached by
    ``--set derivative=1`` runs and never those pretrained on the spectrum alone."""
    key = run.pretraining_key
    assert key("d", 0, "GLSM", {}) == key("d", 0, "GLSM", {"derivative": 1})
    assert key("d", 0, "GLSM", {}) != key("d", 0, "GLSM", {"derivative": 0})


def test_thread_repro_pretraining_repeats_with_one_thread_count(synthetic, monkeypatch,
                                                                 tmp_path):
    """benchmarks.thread_repro's worker saves the encoder weights of one pretraining;
    with the same seed and thread count two runs are bit-identical."""
    monkeypatch.setattr(thread_repro, "load", lambda name: synthetic)
    paths = [tmp_path / f"w{i}.npy" for i in range(2)]
    threads = torch.get_num_threads()  # the worker sets it for its own process
    try:
        for path in paths:
            thread_repro.pretrain_weights("synthetic", 0, 1, 1, path)
    finally:
        torch.set_num_threads(threads)
    first, second = (np.load(p) for p in paths)
    assert first.size > 0
    np.testing.assert_array_equal(first, second)


def _record_fit(model, sizes):
    """``model`` whose ``fit`` first appends the number of rows it is given to ``sizes``."""
    fit = model.fit
    model.fit = lambda X, y: sizes.append(len(X)) or fit(X, y)
    return model


def test_extra_pool_joins_pretraining_under_its_own_name(synthetic,
                                                         monkeypatch, tmp_path):
    """--extra-pool: another data set's spectra, resampled onto the set's axis and
    without labels, join the pretraining but not the fine-tuning; rows and cache
    entry carry the pooled name."""
    wn = synthetic.wavenumbers
    other = protocol.Dataset("other", synthetic.X[:30] * 2.0, synthetic.y[:30],
                             np.linspace(wn[0] + 5.0, wn[-1], len(wn)))
    monkeypatch.setattr(protocol, "load", lambda name: other)
    pool = protocol.extra_pool(synthetic, ("other",))
    assert pool.shape == (30, synthetic.X.shape[1]) and pool.dtype == np.float32
    # The first points lie below the other set's axis: held at its edge value.
    assert np.allclose(pool[:, 0], other.X[:, 0])
    assert protocol.extra_pool(synthetic, ()) is None
    with pytest.raises(ValueError, match="its test part"):
        protocol.extra_pool(synthetic, ("synthetic",))
    assert protocol.pool_label("a", extra=("b", "c")) == "a +b+c"

    sizes = []
    fit = run.pretrain_method
    monkeypatch.setattr(run, "pretrain_method",
                        lambda *a, **kw: sizes.append(len(a[2])) or fit(*a, **kw))
    out = tmp_path / "results.csv"
    fitted = []
    method = run.glsm_method
    monkeypatch.setattr(run, "glsm_method", lambda *a, **kw: _record_fit(method(*a, **kw), fitted))
    run.run(["synthetic"], [2], [0], ["GLSM"], out, TINY)
    run.run(["synthetic"], [2], [0], ["GLSM"], out, TINY, extra_pool=("other",))
    assert [r["dataset"] for r in _rows(out)] == ["synthetic", "synthetic +other"]
    n_train = len(protocol.split(synthetic, 0)[0])
    assert sizes == [n_train, n_train + 30]
    assert fitted == [n_train, n_train]  # fine-tuning sees the set's own rows only
    assert len(list((tmp_path / "cache").glob("*.joblib"))) == 2
    with pytest.raises(ValueError, match="transfer"):
        run.run(["a->b"], [2], [0], ["GLSM transfer"], out, TINY, extra_pool=("other",))


def test_spectra_shared_with_the_target_never_reach_pretraining(synthetic, monkeypatch,
                                                               tmp_path):
    """The two saliva sets share control donors, their spectra copied byte for byte:
    a source (or extra pool) leaves out the target's donors and copies of its spectra,
    and such a trimmed source pretrains under its own cache key."""
    X, y = synthetic.X, synthetic.y
    donors = np.array([f"s{i // 3}" for i in range(len(X))])
    target = protocol.Dataset("target", X[:60], y[:60], synthetic.wavenumbers, donors[:60])
    # Rows 0-44 are the target's own spectra (its donors), 45-59 copies under new
    # donor names, 60-89 spectra and donors of the source's own.
    renamed = np.concatenate([donors[:45], [f"x{i}" for i in range(15)], donors[60:]])
    source = protocol.Dataset("source", X, y, synthetic.wavenumbers, renamed)
    trimmed = protocol.without_overlap(source, target)
    assert np.array_equal(trimmed.X, X[60:]) and list(trimmed.groups) == list(donors[60:])
    other = protocol.Dataset("other", X[60:] + 1.0, y[60:], synthetic.wavenumbers)
    assert protocol.without_overlap(other, target) is other

    monkeypatch.setattr(protocol, "load", lambda name: source)
    assert len(protocol.extra_pool(target, ("source",))) == 30

    seen = []
    original = run.pretrain_source

    def counting(data, *args, **kwargs):
        seen.append(len(data.X))
        return original(data, *args, **kwargs)

    monkeypatch.setattr(run, "pretrain_source", counting)
    monkeypatch.setattr(run, "load", lambda name: source if name == "source" else target)
    run.run(["source->target"], [2], [0], ["GLSM transfer"], tmp_path / "t.csv", TINY,
            source_seed=0)
    assert seen == [30]
    key = joblib.load(next((tmp_path / "cache").glob("*.joblib")))["key"]
    assert key["source_spectra"] == 30


def test_overlap_counts_donors_copies_and_resampled_copies(synthetic):
    """``benchmarks.overlap`` finds shared donors, byte copies, and copies moved
    onto another axis (which byte comparison cannot see)."""
    X, y, wn = synthetic.X, synthetic.y, synthetic.wavenumbers
    donors = np.array([f"s{i}" for i in range(len(X))])
    target = protocol.Dataset("t", X[:40], y[:40], wn, donors[:40])
    source = protocol.Dataset("s", X[30:], y[30:], wn, donors[30:])
    counts = overlap.overlap(source, target)
    assert counts["shared donors"] == 10 and counts["exact copies"] == 10
    assert counts["near-copies (r > 0.9999)"] == 10 and counts["source spectra kept"] == 50
    fine = np.linspace(wn[0], wn[-1], 3 * len(wn) - 2)  # every third point is one of wn
    moved = protocol.Dataset("m", np.stack([np.interp(fine, wn, row) for row in X[30:]]),
                             y[30:], fine)
    counts = overlap.overlap(moved, target)
    assert counts["exact copies"] == 0 and counts["near-copies (r > 0.9999)"] == 10


def test_finetune_seconds_tells_which_cached_pretraining_a_row_used(tmp_path, capsys):
    """fit_seconds less the cache entry's seconds: the fine-tuning of a row that used the
    entry; k = all, scratch and rows without an entry are left out."""
    cache = tmp_path / "cache"
    cache.mkdir()
    for seed, seconds in [(0, 100.0), (1, 120.0)]:
        joblib.dump({"seconds": seconds}, run.cache_path(cache, run.pretraining_key(
            "d", seed, "GLSM", {})))
    results = tmp_path / "r.csv"
    results.write_text("dataset,k,seed,method,accuracy,fit_seconds\n"
                       "d,5,0,GLSM,0.9,102.0\nd,5,1,GLSM no teacher,0.9,500.0\n"
                       "d,all,0,GLSM,0.9,900.0\nd,5,0,scratch,0.9,3.0\nd,5,2,GLSM,0.9,50.0\n")
    found = finetune_seconds.residuals(results, ["GLSM", "GLSM no teacher", "scratch"],
                                       cache, {})
    assert found == {("d", "GLSM"): [2.0], ("d", "GLSM no teacher"): [380.0]}
    finetune_seconds.main([str(results), "--methods", "GLSM", "--cache", str(cache)])
    assert "| r.csv | d | GLSM | 2.0, 2.0 s | 1 |" in capsys.readouterr().out


def test_probe_teacher_on_denoised_spectra(synthetic, monkeypatch, tmp_path):
    """The encoder teachers fit the quiet vote on the seed's pretrained encoder's
    reconstructions (its cache entry, made once) or a probe on its frozen features,
    and refuse the native axis."""
    monkeypatch.setattr(probe_teacher, "load", lambda name: synthetic)
    monkeypatch.setattr(dev_sweep, "load", lambda name: synthetic)
    tiny = partial(protocol.pretrain_method, **TINY)
    monkeypatch.setattr(dev_sweep, "pretrain_method", lambda *a, **kw: tiny(*a, **kw))
    out, cache = tmp_path / "teacher.csv", tmp_path / "cache"
    names = list(probe_teacher.ENCODER_TEACHERS)
    base = ["--datasets", "synthetic", "--seeds", "0", "--k", "3", "--out", str(out),
            "--cache", str(cache), "--part", "test"]
    probe_teacher.main([*base, "--teachers", *names])
    rows = _rows(out)
    assert [r["teacher"] for r in rows] == names
    assert len(list(cache.glob("*.joblib"))) == 1
    encoder = dev_sweep.dev_split("synthetic", 0, 3, {}, cache)["pretrained"]
    train, test, y_semi = protocol.label_draw(synthetic, 0, 3)
    labeled = y_semi != protocol.UNLABELED
    grid = protocol.to_grid(synthetic).fit(synthetic.X[train])

    def clean(X):
        return encoder.reconstruct(grid.transform(X).astype(np.float32))
    windows = quiet_windows(clean(synthetic.X[train]))
    vote = make_derivative_teacher(windows).fit(clean(synthetic.X[train][labeled]),
                                                y_semi[labeled])
    expected = np.mean(vote.predict(clean(synthetic.X[test])) == synthetic.y[test])
    assert float(rows[0]["accuracy"]) == pytest.approx(expected, abs=1e-4)
    # The frozen-encoder probes: LR on the unit-normalised pooled features (transform).
    def unit(Z):
        return Z / np.linalg.norm(Z, axis=1, keepdims=True)
    features = encoder.transform(grid.transform(synthetic.X).astype(np.float32))
    features = unit(features.astype(np.float64))
    lr = LogisticRegression(C=10.0, max_iter=2000).fit(features[train][labeled],
                                                       y_semi[labeled])
    expected = np.mean(lr.predict(features[test]) == synthetic.y[test].astype(str))
    row = rows[names.index("pooled features LR")]
    assert float(row["accuracy"]) == pytest.approx(expected, abs=1e-4)
    with pytest.raises(ValueError, match="--resolution grid"):
        probe_teacher.main([*base, "--teachers", names[0], "--resolution", "native"])
    with pytest.raises(ValueError, match="--resolution grid"):
        probe_teacher.main([*base, "--confusion", names[0], "--resolution", "native"])


def test_probe_teacher_smoothed_vote_and_confusion(synthetic, monkeypatch, tmp_path, capsys):
    """The smoothed vote gives probabilities over the vote's classes, the labeled
    spectra keep their labels, and --confusion sums one matrix over the seeds."""
    monkeypatch.setattr(probe_teacher, "load", lambda name: synthetic)
    s = probe_teacher.split(synthetic, 0, 3, "dev", "grid")
    model = probe_teacher.Smoothed(0.8).fit(s["X_lab"], s["y_lab"], s["X_unl"])
    proba = model.predict_proba(s["X_eval"])
    assert proba.shape == (len(s["X_eval"]), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(model.classes_, np.unique(s["y_lab"]))
    # With no smoothing (a = 0) it is the vote itself.
    plain = probe_teacher.Smoothed(0.0).fit(s["X_lab"], s["y_lab"], s["X_unl"])
    vote = probe_teacher.quiet_vote(0.03, 3)(s["X_lab"], s["y_lab"], s["X_unl"])
    np.testing.assert_allclose(plain.predict_proba(s["X_eval"]), vote.predict_proba(s["X_eval"]))
    probe_teacher.main(["--datasets", "synthetic", "--seeds", "0", "1", "--k", "3",
                        "--confusion", "quiet 0.03 x3"])
    out = capsys.readouterr().out
    assert "synthetic, k = 3, quiet 0.03 x3, dev part, seeds [0, 1] summed" in out
    assert out.count("\n| ") == 1 + 3  # header and one row per class
    n_eval = sum(len(probe_teacher.split(synthetic, seed, 3, "dev", "grid")["X_eval"])
                 for seed in (0, 1))
    assert f"of {n_eval}" in out


def test_probe_teacher_prior_shift_reweights_by_estimated_priors(synthetic):
    """The EM priors are a distribution, and the teacher's probabilities are the
    vote's reweighted by them (the labels' own priors being equal)."""
    s = probe_teacher.split(synthetic, 0, 3, "dev", "grid")
    model = probe_teacher.PriorShift().fit(s["X_lab"], s["y_lab"], s["X_unl"])
    assert model.priors_.sum() == pytest.approx(1.0) and (model.priors_ >= 0).all()
    np.testing.assert_allclose(model.fit_priors_, 1 / 3)
    P = model.vote_.predict_proba(s["X_eval"]) * model.priors_
    np.testing.assert_allclose(model.predict_proba(s["X_eval"]),
                               P / P.sum(axis=1, keepdims=True))
    # No EM step: the vote itself.
    plain = probe_teacher.PriorShift(steps=0).fit(s["X_lab"], s["y_lab"], s["X_unl"])
    np.testing.assert_allclose(plain.predict_proba(s["X_eval"]),
                               model.vote_.predict_proba(s["X_eval"]))


def test_smoothed_vote_teaches_a_classifier():
    """SmoothedVote is a clonable teacher: GLSMClassifier fits it on the labeled
    rows and takes pseudo-labels from its smoothed probabilities of the others;
    without smoothing it is the quiet vote with windows from every spectrum."""
    X, y, _ = make_spectra(n_samples=60, n_features=120, n_classes=3, random_state=0)
    y_semi = np.where(np.arange(60) < 15, y, -1)
    clf = GLSMClassifier(teacher=probe_teacher.SmoothedVote(0.8), random_state=0,
                         **TINY).fit(X, y_semi)
    assert isinstance(clf.teacher_, probe_teacher.SmoothedVote)
    assert clf.n_pseudo_labels_ > 0
    assert np.isin(clf.teacher_.predict(X[15:]), clf.classes_).all()
    plain = probe_teacher.SmoothedVote(0.0).fit(X[:15], y[:15])
    vote = make_derivative_teacher(quiet_windows(X)).fit(X[:15], y[:15])
    np.testing.assert_allclose(plain.predict_proba(X[15:]), vote.predict_proba(X[15:]))


def test_probe_all_labels_holds_rows_out_of_every_fit(synthetic, monkeypatch, tmp_path,
                                                     capsys):
    """Every label known: a stratified share of the training part is held out of
    each fit (spectra and labels) and scored; GLSM methods fine-tune the
    benchmark's cached pretraining and score their teacher too."""
    monkeypatch.setattr(probe_all_labels, "load", lambda name: synthetic)
    monkeypatch.setattr(dev_sweep, "load", lambda name: synthetic)
    cache, out = tmp_path / "cache", tmp_path / "all.csv"
    run.run(["synthetic"], [None], [0], ["GLSM"], tmp_path / "results.csv", TINY)
    monkeypatch.setattr(dev_sweep, "pretrain_method", None)  # the cache must serve
    pool = synthetic.X[:20] * 1.1
    monkeypatch.setattr(dev_sweep, "unlabeled_pool", lambda data: pool)
    sizes = []
    glsm_method = probe_all_labels.glsm_method
    monkeypatch.setattr(probe_all_labels, "glsm_method",
                        lambda *a, **kw: _record_fit(glsm_method(*a, **kw), sizes))
    tiny = ",".join(f"{k}={v}" for k, v in TINY.items())
    argv = ["--datasets", "synthetic", "--seeds", "0", "--out", str(out), "--cache", str(cache),
            "--methods", "SVM", f"GLSM: {tiny}", f"GLSM no teacher: {tiny}",
            f"GLSM: teacher=chosen,{tiny}"]
    probe_all_labels.main(argv)
    rows = _rows(out)
    assert [r["method"] for r in rows] == ["SVM", f"GLSM: {tiny}", f"GLSM no teacher: {tiny}",
                                           f"GLSM: teacher=chosen,{tiny}"]
    train, _ = protocol.split(synthetic, 0)
    n_dev = round(0.3 * len(train))
    assert {(int(r["n_fit"]), int(r["n_dev"])) for r in rows} == {(len(train) - n_dev, n_dev)}
    assert sizes == [len(train) - n_dev + len(pool)] * 3  # the fit rows and the pool
    assert rows[1]["teacher_accuracy"] and not rows[2]["teacher_accuracy"]
    assert rows[3]["teacher_choice"] in ("vote", "SVM") and not rows[1]["teacher_choice"]
    assert all(0.0 <= float(r["dev_accuracy"]) <= 1.0 for r in rows)
    truth = synthetic.y[train].astype(str)
    fit, dev = probe_all_labels.held_out_rows(truth, 0, 0.3)
    assert not set(fit) & set(dev)
    assert sorted(np.unique(truth[dev])) == sorted(np.unique(truth))
    probe_all_labels.main(argv)  # a rerun skips the finished cells
    assert len(_rows(out)) == 4
    assert "| synthetic | 0.3 | SVM |" in capsys.readouterr().out
    probe_all_labels.main([*argv[:6], "--recall", "--methods", "SVM"])
    table = capsys.readouterr().out
    assert "| SVM | " in table and f"| {n_dev} |" in table
    probe_all_labels.main([*argv[:8], "--recall", "--methods", f"GLSM: {tiny}"])
    table = capsys.readouterr().out
    assert f"| GLSM: {tiny} | " in table and f"| GLSM: {tiny}, its teacher | " in table
    name, settings = probe_all_labels.method_settings("GLSM: teacher=svm,dropout=0.2")
    assert name == "GLSM" and settings["dropout"] == 0.2
    assert hasattr(settings["teacher"], "predict_proba")


def test_chosen_teacher_cross_validates_vote_against_svm(synthetic):
    """With two labels per class or more, the teacher is the vote or the SVM,
    whichever cross-validation on the labels scores higher (the vote on a tie);
    with one it is the vote, unscored."""
    X, y = synthetic.X, synthetic.y
    chosen = protocol.ChosenTeacher(windows=[3, 5]).fit(X, y)
    scores = chosen.scores_
    assert set(scores) == {"vote", "SVM"}
    assert chosen.choice_ == ("SVM" if scores["SVM"] > scores["vote"] else "vote")
    assert chosen.predict_proba(X).shape == (len(X), 3)
    one = np.concatenate([np.flatnonzero(y == c)[:1] for c in np.unique(y)])
    single = protocol.ChosenTeacher(windows=[3, 5]).fit(X[one], y[one])
    assert single.choice_ == "vote" and single.scores_ == {}


def test_probe_teacher_materials_splits_recall_by_labeled_material(synthetic, monkeypatch,
                                                                   capsys):
    """Per class, the scored spectra whose material some labeled spectrum of the
    class has, and the others: their counts add up to the scored rows."""
    materials = np.char.add(synthetic.y.astype(str), (np.arange(len(synthetic.y)) % 3)
                            .astype(str))
    grouped = protocol.Dataset("grouped", synthetic.X, synthetic.y, synthetic.wavenumbers,
                               None, materials)
    monkeypatch.setattr(probe_teacher, "load", lambda name: grouped)
    probe_teacher.main(["--datasets", "grouped", "--seeds", "0", "--k", "1", "--materials",
                        "vote"])
    table = capsys.readouterr().out
    rows = [line.split(" | ") for line in table.splitlines()[3:]]
    assert [r[0].strip("| ") for r in rows] == sorted(np.unique(synthetic.y.astype(str)))
    assert all(r[1] == "3" for r in rows)
    s = probe_teacher.split(grouped, 0, 1, "dev", "grid")
    assert sum(int(r[2]) + int(r[4]) for r in rows) == len(s["y_eval"])
    # One label per class: one material of three labeled, so most rows are of the others.
    assert sum(int(r[4]) for r in rows) > sum(int(r[2]) for r in rows)
    monkeypatch.setattr(probe_teacher, "load", lambda name: synthetic)
    with pytest.raises(ValueError, match="no materials"):
        probe_teacher.materials_table("synthetic", 1, [0], "vote")


def test_probe_selftrain_materials_counts_every_held_out_row(synthetic, monkeypatch, tmp_path,
                                                             capsys):
    """Student and teacher, apart for held-out spectra of labeled materials and the
    others: each model's two counts add up to the held-out rows."""
    materials = np.char.add(synthetic.y.astype(str), (np.arange(len(synthetic.y)) % 3)
                            .astype(str))
    grouped = protocol.Dataset("grouped", synthetic.X, synthetic.y, synthetic.wavenumbers,
                               None, materials)
    monkeypatch.setattr(dev_sweep, "load", lambda name: grouped)
    tiny = ",".join(f"{k}={v}" for k, v in TINY.items())
    probe_selftrain.main(["--datasets", "grouped", "--seeds", "0", "--k", "2", "--variant",
                          tiny, "--cache", str(tmp_path / "cache"), "--teacher", "multiscale",
                          "--materials"])
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ") for line in lines[3:]}
    assert set(rows) == {"teacher", "student"}
    split = dev_sweep.dev_split("grouped", 0, 2, {"teacher": None, **protocol.parse_variant(
        tiny)}, tmp_path / "cache")
    n_held = len(dev_sweep.held_out(split, 0))
    assert all(int(r[1]) + int(r[3]) == n_held for r in rows.values())
