"""CA3 recurrent collaterals in the twin: the batched rule and completion against plain loops, and completion of
partial codes that the feed-forward selection alone does not achieve."""

import numpy as np
import pytest

from biokv.hippocampus.recurrent import RecurrentCA3, complete_reference, learn_reference


def _dyadic_state(model, seed, runs):
    """A state whose weights are multiples of 1/8, so that eps = 0.5 keeps every sum exact in float64."""
    state = model.init_state(seed, runs)
    g = np.random.default_rng(seed)
    state.w = g.integers(0, 2, state.w.shape) / 8
    return state


def _codes(g, R, P, n, k):
    codes = np.zeros((R, P, n), dtype=bool)
    for r in range(R):
        for p in range(P):
            codes[r, p, g.choice(n, k, replace=False)] = True
    return codes


def test_learning_and_completion_equal_plain_loops_run_by_run():
    model = RecurrentCA3(n=40, k=5, p_connect=0.3, learning_rate=0.5)
    state = _dyadic_state(model, 1, [0, 1, 2])
    g = np.random.default_rng(2)
    codes = _codes(g, 3, 12, 40, 5)
    before = [state.dense_weights(r) for r in range(3)]
    model.learn(state, codes)
    drive = g.integers(0, 4, (3, 6, 40)) / 4  # ties on purpose
    got, its = model.complete(state, drive, gain=2.0, steps=8)
    for r in range(3):
        expected_w = learn_reference(before[r], state.mask(r), [np.flatnonzero(c) for c in codes[r]], 0.5)
        np.testing.assert_array_equal(state.dense_weights(r), expected_w)
        for q in range(6):
            y, t = complete_reference(state.dense_weights(r), state.priority[r], drive[r, q], 5, gain=2.0, steps=8)
            assert np.flatnonzero(got[r, q]).tolist() == y and its[r, q] == t
    assert np.all(got.sum(-1) == 5)
    assert np.all((state.w >= 0) & (state.w <= 1))


def test_a_run_does_not_depend_on_the_runs_drawn_with_it():
    model = RecurrentCA3(n=30, k=3)
    a, b = model.init_state(5, [0, 1, 2]), model.init_state(5, [2])
    np.testing.assert_array_equal(a.mask(2), b.mask(0))
    np.testing.assert_array_equal(a.w[2], b.w[0])
    for r in range(3):  # every cell: exactly round(0.04 * 29) = 1 input, never itself
        m = a.mask(r)
        assert not np.any(np.diagonal(m)) and np.all(m.sum(axis=1) == 1)
    wide = RecurrentCA3(n=101, k=3, p_connect=0.3).init_state(5, [0])
    assert np.all(wide.mask(0).sum(axis=1) == 30) and not np.any(np.diagonal(wide.mask(0)))


def test_recurrents_complete_a_partial_code_and_without_them_nothing_is_completed():
    """Store 10 codes of 20 of 400 cells; drive half of a code's cells (plus noise on every cell): the recurrent
    input recovers the other half; with the recurrents silenced (gain 0) only the driven half is found."""
    n, k, P = 400, 20, 10
    model = RecurrentCA3(n=n, k=k, p_connect=0.3, learning_rate=0.5)
    state = model.init_state(3, [0, 1])
    g = np.random.default_rng(4)
    codes = _codes(g, 2, P, n, k)
    model.learn(state, codes)
    drive = g.random((2, P, n)) * 0.5
    half = np.zeros_like(codes)
    for r in range(2):
        for p in range(P):
            cells = np.flatnonzero(codes[r, p])
            half[r, p, cells[: k // 2]] = True
    drive[half] += 1.0
    with_rc, _ = model.complete(state, drive, gain=1.0)
    without, _ = model.complete(state, drive, gain=0.0)
    overlap = lambda y: (y & codes).sum(-1) / k  # noqa: E731
    # without recurrents: the driven half, and the rest of the code only by chance (10 picks among 390 cells)
    assert np.all(overlap(without) >= 0.5) and overlap(without).mean() < 0.55, overlap(without).mean()
    assert overlap(with_rc).mean() > 0.8, overlap(with_rc).mean()  # measured 0.875 (seeds 3, 4)


@pytest.mark.parametrize("kwargs, message", [
    (dict(n=1, k=1), "n must be"), (dict(n=10, k=11), "k must be"), (dict(n=10, k=2, p_connect=0), "p_connect"),
    (dict(n=10, k=2, learning_rate=1.5), "learning_rate"), (dict(n=10, k=2, initial_weight_max=-1), "initial"),
])
def test_invalid_parameters_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RecurrentCA3(**kwargs)


def test_invalid_codes_drive_and_steps_are_rejected():
    model = RecurrentCA3(n=10, k=2)
    state = model.init_state(0, [0])
    with pytest.raises(ValueError, match="codes must be a boolean array"):
        model.learn(state, np.zeros((1, 2, 10)))
    with pytest.raises(ValueError, match="drive must have shape"):
        model.complete(state, np.zeros((1, 10)))
    with pytest.raises(ValueError, match="steps must be"):
        model.complete(state, np.zeros((1, 1, 10)), steps=-1)
