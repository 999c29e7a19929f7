"""The spiking hippocampal circuit on Brian2's runtime device (numpy code generation).

Learning must depend on spikes alone: silencing an EC cell, switching the teacher off or teaching other values
than an experiment's bookkeeping says change what is learned exactly as the spikes say. The instar and outstar
rules are replayed from the recorded spikes by a slow loop; theta order, gains, runaway activity, the rate
twin's winners given the spiking DG code, reproducibility and the checks before building are tested on the
same runs.

The network is the default description: Brian2's numpy target costs per time step and object, hardly per
cell, so a smaller network is not faster, and the drives are calibrated on this one. ``dt`` = 0.2 ms halves
the cost of the default 0.1 ms.
"""

import dataclasses

import numpy as np
import pytest
from brian2 import Hz, Network, SpikeMonitor, StateMonitor, mV, ms

from biokv.core.common.patterns import random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.hippocampus.description import hippocampal_network
from biokv.hippocampus.rate_twin import HippocampalRateTwin
from biokv.spiking import RunawayActivityError, SpikingHippocampus, SpikingParameters
from biokv.spiking.circuit import build_circuit, projection_pairs

PARAMS = SpikingParameters(dt=0.2 * ms)
P = 3  # encoding slots of the runs below (recall from the same keys)
SEED = 1
DT = float(PARAMS.dt)
SLOT_STEPS = int(round(float(PARAMS.presentation) / DT))
TAU_TRACE = float(PARAMS.tau_trace)


@pytest.fixture(scope="module")
def numpy_target():
    """Brian2's runtime device with numpy code generation (restored afterwards)."""
    from brian2 import prefs

    previous = prefs.codegen.target
    prefs.codegen.target = "numpy"
    yield
    prefs.codegen.target = previous


@pytest.fixture(scope="module")
def net():
    """The description, one run of its connectivity and patterns: keys, the values B the teacher presents and
    other values A (what a faulty bookkeeping would claim)."""
    d = hippocampal_network()
    state = HippocampalRateTwin(d).init_state(3, [0])
    ec, ctx = d.population("EC"), d.population("CTX")
    keys = random_subsets_runs(run_seeds(3, "keys", [0]), P, ec.size, ec.active)[0]
    values = random_subsets_runs(run_seeds(3, "values", [0]), P, ctx.size, ctx.active)[0]
    bookkeeping = random_subsets_runs(run_seeds(3, "bookkeeping", [0]), P, ctx.size, ctx.active)[0]
    return dict(d=d, state=state, keys=keys, values=values, bookkeeping=bookkeeping)


def _run_circuit(net, keys, values, cues, seed=SEED, silence=(), teacher=True, record_ge=False):
    """Build the circuit of ``net`` for a protocol, intervene, run it in a network of our own with a monitor on
    EC (and optionally on CA3's fast excitation ``ge``) and return the spikes and final weights as arrays."""
    d = net["d"]
    protocol = SpikingHippocampus(d, PARAMS).protocol(keys, values, cues)
    circuit = build_circuit(d, net["state"], 0, PARAMS, protocol, seed=seed)
    ec = circuit.inputs["EC"].neurons
    for cell in silence:
        ec.target_hazard[cell] = 1e12  # the hazard never gets there: the cell never fires
    if not teacher:
        circuit.teacher["CTX"][0].neurons.rate_on = 0 * Hz
    ec_spikes = SpikeMonitor(ec)
    objects = [circuit, ec_spikes]
    if record_ge:
        ge = StateMonitor(circuit.layers["CA3"].neurons, "ge", record=True, dt=1 * ms)
        objects.append(ge)
    Network(*objects).run(protocol.n_slots * PARAMS.presentation, namespace={})
    monitors = {"EC": ec_spikes, **circuit.monitors}
    out = dict(protocol=protocol, n_slots=protocol.n_slots,
               spikes={k: (np.asarray(m.i[:]), np.round(np.asarray(m.t_[:]) / DT).astype(np.int64))
                       for k, m in monitors.items()},
               weights={k: np.asarray(s.synapses.w[:]).copy() for k, s in circuit.projections.items()},
               delay={k: float(s.synapses.delay[:]) for k, s in circuit.projections.items()})
    if record_ge:
        out["ge"] = (np.asarray(ge.t_[:]), np.asarray(ge.ge_[:]))
    return out


def _counts(run, population, size):
    """Spikes per slot and cell (slots, size)."""
    i, step = run["spikes"][population]
    counts = np.zeros((run["n_slots"], size), dtype=np.int64)
    np.add.at(counts, (step // SLOT_STEPS, i), 1)
    return counts


@pytest.fixture(scope="module")
def base(numpy_target, net):
    """Encode the keys with values B and recall from the keys (6 slots), recording EC and CA3's ge."""
    return _run_circuit(net, net["keys"], net["values"], net["keys"], record_ge=True)


@pytest.fixture(scope="module")
def intervened(numpy_target, net):
    """The encoding slots of ``base`` with the first cell of key 0 silenced and the teacher off."""
    return _run_circuit(net, net["keys"], net["values"], [], silence=[net["keys"][0][0]], teacher=False)


@pytest.fixture(scope="module")
def result(numpy_target, net):
    """The protocol of ``base`` through the runner (no interventions, same seed)."""
    return SpikingHippocampus(net["d"], PARAMS).simulate(net["state"], 0, net["keys"], net["values"], net["keys"],
                                                         seed=SEED)


# ----------------------------------------------------------------------------- learning from spikes alone
@pytest.mark.spiking
def test_a_silenced_ec_cell_is_unlearned_while_the_other_key_cells_are_learned(net, intervened):
    d, run = net["d"], intervened
    silent = net["keys"][0][0]
    ec = _counts(run, "EC", d.population("EC").size)
    assert ec[:, silent].sum() == 0
    assert ec[0, net["keys"][0]].sum() > 10 * (len(net["keys"][0]) - 1)  # 100 Hz: ~20 spikes per cell and slot
    eps = d.projection("pp").learning_rate
    pre, post, w0 = projection_pairs(d, net["state"], 0, "pp")
    w = run["weights"]["pp"]
    ca3 = _counts(run, "CA3", d.population("CA3").size)
    spikes = ca3.sum(axis=0)  # every slot is an encoding slot
    # its synapses onto the CA3 cells that fired saw a trace of 0 at every postsynaptic spike: w0 (1 - eps)^n
    mine = (pre == silent) & (spikes[post] > 0)
    assert mine.sum() >= 10  # measured 22
    np.testing.assert_allclose(w[mine], w0[mine] * (1 - eps) ** spikes[post[mine]], rtol=1e-12, atol=0)
    assert np.all(w[mine] < w0[mine])
    assert np.array_equal(w[(pre == silent) & (spikes[post] == 0)], w0[(pre == silent) & (spikes[post] == 0)])
    # the other cells of key 0 onto the same slot-0 winners grew (measured: all 899, mean 0.05 -> 0.28)
    others = np.isin(pre, net["keys"][0]) & (pre != silent) & (ca3[0][post] > 0)
    assert others.sum() >= 100
    assert np.mean(w[others] > w0[others]) >= 0.95
    assert w[others].mean() >= w0[others].mean() + 0.15


def _value_learning(net, run):
    """Weight changes of the CA3 -> CTX synapses of CA3 cells that fired in exactly one encoding slot ``p``:
    onto the cells of value ``p`` and onto the other cortical cells."""
    d = net["d"]
    pre, post, w0 = projection_pairs(d, net["state"], 0, "ca3_ctx")
    change = run["weights"]["ca3_ctx"] - w0
    ca3 = _counts(run, "CA3", d.population("CA3").size)[:P] > 0
    once = ca3.sum(axis=0) == 1
    onto_value, onto_other = [], []
    for p in range(P):
        mine = np.isin(pre, np.flatnonzero(ca3[p] & once))
        in_value = np.isin(post, net["values"][p])
        onto_value.append(change[mine & in_value])
        onto_other.append(change[mine & ~in_value])
    return np.concatenate(onto_value), np.concatenate(onto_other)


@pytest.mark.spiking
def test_without_the_teacher_the_value_is_not_learned(net, base, intervened):
    ctx = net["d"].population("CTX").size
    on_value, on_other = _value_learning(net, base)
    off_value, off_other = _value_learning(net, intervened)
    assert on_value.size >= 1000 and off_value.size >= 1000
    # teacher on: the value's cells fire and the synapses onto them grow (measured 96.9 % grew, mean +0.177;
    # onto the other cells -0.013; over five pattern sets 95-97 %, +0.17 to +0.18)
    assert np.mean(_counts(base, "CTX", ctx)[np.arange(P)[:, None], net["values"]] > 0) >= 0.9
    assert np.mean(on_value > 0) >= 0.9 and on_value.mean() >= 0.1
    assert on_other.mean() <= 0
    # teacher rate 0: whatever cortical cells CA3 fires are learned, the value's cells no more than the others:
    # they decay alike (measured 1.9 % grew, mean -0.0144 as the other cells; over five pattern sets 0.3-3.5 %,
    # within 0.0006 of the other cells)
    assert np.mean(off_value > 0) <= 0.1 and off_value.mean() <= 0
    assert abs(off_value.mean() - off_other.mean()) <= 0.005


@pytest.mark.spiking
def test_recall_follows_the_values_the_teacher_drove_not_the_bookkeeping(net, result):
    """The teacher presented values B while the experiment's bookkeeping says A: the network recalls B."""
    s = net["d"].population("CTX").active
    with_b = np.array([np.intersect1d(result.recalled[q], net["values"][q]).size for q in range(P)])
    with_a = np.array([np.intersect1d(result.recalled[q], net["bookkeeping"][q]).size for q in range(P)])
    # measured: B 84, 64, 62 of 100; A 8, 10, 17 (chance 10)
    assert np.all(with_b >= 0.35 * s), with_b
    assert np.all(with_a <= 0.25 * s), with_a


# ----------------------------------------------------------------------------- the rules replayed from spikes
def _by(cells, steps):
    """Spike steps of each cell, sorted."""
    return {c: np.sort(steps[cells == c]) for c in np.unique(cells)}


def _synapses_of(cells):
    out = {}
    for k, c in enumerate(cells):
        out.setdefault(int(c), []).append(k)
    return out


@pytest.mark.spiking
@pytest.mark.parametrize("name, source", [("pp", "EC"), ("rc", "CA3")])
def test_the_instar_rule_replayed_from_the_spikes_gives_the_weights(net, base, name, source):
    """At each CA3 spike, w += eps * plastic * (x - w) for each of its synapses from EC (perforant path) or from
    other CA3 cells (recurrent collaterals), with the nearest-spike trace x = exp(-(t_post - t_arrival) /
    tau_trace) of the last presynaptic spike that arrived (spike time + synaptic delay) at or before it, 0 if none
    did; plastic is 1 in encoding slots and 0 at recall."""
    d = net["d"]
    pre, post, w0 = projection_pairs(d, net["state"], 0, name)
    eps, plastic = d.projection(name).learning_rate, base["protocol"].plasticity
    delay = int(round(base["delay"][name] / DT))
    assert delay == 5  # StaticSynapses' default of 1 ms
    arrivals = {c: s + delay for c, s in _by(*base["spikes"][source]).items()}
    synapses = _synapses_of(post)
    w = w0.copy()
    ca3_cells, ca3_steps = base["spikes"]["CA3"]
    for n in np.argsort(ca3_steps, kind="stable"):
        cell, step = ca3_cells[n], ca3_steps[n]
        for k in synapses.get(int(cell), []):
            before = arrivals.get(pre[k], np.empty(0))
            before = before[before <= step]  # an arrival in the same step is processed first
            x = np.exp(-(step - before[-1]) * DT / TAU_TRACE) if before.size else 0.0
            w[k] = w[k] + eps * plastic[step // SLOT_STEPS] * (x - w[k])
    assert ca3_steps[ca3_steps >= P * SLOT_STEPS].size > 0  # CA3 fired at recall too, where plastic = 0
    # measured: 26200 pp synapses changed (by up to 0.56), 9592 rc synapses (by up to 0.30)
    assert np.sum(w != w0) >= {"pp": 1000, "rc": 100}[name]
    np.testing.assert_allclose(base["weights"][name], w, rtol=0, atol=1e-12)  # measured 5.6e-16


@pytest.mark.spiking
def test_the_outstar_rule_replayed_from_the_spikes_gives_the_ca3_ctx_weights(net, base):
    """When a CA3 spike arrives (spike time + delay), w += eps * plastic * (y - w) for each of its cortical
    synapses, with y = exp(-(t_arrival - t_post) / tau_trace) of the last cortical spike strictly before (a
    spike in the same step is processed after the arrival)."""
    d = net["d"]
    pre, post, w0 = projection_pairs(d, net["state"], 0, "ca3_ctx")
    eps, plastic = d.projection("ca3_ctx").learning_rate, base["protocol"].plasticity
    delay = int(round(base["delay"]["ca3_ctx"] / DT))
    ctx = _by(*base["spikes"]["CTX"])
    synapses = _synapses_of(pre)
    w = w0.copy()
    ca3_cells, ca3_steps = base["spikes"]["CA3"]
    for n in np.argsort(ca3_steps, kind="stable"):
        cell, arrival = ca3_cells[n], ca3_steps[n] + delay
        if arrival >= base["n_slots"] * SLOT_STEPS:
            continue  # arrives after the end of the run
        for k in synapses.get(int(cell), []):
            before = ctx.get(post[k], np.empty(0))
            before = before[before < arrival]
            y = np.exp(-(arrival - before[-1]) * DT / TAU_TRACE) if before.size else 0.0
            w[k] = w[k] + eps * plastic[arrival // SLOT_STEPS] * (y - w[k])
    assert np.sum(w != w0) >= 1000  # measured 39300
    np.testing.assert_allclose(base["weights"]["ca3_ctx"], w, rtol=0, atol=1e-12)  # measured 6.7e-16


# ----------------------------------------------------------------------------- theta order, gains, runaway
@pytest.mark.spiking
def test_dg_fires_before_ca3_in_every_encoding_slot(base):
    for p in range(P):
        phase = {}
        for layer in ("DG", "CA3"):
            steps = base["spikes"][layer][1]
            phase[layer] = steps[steps // SLOT_STEPS == p] % SLOT_STEPS
            assert phase[layer].size > 10, (layer, p)
        # measured (ms into the slot): DG first 93.8-94.8, median 100-102; CA3 first 102-103, median 104.5-106
        assert phase["DG"].min() < phase["CA3"].min(), p
        assert np.median(phase["DG"]) < np.median(phase["CA3"]), p


@pytest.mark.spiking
def test_mossy_fibres_drive_ca3_during_encoding_only(net, base):
    """Only the mossy fibres act on CA3's fast excitation ``ge``: it rises in every encoding slot and only
    decays at recall (mossy-fibre gain 0), although DG fires then too."""
    t, ge = base["ge"]
    slot = np.minimum((t / float(PARAMS.presentation) + 1e-9).astype(int), base["n_slots"] - 1)
    for p in range(P):
        assert ge[:, slot == p].max() > float(10 * mV)  # measured 150-180 mV
    recall = slot >= P
    assert np.all(np.diff(ge[:, recall], axis=1) <= 0)
    assert np.all(_counts(base, "DG", net["d"].population("DG").size)[P:].sum(axis=1) > 10)


@pytest.mark.spiking
def test_a_lesioned_projection_carries_nothing_and_a_boost_reaches_its_cells(numpy_target, net, base):
    d, state, keys = net["d"], net["state"], net["keys"]
    n_ca3 = d.population("CA3").size
    # the three CA3 cells with the strongest initial perforant-path input from key 0
    pre, post, w0 = projection_pairs(d, state, 0, "pp")
    drive = np.zeros(n_ca3)
    np.add.at(drive, post, w0 * np.isin(pre, keys[0]))
    cells = np.argsort(-drive)[:3]
    # mossy fibres lesioned throughout; recall twice from key 0: first with the description's gains, then with
    # the perforant path lesioned except onto the three cells, which get 5 times their input
    pp = np.ones((P + 2, n_ca3))
    pp[P + 1] = 0.0
    pp[P + 1, cells] = 5.0
    runner = SpikingHippocampus(d, PARAMS)
    res = runner.simulate(state, 0, keys, net["values"], [keys[0], keys[0]], seed=SEED, gains={"mf": 0.0, "pp": pp})
    ca3 = res.counts["CA3"]
    # no mossy-fibre event reached CA3: its fast excitation never left 0 (any event would leave a decaying
    # residue, ~1e-63 V after the 1 s run, as with the mossy fibres on)
    assert np.all(np.asarray(runner.circuit.layers["CA3"].neurons.ge_[:]) == 0)
    assert np.all(res.counts["DG"].sum(axis=1) > 10)  # DG fired in every slot
    # CA3 encoding activity without the mossy fibres: measured 0 spikes vs 48, 44, 54 with them
    base_ca3 = _counts(base, "CA3", n_ca3)[:P].sum(axis=1)
    assert np.all(base_ca3 >= 20)
    assert np.all(ca3[:P].sum(axis=1) <= 0.1 * base_ca3)
    # the perforant path alone (unlearned weights) does not fire the three cells; boosted, they fire (measured
    # 29, 27, 27 spikes) and no other CA3 cell does: their perforant path carried nothing
    assert ca3[P, cells].sum() == 0
    assert np.all(ca3[P + 1, cells] >= 2)
    assert np.delete(ca3[P + 1], cells).sum() == 0


@pytest.mark.spiking
def test_runaway_activity_raises(numpy_target, net, result):
    params = dataclasses.replace(PARAMS, j_mf=1e4 * mV, max_rate=50 * Hz)
    runner = SpikingHippocampus(net["d"], params)
    keys, values = net["keys"], net["values"]
    # measured: CTX at 334 Hz in slot 1; the normal run stays below 10.2 Hz in every population and slot
    assert max(result.rates(k).max() for k in result.counts) < 25
    with pytest.raises(RunawayActivityError, match=r"fired at \d+ Hz on average in slot \d+ .*runaway activity"):
        runner.simulate(net["state"], 0, keys[:1], values[:1], keys[:1], seed=SEED)


# ----------------------------------------------------------------------------- the rate twin, seeds
@pytest.mark.spiking
def test_spiking_ca3_winners_are_the_rate_twins_given_the_spiking_dg_code(net, base):
    """The rate twin's CA3 drive of each encoding slot, from the granule cells that fired in it: the perforant
    path's input ``W_PP x`` (initial weights) plus ``mf_weight`` per mossy fibre of an active granule cell; its
    top cells, as many as CA3 cells fired, against the cells that fired."""
    d, state = net["d"], net["state"]
    n_ca3 = d.population("CA3").size
    dg = _counts(base, "DG", d.population("DG").size)[:P] > 0
    ca3 = _counts(base, "CA3", n_ca3)[:P] > 0
    mf_weight = HippocampalRateTwin(d).mf_weight
    mf_pre, mf_post, _ = projection_pairs(d, state, 0, "mf")
    pp_pre, pp_post, pp_w = projection_pairs(d, state, 0, "pp")
    jaccard, chance = np.zeros(P), np.zeros(P)
    for p in range(P):
        drive = np.zeros(n_ca3)
        np.add.at(drive, pp_post, pp_w * np.isin(pp_pre, net["keys"][p]))
        np.add.at(drive, mf_post, mf_weight * dg[p][mf_pre])
        k = ca3[p].sum()
        top = np.zeros(n_ca3, dtype=bool)
        top[np.argsort(-drive, kind="stable")[:k]] = True
        jaccard[p] = (top & ca3[p]).sum() / (top | ca3[p]).sum()
        chance[p] = k / (2 * n_ca3 - k)
        # every spiking winner received a mossy fibre of a granule cell that fired
        assert np.all(drive[ca3[p]] >= mf_weight), p
    # measured here 0.30, 0.47, 0.38 (chance 0.02-0.03); over five pattern sets 0.26-0.91, at least 14 x chance
    assert np.all(jaccard >= 8 * chance), (jaccard, chance)
    assert jaccard.mean() >= 0.2, jaccard


@pytest.mark.spiking
def test_same_seed_same_spikes_other_seed_other_spikes(numpy_target, net, base, result):
    # the circuit built and run by hand and the runner: the same spikes and weights
    for layer in ("DG", "CA3", "CTX"):
        i, step = base["spikes"][layer]
        assert np.array_equal(i, result.spikes[layer][0])
        assert np.array_equal(step, np.round(result.spikes[layer][1] / DT).astype(np.int64))
    for name, w in base["weights"].items():
        assert np.array_equal(w, result.weights[name])
    keys, values = net["keys"], net["values"]
    other = SpikingHippocampus(net["d"], PARAMS).simulate(net["state"], 0, keys[:1], values[:1], keys[:1],
                                                          seed=SEED + 1)
    # another seed: other Poisson streams, another DG code for the same key (measured Jaccard 0.32)
    a, b = other.counts["DG"][0] > 0, result.counts["DG"][0] > 0
    assert (a & b).sum() / (a | b).sum() < 0.8


# ----------------------------------------------------------------------------- checks before building
def _bad_inputs():
    good_key, good_value = np.arange(100), np.arange(100)
    return [
        (dict(keys=[good_key + 950]), r"keys hold indices of active EC cells, which must be in \[0, 999\]"),
        (dict(cues=[good_key - 1]), r"cues hold indices of active EC cells, which must be in \[0, 999\]"),
        (dict(values=[good_value + 901]), r"values hold indices of active CTX cells, which must be in \[0, 999\]"),
        (dict(values=[good_value, good_value]), "need P >= 1 keys with as many values and Q >= 1 cues"),
        (dict(cues=[]), "need P >= 1 keys with as many values and Q >= 1 cues"),
        (dict(seed=-1), r"seed must be an integer in \[0, 2\*\*32\)"),
        (dict(seed=2 ** 32), r"seed must be an integer in \[0, 2\*\*32\)"),
        (dict(seed=1.0), r"seed must be an integer in \[0, 2\*\*32\)"),
        (dict(seed=True), r"seed must be an integer in \[0, 2\*\*32\)"),
        (dict(gains={"xx": 0.0}), "gains: no projection 'xx'"),
        (dict(gains={"pp": np.ones(7)}), r"gains\['pp'\] must be broadcastable to \(slots, CA3 cells\) = \(2, 1000\)"),
        (dict(gains={"mf": -1.0}), r"gains\['mf'\] must hold finite non-negative numbers"),
        (dict(n_slots=1), r"n_slots must be an integer >= P \+ Q = 2"),
        (dict(acetylcholine=[1.0, 0.0, 0.0]), r"acetylcholine must be a level or one level per slot \(2\)"),
        (dict(acetylcholine=1.5), r"acetylcholine must hold levels in \[0, 1\]"),
    ]


def test_the_protocol_holds_the_acetylcholine_of_each_phase_or_the_experiments():
    runner = SpikingHippocampus(hippocampal_network(), PARAMS)
    keys = [np.arange(100), np.arange(100, 200)]
    protocol = runner.protocol(keys, keys, keys[:1])
    np.testing.assert_array_equal(protocol.acetylcholine, [1.0, 1.0, 0.0])  # high at encoding, low at recall
    np.testing.assert_array_equal(protocol.plasticity, [1.0, 1.0, 0.0])
    blocked = runner.protocol(keys, keys, keys[:1], acetylcholine=np.zeros(3))
    np.testing.assert_array_equal(blocked.acetylcholine, 0.0)
    np.testing.assert_array_equal(blocked.plasticity, [1.0, 1.0, 0.0])  # a blockade leaves learning on


@pytest.mark.parametrize("change, message", _bad_inputs())
def test_invalid_inputs_are_rejected_before_building(net, change, message):
    runner = SpikingHippocampus(net["d"], PARAMS)
    args = {**dict(keys=[np.arange(100)], values=[np.arange(100)], cues=[np.arange(100)], seed=1), **change}
    with pytest.raises(ValueError, match=message):
        runner.simulate(net["state"], 0, **args)
    assert runner.circuit is None


@pytest.mark.parametrize("kwargs, message", [
    (dict(presentation=100), "presentation must be a quantity with the unit of"),
    (dict(ec_rate_on=5 * mV), "ec_rate_on must be a quantity with the unit of"),
    (dict(theta_depth=80), "theta_depth must be a quantity with the unit of"),
    (dict(tau_m=-1 * ms), "tau_m must be positive"),
    (dict(tau_trace=0 * ms), "tau_trace must be positive"),
    (dict(ec_rate_off=-1 * Hz), "ec_rate_off must be >= 0.0 Hz"),
    (dict(dt=2 * ms), r"dt must be in \[0.001, 1.0\] ms"),
    (dict(presentation=0.5 * ms), "presentation must be >= 1.0 ms"),
    (dict(v_reset=-40 * mV), "need v_rest < v_reset < v_threshold"),
    (dict(theta_onset=1.5), r"theta_onset must be a number in \(0, 1.0\]"),
    (dict(theta_lag=0.0), r"theta_lag must be a number in \(0, 1.0\]"),
    (dict(theta_kappa=0), "theta_kappa must be a number > 0"),
    (dict(basket_fraction=True), r"basket_fraction must be a number in \(0, 1.0\]"),
    (dict(mf_release="0.05"), r"mf_release must be a number in \(0, 1.0\]"),
    (dict(dt=0.5 * ms, presentation=4 * ms), "must be well below presentation"),
])
def test_parameters_check_units_and_ranges(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SpikingParameters(**kwargs)


def test_parameters_accept_the_bounds_of_their_ranges():
    # zero background rate and no theta inhibition are allowed (ranges [0, ...) in the defaults table)
    p = SpikingParameters(ec_rate_off=0 * Hz, theta_depth=0 * mV, dt=1 * ms, theta_onset=1.0)
    assert float(p.ec_rate_off) == 0 and float(p.theta_depth) == 0
