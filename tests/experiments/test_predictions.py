"""Prediction experiments (control vs intervention) at a tiny size, end to end, and the combined report."""

from dataclasses import replace

import numpy as np
import pytest

from biokv import cli, experiments
from biokv.experiments import registry
from biokv.config import ConfigError
from biokv.experiments.predictions.collection import run_predictions

NET = ["network.n_ec=60", "network.ec_active=8", "network.n_dg=120", "network.dg_active=6",
       "network.ec_dg_fan_in=0.3", "network.mf_contacts=3", "network.n_ca3=40", "network.ca3_active=4",
       "network.pp_fan_in=0.3", "network.n_ctx=40", "network.ctx_active=5", "network.ctx_fan_out=0.3"]
SPIKING = ["spiking.device=runtime", "spiking.presentation_ms=100", "spiking.dt_ms=0.2"]


@pytest.mark.spiking
@pytest.mark.slow
def test_mossy_fibre_lesion_in_both_backends(tmp_path):
    over = NET + SPIKING + ["rate_runs=4", "spiking_seeds=2", "spiking_slots=10", "n_old=3", "n_new=2"]
    ds = experiments.run("predict-mossy-lesion", overrides=over, out_dir=tmp_path, seed=1, quiet=True)
    assert list(ds.backend.values) == ["rate", "spiking"]
    for var in ("effect", "effect_ci_low", "effect_ci_high", "control_mean", "intervention_mean"):
        assert ds[var].dims == ("backend", "measure")
    e = ds.sel(measure="recall of new memories")
    assert np.all(e["effect_ci_low"] <= e["effect"]) and np.all(e["effect"] <= e["effect_ci_high"])
    # effect = mean of the paired differences, from the raw values stored per seed
    raw = ds["intervention_rate"] - ds["control_rate"]
    np.testing.assert_allclose(ds["effect"].sel(backend="rate"), raw.mean("seed_rate"))
    for name in ("result.nc", "effects.png", "summary.md"):
        assert (tmp_path / name).exists()
    assert "effect [95% CI]" in (tmp_path / "summary.md").read_text()


def test_perforant_path_lesion_leaves_recall_at_chance_in_the_rate_twin(tmp_path):
    over = NET + ["rate_runs=6", "spiking_seeds=0", "n_pairs=10"]
    ds = experiments.run("predict-pp-lesion", overrides=over, out_dir=tmp_path, seed=0, quiet=True)
    recall = ds.sel(backend="rate", measure="recall of stored memories")
    assert float(recall["effect_ci_high"]) < 0
    chance = 5 / 40
    assert abs(float(recall["intervention_mean"]) - chance) < 0.1


def test_reactivation_and_the_combined_report(tmp_path):
    over = NET + ["rate_runs=5", "spiking_seeds=0", "n_pairs=30", "age_min=10", "age_max=20"]
    ds = experiments.run("predict-reactivation", overrides=over, out_dir=tmp_path / "r", seed=0, quiet=True)
    assert set(ds.measure.values) == {"own ensemble", "random ensemble"}
    assert np.all(ds["forgotten_targets_rate"] >= 0)
    with pytest.raises(ConfigError, match="need 1 <= age_min <= age_max <= n_pairs"):
        experiments.resolve_config("predict-reactivation", overrides=["age_max=500"])
    with pytest.raises(ConfigError, match="spiking_seeds=1 is out of range"):
        experiments.resolve_config("predict-pp-lesion", overrides=["spiking_seeds=1"])
    with pytest.raises(ConfigError, match="spiking_slots=10 is out of range"):
        experiments.resolve_config("predict-pp-lesion", overrides=["spiking_slots=10"])


def test_predict_all_writes_one_report_and_resumes(tmp_path, monkeypatch):
    import biokv.experiments.predictions.collection as predict

    calls = []
    real = predict._experiments.run

    def small(name, **kwargs):
        calls.append(name)
        over = NET + ["rate_runs=3", "spiking_seeds=0"]
        over += {"predict-mossy-lesion": ["n_old=3", "n_new=3"], "predict-pp-lesion": ["n_pairs=6"],
                 "predict-reactivation": ["n_pairs=20", "age_min=5", "age_max=15"], "predict-rc-lesion": ["n_pairs=6"],
                 "predict-cholinergic-blockade": ["n_old=3", "n_new=3"], "predict-gating": ["n_pairs=6"]}.get(name, [])
        return real(name, overrides=over, **kwargs)

    monkeypatch.setattr(predict._experiments, "run", small)
    for name in ("predict-distributed-storage", "predict-capacity"):  # untagged: only the interventions run
        monkeypatch.setitem(registry._REGISTRY, name, replace(registry.get(name), tags=("storage",)))
    interventions = ["predict-mossy-lesion", "predict-pp-lesion", "predict-reactivation", "predict-rc-lesion",
                     "predict-cholinergic-blockade", "predict-gating"]
    assert predict.predictions() == interventions
    path = run_predictions(out_dir=tmp_path, seed=3, quiet=True)
    text = path.read_text()
    assert text.count("effect [95% CI]") == 6 and "![effects.png](predict-pp-lesion/effects.png)" in text
    run_predictions(out_dir=tmp_path, seed=3, quiet=True)  # complete results are reused, not run again
    assert len(calls) == 6
    with pytest.raises(ConfigError, match="unknown prediction 'nope'"):
        run_predictions(["nope"], out_dir=tmp_path)
    assert cli.main(["predict"]) == 2
