"""Distributed vs slot storage and capacity against CA3 size, at a tiny size."""

import numpy as np
import pytest

from biokv import experiments
from biokv.config import ConfigError
from biokv.hippocampus.rate_twin import HippocampalRateTwin
from biokv.core.common.patterns import overlaps, random_subsets_runs
from biokv.core.common.rng import run_seeds
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


def test_capacity_counts_memories_at_the_criterion_like_a_slow_loop(tmp_path):
    over = NET + ["n_ca3=50,100", "fixed_k=3", "active_fraction=0.05", "memories_per_cell=0.5", "runs=2"]
    ds = experiments.run("predict-capacity", overrides=over, out_dir=tmp_path, seed=2, quiet=True)
    # the fixed-k point at n_ca3 = 100, run 1, recomputed here one memory at a time
    d = hippocampal_network(n_ec=100, ec_active=10, n_ctx=100, ctx_active=10, n_dg=400, dg_active=12, n_ca3=100,
                            ca3_active=3, ec_dg_fan_in=0.2, mf_contacts=4)
    twin = HippocampalRateTwin(d)
    keys = random_subsets_runs(run_seeds(2, "keys", [0, 1]), 50, 100, 10)[1:]
    vals = random_subsets_runs(run_seeds(2, "values", [0, 1]), 50, 100, 10)[1:]
    state = twin.init_state(2, [(1, 1, 1)])
    for p in range(50):
        twin.encode(state, keys[:, p:p + 1], vals[:, p:p + 1])
    stored = sum(overlaps(twin.recall(state, keys[:, p:p + 1])["values"], vals[:, p:p + 1])[0, 0] / 10 >= 0.5
                 for p in range(50))
    assert float(ds["capacity"].sel(scaling="fixed k", n_ca3=100).values[1]) == stored
    assert ds["exponent"].dims == ("scaling",) and (tmp_path / "capacity.png").exists()
    with pytest.raises(ConfigError, match="n_ca3=.* must be two or more distinct sizes"):
        experiments.resolve_config("predict-capacity", overrides=["n_ca3=100"])
