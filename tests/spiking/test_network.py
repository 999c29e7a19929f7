"""Structural checks of the spiking network on a tiny instance (Brian2 runtime device, numpy target)."""

import numpy as np
import pytest
from brian2 import Hz, mV, ms

from biokv.core.hippocampus import HippocampalRateTwin
from biokv.core.patterns import random_subsets_runs
from biokv.core.random import run_seeds
from biokv.network import hippocampal_network
from biokv.spiking import RunawayActivityError, SpikingHippocampus, SpikingParameters

TINY = dict(n_ec=60, ec_active=8, n_dg=120, dg_active=6, ec_dg_fan_in=0.3, mf_contacts=3, n_ca3=40,
            ca3_active=4, pp_fan_in=0.3, n_ctx=40, ctx_active=5, ctx_fan_out=0.3)
FAST = dict(presentation=40 * ms, dt=0.2 * ms)


def _run(params=None, P=4, Q=2, **network):
    d = hippocampal_network(**{**TINY, **network})
    state = HippocampalRateTwin(d).init_state(3, [0])
    keys = random_subsets_runs(run_seeds(3, "keys", [0]), P, d.population("EC").size, d.population("EC").active)[0]
    vals = random_subsets_runs(run_seeds(3, "vals", [0]), P, d.population("CTX").size,
                               d.population("CTX").active)[0]
    net = SpikingHippocampus(d, SpikingParameters(**{**FAST, **(params or {})}))
    return d, state, keys, vals, net.simulate(state, 0, keys, vals, keys[:Q], seed=5), net


def _replay_rule(w, learner, target, patterns, n_target, ca3_counts, eps):
    """The K-winner rule slot by slot: synapses whose CA3 cell (index array ``learner``) fired move toward the
    pattern bit of their ``target`` cell."""
    w = w.copy()
    for p, pattern in enumerate(patterns):
        bits = np.zeros(n_target)
        bits[pattern] = 1
        learn = (ca3_counts[p] > 0)[learner]
        w[learn] = w[learn] + eps * (bits[target[learn]] - w[learn])
    return w


def test_learning_in_the_simulation_is_the_k_winner_rule_applied_to_the_recorded_spikes():
    d, state, keys, vals, res, net = _run()
    assert res.counts["CA3"][:4].sum() > 0, "CA3 must fire during encoding for this test to mean anything"
    eps = d.projection("pp").learning_rate
    pre, post, w = net._connectivity(state, 0, "pp")  # EC i -> CA3 j: the CA3 cell is the postsynaptic one
    expected = _replay_rule(w, post, pre, keys, d.population("EC").size, res.counts["CA3"], eps)
    np.testing.assert_allclose(res.weights["pp"], expected, rtol=0, atol=1e-12)
    pre, post, w = net._connectivity(state, 0, "ca3_ctx")  # CA3 i -> CTX j: the CA3 cell is the presynaptic one
    expected = _replay_rule(w, pre, post, vals, d.population("CTX").size, res.counts["CA3"], eps)
    np.testing.assert_allclose(res.weights["ca3_ctx"], expected, rtol=0, atol=1e-12)
    assert res.recalled.shape == (2, 5)


def test_mossy_fibres_drive_ca3_during_encoding_only():
    # perforant path nearly silent: CA3 then fires only through the mossy fibres
    d, state, keys, vals, res, net = _run(dict(j_pp=1e-6 * mV, j_mf=400 * mV))
    dg = res.counts["DG"]
    ca3 = res.counts["CA3"]
    assert dg[:4].sum() > 0 and dg[4:].sum() > 0  # DG follows EC in both phases
    assert ca3[:4].sum() > 0  # encoding: mossy fibres on
    assert ca3[4:].sum() == 0  # recall: mossy fibres off


def test_runaway_activity_stops_with_a_clear_error():
    with pytest.raises(RunawayActivityError, match="DG fired at .* Hz"):
        _run(dict(j_ec_dg=1e5 * mV, inhibition=1e-3 * mV, max_rate=50 * Hz))


def test_invalid_patterns_and_seed_are_rejected_before_building():
    d = hippocampal_network(**TINY)
    state = HippocampalRateTwin(d).init_state(0, [0])
    net = SpikingHippocampus(d, SpikingParameters(**FAST))
    good = np.arange(8)[None]
    with pytest.raises(ValueError, match=r"keys hold indices of active EC cells, which must be in \[0, 59\]"):
        net.simulate(state, 0, good + 55, np.arange(5)[None], good, seed=1)
    with pytest.raises(ValueError, match="seed must be an integer"):
        net.simulate(state, 0, good, np.arange(5)[None], good, seed=-1)
    with pytest.raises(ValueError, match="device must be one of"):
        SpikingHippocampus(d, device="gpu")


@pytest.mark.parametrize("kwargs, message", [
    (dict(presentation=100), "presentation must be a quantity with the unit of"),
    (dict(ec_rate_on=5 * mV), "ec_rate_on must be a quantity with the unit of"),
    (dict(tau_m=-1 * ms), "tau_m must be positive"),
    (dict(v_reset=-40 * mV), "need v_rest < v_reset < v_threshold"),
    (dict(inh_per_cell=2.0), r"inh_per_cell must be a number in \(0, 1\]"),
])
def test_parameters_check_units_and_ranges(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SpikingParameters(**kwargs)
