from dataclasses import fields

import numpy as np
import pytest

from biokv.core import KWinnerMHN, overlaps, to_dense
from biokv.hippocampus.rate_twin import HippocampalRateTwin
from biokv.core.common.patterns import partial_cues_runs, random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.hippocampus.connectivity import draw_connectivity
from biokv.hippocampus.description import NetworkDescription, Population, Projection, hippocampal_network

#: the feed-forward network (no recurrents, no cholinergic suppression): the K-winner MHN with a dentate gyrus
FEEDFORWARD = dict(with_recurrents=False, ach_pp_suppression=0.0)
SMALL = dict(n_ec=200, ec_active=20, n_dg=800, dg_active=24, n_ca3=200, ca3_active=8, n_ctx=150, ctx_active=15,
             **FEEDFORWARD)


def _pairs(R, P, n_key, s_key, n_val, s_val, seed=0):
    keys = random_subsets_runs(run_seeds(seed, "keys", range(R)), P, n_key, s_key)
    vals = random_subsets_runs(run_seeds(seed, "vals", range(R)), P, n_val, s_val)
    return keys, vals


@pytest.mark.slow
def test_without_dg_and_with_a_mirrored_return_the_twin_is_the_kwinner_mhn():
    d = hippocampal_network(n_ec=200, ec_active=20, n_ca3=100, ca3_active=5, pp_fan_in=0.25, n_ctx=200,
                            ctx_active=20, ctx_connectivity="mirror", initial_weight_max=1.0, with_dg=False,
                            **FEEDFORWARD)
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


# ---------------------------------------------------------------------- E%-max selection
def _random_gains(R, P, n_ca3, seed):
    rng = np.random.default_rng(seed)
    return {"pp": rng.uniform(0.5, 1.5, (R, P, n_ca3)), "mf": rng.uniform(0.0, 2.0, (R, P, n_ca3))}


@pytest.mark.parametrize("sizes, fraction", [
    (dict(SMALL, dg_active=1, ca3_active=1), 0.0),  # one winner: the most driven cell, in both selections
    (dict(n_ec=60, ec_active=6, n_dg=40, dg_active=40, ec_dg_fan_in=1.0, mf_contacts=5, n_ca3=30, ca3_active=30,
          pp_fan_in=1.0, n_ctx=50, ctx_active=5, **FEEDFORWARD), 1.0),  # every cell driven, every cell wins
])
def test_e_max_equals_top_k_when_both_select_the_same_cells(sizes, fraction):
    d = hippocampal_network(**sizes)
    top_k = HippocampalRateTwin(d)
    e_max = HippocampalRateTwin(d, selection="e_max", e_max={"DG": fraction, "CA3": fraction})
    R, P = 2, 25
    keys, vals = _pairs(R, P, d.population("EC").size, d.population("EC").active, d.population("CTX").size,
                        d.population("CTX").active)
    n_dg, n_ca3 = d.population("DG").size, d.population("CA3").size
    a, b = top_k.init_state(3, range(R)), e_max.init_state(3, range(R))
    enc_a = top_k.encode(a, keys, vals, gains=_random_gains(R, P, n_ca3, 0))
    enc_b = e_max.encode(b, keys, vals, gains=_random_gains(R, P, n_ca3, 0))
    np.testing.assert_array_equal(enc_b["dg_active"], to_dense(enc_a["dg_winners"], n_dg, bool))
    np.testing.assert_array_equal(enc_b["ca3_active"], to_dense(enc_a["ca3_winners"], n_ca3, bool))
    for f in fields(a.ca3):
        np.testing.assert_array_equal(getattr(a.ca3, f.name), getattr(b.ca3, f.name))
    cues = partial_cues_runs(run_seeds(3, "cues", range(R)), keys, 0.5)
    gain = {"pp": np.random.default_rng(1).uniform(0.5, 1.5, (R, P, n_ca3))}
    rec_a, rec_b = top_k.recall(a, cues, gains=gain), e_max.recall(b, cues, gains=gain)
    np.testing.assert_array_equal(rec_b["ca3_active"], to_dense(rec_a["ca3_winners"], n_ca3, bool))
    np.testing.assert_array_equal(rec_b["values"], rec_a["values"])


def test_e_max_twin_matches_a_dense_loop():
    from biokv.core.common.rng import STREAM_RECALL_READOUT, step_key
    from biokv.core.common.selection import k_winners_reference

    d = hippocampal_network(**SMALL).with_gains(pp={"encode": 2.0, "recall": 1.0})
    f_dg, f_ca3 = 0.08, 0.12
    twin = HippocampalRateTwin(d, selection="e_max", e_max={"DG": f_dg, "CA3": f_ca3})
    R, P, n_ec, n_ca3, n_ctx, s_ctx = 2, 30, 200, 200, 150, 15
    keys, vals = _pairs(R, P, n_ec, 20, n_ctx, s_ctx, seed=5)
    cues = partial_cues_runs(run_seeds(5, "cues", range(R)), keys, 0.6)
    enc_gains, rec_gains = _random_gains(R, P, n_ca3, 2), {"pp": np.random.default_rng(3).uniform(0, 2, (R, P, n_ca3))}
    state = twin.init_state(6, range(R))
    start = state.copy()
    enc = twin.encode(state, keys, vals, gains=enc_gains)
    rec = twin.recall(state, cues, gains=rec_gains)
    eps = d.projection("pp").learning_rate
    mf_weight = d.projection("mf").weight / 2.0  # relative to the perforant-path gain at encoding

    def winners(drive, fraction):
        top = drive.max()
        return np.array([top > 0 and x > 0 and x >= (1 - fraction) * top for x in drive])

    def summed(w, active_inputs):  # column by column, in ascending input order (the order of the sparse sums)
        drive = np.zeros(w.shape[0])
        for j in active_inputs:
            drive = drive + w[:, j]
        return drive

    for r in range(R):
        w_dg, _ = start.dg.dense_weights(r, n_ec)
        w_pp, w_ctx = start.ca3.dense_weights(r, n_ec, n_ctx)
        pp_mask = to_dense(start.ca3.inputs[r], n_ec, bool)  # (n_ca3, n_ec)
        ctx_mask = to_dense(start.ca3.out_inputs[r], n_ctx, bool).T  # (n_ctx, n_ca3)
        for p in range(P):
            dg = winners(summed(w_dg, keys[r, p]), f_dg)
            np.testing.assert_array_equal(enc["dg_active"][r, p], dg)
            drive = summed(w_pp, keys[r, p]) * enc_gains["pp"][r, p]
            for g in np.flatnonzero(dg):
                for t in state.mf_targets[r, g]:
                    drive[t] += mf_weight * enc_gains["mf"][r, p, t]
            ca3 = winners(drive, f_ca3)
            np.testing.assert_array_equal(enc["ca3_active"][r, p], ca3)
            x, v = np.zeros(n_ec), np.zeros(n_ctx)
            x[keys[r, p]], v[vals[r, p]] = 1.0, 1.0
            for i in np.flatnonzero(ca3):
                for j in np.flatnonzero(pp_mask[i]):
                    w_pp[i, j] += eps * (x[j] - w_pp[i, j])
                for j in np.flatnonzero(ctx_mask[:, i]):
                    w_ctx[j, i] += eps * (v[j] - w_ctx[j, i])
        got_pp, got_ctx = state.ca3.dense_weights(r, n_ec, n_ctx)
        np.testing.assert_array_equal(got_pp, w_pp)
        np.testing.assert_array_equal(got_ctx, w_ctx)
        for q in range(P):
            ca3 = winners(summed(w_pp, cues[r, q]) * rec_gains["pp"][r, q], f_ca3)
            np.testing.assert_array_equal(rec["ca3_active"][r, q], ca3)
            out = np.zeros(n_ctx)
            for i in np.flatnonzero(ca3):
                out = out + w_ctx[:, i]
            readout_key = step_key(state.ca3.key[r], STREAM_RECALL_READOUT, q)
            np.testing.assert_array_equal(rec["values"][r, q], k_winners_reference(out, s_ctx, readout_key))
    # the number of winners varies from pattern to pattern
    for name in ("dg_active", "ca3_active"):
        assert len(np.unique(enc[name].sum(axis=2))) > 2
    assert len(np.unique(rec["ca3_active"].sum(axis=2))) > 2
    assert np.array_equal(state.ca3.step, [P, P])


def test_e_max_winners_grow_with_the_fraction_and_with_a_flatter_drive():
    d = hippocampal_network(**SMALL)
    R, P = 2, 20
    keys, vals = _pairs(R, P, 200, 20, 150, 15, seed=7)
    state = HippocampalRateTwin(d, selection="e_max", e_max={"DG": 0.1, "CA3": 0.1}).init_state(8, range(R))
    HippocampalRateTwin(d, selection="e_max", e_max={"DG": 0.1, "CA3": 0.1}).encode(state, keys, vals)
    cues = partial_cues_runs(run_seeds(7, "cues", range(R)), keys, 0.5)
    dg, ca3 = [], []
    for f in (0.0, 0.05, 0.1, 0.2, 0.4, 1.0):
        twin = HippocampalRateTwin(d, selection="e_max", e_max={"DG": f, "CA3": f})
        dg.append(twin.dentate_active(state, keys))
        ca3.append(twin.recall(state, cues)["ca3_active"])
    for masks in (dg, ca3):
        for smaller, larger in zip(masks, masks[1:]):
            assert np.all(smaller <= larger)  # nested
        counts = [m.sum() for m in masks]
        assert all(a < b for a, b in zip(counts, counts[1:])), counts
        assert np.all(masks[0].sum(axis=2) >= 1)  # fraction 0: the most driven cell
    # a flatter drive (the perforant-path input s raised to a power < 1 through the gains): more winners
    twin = HippocampalRateTwin(d, selection="e_max", e_max={"DG": 0.1, "CA3": 0.1})
    s = np.zeros((R, P, 200))
    for r in range(R):
        w_pp, _ = state.ca3.dense_weights(r, 200, 150)
        for q in range(P):
            x = np.zeros(200)
            x[cues[r, q]] = 1
            s[r, q] = w_pp @ x
    masks = [twin.recall(state, cues, gains={"pp": np.power(s, a - 1, out=np.zeros_like(s), where=s > 0)}
                         )["ca3_active"] for a in (1.0, 0.5, 0.25)]  # cells without input stay at 0
    for peaked, flat in zip(masks, masks[1:]):
        assert np.all(peaked <= flat) and peaked.sum() < flat.sum()
    np.testing.assert_array_equal(masks[0], ca3[2])  # a power of 1 is the plain drive


def test_e_max_errors():
    d = hippocampal_network(**SMALL)
    with pytest.raises(ValueError, match="selection must be one of"):
        HippocampalRateTwin(d, selection="soft")
    with pytest.raises(ValueError, match="selection='e_max' needs e_max"):
        HippocampalRateTwin(d, selection="e_max")
    with pytest.raises(ValueError, match="e_max is read only with selection='e_max'"):
        HippocampalRateTwin(d, e_max={"DG": 0.1, "CA3": 0.1})
    with pytest.raises(ValueError, match=r"missing \['DG'\]"):
        HippocampalRateTwin(d, selection="e_max", e_max={"CA3": 0.1})
    with pytest.raises(ValueError, match=r"unknown \['CA1'\]"):
        HippocampalRateTwin(d, selection="e_max", e_max={"DG": 0.1, "CA3": 0.1, "CA1": 0.1})
    with pytest.raises(ValueError, match=r"missing \[\], unknown \['DG'\]"):
        HippocampalRateTwin(hippocampal_network(**SMALL, with_dg=False), selection="e_max",
                            e_max={"DG": 0.1, "CA3": 0.1})
    for bad in (-0.1, 1.2, float("nan"), "0.1", True):
        with pytest.raises(ValueError, match=r"e_max\['CA3'\] must be a number in \[0, 1\]"):
            HippocampalRateTwin(d, selection="e_max", e_max={"DG": 0.1, "CA3": bad})
    twin = HippocampalRateTwin(d, selection="e_max", e_max={"DG": 0.1, "CA3": 0.1})
    state = twin.init_state(0, range(1))
    keys, vals = _pairs(1, 3, 200, 20, 150, 15)
    with pytest.raises(ValueError, match="use dentate_active"):
        twin.dentate_winners(state, keys)
    with pytest.raises(ValueError, match="give the DG code as dg_active"):
        twin.encode(state, keys, vals, dg_winners=np.zeros((1, 3, 24), int))
    with pytest.raises(ValueError, match="dg_active must be a boolean mask"):
        twin.encode(state, keys, vals, dg_active=np.zeros((1, 3, 24), bool))
    with pytest.raises(ValueError, match="dentate_active needs selection='e_max'"):
        HippocampalRateTwin(d).dentate_active(state, keys)


def test_e_max_encoding_with_a_given_dentate_code():
    d = hippocampal_network(**SMALL)
    twin = HippocampalRateTwin(d, selection="e_max", e_max={"DG": 0.1, "CA3": 0.1})
    state = twin.init_state(4, range(2))
    keys, vals = _pairs(2, 10, 200, 20, 150, 15)
    copy = state.copy()
    own = twin.encode(state, keys, vals)
    given = twin.encode(copy, keys, vals, dg_active=own["dg_active"])  # the DG's own code: same result
    np.testing.assert_array_equal(own["ca3_active"], given["ca3_active"])
    np.testing.assert_array_equal(state.ca3.w_in, copy.ca3.w_in)
    silent = twin.encode(state.copy(), keys, vals, dg_active=np.zeros((2, 10, 800), bool))  # no mossy fibres
    plain = twin.encode(state.copy(), keys, vals, gains={"mf": 0.0})
    np.testing.assert_array_equal(silent["ca3_active"], plain["ca3_active"])
    assert not np.array_equal(silent["ca3_active"], own["ca3_active"])
