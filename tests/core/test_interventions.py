"""Gains on projections (lesions and boosts) in the K-winner MHN and the hippocampal rate twin; patterns of
controlled overlap; the population-vector correlation; paired effects."""

import numpy as np
import pytest
from scipy import stats

from biokv.hippocampus.rate_twin import HippocampalRateTwin
from biokv.core.stats.metrics import paired_effect
from biokv.core.common.patterns import binary_correlation, overlapping_patterns_runs, overlaps, random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.hippocampus.description import hippocampal_network
from biokv.hippocampus.gains import check_gains

SMALL = dict(n_ec=200, ec_active=20, n_dg=400, dg_active=12, ec_dg_fan_in=0.2, mf_contacts=4, n_ca3=100,
             ca3_active=5, pp_fan_in=0.3, n_ctx=100, ctx_active=10, ctx_fan_out=0.3, with_recurrents=False,
             ach_pp_suppression=0.0)
RUNS = [0, 1, 2]


def _setup(**changes):
    d = hippocampal_network(**{**SMALL, **changes})
    twin = HippocampalRateTwin(d)
    keys = random_subsets_runs(run_seeds(1, "keys", RUNS), 15, 200, 20)
    vals = random_subsets_runs(run_seeds(1, "vals", RUNS), 15, 100, 10)
    return twin, keys, vals


def test_a_unit_gain_changes_nothing_bit_for_bit():
    twin, keys, vals = _setup()
    a, b = twin.init_state(4, RUNS), twin.init_state(4, RUNS)
    ea = twin.encode(a, keys, vals)
    eb = twin.encode(b, keys, vals, gains={"mf": 1.0, "pp": np.ones(100)})
    np.testing.assert_array_equal(ea["ca3_winners"], eb["ca3_winners"])
    np.testing.assert_array_equal(a.ca3.w_in, b.ca3.w_in)
    ra, rb = twin.recall(a, keys), twin.recall(b, keys, gains={"pp": 1.0})
    np.testing.assert_array_equal(ra["ca3_winners"], rb["ca3_winners"])


def test_mossy_fibre_lesion_is_the_network_without_mossy_fibre_input():
    twin, keys, vals = _setup()
    no_mf, _, _ = _setup(mf_weight=0.0)
    lesioned, reference = twin.init_state(4, RUNS), no_mf.init_state(4, RUNS)
    e1 = twin.encode(lesioned, keys, vals, gains={"mf": 0.0})
    e2 = no_mf.encode(reference, keys, vals)
    np.testing.assert_array_equal(e1["ca3_winners"], e2["ca3_winners"])
    np.testing.assert_array_equal(lesioned.ca3.w_out, reference.ca3.w_out)
    # per pattern: only the lesioned encodings change
    intact = twin.init_state(4, RUNS)
    e_intact = twin.encode(intact, keys, vals)
    partial = twin.init_state(4, RUNS)
    gain = np.ones((len(RUNS), 15))
    gain[:, 10:] = 0.0
    e_part = twin.encode(partial, keys, vals, gains={"mf": gain})  # one gain per encoding
    np.testing.assert_array_equal(e_part["ca3_winners"][:, :10], e_intact["ca3_winners"][:, :10])
    assert not np.array_equal(e_part["ca3_winners"][:, 10:], e_intact["ca3_winners"][:, 10:])


def test_perforant_path_lesion_at_recall_makes_ca3_blind_to_the_cue():
    twin, keys, vals = _setup()
    state = twin.init_state(4, RUNS)
    twin.encode(state, keys, vals)
    other = random_subsets_runs(run_seeds(9, "other", RUNS), 15, 200, 20)
    a = twin.recall(state, keys, gains={"pp": 0.0})["ca3_winners"]
    b = twin.recall(state, other, gains={"pp": 0.0})["ca3_winners"]
    np.testing.assert_array_equal(a, b)  # nothing of the cue reaches CA3: only the tie-break decides
    intact = twin.recall(state, keys)
    lesioned = twin.recall(state, keys, gains={"pp": 0.0})
    assert overlaps(intact["values"], vals).mean() > 2 * overlaps(lesioned["values"], vals).mean()


def test_boosting_an_ensemble_makes_it_win():
    twin, keys, vals = _setup()
    state = twin.init_state(4, RUNS)
    twin.encode(state, keys, vals)
    ensemble = random_subsets_runs(run_seeds(2, "ens", RUNS), 15, 100, 5)
    gain = np.ones((len(RUNS), 15, 100))
    np.put_along_axis(gain, ensemble.astype(np.intp), 1e6, axis=2)
    winners = twin.recall(state, keys, gains={"pp": gain})["ca3_winners"]
    np.testing.assert_array_equal(np.sort(winners, axis=2), ensemble)


def test_gains_are_checked():
    twin, keys, vals = _setup()
    state = twin.init_state(4, RUNS)
    with pytest.raises(ValueError, match=r"gains\['pp'\] must hold finite non-negative"):
        twin.recall(state, keys, gains={"pp": -1.0})
    with pytest.raises(ValueError, match=r"gains\['mf'\] must be broadcastable to \(runs, presentations, CA3 cells\)"):
        twin.encode(state, keys, vals, gains={"mf": np.ones(7)})
    no_dg, _, _ = _setup(with_dg=False)
    with pytest.raises(ValueError, match="gains: no projection 'mf'"):  # a network without DG and mossy fibres
        no_dg.encode(no_dg.init_state(1, RUNS), keys, vals, gains={"mf": 0.0})
    with pytest.raises(ValueError, match="applies gains to \\['mf', 'pp', 'rc'\\] only, got 'ca3_ctx'"):
        twin.recall(state, keys, gains={"ca3_ctx": 0.0})


def test_a_mossy_fibre_gain_per_encoding_is_the_same_gain_on_every_ca3_cell():
    twin, keys, vals = _setup()
    per_encoding = np.random.default_rng(3).random((len(RUNS), 15)) * 2
    a, b = twin.init_state(4, RUNS), twin.init_state(4, RUNS)
    ea = twin.encode(a, keys, vals, gains={"mf": per_encoding})
    eb = twin.encode(b, keys, vals, gains={"mf": np.repeat(per_encoding[..., None], 100, axis=2)})
    np.testing.assert_array_equal(ea["ca3_winners"], eb["ca3_winners"])
    np.testing.assert_array_equal(a.ca3.w_in, b.ca3.w_in)


def test_one_gain_check_for_both_backends():
    d = hippocampal_network(**SMALL)
    spiking = check_gains(d, {"pp": np.ones((1, 100)), "mf": 0.5}, (("slots", 6),))
    assert spiking["pp"].shape == spiking["mf"].shape == (6, 100)
    rate = check_gains(d, {"mf": np.ones((3, 15))}, (("runs", 3), ("presentations", 15)), per_pattern=("mf",))
    assert rate["mf"].shape == (3, 15, 100) and check_gains(d, None, (("slots", 6),)) == {}
    for leading in ((("slots", 6),), (("runs", 3), ("presentations", 15))):
        with pytest.raises(ValueError, match=r"gains: no projection 'xx'; projections: \['ec_dg', 'mf', 'pp'"):
            check_gains(d, {"xx": 1.0}, leading)
        for bad in (-1.0, np.nan, np.inf):
            with pytest.raises(ValueError, match=r"gains\['pp'\] must hold finite non-negative numbers"):
                check_gains(d, {"pp": bad}, leading)
    with pytest.raises(ValueError, match=r"gains\['ca3_ctx'\] must be broadcastable to \(slots, CTX cells\) = "
                                         r"\(6, 100\), got shape \(7,\)"):
        check_gains(d, {"ca3_ctx": np.ones(7)}, (("slots", 6),))


@pytest.mark.parametrize("overlap", [0.0, 0.25, 0.5, 1.0])
def test_overlapping_patterns_share_exactly_the_requested_fraction(overlap):
    seeds = run_seeds(3, "a", RUNS)
    a = random_subsets_runs(seeds, 50, 60, 8)
    b = overlapping_patterns_runs(run_seeds(3, "b", RUNS), a, 60, overlap)
    assert b.shape == a.shape and np.all(np.diff(b, axis=2) > 0) and b.min() >= 0 and b.max() < 60
    np.testing.assert_array_equal(overlaps(a, b), round(overlap * 8))
    if 0 < overlap < 1:  # new cells are spread over the cells outside the pattern
        assert len(np.unique(b)) > 50
    again = overlapping_patterns_runs(run_seeds(3, "b", RUNS), a, 60, overlap)
    np.testing.assert_array_equal(b, again)
    with pytest.raises(ValueError, match="overlap must be in"):
        overlapping_patterns_runs(seeds, a, 60, 1.5)


def test_binary_correlation_is_pearson_of_the_dense_vectors():
    rng = np.random.default_rng(0)
    for _ in range(20):
        x = (rng.random(50) < 0.2).astype(float)
        y = (rng.random(50) < 0.3).astype(float)
        if x.sum() in (0, 50) or y.sum() in (0, 50):
            continue
        r = binary_correlation((x * y).sum(), x.sum(), y.sum(), 50)
        assert r == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-12)
    assert np.isnan(binary_correlation(0, 0, 5, 50))


def test_paired_effect_matches_the_paired_t_test():
    rng = np.random.default_rng(1)
    control = rng.normal(size=12)
    intervention = control + 0.4 + 0.5 * rng.normal(size=12)
    e = paired_effect(control, intervention)
    d = intervention - control
    t = stats.ttest_rel(intervention, control)
    assert e["difference"] == pytest.approx(d.mean())
    assert e["p_value"] == pytest.approx(t.pvalue)
    half = stats.t.ppf(0.975, 11) * d.std(ddof=1) / np.sqrt(12)
    assert (e["ci_low"], e["ci_high"]) == pytest.approx((d.mean() - half, d.mean() + half))
    assert e["dz"] == pytest.approx(d.mean() / d.std(ddof=1))
    same = paired_effect(control, control + 1.0)
    assert same["difference"] == pytest.approx(1.0) and np.isnan(same["dz"]) and np.isnan(same["p_value"])
    with pytest.raises(ValueError, match="same shape"):
        paired_effect(control, intervention[:3])
