import numpy as np
import pytest

from biokv.core import KWinnerMHN, KWinnerMHNReference, partial_cues, random_patterns, to_dense
from biokv.core.common.rng import run_generators

SMALL = dict(n_visible=120, n_active=12)
VARIANTS = {
    "k-winner": dict(n_hidden=60, fan_in=0.25, k=4, learning_rate=0.3),
    "random-k": dict(n_hidden=60, fan_in=0.25, k=4, learning_rate=0.3, learning="random-k"),
    "1-winner MHN": dict(n_hidden=15, fan_in=1.0, k=1, learning_rate=1.0),
    "graded MHN": dict(n_hidden=15, fan_in=1.0, k=1, learning_rate=0.3),
}


def _patterns(n_runs, n_patterns, seed=11, **kw):
    p = {**SMALL, **kw}
    return np.stack([random_patterns(np.random.default_rng((seed, r)), n_patterns, p["n_visible"], p["n_active"])
                     for r in range(n_runs)])


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_batched_agrees_exactly_with_single_network_reference(variant):
    net = KWinnerMHN(**SMALL, **VARIANTS[variant])
    R, P = 3, 60
    pats = _patterns(R, P)
    state = net.init_state(seed=4, runs=range(R))
    outputs = net.learn(state, pats, return_output=True)
    cues = np.stack([partial_cues(np.random.default_rng(r), pats[r], 0.5) for r in range(R)])
    recalled = net.retrieve(state, cues)
    for r, rng in enumerate(run_generators(4, "model", range(R))):
        ref = KWinnerMHNReference(net, rng)
        for p in range(P):
            y = ref.learn(to_dense(pats[r, p], net.n_visible))
            np.testing.assert_array_equal(np.flatnonzero(y), outputs[r, p])
        w_in, w_out = state.dense_weights(r, net.n_visible)
        np.testing.assert_array_equal(w_in, ref.W_in)  # bit for bit
        np.testing.assert_array_equal(w_out, ref.W_out)
        for q in range(P):
            y = ref.retrieve(to_dense(cues[r, q], net.n_visible), q)
            np.testing.assert_array_equal(np.flatnonzero(y), recalled[r, q])


def test_hetero_association_with_drive_agrees_exactly_with_the_reference():
    net = KWinnerMHN(**SMALL, n_hidden=50, fan_in=0.2, k=5, learning_rate=0.3, n_output=80, n_output_active=8,
                     output_fan_out=0.25)
    R, P, M = 2, 40, 6
    keys = _patterns(R, P)
    values = np.stack([random_patterns(np.random.default_rng((5, r)), P, 80, 8) for r in range(R)])
    rng = np.random.default_rng(9)
    drive = (rng.integers(0, 50, (R, P, M)), rng.random((R, P, M)) * 3)
    state = net.init_state(seed=2, runs=range(R))
    outputs, winners = net.learn(state, keys, values, drive, return_output=True, return_winners=True)
    recalled, recall_winners = net.retrieve(state, keys, return_winners=True)
    assert state.out_inputs.shape == (R, 50, 20)
    for r, g in enumerate(run_generators(2, "model", range(R))):
        ref = KWinnerMHNReference(net, g)
        for p in range(P):
            y = ref.learn(to_dense(keys[r, p], 120), to_dense(values[r, p], 80),
                          list(zip(drive[0][r, p], drive[1][r, p])))
            np.testing.assert_array_equal(np.flatnonzero(y), outputs[r, p])
            np.testing.assert_array_equal(ref.last_winners, winners[r, p])
        w_in, w_out = state.dense_weights(r, 120, 80)
        np.testing.assert_array_equal(w_in, ref.W_in)
        np.testing.assert_array_equal(w_out, ref.W_out)
        for q in range(P):
            np.testing.assert_array_equal(np.flatnonzero(ref.retrieve(to_dense(keys[r, q], 120), q)), recalled[r, q])


def test_hetero_parameters_are_checked():
    with pytest.raises(ValueError, match="needs n_output == n_visible"):
        KWinnerMHN(**SMALL, **VARIANTS["k-winner"], n_output=50)
    with pytest.raises(ValueError, match="output_fan_out must be in"):
        KWinnerMHN(**SMALL, **VARIANTS["k-winner"], n_output=50, output_fan_out=0.001)
    net = KWinnerMHN(**SMALL, **VARIANTS["k-winner"], n_output=50, output_fan_out=0.5)
    state = net.init_state(seed=0, runs=[0])
    with pytest.raises(ValueError, match="values are needed"):
        net.learn(state, _patterns(1, 2))


def test_learning_changes_exactly_the_winners_connected_weights_by_the_rule():
    net = KWinnerMHN(**SMALL, **VARIANTS["k-winner"])
    pats = _patterns(1, 1)
    state = net.init_state(seed=0, runs=[0])
    before_in, before_out = state.dense_weights(0, net.n_visible)
    mask = before_in > 0
    logits = before_in @ to_dense(pats[0, 0], net.n_visible)
    winners = np.argsort(-logits)[: net.k]  # no ties with continuous weights
    net.learn(state, pats)
    after_in, after_out = state.dense_weights(0, net.n_visible)
    x = to_dense(pats[0, 0], net.n_visible).astype(float)
    expect_in = before_in.copy()
    expect_in[winners] += 0.3 * (x - before_in[winners]) * mask[winners]
    expect_out = before_out.copy()
    expect_out[:, winners] += 0.3 * (x[:, None] - before_out[:, winners]) * mask[winners].T
    np.testing.assert_allclose(after_in, expect_in, rtol=0, atol=1e-15)
    np.testing.assert_allclose(after_out, expect_out, rtol=0, atol=1e-15)
    assert np.array_equal(after_in > 0, mask)  # the fan-in mask never changes


def test_output_is_computed_before_the_weight_change():
    net = KWinnerMHN(**SMALL, **VARIANTS["k-winner"])
    pats = _patterns(2, 5)
    state = net.init_state(seed=1, runs=range(2))
    frozen = state.copy()
    out = net.learn(state, pats[:, :1], return_output=True)
    np.testing.assert_array_equal(out[:, 0], net.retrieve(frozen, pats[:, :1])[:, 0])


def test_one_winner_mhn_stores_the_newest_pattern_perfectly():
    net = KWinnerMHN(**SMALL, **VARIANTS["1-winner MHN"])
    pats = _patterns(4, 200)
    state = net.init_state(seed=2, runs=range(4))
    net.learn(state, pats)
    np.testing.assert_array_equal(net.retrieve(state, pats[:, -1:])[:, 0], pats[:, -1])
    # the winner's weights were replaced by the pattern: one hidden row equals it exactly
    for r in range(4):
        w_in, _ = state.dense_weights(r, net.n_visible)
        assert np.any(np.all(w_in == to_dense(pats[r, -1], net.n_visible), axis=1))


def test_state_stores_only_connected_weights():
    net = KWinnerMHN(n_visible=1000, n_hidden=2000, n_active=100, fan_in=0.05, k=50, learning_rate=0.3)
    state = net.init_state(seed=0, runs=range(2))
    assert state.inputs.shape == state.w_out.shape == (2, 2000, 50)
    assert state.w_in.shape == (2, 100_000)
    assert all(len(np.unique(row)) == 50 for row in state.inputs[0])
    assert 0.0 <= state.w_in.min() and state.w_in.max() < 1.0


def test_runs_do_not_depend_on_batching_and_seeds_reproduce():
    net = KWinnerMHN(**SMALL, **VARIANTS["k-winner"])
    pats = _patterns(3, 30)
    a = net.init_state(seed=9, runs=[0, 1, 2])
    b = net.init_state(seed=9, runs=[2])
    net.learn(a, pats)
    net.learn(b, pats[2:])
    np.testing.assert_array_equal(a.w_in[2], b.w_in[0])
    np.testing.assert_array_equal(net.retrieve(a, pats)[2], net.retrieve(b, pats[2:])[0])
    c = net.init_state(seed=10, runs=[2])
    assert not np.array_equal(c.w_in[0], net.init_state(seed=9, runs=[2]).w_in[0])


@pytest.mark.parametrize("kwargs, message", [
    (dict(k=0), r"k must be an integer in \[1, 60\], got 0"),
    (dict(k=61), r"k must be an integer in \[1, 60\], got 61"),
    (dict(fan_in=0.0), "fan_in must be in"),
    (dict(fan_in=1.5), "fan_in must be in"),
    (dict(fan_in=0.001), "gives no connection"),
    (dict(learning_rate=0.0), "learning_rate must be in"),
    (dict(learning="oja"), "learning must be one of"),
    (dict(n_active=500), r"n_active must be an integer in \[1, 120\], got 500"),
    (dict(n_hidden=2.5), "n_hidden must be an integer"),
])
def test_invalid_parameters_name_the_parameter(kwargs, message):
    params = {**SMALL, **VARIANTS["k-winner"], **kwargs}
    with pytest.raises(ValueError, match=message):
        KWinnerMHN(**params)


def test_invalid_patterns_are_rejected():
    net = KWinnerMHN(**SMALL, **VARIANTS["k-winner"])
    state = net.init_state(seed=0, runs=range(2))
    with pytest.raises(ValueError, match="shape"):
        net.learn(state, np.zeros((3, 1, 12), dtype=int))
    with pytest.raises(ValueError, match=r"\[0, 119\]"):
        net.learn(state, np.full((2, 1, 12), 120))
    with pytest.raises(ValueError, match="sorted"):
        net.retrieve(state, np.zeros((2, 1, 12), dtype=int))
    other = KWinnerMHN(**SMALL, **VARIANTS["1-winner MHN"])
    with pytest.raises(ValueError, match="state is of a network with"):
        other.retrieve(state, _patterns(2, 1))
