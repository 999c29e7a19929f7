import numpy as np
import pytest
import xarray as xr

from biokv import cli, experiments
from biokv.config import ConfigError
from biokv.io.results import read_dataset


def _data_equal(a: xr.Dataset, b: xr.Dataset):
    xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())
    skip = {"created", "elapsed_s"}
    assert {k: v for k, v in a.attrs.items() if k not in skip} == {k: v for k, v in b.attrs.items() if k not in skip}


def test_run_writes_results_with_provenance(tmp_path, tiny):
    ds = experiments.run("kwinner-retention", overrides=tiny, seed=3, out_dir=tmp_path, quiet=True)
    for name in ("result.nc", "accuracy.png", "dprime.png", "raw_difference.png", "summary.md"):
        assert (tmp_path / name).stat().st_size > 0
    assert not (tmp_path / "result.partial.nc").exists()
    saved = read_dataset(tmp_path / "result.nc")
    for key in ("config", "seed", "biokv_version", "numpy_version", "brian2_version", "experiment"):
        assert key in saved.attrs
    assert saved.attrs["seed"] == 3 and '"k": 5' in saved.attrs["config"]
    assert saved["overlap_real"].dims == ("model", "cue", "sample", "run", "age")
    assert saved["overlap_real"].dtype == np.int16
    _data_equal(ds.drop_attrs(), saved.drop_attrs())
    assert "| kwinner | 1 |" in (tmp_path / "summary.md").read_text()


def test_same_seed_gives_identical_result_files(tmp_path, tiny):
    experiments.run("kwinner-retention", overrides=tiny, seed=5, out_dir=tmp_path / "a", quiet=True)
    experiments.run("kwinner-retention", overrides=tiny, seed=5, out_dir=tmp_path / "b", quiet=True)
    experiments.run("kwinner-retention", overrides=tiny, seed=6, out_dir=tmp_path / "c", quiet=True)
    a, b, c = (read_dataset(tmp_path / d / "result.nc") for d in "abc")
    _data_equal(a, b)
    assert not np.array_equal(a["overlap_real"].values, c["overlap_real"].values)


def test_derived_metrics_follow_from_the_overlaps(tmp_path, tiny):
    ds = experiments.run("kwinner-retention", overrides=tiny, seed=1, write=False, quiet=True)
    d = ds["overlap_real"] / 10 - ds["overlap_pseudo"] / 10  # acc_real - acc_pseudo
    np.testing.assert_allclose(ds["raw_difference"], d.mean("run"))
    std = d.std("run")  # population std; d' is undefined (NaN) where all runs agree
    diff = ds["overlap_real"].astype(int) - ds["overlap_pseudo"].astype(int)  # exact integers
    agree = diff.max("run") == diff.min("run")
    np.testing.assert_allclose(ds["dprime"], (d.mean("run") / std).where(~agree))
    np.testing.assert_allclose(ds["accuracy_real"], (ds["overlap_real"] / 10).mean(("sample", "run")))
    assert np.isnan(ds["p_dprime"].sel(model="mhn")).all()
    assert ds["theory_raw_difference"].sel(theory_model="mhn").notnull().all()


def test_models_share_patterns_and_cues_within_a_run(tmp_path, tiny):
    # identical networks given the same seed see the same patterns: their overlaps differ only by the network
    same = tiny + ["mhn.n_hidden=100", "mhn.fan_in=0.2", "mhn.k=5", "mhn.learning_rate=0.3"]
    ds = experiments.run("kwinner-retention", overrides=same, seed=2, write=False, quiet=True)
    # different network streams, same patterns: pseudo accuracies are close but networks differ
    assert not np.array_equal(ds["overlap_real"].sel(model="kwinner"), ds["overlap_real"].sel(model="mhn"))
    assert abs(float(ds["accuracy_pseudo"].sel(model="kwinner").mean())
               - float(ds["accuracy_pseudo"].sel(model="mhn").mean())) < 0.05


def test_configuration_errors_come_before_any_work(tmp_path, tiny):
    with pytest.raises(ConfigError, match="kwinner.k=500"):
        experiments.run("kwinner-retention", overrides=tiny + ["kwinner.k=500"], out_dir=tmp_path)
    with pytest.raises(ConfigError, match="seed"):
        experiments.run("kwinner-retention", overrides=tiny, seed=-1, out_dir=tmp_path)
    assert not any(tmp_path.iterdir())


def test_interrupted_run_keeps_finished_samples(tmp_path, tiny, monkeypatch):
    from biokv.experiments.kwinner import retention

    real = retention.retention_overlaps
    calls = []

    def interrupt_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(retention, "retention_overlaps", interrupt_on_third)
    with pytest.raises(KeyboardInterrupt):
        experiments.run("kwinner-retention", overrides=tiny, out_dir=tmp_path, quiet=True)
    partial = read_dataset(tmp_path / "result.partial.nc")
    assert partial.sizes["sample"] == 2 and partial.attrs["complete"] == 0
    assert not (tmp_path / "result.nc").exists()


@pytest.mark.parametrize("name", ["kwinner-fanin", "graded-mhn", "mhn-retention"])
def test_other_retention_experiments_run(tmp_path, tiny, name):
    over = [t for t in tiny if not t.startswith("mhn.")]
    if name == "mhn-retention":
        over = [t for t in tiny if not t.startswith("kwinner.")]
    elif name == "graded-mhn":
        over += ["mhn.n_visible=100", "mhn.n_active=10", "mhn.n_hidden=10", "graded_mhn.n_visible=100",
                 "graded_mhn.n_active=10", "graded_mhn.n_hidden=10", "kwinner_learning_rates=0.3,0.1"]
    else:
        over += ["mhn.n_visible=100", "mhn.n_active=10", "mhn.n_hidden=10"]
    ds = experiments.run(name, overrides=over, out_dir=tmp_path, quiet=True)
    assert (tmp_path / "dprime.png").exists()
    if name == "graded-mhn":
        assert list(ds.model.values) == ["graded-mhn", "mhn", "kwinner-lr0.3", "kwinner-lr0.1"]
    if name == "mhn-retention":  # the MHN alone, with its theory curves
        assert list(ds.model.values) == ["mhn"] and "theory_raw_difference" in ds
        assert "1-winner MHN against its theory" in (tmp_path / "summary.md").read_text()


def test_structured_patterns_runs(tmp_path):
    over = ["kwinner.n_visible=100", "kwinner.n_active=10", "kwinner.n_hidden=100", "kwinner.fan_in=0.2",
            "kwinner.k=5", "mhn.n_visible=100", "mhn.n_active=10", "mhn.n_hidden=10", "flips=1,5", "n_nodes=600",
            "protocol.n_burnin=60", "protocol.n_memories=50", "protocol.n_samples=2", "protocol.runs_per_sample=3",
            "protocol.fit_max_age=20"]
    ds = experiments.run("structured-patterns", overrides=over, out_dir=tmp_path, quiet=True)
    assert ds["overlap_pseudo_random"].dims == ("flips", "model", "cue", "sample", "run", "age")
    sim = ds["similarity"].mean(("sample", "run"))
    assert float(sim.sel(flips=1)) > float(sim.sel(flips=5))
    for name in ("dprime.png", "accuracy.png", "similarity.png", "summary.md"):
        assert (tmp_path / name).exists()
    with pytest.raises(ConfigError, match="gave .* leaves"):
        experiments.run("structured-patterns", overrides=over + ["n_nodes=100"], write=False, quiet=True)


def test_cli(tmp_path, tiny, capsys):
    assert cli.main(["list"]) == 0
    assert "kwinner-retention" in capsys.readouterr().out
    assert cli.main(["params", "kwinner-retention"]) == 0
    assert "kwinner.fan_in = 0.05" in capsys.readouterr().out
    args = ["run", "kwinner-retention", "--out", str(tmp_path), "--quiet", "--seed", "4"]
    for t in tiny:
        args += ["--set", t]
    assert cli.main(args) == 0
    assert (tmp_path / "result.nc").exists()
    assert cli.main(["run", "kwinner-retention", "--set", "kwinner.k=0", "--out", str(tmp_path)]) == 2
    assert "kwinner.k=0 is out of range" in capsys.readouterr().err


def test_model_files_in_repository_match_defaults():
    from pathlib import Path

    from biokv.config import load_model_file, load_toml, to_dict

    files = sorted((Path(__file__).parents[2] / "models").glob("*.toml"))
    assert {f.stem for f in files} >= {"kwinner-retention", "kwinner-fanin", "graded-mhn", "mhn-retention",
                                       "structured-patterns", "spiking-recall", "spiking-kwinner", "crosstalk",
                                       "hopfield-capacity", "modern-hopfield-capacity", "kv-optimization",
                                       "forgetting-reactivation", "case-sequence", "compare-bio",
                                       "predict-mossy-lesion", "predict-pp-lesion", "predict-reactivation",
                                       "predict-distributed-storage", "predict-capacity"}
    for f in files:
        if "experiment" not in load_model_file(f):  # a block other model files include (hippocampal-network.toml)
            continue
        assert to_dict(experiments.resolve_config(f.stem, model_file=f)) == to_dict(experiments.resolve_config(f.stem))
    # the experiments on the default network include its one model file instead of repeating the block
    shared = files[0].parent / "hippocampal-network.toml"
    for name in ("spiking-recall", "compare-bio", "predict-capacity", "predict-mossy-lesion", "predict-pp-lesion",
                 "predict-reactivation"):
        f = files[0].parent / f"{name}.toml"
        assert "network" not in load_toml(f) and load_model_file(f)["network"] == load_toml(shared)["network"]


def test_significant_ranges():
    from biokv.experiments.kwinner.report import significance_summary, significant_ranges

    ages = np.arange(1, 11)
    mask = np.array([0, 1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=bool)
    assert significant_ranges(mask, ages) == [(2, 3), (6, 6), (8, 10)]
    assert significance_summary(mask, ages, max_gap=1, min_count=2) == "6-10 (80% of these ages; 2 significant ages "\
        "outside)"
    assert significance_summary(mask, ages, max_gap=2, min_count=2) == "2-10 (67% of these ages; 0 significant "\
        "ages outside)"
    assert significance_summary(mask, ages) == "no reliable range (6 isolated significant ages)"
    assert significance_summary(np.zeros(4, bool), ages[:4]) == "none"
    assert significant_ranges(np.zeros(4, bool), ages[:4]) == []
