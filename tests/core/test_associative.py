import numpy as np
import pytest

from biokv.core.associative.memories import (HopfieldNetwork, OuterProductMemory, hetero_hopfield_recall,
                                             modern_hopfield_recall, top_s)


def _signs(rng, *shape):
    return 2.0 * rng.integers(0, 2, size=shape) - 1.0


def test_orthonormal_keys_give_exact_recall():
    rng = np.random.default_rng(0)
    runs, d, d_v, n = 3, 32, 7, 20
    keys = np.stack([np.linalg.qr(rng.standard_normal((d, d)))[0][:n] for _ in range(runs)])
    values = rng.standard_normal((runs, n, d_v))
    memory = OuterProductMemory(d, d_v, runs, eta=0.5).write(keys, values)
    np.testing.assert_allclose(memory.read(keys), 0.5 * values, atol=1e-12)


def test_outer_product_memory_against_a_plain_loop():
    rng = np.random.default_rng(1)
    runs, d, d_v, n = 2, 10, 4, 6
    keys, values, queries = rng.standard_normal((runs, n, d)), rng.standard_normal((runs, n, d_v)), \
        rng.standard_normal((runs, 3, d))
    memory = OuterProductMemory(d, d_v, runs, eta=0.3)
    memory.write(keys[:, :2], values[:, :2]).write(keys[:, 2:], values[:, 2:])  # incremental writes add up
    assert memory.n_stored == n
    for r in range(runs):
        M = sum(0.3 * np.outer(values[r, i], keys[r, i]) for i in range(n))
        np.testing.assert_allclose(memory.M[r], M, atol=1e-12)
        for q in range(3):
            v = M @ queries[r, q]
            np.testing.assert_allclose(memory.read(queries)[r, q], v, atol=1e-12)
            np.testing.assert_array_equal(memory.read(queries, "sign")[r, q], np.sign(v))
            np.testing.assert_array_equal(memory.read(queries, "threshold", threshold=0.2)[r, q], v > 0.2)
            top = memory.read(queries, "top-s", s=2)[r, q]
            assert top.sum() == 2 and set(np.flatnonzero(top)) == set(np.argsort(-v)[:2])


def test_key_normalisation_makes_the_key_length_irrelevant():
    rng = np.random.default_rng(2)
    keys, values = rng.standard_normal((1, 5, 50)), rng.standard_normal((1, 5, 3))
    scale = rng.uniform(0.1, 10, size=(1, 5, 1))
    a = OuterProductMemory(50, 3, normalize_keys=True).write(keys, values)
    b = OuterProductMemory(50, 3, normalize_keys=True).write(keys * scale, values)
    np.testing.assert_allclose(a.read(keys * 7), b.read(keys), atol=1e-12)


def test_top_s_breaks_ties_by_index_and_checks_s():
    np.testing.assert_array_equal(top_s(np.array([1.0, 3.0, 3.0, 0.0]), 1), [0, 1, 0, 0])
    with pytest.raises(ValueError, match=r"s=5 is out of range: must be an integer in \[1, 4\]"):
        top_s(np.zeros(4), 5)


@pytest.mark.parametrize("call, message", [
    (lambda m: m.write(np.zeros((1, 2, 5)), np.zeros((1, 2, 3))), r"keys must have dimension 4"),
    (lambda m: m.write(np.zeros((1, 2, 4)), np.zeros((1, 3, 3))), "same number of pairs, got 2 keys and 3"),
    (lambda m: m.write(np.zeros((2, 2, 4)), np.zeros((2, 2, 3))), "keys must hold 1 runs"),
    (lambda m: m.write(np.zeros((2, 4)), np.zeros((2, 3))), r"keys must have shape \(runs, n, dim\)"),
    (lambda m: m.read(np.zeros((1, 2, 4)), "soft"), "readout='soft' is not allowed"),
    (lambda m: m.read(np.zeros((1, 2, 4)), "top-s"), "needs s"),
    (lambda m: m.write(np.full((1, 1, 4), np.nan), np.zeros((1, 1, 3))), "keys must be finite"),
])
def test_outer_product_memory_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call(OuterProductMemory(4, 3))


def test_outer_product_memory_rejects_bad_parameters():
    with pytest.raises(ValueError, match="eta=0 is out of range"):
        OuterProductMemory(4, 3, eta=0)
    with pytest.raises(ValueError, match="key_dim=0 is out of range"):
        OuterProductMemory(0, 3)


def test_hopfield_weights_and_energy_against_a_plain_loop():
    rng = np.random.default_rng(3)
    x = _signs(rng, 2, 3, 9)
    net = HopfieldNetwork(x)
    states = _signs(rng, 2, 4, 9)
    for r in range(2):
        W = sum(np.outer(p, p) for p in x[r]) - 3 * np.eye(9)
        np.testing.assert_array_equal(net.W[r], W)
        for m in range(4):
            s = states[r, m]
            assert net.energy(states)[r, m] == -0.5 * sum(W[i, j] * s[i] * s[j] for i in range(9) for j in range(9))


def test_energy_never_rises_under_asynchronous_updates():
    rng = np.random.default_rng(4)
    net = HopfieldNetwork(_signs(rng, 3, 12, 40))  # overloaded: many spurious states, long descents
    states, sweeps, converged, energies = net.run_asynchronous(_signs(rng, 3, 5, 40), np.random.default_rng(5),
                                                               record_energy=True)
    assert converged.all() and energies.shape[1:] == (3, 5)
    assert np.all(np.diff(energies, axis=0) <= 1e-9)
    assert np.any(np.diff(energies, axis=0) < 0)
    assert net.is_fixed_point(states).all()
    np.testing.assert_allclose(energies[-1], net.energy(states))


def test_a_single_stored_pattern_is_a_fixed_point_and_an_attractor():
    rng = np.random.default_rng(6)
    d = 50
    x = _signs(rng, 4, 1, d)
    net = HopfieldNetwork(x)
    assert net.is_fixed_point(x).all() and net.is_fixed_point(-x).all()
    cue = x.copy()
    flip = rng.permuted(np.tile(np.arange(d), (4, 1)), axis=1)[:, :20]  # 20 of 50 bits wrong
    for r in range(4):
        cue[r, 0, flip[r]] *= -1
    out, steps, done = net.run_synchronous(cue)
    np.testing.assert_array_equal(out, x)
    assert done.all() and np.all(steps == 1)
    out, sweeps, done = net.run_asynchronous(cue, np.random.default_rng(7))
    np.testing.assert_array_equal(out, x)


def test_hopfield_rejects_non_binary_patterns_and_wrong_shapes():
    with pytest.raises(ValueError, match=r"patterns must be binary patterns with entries -1 or 1, got 0 "):
        HopfieldNetwork(np.zeros((1, 2, 4)))
    net = HopfieldNetwork(np.ones((1, 2, 4)))
    with pytest.raises(ValueError, match="states must have dimension 4"):
        net.energy(np.ones((1, 2, 5)))
    with pytest.raises(ValueError, match="rng must be a numpy.random.Generator"):
        net.run_asynchronous(np.ones((1, 1, 4)), 3)


def test_one_step_recall_against_plain_loops():
    rng = np.random.default_rng(8)
    keys, values, queries = _signs(rng, 2, 6, 11), _signs(rng, 2, 6, 5), _signs(rng, 2, 3, 11)
    hetero = hetero_hopfield_recall(keys, values, queries)
    modern = modern_hopfield_recall(keys, values, queries, beta=0.7)
    soft = modern_hopfield_recall(keys, values, queries, beta=0.7, form="softmax")
    for r in range(2):
        W = sum(np.outer(values[r, i], keys[r, i]) for i in range(6))
        for q in range(3):
            np.testing.assert_array_equal(hetero[r, q], np.sign(W @ queries[r, q]))
            w = np.array([np.exp(0.7 * keys[r, i] @ queries[r, q]) for i in range(6)])
            np.testing.assert_allclose(soft[r, q], (w / w.sum()) @ values[r], atol=1e-12)
            np.testing.assert_array_equal(modern[r, q], np.sign(w @ values[r]))
    np.testing.assert_array_equal(np.sign(soft), modern)


def test_modern_recall_with_large_beta_returns_the_nearest_keys_value_without_overflow():
    rng = np.random.default_rng(9)
    keys, values = _signs(rng, 1, 50, 200), _signs(rng, 1, 50, 8)
    cue = keys[:, [7]].copy()
    cue[0, 0, :30] *= -1
    out = modern_hopfield_recall(keys, values, cue, beta=50.0)  # beta * d = 10,000: exp would overflow
    np.testing.assert_array_equal(out[0, 0], values[0, 7])


def test_one_step_recall_rejects_bad_input():
    k, v = np.ones((1, 3, 4)), np.ones((1, 3, 2))
    with pytest.raises(ValueError, match="values must be binary patterns"):
        hetero_hopfield_recall(k, v * 0.5, k)
    with pytest.raises(ValueError, match="same number of patterns, got 3 and 2"):
        hetero_hopfield_recall(k, v[:, :2], k)
    with pytest.raises(ValueError, match="queries must have dimension 4"):
        modern_hopfield_recall(k, v, np.ones((1, 1, 5)))
    with pytest.raises(ValueError, match="beta=-1 is out of range"):
        modern_hopfield_recall(k, v, k, beta=-1)
    with pytest.raises(ValueError, match="form='hard' is not allowed"):
        modern_hopfield_recall(k, v, k, form="hard")
