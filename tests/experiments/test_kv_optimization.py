from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from biokv import config, experiments
from biokv.core.kv import optimization as kv
from biokv.core.common.rng import run_generators
from biokv.experiments.kv.config import KVOptimizationConfig
from biokv.io.results import read_dataset

TINY = ["events_per_class=6", "n_steps=60", "runs=2", "record_every=25", "learning_rate=0.01"]
MODEL = Path(__file__).resolve().parents[2] / "models" / "kv-optimization.toml"


def test_kv_optimization_runs_end_to_end(tmp_path):
    ds = experiments.run("kv-optimization", overrides=TINY, out_dir=tmp_path, seed=3, quiet=True)
    for name in ("result.nc", "summary.md", "trajectories.png", "metrics.png"):
        assert (tmp_path / name).exists()
    assert ds["keys"].dims == ("classes", "step", "run", "event", "component")
    assert list(ds.classes.values) == [2, 3] and list(ds.step.values) == [0, 25, 50, 60]
    assert ds.sizes["event"] == 18 and ds.sizes["run"] == 2
    np.testing.assert_array_equal(ds["n_events"], [12, 18])
    two = ds.sel(classes=2)
    assert np.all(np.isnan(two["keys"].isel(event=slice(12, None))))  # padding beyond 12 events
    np.testing.assert_array_equal(two["label"].values, [0] * 6 + [1] * 6 + [-1] * 6)
    np.testing.assert_array_equal(ds["feature"].values, [[0, 1], [1, 0], [1, 1]])
    assert np.all((ds["nearest_centroid_accuracy"] >= 0) & (ds["nearest_centroid_accuracy"] <= 1))
    assert np.all(ds["loss"].isel(step=-1) < ds["loss"].isel(step=0))
    assert ds.attrs["elapsed_s"] > 0
    # the initial keys are the documented draws of the run generators
    k0, v0 = kv.initial_parameters(run_generators(3, "kv-optimization:init", range(2)), 18)
    np.testing.assert_array_equal(ds["keys"].sel(classes=3).isel(step=0).values, k0.astype(np.float32))
    np.testing.assert_array_equal(ds["values"].sel(classes=3).isel(step=0).values, v0.astype(np.float32))
    back = read_dataset(tmp_path / "result.nc")
    xr.testing.assert_identical(back["keys"], ds["keys"])
    head = experiments.headline(back)
    assert list(head.data_vars)[0] == "nearest_centroid_accuracy"
    assert head["value_error"].dims == ("classes",)
    text = (tmp_path / "summary.md").read_text()
    assert "| 3 | 18 |" in text and "nearest-centroid" in text and "most attended keys" in text


def test_same_seed_same_result_and_other_seed_differs():
    cfg = experiments.resolve_config("kv-optimization", overrides=TINY + ["classes=3"])
    a = experiments.compute("kv-optimization", cfg, 7, quiet=True)
    b = experiments.compute("kv-optimization", cfg, 7, quiet=True)
    c = experiments.compute("kv-optimization", cfg, 8, quiet=True)
    for name in ("keys", "values", "loss", "silhouette", "value_error"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
    assert not np.array_equal(a["keys"].values, c["keys"].values)


def test_model_file_holds_the_defaults_and_quick_is_small():
    from_file = experiments.resolve_config("kv-optimization", MODEL)
    assert asdict(from_file) == asdict(KVOptimizationConfig())
    assert from_file.learning_rate == 3e-4 and from_file.events_per_class == 100
    quick = experiments.resolve_config("kv-optimization", quick=True)
    assert quick.n_steps * quick.runs <= 10000


def test_bad_configurations_fail_before_any_work():
    with pytest.raises(config.ConfigError, match=r"classes=\(2, 4\) is out of range: must be in \[2, 3\]"):
        experiments.resolve_config("kv-optimization", overrides=["classes=2,4"])
    with pytest.raises(config.ConfigError, match="must be one or more distinct values"):
        experiments.resolve_config("kv-optimization", overrides=["classes=3,3"])
    with pytest.raises(config.ConfigError, match=r"learning_rate=0.0 is out of range: must be > 0"):
        experiments.resolve_config("kv-optimization", overrides=["learning_rate=0"])
    with pytest.raises(config.ConfigError, match=r"events_per_class=1 is out of range: must be >= 2"):
        experiments.resolve_config("kv-optimization", overrides=["events_per_class=1"])
