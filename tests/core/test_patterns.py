import itertools

import numpy as np
import pytest
from scipy import stats

from biokv.core.common.patterns import (mean_pairwise_similarity, overlaps, partial_cues, random_patterns,
                                        random_subsets, random_subsets_runs)
from biokv.core.common.rng import run_seeds


def test_random_patterns_have_exactly_s_sorted_ones():
    pats = random_patterns(np.random.default_rng(1), 500, 200, 17)
    assert pats.shape == (500, 17) and pats.dtype == np.int32
    assert np.all(np.diff(pats, axis=1) > 0)
    assert pats.min() >= 0 and pats.max() < 200


def test_random_patterns_place_ones_uniformly():
    pats = random_patterns(np.random.default_rng(2), 4000, 50, 10)
    counts = np.bincount(pats.ravel(), minlength=50)
    assert stats.chisquare(counts).pvalue > 1e-3


def test_random_subsets_are_uniform_over_subsets():
    sets = random_subsets(np.random.default_rng(3), 20000, 5, 2)
    index = {s: i for i, s in enumerate(itertools.combinations(range(5), 2))}
    counts = np.bincount([index[tuple(s)] for s in sets], minlength=len(index))
    assert stats.chisquare(counts).pvalue > 1e-3


def test_dense_and_sparse_subset_paths():
    for size in (3, 40, 50):  # sort path, membership-scan path, everything
        s = random_subsets(np.random.default_rng(4), 100, 50, size)
        assert all(len(np.unique(row)) == size for row in s) and np.all(np.diff(s, axis=1) > 0)


def test_same_seed_same_patterns_and_runs_are_independent_of_batching():
    a = random_patterns(np.random.default_rng(5), 10, 100, 10)
    b = random_patterns(np.random.default_rng(5), 10, 100, 10)
    c = random_patterns(np.random.default_rng(6), 10, 100, 10)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    all_runs = random_subsets_runs(run_seeds(0, "p", range(4)), 7, 100, 10)
    one_run = random_subsets_runs(run_seeds(0, "p", [2]), 7, 100, 10)
    np.testing.assert_array_equal(all_runs[2], one_run[0])


def test_partial_cues_keep_int_cs_of_the_ones():
    rng = np.random.default_rng(7)
    pats = random_patterns(rng, 300, 100, 15)
    cues = partial_cues(rng, pats, 0.5)
    assert cues.shape == (300, 7)  # int(0.5 * 15)
    for p, c in zip(pats, cues):
        assert set(c) <= set(p) and len(set(c)) == 7 and np.all(np.diff(c) > 0)
    kept = np.zeros(15)
    for p, c in zip(pats, cues):
        kept[np.searchsorted(p, c)] += 1
    assert stats.chisquare(kept).pvalue > 1e-3  # every position of a pattern equally likely to be kept
    np.testing.assert_array_equal(partial_cues(rng, pats, 1.0), pats)


@pytest.mark.parametrize("level", [0.0, 1.5, -0.1, 0.01])
def test_partial_cue_level_errors(level):
    with pytest.raises(ValueError, match="cue level"):
        partial_cues(np.random.default_rng(0), random_patterns(np.random.default_rng(0), 3, 50, 10), level)


def test_overlaps_and_similarity_against_loops():
    rng = np.random.default_rng(8)
    a = random_patterns(rng, 50, 60, 8)
    b = random_patterns(rng, 50, 60, 8)
    np.testing.assert_array_equal(overlaps(a, b), [len(np.intersect1d(x, y)) for x, y in zip(a, b)])
    sims = [len(np.intersect1d(a[i], a[j])) / 8 for i in range(50) for j in range(50) if i != j]
    assert mean_pairwise_similarity(a, 60) == pytest.approx(np.mean(sims))


def test_pattern_argument_errors():
    with pytest.raises(ValueError, match="n_active"):
        random_patterns(np.random.default_rng(0), 3, 10, 11)


def test_jaccard_against_sets():
    from biokv.core.common.patterns import jaccard

    rng = np.random.default_rng(9)
    for _ in range(50):
        a, b = rng.choice(40, rng.integers(0, 15), replace=False), rng.choice(40, rng.integers(0, 15), replace=False)
        union = set(a) | set(b)
        assert jaccard(a, b) == (len(set(a) & set(b)) / len(union) if union else 1.0)
    assert jaccard([], []) == 1.0 and jaccard([1, 2], [1, 2]) == 1.0 and jaccard([1], [2]) == 0.0


def test_paired_code_correlations_against_pearson_of_dense_vectors():
    from biokv.core.common.patterns import paired_code_correlations

    rng = np.random.default_rng(10)
    n = 30
    codes_a = [rng.choice(n, rng.integers(1, n), replace=False) for _ in range(40)]
    codes_b = [rng.choice(n, rng.integers(1, n), replace=False) for _ in range(40)]
    expected = []
    for a, b in zip(codes_a, codes_b):
        x, y = np.zeros(n), np.zeros(n)
        x[a], y[b] = 1.0, 1.0
        expected.append(np.corrcoef(x, y)[0, 1])
    np.testing.assert_allclose(paired_code_correlations(codes_a, codes_b, n), expected, rtol=1e-12, atol=1e-12)
    assert np.isnan(paired_code_correlations([np.arange(n)], [np.arange(3)], n)).all()  # a full code: no variance
    with pytest.raises(ValueError, match="must pair up"):
        paired_code_correlations(codes_a, codes_b[:-1], n)


def test_code_correlation_against_a_loop_over_pairs():
    from biokv.core.common.patterns import code_correlation

    rng = np.random.default_rng(11)
    n = 25
    codes = [rng.choice(n, rng.integers(1, 12), replace=False) for _ in range(12)] + [np.array([], dtype=int)]
    pearson = []
    for i, j in itertools.combinations(range(12), 2):  # the empty code is left out
        x, y = np.zeros(n), np.zeros(n)
        x[codes[i]], y[codes[j]] = 1.0, 1.0
        pearson.append(np.corrcoef(x, y)[0, 1])
    assert code_correlation(codes, n) == pytest.approx(np.mean(pearson), rel=1e-12, abs=1e-12)
    assert np.isnan(code_correlation([np.arange(3), []], n))  # fewer than two codes with cells
