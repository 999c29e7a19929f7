"""The rate twin with CA3 recurrent collaterals against a dense reference written in plain loops, run by run.

The reference stores the patterns of one network one at a time: the CA3 drive is the perforant-path input of the
dense weights (those left by the patterns before) times the projection's transmission ``gain (1 - suppression
ACh)`` (Hasselmo, Schnell & Barkai 1995, J Neurosci 15:5249), plus the mossy-fibre contacts of the DG winners
times their weight and transmission; the code settles by ``y <- top-k(drive + g W_rc y)`` from ``top-k(drive)``
(ties: the recurrent layer's priorities, smaller wins) until a fixed point or ``steps`` iterations; then the
K-winner rule learns the key on the winners' perforant-path synapses and the value on their CA3 -> CTX synapses,
and the instar rule the code on their recurrent synapses. Recall settles in the same way at the recall level of
acetylcholine and reads out the top ``s_CTX`` of ``W_CTX y``.

Weights are multiples of 1/8 and the learning rate is 1/2, so every sum is exact in float64 and the twin must
agree bit for bit. The DG code is the twin's own (the DG is not under test here). Encoding is compared with all
patterns in one call and with one pattern per call; recall from the weights the twin stored.
"""

import numpy as np
import pytest

from biokv.hippocampus.description import hippocampal_network
from biokv.hippocampus.rate_twin import HippocampalRateTwin

SEED = 11
RUNS = [0, 1, 2]
N_PATTERNS = 12
CUE_ONES = 4  # of the key's 8: half cues, so that the recurrents have something to complete

#: small network; every expected input count is a power of two so that the recurrent scale (0.5) is exact
#: (pp: 16 inputs, 2 active; rc: 8 inputs, 1 active; model choice for an exact comparison)
SIZES = dict(n_ec=64, ec_active=8, pp_fan_in=0.25, n_dg=128, dg_active=4, ec_dg_fan_in=0.25, mf_contacts=6,
             n_ca3=64, ca3_active=8, rc_probability=8 / 63, n_ctx=64, ctx_active=8, ctx_fan_out=0.25,
             learning_rate=0.5)
#: acetylcholine suppressions that keep the transmissions dyadic (model choice for an exact comparison)
DYADIC_ACH = dict(ach_pp_suppression=0.5, ach_rc_suppression=0.875, ach_mf_suppression=0.0)


def _network(**overrides):
    return hippocampal_network(**{**SIZES, **DYADIC_ACH, **overrides})


def _dyadic_state(twin, runs):
    """The twin's connectivity with plastic weights replaced by multiples of 1/8 in [0, 1], drawn per run (so a
    run's weights do not depend on the runs drawn with it)."""
    state = twin.init_state(SEED, runs)
    for i, r in enumerate(runs):
        g = np.random.default_rng([SEED, r])
        state.ca3.w_in[i] = g.integers(0, 9, state.ca3.w_in[i].shape) / 8
        state.ca3.w_out[i] = g.integers(0, 9, state.ca3.w_out[i].shape) / 8
        state.rc.w[i] = g.integers(0, 9, state.rc.w[i].shape) / 8
    return state


def _patterns(description, runs):
    """Keys (R, P, s_EC), values (R, P, s_CTX) and half cues of the keys (R, P, CUE_ONES), drawn per run."""
    ec, ctx = description.population("EC"), description.population("CTX")
    keys, values, cues = [], [], []
    for r in runs:
        g = np.random.default_rng([SEED + 1, r])
        k = np.stack([np.sort(g.choice(ec.size, ec.active, replace=False)) for _ in range(N_PATTERNS)])
        keys.append(k)
        values.append(np.stack([np.sort(g.choice(ctx.size, ctx.active, replace=False)) for _ in range(N_PATTERNS)]))
        cues.append(np.stack([np.sort(g.choice(row, CUE_ONES, replace=False)) for row in k]))
    return (np.stack(keys).astype(np.int32), np.stack(values).astype(np.int32), np.stack(cues).astype(np.int32))


# ---------------------------------------------------------------------- the reference: one network, plain loops
def _transmission(projection, phase, level):
    return projection.gain[phase] * (1.0 - projection.ach_suppression * level)


def _recurrent_scale(description):
    """rc strength times the expected active perforant-path inputs over the expected active recurrent inputs."""
    ec, ca3 = description.population("EC"), description.population("CA3")
    pp, rc = description.projection("pp"), description.projection("rc")
    return rc.strength * (pp.n_connections * ec.active / ec.size) / (rc.n_connections * ca3.active / ca3.size)


class _Reference:
    """Network ``r`` of a state, held as dense matrices and updated in plain loops."""

    def __init__(self, description, state, r, steps):
        self.d, self.steps = description, steps
        ec, ca3, ctx = (description.population(name) for name in ("EC", "CA3", "CTX"))
        self.n_ec, self.n, self.n_ctx, self.k = ec.size, ca3.size, ctx.size, ca3.active
        self.w_pp, self.w_ctx = state.ca3.dense_weights(r, ec.size, ctx.size)
        self.w_rc = state.rc.dense_weights(r)
        self.mask_pp = np.zeros((self.n, self.n_ec), dtype=bool)
        self.mask_ctx = np.zeros((self.n_ctx, self.n), dtype=bool)
        for i in range(self.n):
            self.mask_pp[i, state.ca3.inputs[r, i]] = True
            self.mask_ctx[state.ca3.out_inputs[r, i], i] = True
        self.mask_rc = state.rc.mask(r)
        self.priority = state.rc.priority[r]
        self.mf_targets = state.mf_targets[r] if description.has("DG") else None
        self.eps = description.projection("pp").learning_rate
        self.rc_scale = _recurrent_scale(description)

    def _drive(self, ones, dg_winners, phase, level, pp_gain=1.0):
        x = np.zeros(self.n_ec)
        x[list(ones)] = 1.0
        drive = (self.w_pp @ x) * _transmission(self.d.projection("pp"), phase, level) * pp_gain
        if dg_winners is not None:
            contacts = np.zeros(self.n)
            for granule in dg_winners:
                for target in self.mf_targets[granule]:
                    contacts[target] += 1.0
            mf = self.d.projection("mf")
            drive = drive + mf.weight * _transmission(mf, phase, level) * contacts
        return drive

    def _top_k(self, values):
        return sorted(sorted(range(self.n), key=lambda c: (-values[c], self.priority[c]))[:self.k])

    def _settle(self, drive, gain):
        y = self._top_k(drive)
        for t in range(self.steps):
            values = [drive[i] + gain * sum(self.w_rc[i, j] for j in y) for i in range(self.n)]
            new = self._top_k(values)
            if new == y:
                return y, t
            y = new
        return y, self.steps

    def encode(self, keys, values, dg_winners, levels, rc_gain=1.0):
        """Codes (P, k) and iterations (P,) of each pattern, learning after each."""
        codes, iterations = [], []
        rc = self.d.projection("rc")
        for p, (key, value) in enumerate(zip(keys, values)):
            drive = self._drive(key, None if dg_winners is None else dg_winners[p], "encode", levels[p])
            y, t = self._settle(drive, self.rc_scale * _transmission(rc, "encode", levels[p]) * rc_gain)
            codes.append(y)
            iterations.append(t)
            x, v, code = np.zeros(self.n_ec), np.zeros(self.n_ctx), np.zeros(self.n)
            x[list(key)], v[list(value)], code[y] = 1.0, 1.0, 1.0
            for i in y:
                for j in range(self.n_ec):
                    if self.mask_pp[i, j]:
                        self.w_pp[i, j] += self.eps * (x[j] - self.w_pp[i, j])
                for j in range(self.n_ctx):
                    if self.mask_ctx[j, i]:
                        self.w_ctx[j, i] += self.eps * (v[j] - self.w_ctx[j, i])
                for j in range(self.n):
                    if self.mask_rc[i, j]:
                        self.w_rc[i, j] += self.eps * (code[j] - self.w_rc[i, j])
        return np.array(codes), np.array(iterations)

    def recall(self, cues, dg_winners, levels, rc_gain=1.0):
        """Codes (Q, k), iterations (Q,) and cortical input ``W_CTX y`` (Q, n_CTX) of each cue."""
        codes, iterations, readouts = [], [], []
        rc = self.d.projection("rc")
        for q, cue in enumerate(cues):
            drive = self._drive(cue, None if dg_winners is None else dg_winners[q], "recall", levels[q])
            y, t = self._settle(drive, self.rc_scale * _transmission(rc, "recall", levels[q]) * rc_gain)
            code = np.zeros(self.n)
            code[y] = 1.0
            codes.append(y)
            iterations.append(t)
            readouts.append(self.w_ctx @ code)
        return np.array(codes), np.array(iterations), np.array(readouts)


def _assert_top(values, readout):
    """``values`` (Q, s) are a top-s of each row of ``readout`` (Q, n): distinct, and none below a cell left out."""
    for chosen, row in zip(values, readout):
        assert len(set(chosen.tolist())) == len(chosen)
        rest = np.setdiff1d(np.arange(row.size), chosen)
        assert row[chosen].min() >= row[rest].max(), (chosen, row)


def _run_twin(twin, state, keys, values, cues, encode_ach=None, recall_ach=None):
    enc = twin.encode(state, keys, values, acetylcholine=encode_ach)
    rec = twin.recall(state, cues, acetylcholine=recall_ach)
    return enc, rec


def _levels(description, phase, levels):
    return np.full((len(RUNS), N_PATTERNS), description.acetylcholine[phase]) if levels is None else levels


def _encode_one_per_call(twin, state, keys, values, levels):
    """:meth:`encode` called once per pattern (DG code of the whole batch, so that it is the same code)."""
    dg = twin.dentate_winners(state, keys)
    outs = [twin.encode(state, keys[:, p:p + 1], values[:, p:p + 1], dg_winners=dg[:, p:p + 1],
                        acetylcholine=None if levels is None else levels[:, p:p + 1]) for p in range(keys.shape[1])]
    return {name: np.concatenate([o[name] for o in outs], axis=1) for name in outs[0]}


def _check_encoding(description, steps, presentation, levels=None):
    """Encoding by the twin (all runs batched; all patterns in one call, or one pattern per call) against the
    reference (each run alone): codes, iterations and final weights of every run."""
    twin = HippocampalRateTwin(description, steps=steps)
    state = _dyadic_state(twin, RUNS)
    keys, values, _ = _patterns(description, RUNS)
    references = [_Reference(description, state, i, steps) for i in range(len(RUNS))]
    dg_keys = twin.dentate_winners(state, keys)
    if presentation == "batched":
        enc = twin.encode(state, keys, values, acetylcholine=levels)
    else:
        enc = _encode_one_per_call(twin, state, keys, values, levels)
    np.testing.assert_array_equal(enc["dg_winners"], dg_keys)
    levels = _levels(description, "encode", levels)
    for i, ref in enumerate(references):
        codes, its = ref.encode(keys[i], values[i], dg_keys[i], levels[i])
        np.testing.assert_array_equal(enc["ca3_winners"][i], codes, err_msg=f"encoded CA3 codes, run {i}")
        np.testing.assert_array_equal(enc["iterations"][i], its, err_msg=f"encoding iterations, run {i}")
        w_pp, w_ctx = state.ca3.dense_weights(i, ref.n_ec, ref.n_ctx)
        np.testing.assert_array_equal(w_pp, ref.w_pp, err_msg=f"perforant-path weights, run {i}")
        np.testing.assert_array_equal(w_ctx, ref.w_ctx, err_msg=f"CA3 -> CTX weights, run {i}")
        np.testing.assert_array_equal(state.rc.dense_weights(i), ref.w_rc, err_msg=f"recurrent weights, run {i}")
        assert state.ca3.step[i] == N_PATTERNS


def _check_recall(description, steps, levels=None):
    """Recall by the twin (runs batched) against the reference started from the weights the twin stored: codes,
    iterations and a readout that is a top s_CTX of the reference's W_CTX y. Returns the recall iterations and
    whether settling changed any code from the feed-forward top-k (to show the comparison is not vacuous)."""
    twin = HippocampalRateTwin(description, steps=steps)
    state = _dyadic_state(twin, RUNS)
    keys, values, cues = _patterns(description, RUNS)
    twin.encode(state, keys, values)
    references = [_Reference(description, state, i, steps) for i in range(len(RUNS))]
    mf_at_recall = description.projection("mf").gain["recall"] > 0
    dg_cues = twin.dentate_winners(state, cues) if mf_at_recall else [None] * len(RUNS)
    rec = twin.recall(state, cues, acetylcholine=levels)
    levels = _levels(description, "recall", levels)
    recall_iterations, settled_differs = [], False
    for i, ref in enumerate(references):
        codes, its, readout = ref.recall(cues[i], dg_cues[i], levels[i])
        np.testing.assert_array_equal(rec["ca3_winners"][i], codes, err_msg=f"recalled CA3 codes, run {i}")
        np.testing.assert_array_equal(rec["iterations"][i], its, err_msg=f"recall iterations, run {i}")
        _assert_top(rec["values"][i], readout)
        recall_iterations.append(its)
        feedforward = [ref._top_k(ref._drive(c, None if dg_cues[i] is None else dg_cues[i][q], "recall",
                                             levels[i, q])) for q, c in enumerate(cues[i])]
        settled_differs |= bool(np.any(np.array(feedforward) != codes))
    return np.array(recall_iterations), settled_differs


# ---------------------------------------------------------------------- tests
PRESENTATIONS = ["batched", "one_per_call"]


@pytest.mark.parametrize("presentation", PRESENTATIONS)
@pytest.mark.parametrize("steps", [0, 1, 5])
def test_encoding_equals_the_dense_reference_run_by_run(steps, presentation):
    _check_encoding(_network(), steps, presentation)


@pytest.mark.parametrize("steps", [0, 1, 5])
def test_recall_equals_the_dense_reference_run_by_run(steps):
    iterations, settled_differs = _check_recall(_network(), steps)
    if steps:  # the recurrents change codes at recall, so the settling is compared, not only top-k(drive)
        assert settled_differs and iterations.max() >= 1, iterations


@pytest.mark.parametrize("presentation", PRESENTATIONS)
def test_twin_equals_the_reference_at_the_default_suppressions(presentation):
    """ACh suppressions of the package (0.5, 0.9, 0): transmissions are no longer dyadic; the reference forms the
    recurrent multiplier in the same order (scale x transmission), so agreement is still exact."""
    description = hippocampal_network(**SIZES)
    assert description.projection("rc").ach_suppression == 0.9
    _check_encoding(description, 5, presentation)
    _check_recall(description, 5)


@pytest.mark.parametrize("presentation", PRESENTATIONS)
def test_per_presentation_acetylcholine_equals_the_reference_at_each_level(presentation):
    g = np.random.default_rng(SEED + 2)
    encode_levels = g.choice([0.0, 0.5, 1.0], (len(RUNS), N_PATTERNS))
    recall_levels = g.choice([0.0, 0.5, 1.0], (len(RUNS), N_PATTERNS))
    _check_encoding(_network(), 5, presentation, encode_levels)
    _check_recall(_network(), 5, recall_levels)


def test_a_run_batched_equals_the_same_run_computed_alone():
    description = _network()
    twin = HippocampalRateTwin(description, steps=5)
    keys, values, cues = _patterns(description, RUNS)
    batched = _dyadic_state(twin, RUNS)
    enc, rec = _run_twin(twin, batched, keys, values, cues)
    for i, r in enumerate(RUNS):
        alone = _dyadic_state(twin, [r])
        enc1, rec1 = _run_twin(twin, alone, keys[i:i + 1], values[i:i + 1], cues[i:i + 1])
        for name in enc:
            np.testing.assert_array_equal(enc[name][i:i + 1], enc1[name], err_msg=f"encode {name}, run {r}")
        for name in rec:
            np.testing.assert_array_equal(rec[name][i:i + 1], rec1[name], err_msg=f"recall {name}, run {r}")
        for name in ("w_in", "w_out", "step"):
            np.testing.assert_array_equal(getattr(batched.ca3, name)[i:i + 1], getattr(alone.ca3, name))
        np.testing.assert_array_equal(batched.rc.w[i:i + 1], alone.rc.w)


def test_acetylcholine_zero_at_encoding_equals_a_network_without_cholinergic_suppression():
    """Here the mossy fibres are suppressed too (0.5, model choice), so that every suppression is exercised."""
    suppressed = _network(ach_mf_suppression=0.5)
    unsuppressed = _network(ach_pp_suppression=0.0, ach_rc_suppression=0.0, ach_mf_suppression=0.0)
    keys, values, cues = _patterns(suppressed, RUNS)
    outcomes = []
    for description, level in ((suppressed, 0.0), (unsuppressed, None), (suppressed, None)):
        twin = HippocampalRateTwin(description, steps=5)
        state = _dyadic_state(twin, RUNS)
        enc, rec = _run_twin(twin, state, keys, values, cues, encode_ach=level)
        outcomes.append((enc, rec, state))
    (enc0, rec0, s0), (enc1, rec1, s1), (enc_ach, _, _) = outcomes
    for name in enc0:
        np.testing.assert_array_equal(enc0[name], enc1[name], err_msg=f"encode {name}")
    for name in rec0:
        np.testing.assert_array_equal(rec0[name], rec1[name], err_msg=f"recall {name}")
    np.testing.assert_array_equal(s0.ca3.w_in, s1.ca3.w_in)
    np.testing.assert_array_equal(s0.ca3.w_out, s1.ca3.w_out)
    np.testing.assert_array_equal(s0.rc.w, s1.rc.w)
    # at the description's level (1) the suppression changes what is stored: the override is not a no-op
    assert np.any(enc_ach["ca3_winners"] != enc0["ca3_winners"])


def test_recurrent_gain_zero_equals_zero_recurrent_weights():
    """Encoding with gains {"rc": 0} stores what a network whose recurrent weights are zero before every pattern
    stores (one pattern per call on both sides, so that those weights can be set to zero in between); recall with
    gains {"rc": 0} equals recall with the recurrent weights set to zero."""
    description = _network()
    twin = HippocampalRateTwin(description, steps=5)
    keys, values, cues = _patterns(description, RUNS)
    gained, zeroed = _dyadic_state(twin, RUNS), _dyadic_state(twin, RUNS)
    dg = twin.dentate_winners(gained, keys)
    for p in range(N_PATTERNS):
        one = slice(p, p + 1)
        a = twin.encode(gained, keys[:, one], values[:, one], dg_winners=dg[:, one], gains={"rc": 0.0})
        zeroed.rc.w[:] = 0.0
        b = twin.encode(zeroed, keys[:, one], values[:, one], dg_winners=dg[:, one])
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=f"encode {name}, pattern {p}")
    np.testing.assert_array_equal(gained.ca3.w_in, zeroed.ca3.w_in)
    np.testing.assert_array_equal(gained.ca3.w_out, zeroed.ca3.w_out)
    silenced = gained.copy()
    silenced.rc.w[:] = 0.0
    without = twin.recall(gained, cues, gains={"rc": 0.0})
    zero_weights = twin.recall(silenced, cues)
    for name in without:
        np.testing.assert_array_equal(without[name], zero_weights[name], err_msg=f"recall {name}")
    assert np.all(without["iterations"] == 0)
    # the stored recurrents do change recall: the gain is not a no-op
    assert np.any(twin.recall(gained, cues)["ca3_winners"] != without["ca3_winners"])


def test_mossy_fibres_at_recall_use_the_dg_code_of_the_cue():
    """With mossy_fibres_at_recall the reference adds the mossy-fibre input of the cue's DG winners at recall
    (and matches the twin); recall then differs from the network whose mossy fibres are silent at recall."""
    on, off = _network(mossy_fibres_at_recall=True), _network(mossy_fibres_at_recall=False)
    _check_recall(on, 5)
    recalled = []
    for description in (on, off):
        twin = HippocampalRateTwin(description, steps=5)
        state = _dyadic_state(twin, RUNS)
        keys, values, cues = _patterns(description, RUNS)
        recalled.append(_run_twin(twin, state, keys, values, cues)[1]["ca3_winners"])
    assert np.any(recalled[0] != recalled[1])


@pytest.mark.parametrize("level, phase, message", [
    (1.5, "encode", "acetylcholine must hold levels in \\[0, 1\\]"),
    (-0.25, "recall", "acetylcholine must hold levels in \\[0, 1\\]"),
    (np.nan, "encode", "acetylcholine must hold levels in \\[0, 1\\]"),
    (np.zeros((2, N_PATTERNS)), "encode", "acetylcholine must be broadcastable to \\(runs=3, presentations=12\\)"),
    (np.zeros(N_PATTERNS + 1), "recall", "acetylcholine must be broadcastable to \\(runs=3, presentations=12\\)"),
])
def test_bad_acetylcholine_is_rejected_in_one_line(level, phase, message):
    description = _network()
    twin = HippocampalRateTwin(description)
    state = _dyadic_state(twin, RUNS)
    keys, values, cues = _patterns(description, RUNS)
    with pytest.raises(ValueError, match=message) as error:
        if phase == "encode":
            twin.encode(state, keys, values, acetylcholine=level)
        else:
            twin.recall(state, cues, acetylcholine=level)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("steps", [-1, 1.5, True, "5", None])
def test_bad_steps_are_rejected_in_one_line(steps):
    with pytest.raises(ValueError, match="steps must be an integer >= 0") as error:
        HippocampalRateTwin(_network(), steps=steps)
    assert "\n" not in str(error.value)
