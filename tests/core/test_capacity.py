import math

import numpy as np
import pytest
from scipy import stats

from biokv.core.associative.memories import HopfieldNetwork, hetero_hopfield_recall, modern_hopfield_recall
from biokv.core.associative.capacity import (bit_error_probability, duplicate_free_capacity, first_failure,
                                             measure_capacity, predicted_capacity, random_binary_pairs)


def _brute_first_failure(keys, values, network, beta=1.0):
    """Build the memory of the first n pairs for n = 1, 2, ... and check every stored pattern."""
    out = []
    for r in range(keys.shape[0]):
        fail = keys.shape[1] + 1
        for n in range(1, keys.shape[1] + 1):
            x, y = keys[r:r + 1, :n], values[r:r + 1, :n]
            if network == "hetero":
                ok = np.all(hetero_hopfield_recall(x, y, x) == y)
            elif network == "modern":
                ok = np.all(modern_hopfield_recall(x, y, x, beta) == y)
            else:
                ok = np.all(HopfieldNetwork(x).is_fixed_point(x))
            if not ok:
                fail = n
                break
        out.append(fail)
    return np.array(out)


@pytest.mark.parametrize("network, d, beta", [("hetero", 16, 1.0), ("hetero", 15, 1.0), ("auto", 16, 1.0),
                                              ("auto", 15, 1.0), ("modern", 6, 1.0), ("modern", 8, 0.3)])
def test_first_failure_equals_a_brute_force_search(network, d, beta):
    keys, values = random_binary_pairs(1, "test", range(12), 40, d, d)
    expected = _brute_first_failure(keys, values, network, beta)
    np.testing.assert_array_equal(first_failure(keys, values, network, beta), expected)


def test_a_run_without_failure_reports_n_plus_one():
    keys, values = random_binary_pairs(0, "test", range(3), 2, 64, 64)
    np.testing.assert_array_equal(first_failure(keys, values, "hetero"), 3)


def test_patterns_and_capacity_do_not_depend_on_how_far_ahead_patterns_are_drawn():
    short = random_binary_pairs(2, "s", [0, 5], 10, 8, 8)
    long = random_binary_pairs(2, "s", [0, 5], 3000, 8, 8)  # crosses a block boundary
    np.testing.assert_array_equal(short[0], long[0][:, :10])
    a = measure_capacity(3, "c", range(6), 12, "modern", n_start=2)
    b = measure_capacity(3, "c", range(6), 12, "modern", n_start=4096)
    np.testing.assert_array_equal(a, b)


def test_bit_error_probability_is_the_exact_binomial_tail():
    for n, d in [(2, 4), (3, 5), (5, 8)]:
        m = (n - 1) * d  # hetero: P(sum of m signs <= -d)
        p = sum(math.comb(m, b) for b in range(m + 1) if 2 * b - m <= -d) / 2**m
        assert bit_error_probability(n, d, "hetero") == pytest.approx(p, rel=1e-12)
        m = (n - 1) * (d - 1)  # auto: P(sum of m signs < -(d - 1))
        p = sum(math.comb(m, b) for b in range(m + 1) if 2 * b - m < -(d - 1)) / 2**m
        assert bit_error_probability(n, d, "auto") == pytest.approx(p, rel=1e-12)


def test_bit_error_probability_matches_simulated_hetero_recall():
    keys, values = random_binary_pairs(4, "bits", range(200), 12, 32, 32)
    errors = np.mean(hetero_hopfield_recall(keys, values, keys) != values)
    p = float(bit_error_probability(12, 32))
    assert abs(errors - p) < 5 * math.sqrt(p * (1 - p) / keys[..., 0].size)  # 5 sd of a binomial proportion (upper
    # bound: bits of one pattern are not independent, which only widens the spread a little)


def test_predicted_capacity_solves_its_equation_and_matches_measurement():
    for network in ("hetero", "auto"):
        n = predicted_capacity(128, network)
        m = (n - 1) * (128 if network == "hetero" else 127)
        k = (m - 128) / 2
        assert n * 128 * stats.beta.sf(0.5, k + 1, m - k) == pytest.approx(math.log(2), rel=1e-6)
    assert predicted_capacity(64) < predicted_capacity(128) < predicted_capacity(256)
    measured = measure_capacity(0, "c", range(40), 128, "hetero")
    assert abs(np.median(measured) - predicted_capacity(128)) < 0.15 * predicted_capacity(128)


def test_capacity_functions_reject_bad_input():
    k = np.ones((1, 3, 4))
    with pytest.raises(ValueError, match="network='dense' is not allowed"):
        first_failure(k, k, "dense")
    with pytest.raises(ValueError, match="beta=0 is out of range"):
        first_failure(k, k, "modern", beta=0)
    with pytest.raises(ValueError, match="keys must be binary patterns"):
        first_failure(k * 2, k, "hetero")
    with pytest.raises(ValueError, match="same number of patterns, got 3 and 2"):
        first_failure(k, k[:, :2], "hetero")
    with pytest.raises(ValueError, match="d=0 is out of range"):
        measure_capacity(0, "c", range(2), 0, "hetero")
    with pytest.raises(RuntimeError, match="raise n_limit"):
        measure_capacity(0, "c", range(2), 30, "modern", n_limit=8)


def test_duplicate_free_capacity_is_the_median_wait_for_a_repeated_key():
    rng = np.random.default_rng(0)
    draws = rng.integers(0, 2**8, size=(4000, 80))  # keys in {-1, 1}^8 as integers
    first_repeat = [next(n for n in range(1, 80) if row[n] in row[:n]) for row in draws]  # keys before a repeat
    assert np.median(first_repeat) == duplicate_free_capacity(8)
    assert duplicate_free_capacity(41) == pytest.approx(math.sqrt(2.0**42 * math.log(2)), rel=1e-6)
    # a modern network with large beta fails exactly at the first repeated key when d is small
    keys, values = random_binary_pairs(5, "dup", range(30), 200, 8, 8)
    codes = ((keys > 0) * 2 ** np.arange(8)).sum(-1)
    repeat = np.array([next(n for n in range(1, 200) if codes[r, n] in codes[r, :n]) for r in range(30)])
    np.testing.assert_array_equal(first_failure(keys, values, "modern", beta=5.0), repeat + 1)
