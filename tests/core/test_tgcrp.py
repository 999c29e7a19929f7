import numpy as np
import pytest

from biokv.core.common.patterns import mean_pairwise_similarity
from biokv.core.common.tgcrp import tgcrp_leaves, tgcrp_tree


@pytest.mark.parametrize("b", [0, 3, 10])
def test_every_pattern_keeps_s_ones_and_children_differ_by_b_flips(b):
    pats, parent, is_leaf = tgcrp_tree(np.random.default_rng(b), 600, 200, 20, b)
    assert pats.shape == (600, 20)
    assert np.all(np.diff(pats, axis=1) > 0)  # s distinct ones
    for c in range(1, 600):
        p = parent[c]
        assert 0 <= p < c
        assert len(np.setdiff1d(pats[p], pats[c])) == b  # b ones switched off, b zeros switched on
    assert parent[0] == -1 and not is_leaf[0]
    assert not np.any(is_leaf[parent[1:]])  # a parent is never a leaf


def test_about_half_the_nodes_are_leaves():
    _, _, is_leaf = tgcrp_tree(np.random.default_rng(0), 4000, 300, 30, 5)
    assert 0.4 < is_leaf.mean() < 0.6


def test_similarity_falls_as_b_grows_towards_random():
    sims = []
    for b in (2, 5, 10, 30):
        leaves = tgcrp_leaves(np.random.default_rng(1), 2000, 300, 30, b)
        sims.append(mean_pairwise_similarity(leaves[:200], 300))
    assert all(x > y for x, y in zip(sims, sims[1:]))
    assert sims[-1] == pytest.approx(30 / 300, abs=0.02)


def test_same_generator_state_same_tree():
    a = tgcrp_leaves(np.random.default_rng(5), 500, 100, 10, 3)
    b = tgcrp_leaves(np.random.default_rng(5), 500, 100, 10, 3)
    np.testing.assert_array_equal(a, b)


def test_invalid_flips():
    with pytest.raises(ValueError, match="n_flips"):
        tgcrp_tree(np.random.default_rng(0), 10, 100, 10, 11)
