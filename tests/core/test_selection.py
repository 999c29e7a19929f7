import numpy as np
import pytest

from biokv.core.common.selection import k_winners, k_winners_reference, to_dense


def _cases(rng, n_cases=400):
    for trial in range(n_cases):
        n = int(rng.integers(1, 400))
        k = int(rng.integers(0, n + 1))
        kind = trial % 5
        if kind == 0:
            v = rng.random(n)
        elif kind == 1:  # many exact ties (integer overlaps, as in the 1-winner MHN)
            v = rng.integers(0, 6, n).astype(float)
        elif kind == 2:  # outliers put almost everything into one bucket
            v = np.where(rng.random(n) < 0.01, 1e9, rng.random(n))
        elif kind == 3:
            v = np.full(n, 2.5)
        else:  # negative values and a wide range
            v = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4)
        yield v, k, int(rng.integers(0, 2**63))


def test_k_winners_matches_definition_and_returns_exactly_k():
    rng = np.random.default_rng(0)
    for v, k, key in _cases(rng):
        w = k_winners(v, k, key)
        assert w.size == k and np.array_equal(w, np.unique(w))
        np.testing.assert_array_equal(w, k_winners_reference(v, k, key))
        if 0 < k < v.size:  # every winner is at least as large as every loser
            losers = np.setdiff1d(np.arange(v.size), w)
            assert v[w].min() >= v[losers].max()


def test_ties_are_broken_uniformly():
    n, k, trials = 10, 3, 20000
    counts = np.zeros(n)
    for key in range(trials):
        counts[k_winners(np.ones(n), k, key)] += 1
    expected = trials * k / n
    sd = np.sqrt(trials * (k / n) * (1 - k / n))
    assert np.all(np.abs(counts - expected) < 5 * sd), counts


def test_ties_depend_on_key_not_on_position():
    v = np.array([1.0, 3.0, 3.0, 3.0, 0.0])
    picks = {tuple(k_winners(v, 2, key)) for key in range(200)}
    assert picks == {(1, 2), (1, 3), (2, 3)}


def test_k_out_of_range():
    with pytest.raises(ValueError, match="k must be in"):
        k_winners(np.ones(3), 4)


def test_to_dense():
    d = to_dense(np.array([[0, 2], [1, 3]]), 4)
    np.testing.assert_array_equal(d, [[1, 0, 1, 0], [0, 1, 0, 1]])


def test_threshold_hint_carried_between_calls_never_changes_the_winners():
    from biokv.core.common.selection import new_work, select_top_k

    rng = np.random.default_rng(1)
    n, k = 500, 20
    work = new_work(n)
    out = np.empty(k, dtype=np.int32)
    for step in range(300):
        if step % 50 < 25:  # slow drift, then jumps up and down, then integer ties
            v = rng.random(n) + 0.01 * step
        elif step % 50 < 40:
            v = rng.random(n) * (10.0 if step % 2 else 0.1)
        else:
            v = rng.integers(0, 4, n).astype(float)
        select_top_k(v, k, np.uint64(step), out, work)
        np.testing.assert_array_equal(out, k_winners_reference(v, k, step))
