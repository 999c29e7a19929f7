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


# ---------------------------------------------------------------------- E%-max winners
def _e_max_loop(values, fraction, axis):
    """E%-max by its definition, one cell at a time."""
    v = np.moveaxis(np.asarray(values, dtype=float), axis, -1)
    f = np.broadcast_to(fraction, v.shape[:-1])
    mask = np.zeros(v.shape, dtype=bool)
    for idx in np.ndindex(v.shape[:-1]):
        row = v[idx]
        top = max(row)
        for i, x in enumerate(row):
            mask[idx + (i,)] = top > 0 and x > 0 and x >= (1 - f[idx]) * top
    return np.moveaxis(mask, -1, axis)


def _e_max_batches(rng, n_cases=60):
    for trial in range(n_cases):
        shape = tuple(int(n) for n in rng.integers(1, 7, 2)) + (int(rng.integers(1, 60)),)
        kind = trial % 4
        if kind == 0:
            v = rng.random(shape)
        elif kind == 1:  # exact ties, at the maximum too
            v = rng.integers(0, 4, shape).astype(float)
        elif kind == 2:  # mixed signs, rows with no positive value
            v = rng.standard_normal(shape) - rng.integers(0, 2, shape[:2] + (1,)) * 10.0
        else:  # some all-zero rows
            v = rng.random(shape) * rng.integers(0, 2, shape[:2] + (1,))
        axis = int(rng.integers(-3, 3))
        batch = np.delete(np.array(v.shape), axis % 3)
        if trial % 3 == 0:
            fraction = float(rng.random())
        elif trial % 3 == 1:  # one fraction per instance
            fraction = rng.random(tuple(batch))
        else:  # broadcast over the first batch axis
            fraction = rng.random((1, batch[1]))
        yield v, fraction, axis


def test_e_max_winners_match_the_definition_on_random_batches():
    from biokv.core.common.selection import e_max_winners, select_e_max

    rng = np.random.default_rng(3)
    for v, fraction, axis in _e_max_batches(rng):
        mask = e_max_winners(v, fraction, axis=axis)
        assert mask.shape == v.shape and mask.dtype == bool
        np.testing.assert_array_equal(mask, _e_max_loop(v, fraction, axis))
        # the kernel on one vector gives the same mask and counts it
        rows = np.moveaxis(v, axis, -1)
        f = np.broadcast_to(fraction, rows.shape[:-1])
        expected = np.moveaxis(mask, axis, -1)
        for idx in np.ndindex(rows.shape[:-1]):
            out = np.ones(rows.shape[-1], dtype=bool)
            count = select_e_max(np.ascontiguousarray(rows[idx]), float(f[idx]), out)
            np.testing.assert_array_equal(out, expected[idx])
            assert count == expected[idx].sum()


def test_e_max_winners_edge_cases():
    from biokv.core.common.selection import e_max_winners

    v = np.array([3.0, 1.0, 3.0, 2.0])
    np.testing.assert_array_equal(e_max_winners(v, 0.0), [True, False, True, False])  # ties at the max
    np.testing.assert_array_equal(e_max_winners(v, 0.5), [True, False, True, True])  # 2 >= 1.5
    np.testing.assert_array_equal(e_max_winners([4.0, 2.0, 1.0], 0.5), [True, True, False])  # at the threshold
    np.testing.assert_array_equal(e_max_winners([[0.0, 0.0], [-1.0, -0.5]], 1.0), np.zeros((2, 2), bool))
    np.testing.assert_array_equal(e_max_winners([0.0, 2.0, -1.0, 0.0], 1.0), [False, True, False, False])
    assert e_max_winners(np.empty((3, 0)), 0.5).shape == (3, 0)
    rng = np.random.default_rng(4)
    v = rng.integers(-2, 5, (50, 30)).astype(float)
    top = v.max(axis=1, keepdims=True)
    np.testing.assert_array_equal(e_max_winners(v, 0.0), (v == top) & (top > 0))  # fraction 0: the maxima
    np.testing.assert_array_equal(e_max_winners(v, 1.0), v > 0)  # fraction 1: every positive cell
    np.testing.assert_array_equal(e_max_winners(v.T, 0.3, axis=0), e_max_winners(v, 0.3).T)


def test_e_max_winners_grow_with_the_fraction_and_with_a_flatter_drive():
    from biokv.core.common.selection import e_max_winners

    rng = np.random.default_rng(5)
    v = rng.random((40, 200)) ** 3  # positive, skewed
    fractions = [0.0, 0.05, 0.1, 0.3, 0.6, 1.0]
    masks = [e_max_winners(v, f) for f in fractions]
    for smaller, larger in zip(masks, masks[1:]):
        assert np.all(smaller <= larger)  # nested
    counts = [m.sum() for m in masks]
    assert all(a < b for a, b in zip(counts, counts[1:])), counts
    assert counts[0] == 40 and counts[-1] == v.size
    flatter = [e_max_winners(v ** a, 0.2) for a in (1.0, 0.5, 0.25)]  # same order, smaller spread
    for peaked, flat in zip(flatter, flatter[1:]):
        assert np.all(peaked <= flat) and peaked.sum() < flat.sum()


def test_e_max_winners_errors():
    from biokv.core.common.selection import e_max_winners

    with pytest.raises(ValueError, match="values must be finite"):
        e_max_winners([1.0, np.nan], 0.1)
    with pytest.raises(ValueError, match="values must be finite"):
        e_max_winners([1.0, np.inf], 0.1)
    for bad in (-0.1, 1.5, np.nan):
        with pytest.raises(ValueError, match=r"fraction must be in \[0, 1\]"):
            e_max_winners([1.0, 2.0], bad)
    with pytest.raises(ValueError, match=r"fraction must be in \[0, 1\], got an array"):
        e_max_winners(np.ones((2, 3)), [0.5, 2.0])
    with pytest.raises(ValueError, match="fraction must be a scalar or broadcastable"):
        e_max_winners(np.ones((2, 3)), [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="axis must be in"):
        e_max_winners(np.ones((2, 3)), 0.1, axis=2)
    with pytest.raises(ValueError, match="at least one axis"):
        e_max_winners(1.0, 0.1)


def test_e_max_winners_is_exported_lazily_from_the_core():
    import biokv.core
    from biokv.core.common.selection import e_max_winners

    assert biokv.core.e_max_winners is e_max_winners and "e_max_winners" in biokv.core.__all__
