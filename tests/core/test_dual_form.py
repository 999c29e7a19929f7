import numpy as np
import pytest

from biokv.core.kv.dual_form import (DualFormMemory, accuracy, cross_entropy, error_signals, forward, init_weights,
                                     sgd_epoch, sgd_step)
from biokv.core.common.rng import run_generators

R, N_IN, H, N_OUT = 3, 7, 5, 4


def _net(seed=0, runs=R, n_in=N_IN, hidden=H, n_out=N_OUT):
    return init_weights(run_generators(seed, "test:init", range(runs)), n_in, hidden, n_out)


def _data(n, seed=1, runs=None, n_in=N_IN, n_out=N_OUT):
    rng = np.random.default_rng(seed)
    shape = (n, n_in) if runs is None else (runs, n, n_in)
    return rng.uniform(0, 1, shape), rng.integers(0, n_out, shape[:-1])


# ---------------------------------------------------------------------------------------------- slow references
def _slow_loss(w1, w2, xs, ys):
    """Mean cross-entropy of one network over examples, one example at a time."""
    total = 0.0
    for x, y in zip(xs, ys):
        h = np.array([max(0.0, sum(w1[i, j] * x[j] for j in range(len(x)))) for i in range(w1.shape[0])])
        z = np.array([sum(w2[o, i] * h[i] for i in range(len(h))) for o in range(w2.shape[0])])
        total += np.log(np.sum(np.exp(z - z.max()))) + z.max() - z[y]
    return total / len(xs)


def _slow_sgd_step(w1, w2, xs, ys, lr):
    """Plain SGD on the mean cross-entropy, gradients accumulated example by example (one network)."""
    g1, g2 = np.zeros_like(w1), np.zeros_like(w2)
    for x, y in zip(xs, ys):
        a = w1 @ x
        h = np.maximum(a, 0)
        z = w2 @ h
        p = np.exp(z - z.max())
        p /= p.sum()
        d = p.copy()
        d[y] -= 1.0
        g2 += np.outer(d, h)
        g1 += np.outer((w2.T @ d) * (a > 0), x)
    b = len(xs)
    return w1 - lr * g1 / b, w2 - lr * g2 / b


# ---------------------------------------------------------------------------------------------- the network
def test_init_weights_are_uniform_in_the_fan_in_range_and_per_run():
    w1, w2 = _net(runs=4, n_in=400, hidden=50, n_out=3)
    assert w1.shape == (4, 50, 400) and w2.shape == (4, 3, 50) and w1.dtype == np.float64
    assert np.abs(w1).max() <= 1 / np.sqrt(400) and np.abs(w2).max() <= 1 / np.sqrt(50)
    assert np.abs(w1).max() > 0.95 / np.sqrt(400)  # fills the range
    assert not np.array_equal(w1[0], w1[1])
    again = _net(runs=4, n_in=400, hidden=50, n_out=3)
    np.testing.assert_array_equal(w1, again[0])


def test_sgd_step_equals_a_per_example_slow_loop():
    w1, w2 = _net()
    x, y = _data(6, runs=R)
    n1, n2 = sgd_step(w1, w2, x, y, 0.3)
    for r in range(R):
        s1, s2 = _slow_sgd_step(w1[r], w2[r], x[r], y[r], 0.3)
        np.testing.assert_allclose(n1[r], s1, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(n2[r], s2, rtol=1e-13, atol=1e-15)


def test_values_are_minus_lr_times_the_finite_difference_gradient():
    w1, w2 = _net(runs=1)
    x, y = _data(4)
    lr = 0.7
    s = error_signals(w1, w2, x, y, lr)
    grad1 = -(s["value1"][0].T @ s["key1"][0]) / lr  # dL/dW1 = sum_b dL/da_b x_b^T
    grad2 = -(s["value2"][0].T @ s["key2"][0]) / lr
    eps = 1e-6
    for w, grad in ((w1[0], grad1), (w2[0], grad2)):
        fd = np.zeros_like(w)
        for idx in np.ndindex(*w.shape):
            old = w[idx]
            w[idx] = old + eps
            up = _slow_loss(w1[0], w2[0], x, y)
            w[idx] = old - eps
            down = _slow_loss(w1[0], w2[0], x, y)
            w[idx] = old
            fd[idx] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s["loss"][0], _slow_loss(w1[0], w2[0], x, y), rtol=1e-13)
    np.testing.assert_allclose(cross_entropy(s["logits"], y), s["loss"], rtol=1e-14)


def test_sgd_epoch_visits_each_example_once_in_each_runs_order():
    w1, w2 = _net()
    x, y = _data(10)  # shared by the runs
    order = np.stack([np.random.default_rng(r).permutation(10) for r in range(R)])
    got = sgd_epoch(w1, w2, x, y, order, 4, 0.2)
    for r in range(R):
        a, b = w1[r], w2[r]
        for start in (0, 4, 8):  # batches of 4, 4 and 2
            idx = order[r, start:start + 4]
            a, b = _slow_sgd_step(a, b, x[idx], y[idx], 0.2)
        np.testing.assert_allclose(got[0][r], a, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(got[1][r], b, rtol=1e-12, atol=1e-15)
    # the same data given per run gives the same networks
    per_run = sgd_epoch(w1, w2, np.broadcast_to(x, (R,) + x.shape), np.broadcast_to(y, (R, 10)), order, 4, 0.2)
    np.testing.assert_array_equal(per_run[0], got[0])


def test_accuracy_over_all_outputs_and_within_a_task():
    logits = np.array([[[3.0, 1.0, 5.0, 0.0], [0.0, 2.0, 1.0, 1.5]]])  # (1 run, 2 examples, 4 outputs)
    labels = np.array([0, 1])
    np.testing.assert_array_equal(accuracy(logits, labels), [0.5])  # example 0 loses to output 2
    np.testing.assert_array_equal(accuracy(logits, labels, outputs=(0, 1)), [1.0])
    grid = np.stack([logits, -logits])  # leading axes pass through
    assert accuracy(grid, labels).shape == (2, 1)


# ---------------------------------------------------------------------------------------------- the dual form
def _train(store, runs=R, shared=False, seed=0):
    w1, w2 = _net(seed, runs=runs)
    memory = DualFormMemory(w1, w2, n_tasks=2, store=store)
    rng = np.random.default_rng(seed + 10)
    for task, n in ((0, 23), (1, 17)):
        x, y = _data(n, seed=seed + task + 1, runs=None if shared else runs)
        y = y % 2 + 2 * task  # task 0: outputs 0-1, task 1: outputs 2-3
        for _ in range(3):
            order = np.stack([rng.permutation(n) for _ in range(runs)])
            w1, w2 = sgd_epoch(w1, w2, x, y, order, 8, 0.5, memory, task)
    return w1, w2, memory


@pytest.mark.parametrize("shared", [False, True])
def test_dual_form_reproduces_the_trained_networks_outputs(shared):
    w1, w2, memory = _train("examples", shared=shared)
    q, _ = _data(30, seed=99, runs=None if shared else R)
    primal = forward(w1, w2, q)[2]
    dual = memory.dual_outputs(q, chunk=7)  # several blocks of queries
    np.testing.assert_allclose(dual, primal, rtol=1e-12, atol=1e-13 * np.abs(primal).max())
    assert memory.n_records == 3 * 23 + 3 * 17
    rec = memory.records()
    assert rec["key1"].shape == (R, 120, N_IN) and rec["value2"].shape == (R, 120, N_OUT)
    np.testing.assert_array_equal(np.bincount(rec["task"]), [69, 51])
    assert rec["step"].max() == memory.n_steps - 1 == 3 * 3 + 3 * 3 - 1


def test_per_task_sums_are_the_sums_of_the_records_and_rebuild_the_weights():
    w1, w2, memory = _train("examples")
    rec = memory.records()
    for k in (0, 1):
        m = rec["task"] == k
        np.testing.assert_allclose(memory.deltas[0][k], np.einsum("rnh,rni->rhi", rec["value1"][:, m],
                                                                  rec["key1"][:, m]), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(memory.deltas[1][k], np.einsum("rno,rnh->roh", rec["value2"][:, m],
                                                                  rec["key2"][:, m]), rtol=1e-12, atol=1e-15)
    b1, b2 = memory.weights()  # beta = 1 for both tasks: the trained network
    np.testing.assert_allclose(b1, w1, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b2, w2, rtol=1e-12, atol=1e-14)
    z1, z2 = memory.weights(0.0)
    np.testing.assert_array_equal(z1, memory.w1_0)
    np.testing.assert_array_equal(z2, memory.w2_0)


def test_beta_zero_with_only_task1_records_gives_the_initial_weights():
    w1, w2 = _net()
    memory = DualFormMemory(w1, w2, n_tasks=1)
    x, y = _data(12)
    order = np.tile(np.arange(12), (R, 1))
    t1, t2 = sgd_epoch(w1, w2, x, y, order, 5, 0.4, memory)
    z1, z2 = memory.weights((0.0,))
    np.testing.assert_array_equal(z1, w1)
    np.testing.assert_array_equal(z2, w2)
    np.testing.assert_allclose(memory.weights((1.0,))[0], t1, rtol=1e-12, atol=1e-15)


def test_scaled_dual_form_equals_the_rebuilt_weights():
    _, _, memory = _train("examples")
    q, _ = _data(9, seed=5, runs=R)
    for beta in ((0.0, 1.0), (2.5, 1.0), (1.3, 0.4)):
        expected = forward(*memory.weights(beta), q)[2]
        np.testing.assert_allclose(memory.dual_outputs(q, beta), expected, rtol=1e-12, atol=1e-13)
    grid = np.stack([np.linspace(0, 3, 4), np.ones(4)])  # (n_tasks, G) -> weights (G, R, ...)
    g1, g2 = memory.weights(grid)
    assert g1.shape == (4, R, H, N_IN) and g2.shape == (4, R, N_OUT, H)
    np.testing.assert_array_equal(g1[2], memory.weights((2.0, 1.0))[0])


def test_task_sums_store_gives_the_same_weights_without_per_example_records():
    a = _train("examples")
    b = _train("tasks")
    np.testing.assert_array_equal(a[0], b[0])
    for da, db in zip(a[2].deltas, b[2].deltas):
        np.testing.assert_array_equal(da, db)
    assert b[2].n_records == -1
    with pytest.raises(ValueError, match="store='examples'"):
        b[2].records()
    with pytest.raises(ValueError, match="store='examples'"):
        b[2].dual_outputs(np.zeros((2, N_IN)))


# ---------------------------------------------------------------------------------------------- input checks
def test_bad_inputs_fail_with_clear_messages():
    w1, w2 = _net()
    x, y = _data(6)
    order = np.tile(np.arange(6), (R, 1))
    with pytest.raises(ValueError, match="n_hidden=0 is out of range"):
        init_weights(run_generators(0, "x", range(2)), 3, 0, 2)
    with pytest.raises(ValueError, match=r"w2 must have shape \(runs, n_out, n_hidden\)"):
        forward(w1, w2[:, :, :2], x)
    with pytest.raises(ValueError, match=r"x must have shape \(n, 7\)"):
        forward(w1, w2, x[:, :3])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\]"):
        sgd_step(w1, w2, x, y + 4, 0.1)
    with pytest.raises(ValueError, match="learning_rate=0 is out of range: must be a finite number > 0"):
        sgd_step(w1, w2, x, y, 0)
    with pytest.raises(ValueError, match="batch_size=0 is out of range"):
        sgd_epoch(w1, w2, x, y, order, 0, 0.1)
    with pytest.raises(ValueError, match="permutation"):
        sgd_epoch(w1, w2, x, y, np.zeros((R, 6), dtype=int), 2, 0.1)
    with pytest.raises(ValueError, match=r"order must be an integer array of shape \(3, 6\)"):
        sgd_epoch(w1, w2, x, y, order[:2], 2, 0.1)
    memory = DualFormMemory(w1, w2, n_tasks=2)
    with pytest.raises(ValueError, match=r"task=2 is out of range: must be an integer in \[0, 1\]"):
        sgd_step(w1, w2, x, y, 0.1, memory, task=2)
    with pytest.raises(ValueError, match=r"beta must give one scale per task \(2\)"):
        memory.weights((1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="store='everything' is not allowed"):
        DualFormMemory(w1, w2, store="everything")
    with pytest.raises(ValueError, match=r"labels must be among outputs=\[2, 3\]"):
        accuracy(np.zeros((1, 2, 4)), np.array([0, 2]), outputs=(2, 3))


def test_grid_outputs_equal_the_rebuilt_networks():
    _, _, memory = _train("tasks")
    q, _ = _data(11, seed=8)
    grid = np.array([[0.0, 0.5, 1.0, 2.7], [1.0, 1.0, 0.3, 1.0]])
    got = memory.grid_outputs(q, grid)
    assert got.shape == (4, R, 11, N_OUT)
    for g in range(4):
        np.testing.assert_allclose(got[g], forward(*memory.weights(grid[:, g]), q)[2], rtol=1e-12, atol=1e-13)
    with pytest.raises(ValueError, match=r"beta must have shape \(n_tasks, G\)"):
        memory.grid_outputs(q, np.ones(2))
