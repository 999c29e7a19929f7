import numpy as np
import pytest
import xarray as xr

from biokv import experiments
from biokv.experiments.hippocampus.config import ReducedNetworkConfig, SpikingKWinnerConfig
from biokv.experiments.hippocampus.spiking_kwinner import (MODELS, retention_statistics, shared_connectivity,
                                                            single_run, spiking_description)
from biokv.hippocampus.rate_twin import HippocampalRateTwin

TINY = ["network.n_visible=60", "network.n_active=6", "network.n_hidden=80", "network.k=4", "network.fan_in=0.3",
        "n_burnin=10", "n_memories=6", "runs=2", "cue_levels=1", "age_bins=1,4", "bootstrap=100",
        "spiking.device=runtime", "spiking.presentation_ms=100", "spiking.dt_ms=0.2"]


def test_runs_share_the_connectivity_and_keep_their_own_weights():
    twin = HippocampalRateTwin(ReducedNetworkConfig().description())
    base, own = twin.init_state(4, [0]), twin.init_state(4, range(3))
    shared = shared_connectivity(base, own)
    for r in range(3):
        np.testing.assert_array_equal(shared.ca3.inputs[r], base.ca3.inputs[0])
        np.testing.assert_array_equal(shared.ca3.in_pos[r], base.ca3.in_pos[0])
    assert shared.ca3.out_inputs is shared.ca3.inputs  # the mirrored return projection stays mirrored
    np.testing.assert_array_equal(shared.ca3.w_in, own.ca3.w_in)
    assert not np.array_equal(shared.ca3.w_in[0], shared.ca3.w_in[1])


def test_single_run_is_run_r_as_run_0():
    twin = HippocampalRateTwin(ReducedNetworkConfig(n_visible=40, n_active=4, n_hidden=30, k=3).description())
    state = shared_connectivity(twin.init_state(2, [0]), twin.init_state(2, range(3)))
    one = single_run(state, 2)
    assert one.ca3.n_runs == 1 and one.ca3.out_inputs is one.ca3.inputs
    for name in ("inputs", "w_in", "in_ptr", "in_hidden", "in_pos", "w_out", "key", "step"):
        np.testing.assert_array_equal(getattr(one.ca3, name)[0], getattr(state.ca3, name)[2])
    # the weights each synapse of the spiking network starts from: run 2's, read as run 0
    w_in, w_out = one.ca3.dense_weights(0, 40)
    for r, c in [(0, 0), (5, 1), (29, 2)]:
        j = state.ca3.inputs[2, r, c]
        assert w_in[r, j] == state.ca3.w_in[2, state.ca3.in_pos[2, r, c]]
        assert w_out[j, r] == state.ca3.w_out[2, r, c]
    with pytest.raises(ValueError, match="r must be a run"):
        single_run(state, 3)


def test_spiking_drive_comes_from_the_configuration():
    cfg = SpikingKWinnerConfig(pp_encode_gain=1.5, pp_recall_gain=7.0, ctx_encode_gain=0.0, ctx_recall_gain=0.4)
    d = spiking_description(cfg)
    assert d.projection("pp").gain == {"encode": 1.5, "recall": 7.0}
    assert d.projection("ca3_ctx").gain == {"encode": 0.0, "recall": 0.4}
    # everything but the gains is the reduced network
    base = cfg.network.description()
    assert d.populations == base.populations
    assert d.with_gains(pp=base.projection("pp").gain, ca3_ctx=base.projection("ca3_ctx").gain) == base


def test_analysis_matches_a_plain_loop():
    rng = np.random.default_rng(0)
    s, R, M = 10, 5, 12
    overlap = rng.integers(0, s + 1, (len(MODELS), 2, 1, R, M)).astype(np.int16)
    overlap[0, 0, 0, :, 5:] = s  # spiking K-winner recalls its older memories perfectly
    overlap[2, 0, 0, :, 5:] = 0  # the MHN has lost them
    overlap[:, 1, 0, :, :] = 1
    ds = xr.Dataset({"overlap": (("model", "kind", "cue", "run", "age"), overlap)},
                    coords={"model": list(MODELS), "kind": ["real", "pseudo"], "cue": [0.5], "run": np.arange(R),
                            "age": np.arange(1, M + 1)})
    out = retention_statistics(ds, s, (1, 6), n_boot=200, seed=0)
    for m, model in enumerate(MODELS):
        for age in range(M):
            d = [(overlap[m, 0, 0, r, age] - overlap[m, 1, 0, r, age]) / s for r in range(R)]
            assert np.isclose(out["raw_difference"].sel(model=model, cue=0.5, age=age + 1), np.mean(d))
        first = [np.mean([(overlap[m, 0, 0, r, a] - 1) / s for a in range(5)]) for r in range(R)]
        assert np.isclose(out["binned_raw_difference"].sel(model=model, cue=0.5, age_bin="1-5"), np.mean(first))
        assert np.isclose(out["binned_raw_difference_sem"].sel(model=model, cue=0.5, age_bin="1-5"),
                          np.std(first, ddof=1) / np.sqrt(R))
    # older memories: every run gives the same difference, d' undefined (NaN) rather than a division by ~0
    assert np.isnan(out["dprime"].sel(model="rate-mhn", age=M)).all()
    assert out["p_spiking_above_mhn"].sel(cue=0.5, age_bin="1-5") > 0.05  # random young ages: no difference


@pytest.mark.spiking
def test_spiking_kwinner_runs_and_reports(tmp_path):
    ds = experiments.run("spiking-kwinner", overrides=TINY, out_dir=tmp_path, seed=1, quiet=True)
    assert ds["overlap"].dims == ("model", "kind", "cue", "run", "age")
    assert ds.sizes["run"] == 2 and ds.sizes["age"] == 6
    assert list(ds.age_bin.values) == ["1-3", "4-6"]
    acc = ds["accuracy"].values
    assert np.all((acc >= 0) & (acc <= 1))
    assert ds["ca3_active"].sel(phase="encode").mean() > 0  # the spiking CA3 fired
    assert ds.attrs["pp_encode_gain"] == SpikingKWinnerConfig().pp_encode_gain  # its own drive, not the rate core's
    # the spiking network recalls memories better than pseudo-memories (mean over runs and ages)
    spiking = ds["overlap"].sel(model="spiking-kwinner")
    assert spiking.sel(kind="real").mean() > spiking.sel(kind="pseudo").mean()
    for name in ("raw_difference.png", "summary.md", "result.nc"):
        assert (tmp_path / name).exists()
    assert "p (spiking d' > MHN d')" in (tmp_path / "summary.md").read_text()
