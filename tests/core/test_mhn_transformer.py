import numpy as np
import pytest

from biokv.core.common.rng import run_generators
from biokv.core.transformer.mhn import (FastWeights, MHNTransformer, distinct_fraction, gradients, init_fast_weights,
                                        input_projection, query_step, store_context)
from biokv.core.transformer.task import case_sequence_batch, case_sequence_batches

L, K, H = 4, 6, 10


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _loop_reference(W_Q, W_K, W_V, W_hi, W_oh, W_reinst, x, xq, projection=None):
    """Storage and query step, one trial, one sequence and one context step at a time."""
    T, B = xq.shape[:2]
    W_hi, W_oh, W_reinst = W_hi.copy(), W_oh.copy(), W_reinst.copy()
    winners = np.zeros((T, B, x.shape[2]), dtype=int)
    a = np.zeros((T, B, W_hi.shape[2]))
    y_mhn = np.zeros((T, B, 2))
    x_tilde = np.zeros((T, B, x.shape[3]))
    for t in range(T):
        for b in range(B):
            for j, xj in enumerate(x[t, b]):
                k, v = W_K[t] @ xj, W_V[t] @ xj
                h = W_hi[t, b] @ k + (projection @ xj if projection is not None else 0.0)
                w = int(np.argmax(h))
                W_hi[t, b, w, :] = k
                W_oh[t, b, :, w] = v
                W_reinst[t, b, w, :] = xj
                winners[t, b, j] = w
            a[t, b] = _softmax(W_hi[t, b] @ (W_Q[t] @ xq[t, b]))
            y_mhn[t, b] = W_oh[t, b] @ a[t, b]
            x_tilde[t, b] = W_reinst[t, b].T @ a[t, b]
    return winners, (W_hi, W_oh, W_reinst), a, y_mhn, x_tilde


def _problem(seed, projections, T=2, B=6, scale=1.0):
    rng = np.random.default_rng(seed)
    batch = case_sequence_batch(rng, (T, B), L)
    W_Q, W_K = (scale * rng.standard_normal((T, K, 3 * L)) for _ in range(2))
    W_V = rng.random((T, 2, 3 * L))
    fast = init_fast_weights(run_generators(seed, "fast", range(T)), B, H, K, 3 * L, projections)
    return W_Q, W_K, W_V, fast, batch


@pytest.mark.parametrize("projections", [False, True])
def test_storage_and_query_step_match_a_plain_loop(projections):
    W_Q, W_K, W_V, fast, batch = _problem(0, projections)
    x, xq = batch.context_onehot(), batch.query_onehot()
    proj = input_projection(H, L) if projections else None
    ref = _loop_reference(W_Q, W_K, W_V, fast.W_hi, fast.W_oh, fast.W_reinst, x, xq, proj)
    keys = np.einsum("tkn,tbjn->tbjk", W_K, x)
    values = np.einsum("tvn,tbjn->tbjv", W_V, x)
    winners = store_context(fast, keys, values, x, proj)
    np.testing.assert_array_equal(winners, ref[0])
    for got, want in zip((fast.W_hi, fast.W_oh, fast.W_reinst), ref[1]):
        np.testing.assert_allclose(got, want, atol=1e-14)
    a, y_mhn, x_tilde = query_step(fast, np.einsum("tkn,tbn->tbk", W_Q, xq))
    for got, want in zip((a, y_mhn, x_tilde), ref[2:]):
        np.testing.assert_allclose(got, want, atol=1e-12)
    # the model class gives the same numbers
    model = MHNTransformer(W_Q, W_K, W_V, H, "qk", projections)
    fresh = init_fast_weights(run_generators(0, "fast", range(2)), 6, H, K, 3 * L, projections)
    f = model.forward(batch, fresh)
    np.testing.assert_allclose(f["mhn_output"], ref[3], atol=1e-12)
    np.testing.assert_array_equal(f["winners"], ref[0])


def test_input_projections_give_every_context_item_its_own_unit():
    T, B = 3, 200
    model = MHNTransformer.initialize(run_generators(0, "init", range(T)), L, 50, 16, "qk", projections=True)
    batch = case_sequence_batch(np.random.default_rng(1), (T, B), L)
    f = model.forward(batch, model.new_fast_weights(run_generators(0, "fast", range(T)), B))
    # each item wins the unit of its own token (W_items x_t is one-hot there; earlier keys have |k_j . k_t| < 1)
    np.testing.assert_array_equal(f["winners"], batch.context)
    np.testing.assert_array_equal(distinct_fraction(f["winners"]), 1.0)
    # without projections the random W_hi often sends two items to one unit
    plain = MHNTransformer.initialize(run_generators(0, "init", range(T)), L, 50, 16, "qk", projections=False)
    g = plain.forward(batch, plain.new_fast_weights(run_generators(0, "fast", range(T)), B))
    assert distinct_fraction(g["winners"]).mean() < 0.95


def test_input_projections_fail_only_when_an_earlier_key_matches_by_more_than_one():
    T, B, n = 1, 1, 3 * L
    W_K = np.zeros((T, K, n))
    W_K[0, 0, 0] = W_K[0, 0, 1] = 1.5  # keys of 'a' and 'b' overlap: k_a . k_b = 2.25 > 1
    fast = FastWeights(np.zeros((T, B, H, K)), np.zeros((T, B, 2, H)), np.zeros((T, B, H, n)))
    x = np.eye(n)[[0, 1, 2]][None, None]  # context a, b, c
    keys = np.einsum("tkn,tbjn->tbjk", W_K, x)
    winners = store_context(fast, keys, np.zeros((T, B, 3, 2)), x, input_projection(H, L))
    np.testing.assert_array_equal(winners[0, 0], [0, 0, 2])  # 'b' overwrites 'a'; 'c' gets its own unit


@pytest.mark.parametrize("rule", ["fixed", "mhn", "qk"])
@pytest.mark.parametrize("projections", [False, True])
def test_gradients_match_central_finite_differences(rule, projections):
    W_Q, W_K, W_V, fast, batch = _problem(2, projections, scale=0.8)
    model = MHNTransformer(W_Q, W_K, W_V, H, rule, projections)
    f = model.forward(batch, fast)  # fast weights now hold the context; held fixed from here on
    xq, y, x_tilde = f["query"], batch.target, f["x_tilde"]
    (d_wq, d_wk, d_wv), y_hat = gradients(W_Q, W_K, W_V, fast, f["attention"], x_tilde, xq, y, rule)

    def out_loss(wq, wv):  # ||W_V W_reinst^T softmax(W_hi W_Q x_q) - y||^2 with the fast weights fixed (Eq. S6)
        total = np.zeros(wq.shape[0])
        for t in range(wq.shape[0]):
            for b in range(xq.shape[1]):
                a = _softmax(fast.W_hi[t, b] @ (wq[t] @ xq[t, b]))
                total[t] += np.sum((wv[t] @ (fast.W_reinst[t, b].T @ a) - y[t, b]) ** 2)
        return total

    def key_loss(wk):  # the W_K objective of the rule, x~ and the fast weights fixed
        total = np.zeros(wk.shape[0])
        for t in range(wk.shape[0]):
            for b in range(xq.shape[1]):
                if rule == "mhn":
                    a = _softmax(fast.W_hi[t, b] @ (wk[t] @ x_tilde[t, b]))
                    total[t] += np.sum((fast.W_oh[t, b] @ a - y[t, b]) ** 2)
                else:
                    total[t] += np.sum((wk[t] @ x_tilde[t, b] - W_Q[t] @ xq[t, b]) ** 2)
        return total

    np.testing.assert_allclose(y_hat, np.einsum("tvn,tbn->tbv", W_V, x_tilde), atol=1e-12)
    checks = [(d_wq, lambda w: out_loss(w, W_V), W_Q), (d_wv, lambda w: out_loss(W_Q, w), W_V)]
    if rule == "fixed":
        assert d_wk is None
    else:
        checks.append((d_wk, key_loss, W_K))
    rng = np.random.default_rng(3)
    h = 1e-6
    for grad, fn, w0 in checks:
        assert np.abs(grad).max() > 1e-6
        for _ in range(12):
            idx = tuple(rng.integers(0, s) for s in grad.shape)
            plus, minus = w0.copy(), w0.copy()
            plus[idx] += h
            minus[idx] -= h
            fd = (fn(plus) - fn(minus))[idx[0]] / (2 * h)
            assert grad[idx] == pytest.approx(fd, rel=1e-6, abs=1e-8), (rule, idx)


@pytest.mark.parametrize("rule", ["fixed", "mhn", "qk"])
def test_train_step_applies_the_learning_rates(rule):
    W_Q, W_K, W_V, _, batch = _problem(4, True)
    model = MHNTransformer(W_Q, W_K, W_V, H, rule, True, lr_qv=0.01, lr_k=0.002)
    fast = model.new_fast_weights(run_generators(4, "fast", range(2)), 6)
    f = model.forward(batch, fast)
    (d_wq, d_wk, d_wv), _ = gradients(W_Q, W_K, W_V, fast, f["attention"], f["x_tilde"], f["query"], batch.target,
                                      rule)
    r = model.train_step(batch, run_generators(4, "fast", range(2)))
    np.testing.assert_allclose(model.W_Q, W_Q - 0.01 * d_wq, atol=1e-14)
    np.testing.assert_allclose(model.W_V, W_V - 0.01 * d_wv, atol=1e-14)
    np.testing.assert_allclose(model.W_K, W_K if rule == "fixed" else W_K - 0.002 * d_wk, atol=1e-14)
    # reported: the MHN output's accuracy and loss before the update
    np.testing.assert_allclose(r.loss, np.sum((f["mhn_output"] - batch.target) ** 2, -1).mean(-1))
    np.testing.assert_allclose(r.stored, distinct_fraction(f["winners"]).mean(-1))


def test_fast_weight_initialisation():
    fast = init_fast_weights(run_generators(0, "fast", range(2)), 30, 16, 50, 12, projections=False)
    assert fast.W_hi.shape == (2, 30, 16, 50) and fast.W_oh.shape == (2, 30, 2, 16)
    assert fast.W_reinst.shape == (2, 30, 16, 12) and fast.tf_dim == 16
    assert 0 <= fast.W_hi.min() and fast.W_hi.max() < 0.5 and fast.W_hi.mean() == pytest.approx(0.25, abs=0.01)
    assert 0 <= fast.W_oh.min() and fast.W_oh.max() < 1 and 0 <= fast.W_reinst.min() and fast.W_reinst.max() < 1
    proj = init_fast_weights(run_generators(0, "fast", range(2)), 30, 16, 50, 12, projections=True)
    assert np.all(proj.W_hi == 0)
    w = input_projection(10, 4)
    assert w.shape == (10, 12) and w.sum() == 8
    np.testing.assert_array_equal(w[:8, :8], np.eye(8))


def test_projections_and_query_alignment_learn_the_task():
    T, n_iter = 2, 800
    batches = case_sequence_batches(run_generators(3, "batches", range(T)), n_iter, 64)
    model = MHNTransformer.initialize(run_generators(3, "init", range(T)), 4, 50, 16, "qk", projections=True)
    fast = run_generators(3, "fast", range(T))
    acc = np.array([model.train_step(batches[:, i], fast).accuracy for i in range(n_iter)])
    assert np.all(acc[-100:].mean(axis=0) > 0.95)


def test_same_seed_same_training():
    batches = case_sequence_batches(run_generators(2, "batches", range(2)), 15, 8)
    runs = []
    for _ in range(2):
        m = MHNTransformer.initialize(run_generators(2, "init", range(2)), 4, 10, 8, "mhn", projections=False)
        fast = run_generators(2, "fast", range(2))
        runs.append(np.array([m.train_step(batches[:, i], fast).loss for i in range(15)]))
    np.testing.assert_array_equal(runs[0], runs[1])


@pytest.mark.parametrize("call, message", [
    (lambda: input_projection(7, 4), r"tf_dim=7 is too small for input projections: need tf_dim >= 2 L = 8"),
    (lambda: MHNTransformer(np.zeros((1, 5, 12)), np.zeros((1, 5, 12)), np.zeros((1, 2, 12)), 16, "slow"),
     "rule='slow' is not one of fixed, mhn, qk"),
    (lambda: MHNTransformer(np.zeros((1, 5, 12)), np.zeros((1, 5, 12)), np.zeros((1, 2, 12)), 6, "qk", True),
     "tf_dim=6 is too small"),
    (lambda: MHNTransformer(np.zeros((1, 5, 12)), np.zeros((1, 5, 11)), np.zeros((1, 2, 12)), 16),
     r"must have shape \(T, k_dim, 3 L\)"),
    (lambda: MHNTransformer(np.zeros((1, 5, 12)), np.zeros((1, 5, 12)), np.zeros((1, 2, 12)), 16, lr_k=-1.0),
     "lr_k must be a finite number >= 0"),
    (lambda: init_fast_weights(run_generators(0, "f", [0]), 0, 8, 5, 12, False), "batch_size must be an integer"),
    (lambda: MHNTransformer(np.zeros((1, 5, 12)), np.zeros((1, 5, 12)), np.zeros((1, 2, 12)), 16)
     .new_fast_weights(run_generators(0, "f", [0, 1]), 4), r"one generator per trial \(1\), got 2"),
    (lambda: MHNTransformer(np.zeros((1, 5, 12)), np.zeros((1, 5, 12)), np.zeros((1, 2, 12)), 16)
     .forward(case_sequence_batch(np.random.default_rng(0), (1, 3), 4),
              init_fast_weights(run_generators(0, "f", [0]), 4, 16, 5, 12, False)), "does not match"),
])
def test_bad_inputs_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()
