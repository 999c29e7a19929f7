import numpy as np
import pytest

from biokv import cli, experiments
from biokv.config import ConfigError

TINY = ["network.n_ec=60", "network.ec_active=8", "network.n_dg=120", "network.dg_active=6",
        "network.ec_dg_fan_in=0.3", "network.mf_contacts=3", "network.n_ca3=40", "network.ca3_active=4",
        "network.pp_fan_in=0.3", "network.n_ctx=40", "network.ctx_active=5", "network.ctx_fan_out=0.3",
        "spiking.device=runtime", "spiking.presentation_ms=100", "spiking.dt_ms=0.2", "n_pairs=4",
        "cue_levels=1,0.5", "raster_presentations=2"]


@pytest.mark.spiking
def test_spiking_recall_runs_and_reports_both_backends(tmp_path):
    ds = experiments.run("spiking-recall", overrides=TINY, out_dir=tmp_path, seed=2, quiet=True)
    assert ds["recall_accuracy"].dims == ("backend", "cue", "age")
    assert ds["ca3_jaccard"].sizes["age"] == 4
    for var in ("ca3_jaccard", "dg_jaccard", "ca3_jaccard_given_dg"):
        assert np.all((ds[var] >= 0) & (ds[var] <= 1))
    acc = ds["recall_accuracy"].values
    assert np.all((acc >= 0) & (acc <= 1))
    assert set(ds.population.values) == {"DG", "CA3", "CTX"}
    for name in ("raster.png", "recall_by_age.png", "summary.md", "result.nc"):
        assert (tmp_path / name).exists()
    assert "CA3 agreement at encoding" in (tmp_path / "summary.md").read_text()


def test_configuration_defaults_are_those_of_the_network_and_the_spiking_parameters():
    import inspect

    from brian2 import Hz, ms

    from biokv.config import to_dict
    from biokv.experiments.hippocampus.config import HippocampusConfig, SpikingConfig
    from biokv.hippocampus.description import hippocampal_network
    from biokv.spiking import SpikingParameters

    factory = {k: v.default for k, v in inspect.signature(hippocampal_network).parameters.items()}
    config = to_dict(HippocampusConfig())
    assert config == {k: factory[k] for k in config} and set(config) <= set(factory)
    spk, default = SpikingConfig(), SpikingParameters()
    assert spk.presentation_ms * ms == default.presentation and spk.dt_ms * ms == default.dt
    assert spk.ec_rate_on_hz * Hz == default.ec_rate_on and spk.ec_rate_off_hz * Hz == default.ec_rate_off
    assert spk.parameters() == default  # every other value too


def test_every_spiking_parameter_is_listed_and_can_be_set(capsys):
    from dataclasses import fields

    from brian2 import ms

    from biokv.config import describe
    from biokv.experiments.hippocampus.config import SpikingRecallConfig
    from biokv.spiking import SpikingParameters

    units = {"ms", "hz", "mv"}
    listed = {key.split(".", 1)[1] for key, *_ in describe(SpikingRecallConfig) if key.startswith("spiking.")}
    bare = {name.rsplit("_", 1)[0] if name.rsplit("_", 1)[-1] in units else name for name in listed}
    assert {f.name for f in fields(SpikingParameters)} <= bare
    assert {"presentation_ms", "dt_ms", "ec_rate_on_hz", "ec_rate_off_hz", "tau_m_ms", "v_rest_mv",
            "theta_kappa", "mf_release"} <= listed
    assert cli.main(["params", "spiking-recall"]) == 0
    printed = capsys.readouterr().out
    for name in listed:
        assert f"spiking.{name} = " in printed
    cfg = experiments.resolve_config("spiking-recall", overrides=["spiking.tau_m_ms=12", "spiking.theta_kappa=5"])
    params = cfg.spiking.parameters()
    assert params.tau_m == 12 * ms and params.theta_kappa == 5
    with pytest.raises(ConfigError, match="spiking.tau_m_ms=-1.0 is out of range"):
        experiments.resolve_config("spiking-recall", overrides=["spiking.tau_m_ms=-1"])


@pytest.mark.spiking
def test_spiking_agreement_measures_both_backends_at_each_size(tmp_path):
    """At two sizes and two seeds: every measure in range, CIs where there are two seeds, the twin's k/n exact, and
    the spiking network's active fractions its own (not k/n)."""
    over = [s for s in TINY if not s.startswith(("n_pairs", "cue_levels", "raster"))]
    ds = experiments.run("spiking-agreement", overrides=over + ["sizes=1,2", "seeds=2", "n_pairs=4", "age_bins=1,3"],
                         out_dir=tmp_path, seed=1, quiet=True)
    assert ds["recall_accuracy"].dims == ("size", "seed", "backend", "age_bin")
    assert np.all((ds["recall_accuracy"] >= 0) & (ds["recall_accuracy"] <= 1))
    assert np.all(np.isfinite(ds["recall_difference_ci95"]))
    k_over_n = ds["active_fraction"].sel(phase="twin_k_over_n")
    np.testing.assert_allclose(k_over_n.sel(population="CA3"), 4 / 40)  # sizes and activity scale together
    assert not np.allclose(ds["active_fraction"].sel(phase="encode", population="CA3"), k_over_n.sel(population="CA3"))
    np.testing.assert_allclose(ds["recall_difference"], ds["recall_accuracy"].sel(backend="spiking")
                               - ds["recall_accuracy"].sel(backend="rate"))
    assert "Goal: |spiking - rate| <= 0.1" in (tmp_path / "summary.md").read_text()
    assert (tmp_path / "agreement_by_age.png").exists()
