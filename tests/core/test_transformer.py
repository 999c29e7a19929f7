import numpy as np
import pytest

from biokv.core.common.rng import run_generators
from biokv.core.transformer.baseline import (MinimalTransformer, batch_metrics, forward, init_slow_weights,
                                             loss_and_gradients)
from biokv.core.transformer.task import case_sequence_batch, case_sequence_batches


def _loop_output(W_Q, W_K, W_V, x, xq, beta):
    """Eq. 3, one trial and one sequence at a time."""
    T, B = xq.shape[:2]
    out = np.zeros((T, B, 2))
    for t in range(T):
        for b in range(B):
            q = W_Q[t] @ xq[t, b]
            logits = np.array([beta * q @ (W_K[t] @ xj) for xj in x[t, b]])
            s = np.exp(logits - logits.max())
            s /= s.sum()
            out[t, b] = sum(sj * (W_V[t] @ xj) for sj, xj in zip(s, x[t, b]))
    return out


def _random_problem(seed, T=2, B=5, L=4, k=6, scale=1.0):
    rng = np.random.default_rng(seed)
    batch = case_sequence_batch(rng, (T, B), L)
    W_Q, W_K, W_V = (scale * rng.standard_normal((T, k, 3 * L)), scale * rng.standard_normal((T, k, 3 * L)),
                     rng.standard_normal((T, 2, 3 * L)))
    return W_Q, W_K, W_V, batch.context_onehot(), batch.query_onehot(), batch.target


def test_forward_matches_a_plain_loop():
    W_Q, W_K, W_V, x, xq, y = _random_problem(0)
    for beta in (None, 1.0):
        f = forward(W_Q, W_K, W_V, x, xq, beta)
        b = 1 / np.sqrt(W_Q.shape[1]) if beta is None else beta
        np.testing.assert_allclose(f["output"], _loop_output(W_Q, W_K, W_V, x, xq, b), atol=1e-12)
        np.testing.assert_allclose(f["attention"].sum(-1), 1.0)


@pytest.mark.parametrize("beta", [None, 1.0])
def test_gradients_match_central_finite_differences(beta):
    W_Q, W_K, W_V, x, xq, y = _random_problem(1, scale=0.7)
    b = 1 / np.sqrt(W_Q.shape[1]) if beta is None else beta

    def loss(wq, wk, wv):  # per trial: sum over the batch of ||y_hat - y||^2 (plain loop)
        return np.sum((_loop_output(wq, wk, wv, x, xq, b) - y) ** 2, axis=(1, 2))

    value, grads, _ = loss_and_gradients(W_Q, W_K, W_V, x, xq, y, beta)
    np.testing.assert_allclose(value, loss(W_Q, W_K, W_V), atol=1e-12)
    rng = np.random.default_rng(2)
    h = 1e-6
    for which, grad in enumerate(grads):
        for _ in range(12):
            idx = tuple(rng.integers(0, s) for s in grad.shape)
            plus = [w.copy() for w in (W_Q, W_K, W_V)]
            minus = [w.copy() for w in (W_Q, W_K, W_V)]
            plus[which][idx] += h
            minus[which][idx] -= h
            fd = (loss(*plus) - loss(*minus))[idx[0]] / (2 * h)
            assert grad[idx] == pytest.approx(fd, rel=1e-6, abs=1e-8), (which, idx)
    # each trial's gradient depends on its own batch only
    _, g2, _ = loss_and_gradients(W_Q[1:], W_K[1:], W_V[1:], x[1:], xq[1:], y[1:], beta)
    for a, c in zip(grads, g2):
        np.testing.assert_allclose(a[1:], c, atol=1e-12)


def test_initialisation_scales():
    W_Q, W_K, W_V = init_slow_weights(run_generators(0, "init", range(3)), 12, 400, key_scale=0.25, value_high=0.1)
    assert W_Q.shape == W_K.shape == (3, 400, 12) and W_V.shape == (3, 2, 12)
    assert W_Q.std() == pytest.approx(0.25 / np.sqrt(400), rel=0.05)
    assert W_V.min() >= 0 and W_V.max() < 0.1
    again = init_slow_weights(run_generators(0, "init", [2]), 12, 400)
    np.testing.assert_array_equal(again[1][0], W_K[2])  # a trial's weights depend on its generator only


def test_train_step_reports_the_batch_before_a_gradient_step():
    W_Q, W_K, W_V, *_ = _random_problem(3)
    model = MinimalTransformer(W_Q, W_K, W_V, learning_rate=0.01)
    batch = case_sequence_batch(np.random.default_rng(4), (2, 5), 4)
    out = model.predict(batch)
    _, grads, _ = loss_and_gradients(W_Q, W_K, W_V, batch.context_onehot(), batch.query_onehot(), batch.target)
    r = model.train_step(batch)
    acc, loss = batch_metrics(out, batch.target)
    np.testing.assert_allclose(r.accuracy, acc)
    np.testing.assert_allclose(r.loss, loss)
    assert r.stored is None
    for w, w0, g in zip((model.W_Q, model.W_K, model.W_V), (W_Q, W_K, W_V), grads):
        np.testing.assert_allclose(w, w0 - 0.01 * g, atol=1e-14)


def test_baseline_learns_the_task_in_a_short_run():
    # 600 iterations at learning rate 2e-2 (20x the paper's 1e-3, which needs several thousand iterations)
    T, n_iter = 2, 600
    batches = case_sequence_batches(run_generators(1, "batches", range(T)), n_iter, 64)
    model = MinimalTransformer.initialize(run_generators(1, "init", range(T)), learning_rate=2e-2)
    acc = np.array([model.train_step(batches[:, i]).accuracy for i in range(n_iter)])
    assert np.all(acc[-100:].mean(axis=0) > 0.95)
    assert np.all(acc[:50].mean(axis=0) < 0.8)
    # values encode case: lowercase columns point to output 0, uppercase columns to output 1
    np.testing.assert_array_equal(np.argmax(model.W_V[:, :, :8], axis=1), np.tile(np.repeat([0, 1], 4), (T, 1)))


def test_same_seed_same_training():
    batches = case_sequence_batches(run_generators(2, "batches", range(2)), 20, 8)
    runs = []
    for _ in range(2):
        m = MinimalTransformer.initialize(run_generators(2, "init", range(2)))
        runs.append(np.array([m.train_step(batches[:, i]).loss for i in range(20)]))
    np.testing.assert_array_equal(runs[0], runs[1])


@pytest.mark.parametrize("call, message", [
    (lambda: init_slow_weights([], 12, 5), "rngs must be a non-empty sequence"),
    (lambda: init_slow_weights(run_generators(0, "s", [0]), 12, 0), "k_dim must be an integer >= 1, got 0"),
    (lambda: init_slow_weights(run_generators(0, "s", [0]), 12, 5, value_high=-1), "value_high must be a finite"),
    (lambda: MinimalTransformer(np.zeros((1, 5, 12)), np.zeros((1, 5, 12)), np.zeros((1, 3, 12))),
     r"W_V \(T, 2, n\)"),
    (lambda: MinimalTransformer(np.zeros((1, 5, 12)), np.zeros((1, 5, 12)), np.zeros((1, 2, 12)), -0.1),
     "learning_rate must be a finite number >= 0"),
    (lambda: forward(np.zeros((1, 5, 12)), np.zeros((1, 5, 12)), np.zeros((1, 2, 12)),
                     np.zeros((1, 3, 4, 9)), np.zeros((1, 3, 12))), r"context must have shape"),
    (lambda: loss_and_gradients(np.zeros((1, 5, 12)), np.zeros((1, 5, 12)), np.zeros((1, 2, 12)),
                                np.zeros((1, 3, 4, 12)), np.zeros((1, 3, 12)), np.zeros((1, 3, 3))),
     r"target must have shape"),
])
def test_bad_inputs_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()
