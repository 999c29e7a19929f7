"""Distributed vs slot storage and capacity against CA3 size, at a tiny size."""

import numpy as np
import pytest

from biokv import experiments
from biokv.config import ConfigError
from biokv.hippocampus.rate_twin import HippocampalRateTwin
from biokv.core.common.patterns import overlaps, partial_cues_runs, random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.experiments.predictions.capacity_scaling import capacity_exponents
from biokv.hippocampus.description import hippocampal_network

SMALL = ["kwinner.n_visible=100", "kwinner.n_active=10", "kwinner.n_hidden=100", "kwinner.fan_in=0.2", "kwinner.k=1",
         "mhn.n_visible=100", "mhn.n_active=10", "mhn.n_hidden=20", "n_burnin=10", "n_memories=60", "old_age=20",
         "runs=3", "n_nodes=400", "flips=3"]


def test_a_k_winner_network_that_is_the_slot_network_shows_no_effect(tmp_path):
    # k = 1, full fan-in, eps 1 and the same hidden size: the K-winner MHN is a 1-winner MHN (other initial
    # weights): no effect beyond its confidence interval
    over = SMALL + ["ks=1", "kwinner.fan_in=1", "kwinner.learning_rate=1", "kwinner.n_hidden=20", "runs=6"]
    ds = experiments.run("predict-distributed-storage", overrides=over, out_dir=tmp_path, quiet=True)
    assert np.all(ds["effect_ci_low"] <= 0) and np.all(ds["effect_ci_high"] >= 0)
    assert np.all(np.abs(ds["effect"]) < 0.05)
    assert (tmp_path / "effects.png").exists() and "effect [95% CI]" in (tmp_path / "summary.md").read_text()


def test_distributed_storage_by_k_and_similarity(tmp_path):
    ds = experiments.run("predict-distributed-storage", overrides=SMALL + ["ks=2,5"], write=False, quiet=True)
    assert ds["effect"].dims == ("similarity", "k") and list(ds.similarity.values) == ["random", "3 flips"]
    assert np.all(np.isfinite(ds["effect"])) and ds["accuracy_by_age"].sizes["age"] == 60


NET = ["network.n_ec=100", "network.ec_active=10", "network.ctx_active=10", "network.n_ctx=100",
       "network.n_dg=400", "network.dg_active=12", "network.n_ca3=100", "network.ca3_active=3",
       "network.ec_dg_fan_in=0.2", "network.mf_contacts=4"]
TINY = dict(n_ec=100, ec_active=10, n_ctx=100, ctx_active=10, n_dg=400, dg_active=12, n_ca3=100, ca3_active=3,
            ec_dg_fan_in=0.2, mf_contacts=4)


def _stored_one_at_a_time(with_recurrents, rc_gain, cue_level, seed=2, run=1, n_mem=50, stream=""):
    """Stored memories (bool per memory) of run ``run`` of the fixed-k network at n_CA3 = 100 of the experiment
    below, each memory encoded and recalled on its own (``stream=":longer"``: the stream of the steady-state
    check)."""
    twin = HippocampalRateTwin(hippocampal_network(**TINY, with_recurrents=with_recurrents))
    keys = random_subsets_runs(run_seeds(seed, f"keys{stream}", [0, 1]), n_mem, 100, 10)
    vals = random_subsets_runs(run_seeds(seed, f"values{stream}", [0, 1]), n_mem, 100, 10)[run:run + 1]
    cues = keys if cue_level == 1 else partial_cues_runs(run_seeds(seed, f"cues{stream}:{cue_level!r}", [0, 1]),
                                                         keys, cue_level)
    keys, cues = keys[run:run + 1], cues[run:run + 1]
    gains = None if rc_gain is None else {"rc": rc_gain}
    state = twin.init_state(seed, [(100, 3, run)])  # the run ids of the experiment: (n_CA3, k, run)
    for p in range(n_mem):
        twin.encode(state, keys[:, p:p + 1], vals[:, p:p + 1], gains=gains)
    return np.array([overlaps(twin.recall(state, cues[:, p:p + 1], gains=gains)["values"],
                              vals[:, p:p + 1])[0, 0] / 10 >= 0.5 for p in range(n_mem)])


def test_capacity_counts_memories_at_the_criterion_like_a_slow_loop(tmp_path):
    over = NET + ["n_ca3=50,100", "fixed_k=3", "active_fraction=0.05", "memories_per_cell=0.5", "runs=2",
                  "cue_level=0.5", "rc_probabilities=0.088", "probability_n_ca3=100"]
    ds = experiments.run("predict-capacity", overrides=over, out_dir=tmp_path, seed=2, quiet=True)
    point = ds.sel(scaling="fixed k", n_ca3=100, run=1)
    # with recurrents, from partial cues, one memory at a time
    stored = _stored_one_at_a_time(True, None, 0.5)
    assert float(point["capacity"].sel(recurrents="with", cue="partial")) == stored.sum()
    assert float(point["stored_oldest_fifth"].sel(recurrents="with", cue="partial")) == stored[:10].sum()
    # "without recurrents" is the network with its recurrents silenced, at encoding and at recall
    for cue, level in (("full", 1), ("partial", 0.5)):
        silenced = _stored_one_at_a_time(True, 0.0, level)
        assert float(point["capacity"].sel(recurrents="without", cue=cue)) == silenced.sum()
        assert np.array_equal(silenced, _stored_one_at_a_time(False, None, level))
    # the steady-state check: the network without recurrents after a stream twice as long
    longer = _stored_one_at_a_time(False, None, 0.5, n_mem=100, stream=":longer")
    assert float(point["capacity_longer_stream"].sel(cue="partial")) == longer.sum()
    # the probability sweep at the size of a size point is that point
    assert np.array_equal(ds["probability_capacity"].sel(rc_probability=0.088).values,
                          ds["capacity"].sel(scaling="fixed a", n_ca3=100).values)
    assert ds["exponent"].dims == ("scaling", "recurrents", "cue") and (tmp_path / "capacity.png").exists()
    assert "c / a^2" in (tmp_path / "summary.md").read_text()


def test_estimates_follow_their_formulas():
    over = NET + ["n_ca3=50,100", "fixed_k=3", "active_fraction=0.05", "memories_per_cell=0.1", "runs=2",
                  "rc_probabilities=0.05,0.3", "probability_n_ca3=80", "network.rc_probability=0.1",
                  "network.pp_fan_in=0.3", "network.learning_rate=0.5"]
    ds = experiments.run("predict-capacity", overrides=over, write=False, seed=1, quiet=True)
    k = {"fixed a": [round(0.05 * 50), round(0.05 * 100)], "fixed k": [3, 3]}
    for sc, ks in k.items():
        a = np.array(ks) / np.array([50, 100])
        assert np.allclose(ds["c_over_a2"].sel(scaling=sc), 0.1 / a**2)
        assert np.allclose(ds["pp_c_over_a2"].sel(scaling=sc), 0.3 / a**2)
        assert np.allclose(ds["overwrite_estimate"].sel(scaling=sc), 1 / (a * 0.5))
    assert np.allclose(ds["probability_c_over_a2"], np.array([0.05, 0.3]) / (4 / 80) ** 2)
    assert ds.attrs["de_almeida_c_over_a2"] == pytest.approx(0.2 / (225 / 70_000) ** 2)


def test_capacity_exponents_recover_a_power_law():
    n = np.array([100, 200, 400, 800])
    caps = np.stack([3.0 * n**1.5, 7.0 * n**0.5], axis=1)  # (sizes, runs)
    assert np.allclose(capacity_exponents(caps, n), [1.5, 0.5])


def test_recurrents_raise_partial_cue_capacity_and_capacity_grows_with_n_at_fixed_k():
    # a small network with strong, dense recurrents (c = 0.3, rc_strength 0.5); at 300 CA3 cells fixed a and fixed k
    # are the same networks
    over = ["network.n_ec=200", "network.ec_active=20", "network.ctx_active=20", "network.n_ctx=200",
            "network.ec_dg_fan_in=0.1", "network.mf_contacts=6", "network.n_ca3=300", "network.n_dg=1200",
            "network.dg_active=36", "network.rc_probability=0.3", "network.rc_strength=0.5", "n_ca3=100,300",
            "active_fraction=0.05", "fixed_k=15", "rc_probabilities=0.3", "probability_n_ca3=300",
            "memories_per_cell=0.5", "cue_level=0.5", "runs=6"]
    ds = experiments.run("predict-capacity", overrides=over, write=False, seed=5, quiet=True)
    # with - without recurrents, from partial cues at the largest size: above 0 beyond its 95% CI (both scalings)
    assert np.all(ds["effect_ci_low"].sel(n_ca3=300, cue="partial") > 0)
    fixed_k = ds["capacity"].sel(scaling="fixed k")
    assert np.all(fixed_k.sel(n_ca3=300) > fixed_k.sel(n_ca3=100))  # every condition and run
    assert np.all(ds["exponent_ci_low"].sel(scaling="fixed k") > 0)


def test_capacity_configuration_errors():
    for over, message in ((["n_ca3=100"], "n_ca3=.* must be two or more distinct sizes"),
                          (["rc_probabilities=0.1,0.1"], "rc_probabilities=.* must be one or more distinct"),
                          (["cue_level=0.001"], "cue_level=0.001 is out of range"),
                          (["network.mossy_fibres_at_recall=true"], "mossy_fibres_at_recall=true is out of range"),
                          (["probability_n_ca3=10"], "probability_n_ca3=10 is out of range")):
        with pytest.raises(ConfigError, match=message):
            experiments.resolve_config("predict-capacity", overrides=over)
