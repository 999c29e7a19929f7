import math

import numpy as np
import pytest

from biokv.core.kv import optimization as kv
from biokv.core.common.rng import run_generators


def _problem(n_classes=3, per_class=4, runs=3, seed=0, scale=1.5):
    rng = np.random.default_rng(seed)
    labels = kv.class_labels(n_classes, per_class)
    keys = rng.normal(0.0, scale, (runs, labels.size, 2))
    values = rng.normal(0.0, scale, (runs, labels.size, 2))
    return keys, values, labels, kv.class_features(n_classes)[labels]


def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_gradients_match_finite_differences(n_classes, include_self):
    keys, values, _, targets = _problem(n_classes, per_class=4, runs=3, seed=n_classes)
    loss, gk, gv = kv.loss_and_gradients(keys, values, targets, include_self)
    np.testing.assert_allclose(loss, kv.kv_loss(keys, values, targets, include_self))
    h = 1e-6
    for name, param, grad in (("keys", keys, gk), ("values", values, gv)):
        for idx in np.ndindex(param.shape):
            plus, minus = param.copy(), param.copy()
            plus[idx] += h
            minus[idx] -= h
            args_p = (plus, values) if name == "keys" else (keys, plus)
            args_m = (minus, values) if name == "keys" else (keys, minus)
            lp = kv.kv_loss(*args_p, targets, include_self)
            lm = kv.kv_loss(*args_m, targets, include_self)
            numeric = (lp - lm) / (2 * h)
            run = idx[0]
            assert grad[idx] == pytest.approx(numeric[run], rel=1e-5, abs=1e-9), (name, idx)
            others = np.arange(keys.shape[0]) != run  # runs are independent
            np.testing.assert_allclose(numeric[others], 0.0, atol=1e-9)


def test_retrieval_matches_a_plain_loop():
    keys, values, _, _ = _problem(3, per_class=3, runs=2, seed=4)
    for include_self in (True, False):
        r, a = kv.retrieve(keys, values, include_self)
        for run in range(keys.shape[0]):
            n = keys.shape[1]
            for i in range(n):
                js = [j for j in range(n) if include_self or j != i]
                scores = [sum(keys[run, i, d] * keys[run, j, d] for d in range(2)) / math.sqrt(2) for j in js]
                weights = [math.exp(s) for s in scores]
                total = sum(weights)
                for d in range(2):
                    expected = sum(w / total * _sigmoid(values[run, j, d]) for w, j in zip(weights, js))
                    assert r[run, i, d] == pytest.approx(expected, rel=1e-12)
                for w, j in zip(weights, js):
                    assert a[run, i, j] == pytest.approx(w / total, rel=1e-12)


def test_attention_rows_sum_to_one_and_large_keys_do_not_overflow():
    keys, _, _, _ = _problem(2, per_class=5, runs=2, seed=1, scale=30.0)
    a = kv.attention(keys)
    assert np.all(np.isfinite(a)) and np.all(a >= 0)
    np.testing.assert_allclose(a.sum(-1), 1.0)
    b = kv.attention(keys, include_self=False)
    np.testing.assert_allclose(b.sum(-1), 1.0)
    np.testing.assert_array_equal(np.diagonal(b, axis1=1, axis2=2), 0.0)
    loss, gk, gv = kv.loss_and_gradients(keys, keys, kv.class_features(2)[kv.class_labels(2, 5)])
    assert np.all(np.isfinite(loss)) and np.all(np.isfinite(gk)) and np.all(np.isfinite(gv))


def test_loss_is_the_mean_squared_error():
    keys, values, _, targets = _problem(2, per_class=3, runs=2, seed=2)
    r, _ = kv.retrieve(keys, values)
    for run in range(2):
        sq = [(r[run, i, d] - targets[i, d]) ** 2 for i in range(targets.shape[0]) for d in range(2)]
        assert kv.kv_loss(keys, values, targets)[run] == pytest.approx(sum(sq) / len(sq))


def test_adam_matches_a_per_parameter_loop():
    rng = np.random.default_rng(3)
    shapes = [(2, 3), (4,)]
    params = [rng.normal(size=s) for s in shapes]
    grads = [[rng.normal(size=s) * 10.0 ** rng.integers(-4, 2) for s in shapes] for _ in range(6)]
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    opt = kv.Adam(shapes, lr, b1, b2, eps)
    got = [p.copy() for p in params]
    for g in grads:
        opt.step(got, g)
    for k, p0 in enumerate(params):
        for idx in np.ndindex(p0.shape):
            p, m, v = float(p0[idx]), 0.0, 0.0
            for t, g in enumerate(grads, start=1):
                x = float(g[k][idx])
                m = b1 * m + (1 - b1) * x
                v = b2 * v + (1 - b2) * x * x
                p = p - lr * (m / (1 - b1 ** t)) / (math.sqrt(v / (1 - b2 ** t)) + eps)
            assert got[k][idx] == pytest.approx(p, rel=1e-12, abs=1e-15)


def test_adam_first_step_moves_every_parameter_by_the_learning_rate():
    opt = kv.Adam([(3,)], learning_rate=0.05)
    p = np.zeros(3)
    opt.step([p], [np.array([2.0, -1e-3, 7.0])])
    np.testing.assert_allclose(p, [-0.05, 0.05, -0.05], rtol=1e-4)  # |g| / (|g| + eps)


def _silhouette_loop(x, labels):
    n = len(labels)
    out = []
    for i in range(n):
        def mean_dist(c):
            d = [math.dist(x[i], x[j]) for j in range(n) if labels[j] == c and j != i]
            return sum(d) / len(d)
        a = mean_dist(labels[i])
        b = min(mean_dist(c) for c in set(labels.tolist()) if c != labels[i])
        out.append((b - a) / max(a, b))
    return sum(out) / n


def _centroid_loop(x, labels):
    n, right, table = len(labels), 0, []
    for i in range(n):
        dists = {}
        for c in set(labels.tolist()):
            members = [j for j in range(n) if labels[j] == c and j != i]
            centroid = np.mean(x[members], axis=0)
            dists[c] = float(np.sum((x[i] - centroid) ** 2))
        table.append([dists[c] for c in sorted(dists)])
        own = dists.pop(labels[i])
        right += own < min(dists.values())
    return right / n, np.array(table)


def test_separation_measures_match_plain_loops():
    keys, _, labels, _ = _problem(3, per_class=5, runs=2, seed=5)
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 2, 1, 0, 1, 2])  # interleaved classes
    sil = kv.silhouette(keys, labels)
    acc = kv.nearest_centroid_accuracy(keys, labels)
    a = kv.attention(keys)
    within = kv.within_class_attention(a, labels)
    for run in range(2):
        assert sil[run] == pytest.approx(_silhouette_loop(keys[run], labels), rel=1e-12)
        loop_acc, loop_dist = _centroid_loop(keys[run], labels)
        assert acc[run] == pytest.approx(loop_acc)
        np.testing.assert_allclose(kv.centroid_distances(keys, labels)[run], loop_dist, rtol=1e-12)
        n = len(labels)
        assert within[run] == pytest.approx(
            sum(a[run, i, j] for i in range(n) for j in range(n) if labels[i] == labels[j]) / n)


def test_silhouette_agrees_with_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    keys, _, labels, _ = _problem(3, per_class=6, runs=2, seed=6)
    sil = kv.silhouette(keys, labels)
    for run in range(2):
        assert sil[run] == pytest.approx(metrics.silhouette_score(keys[run], labels))


def test_separation_measures_on_known_configurations():
    labels = kv.class_labels(2, 4)
    apart = np.concatenate([np.full((4, 2), -5.0), np.full((4, 2), 5.0)])[None]
    apart = apart + np.random.default_rng(0).normal(0, 1e-3, apart.shape)
    assert kv.silhouette(apart, labels)[0] == pytest.approx(1.0, abs=1e-3)
    assert kv.nearest_centroid_accuracy(apart, labels)[0] == 1.0
    assert kv.within_class_attention(kv.attention(apart), labels)[0] == pytest.approx(1.0)
    same = np.zeros((1, 8, 2))  # every key equal: no separation, uniform attention
    assert kv.silhouette(same, labels)[0] == 0.0
    assert kv.nearest_centroid_accuracy(same, labels)[0] == 0.0
    assert kv.within_class_attention(kv.attention(same), labels)[0] == pytest.approx(4 / 8)


def test_value_and_retrieval_errors():
    targets = kv.class_features(2)[kv.class_labels(2, 2)]
    values = np.zeros((1, 4, 2))  # sigmoid(0) = 0.5 everywhere: distance sqrt(0.5) to every feature
    assert kv.value_error(values, targets)[0] == pytest.approx(math.sqrt(0.5))
    assert kv.retrieval_error(targets[None], targets)[0] == 0.0
    big = np.where(targets > 0.5, 40.0, -40.0)[None]
    assert kv.value_error(big, targets)[0] == pytest.approx(0.0, abs=1e-12)


def test_task_and_initialisation():
    np.testing.assert_array_equal(kv.class_features(3), [[0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(kv.class_labels(3, 2), [0, 0, 1, 1, 2, 2])
    keys, values = kv.initial_parameters(run_generators(1, "kv-optimization:init", range(3)), 10)
    assert keys.shape == values.shape == (3, 10, 2)
    assert np.all((keys >= 0) & (keys < 1)) and np.all((values >= 0) & (values < 1))
    again, _ = kv.initial_parameters(run_generators(1, "kv-optimization:init", [2]), 10)
    np.testing.assert_array_equal(again[0], keys[2])  # a run's numbers do not depend on the others


def test_training_separates_keys_and_moves_values_to_the_features():
    labels = kv.class_labels(3, 15)
    keys, values = kv.initial_parameters(run_generators(0, "test", range(2)), labels.size)
    k0, v0 = keys.copy(), values.copy()
    tr = kv.train_key_values(keys, values, labels, kv.class_features(3), n_steps=400, learning_rate=0.01,
                             record_every=150)
    np.testing.assert_array_equal(keys, k0)  # inputs untouched
    np.testing.assert_array_equal(tr.keys[0], k0)
    np.testing.assert_array_equal(tr.values[0], v0)
    np.testing.assert_array_equal(tr.steps, [0, 150, 300, 400])
    assert tr.keys.shape == (4, 2, 45, 2) and tr.loss.shape == tr.silhouette.shape == (4, 2)
    assert np.all(tr.loss[-1] < 0.5 * tr.loss[0])
    assert np.all(tr.nearest_centroid_accuracy[-1] > 0.9) and np.all(tr.silhouette[-1] > 0.5)
    assert np.all(tr.within_class_attention[-1] > tr.within_class_attention[0] + 0.2)
    assert np.all(tr.value_error[-1] < tr.value_error[0] - 0.2)
    assert np.all(tr.retrieval_error[-1] < tr.retrieval_error[0] - 0.2)
    np.testing.assert_allclose(tr.loss[-1], kv.kv_loss(tr.keys[-1], tr.values[-1],
                                                       kv.class_features(3)[labels]))


def test_batched_runs_equal_separate_runs():
    labels = kv.class_labels(2, 5)
    keys, values = kv.initial_parameters(run_generators(2, "test", range(3)), labels.size)
    both = kv.train_key_values(keys, values, labels, kv.class_features(2), 30, 0.01, record_every=10,
                               include_self=False)
    for r in range(3):
        one = kv.train_key_values(keys[r:r + 1], values[r:r + 1], labels, kv.class_features(2), 30, 0.01,
                                  record_every=10, include_self=False)
        np.testing.assert_allclose(one.keys[:, 0], both.keys[:, r], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(one.loss[:, 0], both.loss[:, r], rtol=1e-12)


def test_bad_inputs_fail_with_clear_messages():
    keys, values, labels, targets = _problem(2, per_class=3, runs=2)
    feats = kv.class_features(2)
    with pytest.raises(ValueError, match=r"values must have shape \(n_runs, n_events, d_v\)"):
        kv.retrieve(keys, values[:, :4])
    with pytest.raises(ValueError, match=r"keys must have shape \(n_runs >= 1, n_events >= 2, dim >= 1\)"):
        kv.attention(keys[0])
    with pytest.raises(ValueError, match="keys must be finite"):
        kv.attention(np.full((1, 3, 2), np.nan))
    with pytest.raises(ValueError, match=r"targets must have shape"):
        kv.kv_loss(keys, values, targets[:3])
    with pytest.raises(ValueError, match=r"n_classes must be an integer in \[1, 3\]"):
        kv.class_features(4)
    with pytest.raises(ValueError, match=r"labels must be an integer array of shape \(n_events,\)"):
        kv.train_key_values(keys, values, labels[:4], feats, 5)
    with pytest.raises(ValueError, match="each with at least 2 events"):
        kv.silhouette(keys, np.array([0, 0, 0, 0, 0, 1]))
    with pytest.raises(ValueError, match=r"features must have shape \(n_classes, d_v\) = \(2, 2\)"):
        kv.train_key_values(keys, values, labels, kv.class_features(3), 5)
    with pytest.raises(ValueError, match=r"n_steps must be an integer >= 0"):
        kv.train_key_values(keys, values, labels, feats, -1)
    with pytest.raises(ValueError, match=r"record_every must be an integer >= 1"):
        kv.train_key_values(keys, values, labels, feats, 5, record_every=0)
    with pytest.raises(ValueError, match=r"learning_rate must be a finite number > 0"):
        kv.train_key_values(keys, values, labels, feats, 5, learning_rate=0.0)
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\)"):
        kv.Adam([(2,)], beta2=1.0)
    with pytest.raises(ValueError, match="parameter and gradient shapes must be"):
        kv.Adam([(2,)]).step([np.zeros(3)], [np.zeros(3)])
    with pytest.raises(ValueError, match="rngs must be one or more numpy.random.Generator"):
        kv.initial_parameters([], 5)
