from dataclasses import fields

import numpy as np
import pytest

from biokv.core import KWinnerMHN, overlaps
from biokv.hippocampus.rate_twin import HippocampalRateTwin
from biokv.core.common.patterns import partial_cues_runs, random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.hippocampus.connectivity import draw_connectivity
from biokv.hippocampus.description import NetworkDescription, Population, Projection, hippocampal_network

SMALL = dict(n_ec=200, ec_active=20, n_dg=800, dg_active=24, n_ca3=200, ca3_active=8, n_ctx=150, ctx_active=15)


def _pairs(R, P, n_key, s_key, n_val, s_val, seed=0):
    keys = random_subsets_runs(run_seeds(seed, "keys", range(R)), P, n_key, s_key)
    vals = random_subsets_runs(run_seeds(seed, "vals", range(R)), P, n_val, s_val)
    return keys, vals


@pytest.mark.slow
def test_without_dg_and_with_a_mirrored_return_the_twin_is_the_kwinner_mhn():
    d = hippocampal_network(n_ec=200, ec_active=20, n_ca3=100, ca3_active=5, pp_fan_in=0.25, n_ctx=200,
                            ctx_active=20, ctx_connectivity="mirror", initial_weight_max=1.0, with_dg=False)
    twin = HippocampalRateTwin(d)
    mhn = KWinnerMHN(n_visible=200, n_hidden=100, n_active=20, fan_in=0.25, k=5, learning_rate=0.3)
    keys, _ = _pairs(3, 60, 200, 20, 200, 20)
    a = twin.init_state(4, range(3))
    b = mhn.init_state(seed=4, runs=range(3), stream="network:ca3")
    enc = twin.encode(a, keys, keys)
    winners = mhn.learn(b, keys, return_winners=True)
    np.testing.assert_array_equal(enc["ca3_winners"], winners)
    np.testing.assert_array_equal(a.ca3.w_in, b.w_in)
    np.testing.assert_array_equal(a.ca3.w_out, b.w_out)
    cues = partial_cues_runs(run_seeds(4, "cues", range(3)), keys, 0.5)
    np.testing.assert_array_equal(twin.recall(a, cues)["values"], mhn.retrieve(b, cues))


def test_dentate_winners_are_the_top_k_of_the_fixed_input_and_drive_the_mossy_fibres():
    twin = HippocampalRateTwin(hippocampal_network(**SMALL))
    state = twin.init_state(1, range(2))
    keys, vals = _pairs(2, 15, 200, 20, 150, 15)
    dg = twin.dentate_winners(state, keys)
    idx, w = twin.mossy_drive(state, dg)
    for r in range(2):
        w_ecdg, _ = state.dg.dense_weights(r, 200)
        for p in range(15):
            x = np.zeros(200)
            x[keys[r, p]] = 1
            np.testing.assert_array_equal(dg[r, p], np.sort(np.argsort(-(w_ecdg @ x))[:24]))  # no ties
            np.testing.assert_array_equal(idx[r, p], state.mf_targets[r, dg[r, p]].ravel())
    assert np.all(w == 5.0)
    enc = twin.encode(state, keys, vals)
    # strong mossy fibres choose the CA3 code: every encoding winner receives mossy-fibre input
    assert all(np.isin(enc["ca3_winners"][r, p], idx[r, p]).all() for r in range(2) for p in range(15))


def test_encoding_with_given_dentate_winners():
    twin = HippocampalRateTwin(hippocampal_network(**SMALL))
    state = twin.init_state(4, range(2))
    keys, vals = _pairs(2, 10, 200, 20, 150, 15)
    copy = state.copy()
    own = twin.encode(state, keys, vals)
    given = twin.encode(copy, keys, vals, dg_winners=own["dg_winners"])  # the DG's own code: same result
    np.testing.assert_array_equal(own["ca3_winners"], given["ca3_winners"])
    np.testing.assert_array_equal(state.ca3.w_in, copy.ca3.w_in)
    other = np.sort(np.random.default_rng(0).permuted(np.tile(np.arange(800), (2, 10, 1)), axis=2)[..., :24],
                    axis=2)
    moved = twin.encode(state.copy(), keys, vals, dg_winners=other)
    assert not np.array_equal(moved["ca3_winners"], own["ca3_winners"])
    with pytest.raises(ValueError, match="dg_winners must have shape"):
        twin.encode(state.copy(), keys, vals, dg_winners=other[:, :, :5])


def test_recall_runs_over_the_perforant_path_only():
    twin = HippocampalRateTwin(hippocampal_network(**SMALL))
    state = twin.init_state(2, range(2))
    keys, vals = _pairs(2, 20, 200, 20, 150, 15)
    twin.encode(state, keys, vals)
    rec = twin.recall(state, keys)
    for r in range(2):
        w_pp, _ = state.ca3.dense_weights(r, 200, 150)
        for q in range(20):
            x = np.zeros(200)
            x[keys[r, q]] = 1
            np.testing.assert_array_equal(rec["ca3_winners"][r, q], np.sort(np.argsort(-(w_pp @ x))[:8]))


def test_default_network_recalls_recent_values_and_forgets_old_ones():
    twin = HippocampalRateTwin(hippocampal_network())
    state = twin.init_state(0, range(4))
    keys, vals = _pairs(4, 100, 1000, 100, 1000, 100)
    twin.encode(state, keys, vals)
    acc = overlaps(twin.recall(state, keys)["values"], vals) / 100
    assert acc[:, -10:].mean() > 0.9  # the ten newest pairs
    assert acc[:, :10].mean() < acc[:, -10:].mean() - 0.3  # the ten oldest: forgotten in part
    chance = 100 / 1000
    assert acc[:, :10].mean() > chance + 0.1


def test_same_seed_same_network():
    twin = HippocampalRateTwin(hippocampal_network(**SMALL))
    a, b = twin.init_state(7, [3]), twin.init_state(7, [3])
    np.testing.assert_array_equal(a.ca3.w_in, b.ca3.w_in)
    np.testing.assert_array_equal(a.mf_targets, b.mf_targets)
    assert not np.array_equal(a.ca3.w_in, twin.init_state(8, [3]).ca3.w_in)


def test_connectivity_is_drawn_once_from_the_description_and_the_seed():
    d = hippocampal_network(**SMALL)
    drawn, twin_state = draw_connectivity(d, 7, [3, 5]), HippocampalRateTwin(d).init_state(7, [3, 5])
    for part in ("ca3", "dg"):
        for f in fields(getattr(drawn, part)):
            np.testing.assert_array_equal(getattr(getattr(drawn, part), f.name),
                                          getattr(getattr(twin_state, part), f.name))
    np.testing.assert_array_equal(drawn.mf_targets, twin_state.mf_targets)
    alone = draw_connectivity(d, 7, [5])  # a run's network does not depend on the runs drawn with it
    np.testing.assert_array_equal(alone.ca3.w_in[0], drawn.ca3.w_in[1])
    np.testing.assert_array_equal(alone.dg.inputs[0], drawn.dg.inputs[1])
    np.testing.assert_array_equal(alone.mf_targets[0], drawn.mf_targets[1])
    no_dg = draw_connectivity(hippocampal_network(**SMALL, with_dg=False), 7, [0])
    assert no_dg.dg is None and no_dg.mf_targets is None


def test_description_errors():
    with pytest.raises(ValueError, match="active must be in"):
        Population("CA3", 10, 20, "kwta")
    with pytest.raises(ValueError, match="unknown population 'XX'"):
        NetworkDescription((Population("EC", 10, 2, "input"),), (Projection("p", "EC", "XX", "fan_in", 2),))
    with pytest.raises(ValueError, match="exceeds the 10 cells"):
        NetworkDescription((Population("EC", 10, 2, "input"), Population("CA3", 5, 1, "kwta")),
                           (Projection("pp", "EC", "CA3", "fan_in", 11),))
    with pytest.raises(ValueError, match="ctx_connectivity"):
        hippocampal_network(ctx_connectivity="dense")
    with pytest.raises(ValueError, match="recall must be 0"):
        d = hippocampal_network(**SMALL)
        mf = d.projection("mf")
        projs = tuple(Projection(p.name, p.source, p.target, p.connectivity, p.n_connections, p.weight,
                                 p.weight_max, p.learning_rate, {"encode": 1.0, "recall": 1.0}) if p is mf else p
                      for p in d.projections)
        HippocampalRateTwin(NetworkDescription(d.populations, projs))
