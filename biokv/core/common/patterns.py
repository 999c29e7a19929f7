"""Sparse binary patterns as index sets.

A binary pattern of size ``n`` with exactly ``s`` ones is stored as the sorted ``int32`` indices of its ones,
so a batch of patterns is an array of shape ``(..., s)``. :func:`biokv.core.common.selection.to_dense` turns index sets
into 0/1 arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from biokv.core.common import rng as _rnd

__all__ = ["random_subsets", "random_subsets_runs", "random_patterns", "cue_size", "partial_cues", "partial_cues_runs",
           "overlapping_patterns_runs", "overlaps", "binary_correlation", "mean_pairwise_similarity", "jaccard",
           "paired_code_correlations", "code_correlation"]


@njit(cache=True, inline="always")
def floyd_subset(state, n, size, member, out):
    """Write a uniform random ``size``-subset of ``range(n)``, sorted, into ``out[:size]`` (Floyd's algorithm).

    ``member`` is a boolean work array of length ``n``, all False on entry and on return.
    """
    for t in range(size):
        j = n - size + t
        v = _rnd.next_below(state, j + 1)
        if member[v]:
            v = j
        member[v] = True
        out[t] = v
    if n <= 16 * size:  # reading the subset off the membership array (in order) is cheaper than sorting it
        c = 0
        for v in range(n):
            if member[v]:
                out[c] = v
                c += 1
                member[v] = False
    else:
        for t in range(size):
            member[out[t]] = False
        out[:size].sort()


@njit(cache=True, parallel=True)
def _subsets_kernel(seeds, n, out):
    for r in prange(out.shape[0]):
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[r]
        member = np.zeros(n, dtype=np.bool_)
        for p in range(out.shape[1]):
            floyd_subset(state, n, out.shape[2], member, out[r, p])


@njit(cache=True, parallel=True)
def _partial_kernel(seeds, patterns, out):
    s = patterns.shape[2]
    m = out.shape[2]
    for r in prange(out.shape[0]):
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[r]
        member = np.zeros(s, dtype=np.bool_)
        keep = np.empty(m, dtype=np.int32)
        for p in range(out.shape[1]):
            floyd_subset(state, s, m, member, keep)
            for t in range(m):  # positions ascending -> indices ascending
                out[r, p, t] = patterns[r, p, keep[t]]


@njit(cache=True, parallel=True)
def _overlapping_kernel(seeds, patterns, n, m, out):
    s = patterns.shape[2]
    for r in prange(out.shape[0]):
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[r]
        member = np.zeros(max(n, s), dtype=np.bool_)
        keep = np.empty(max(m, 1), dtype=np.int32)
        new = np.empty(max(s - m, 1), dtype=np.int32)
        outside = np.empty(n - s, dtype=np.int32)
        in_pattern = np.zeros(n, dtype=np.bool_)
        for p in range(out.shape[1]):
            floyd_subset(state, s, m, member, keep)  # positions of the kept ones
            for t in range(s):
                in_pattern[patterns[r, p, t]] = True
            c = 0
            for v in range(n):
                if not in_pattern[v]:
                    outside[c] = v
                    c += 1
            floyd_subset(state, n - s, s - m, member, new)  # positions among the cells outside the pattern
            for t in range(s):
                in_pattern[patterns[r, p, t]] = False
            for t in range(m):
                in_pattern[patterns[r, p, keep[t]]] = True
            for t in range(s - m):
                in_pattern[outside[new[t]]] = True
            c = 0
            for v in range(n):
                if in_pattern[v]:
                    out[r, p, c] = v
                    c += 1
                    in_pattern[v] = False


def overlapping_patterns_runs(seeds: np.ndarray, patterns: np.ndarray, n: int, overlap: float) -> np.ndarray:
    """Patterns that share a set fraction of their ones with given patterns (one kernel seed per run).

    Each new pattern keeps ``round(overlap * s)`` of the ``s`` ones of its pattern (chosen at random) and places
    the other ones on cells outside the pattern (uniformly), so it has ``s`` ones like the original and shares
    exactly ``round(overlap * s)`` with it: controlled input similarity for pattern separation and completion.

    Parameters
    ----------
    seeds : uint64 array (R,)
    patterns : int array (R, P, s)
        Sorted index sets of ones in ``range(n)``.
    n : int
        Cells in the layer (``n >= 2 s`` is not required, but ``n - s`` cells must hold the new ones).
    overlap : float
        Fraction of shared ones, in [0, 1].

    Returns
    -------
    int32 (R, P, s), sorted.
    """
    if not 0.0 <= overlap <= 1.0:
        raise ValueError(f"overlap must be in [0, 1], got {overlap}")
    patterns = np.ascontiguousarray(patterns, dtype=np.int32)
    s = patterns.shape[-1]
    m = int(round(overlap * s))
    if s - m > n - s:
        raise ValueError(f"overlap={overlap} needs {s - m} new ones outside a pattern of {s} but only {n - s} of "
                         f"n={n} cells are outside it")
    if patterns.size and (patterns.min() < 0 or patterns.max() >= n):
        raise ValueError(f"patterns must hold cells in [0, {n - 1}]")
    out = np.empty_like(patterns)
    _overlapping_kernel(np.ascontiguousarray(seeds, dtype=np.uint64), patterns, n, m, out)
    return out


def binary_correlation(shared, size_a, size_b, n: int):
    """Pearson correlation of two binary population vectors of ``n`` cells from their sizes (active cells) and
    the cells they share: ``(n shared - a b) / sqrt(a (n - a) b (n - b))``; 0 for independent random patterns,
    1 for identical ones. NaN when a pattern is empty or full (no variance)."""
    shared, a, b = (np.asarray(x, dtype=np.float64) for x in (shared, size_a, size_b))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (n * shared - a * b) / np.sqrt(a * (n - a) * b * (n - b))
    return np.where((a > 0) & (a < n) & (b > 0) & (b < n), r, np.nan)


def code_correlation(codes, n: int) -> float:
    """Mean population-vector correlation over all pairs of codes: how much the codes of different memories
    overlap.

    Parameters
    ----------
    codes : sequence of array_like of int
        Codes as index sets of any size (e.g. the CA3 cells that fired for each memory); empty codes are
        left out.
    n : int
        Cells in the population.

    Returns
    -------
    float
        Mean of :func:`binary_correlation` over every pair of non-empty codes (pairs without variance left
        out); NaN when fewer than two codes have cells.
    """
    codes = [np.asarray(c) for c in codes if len(c)]
    if len(codes) < 2:
        return float("nan")
    dense = np.zeros((len(codes), n))
    for i, c in enumerate(codes):
        dense[i, c] = 1.0
    shared = dense @ dense.T
    sizes = dense.sum(axis=1)
    r = binary_correlation(shared, sizes[:, None], sizes[None, :], n)
    return float(np.nanmean(r[np.triu_indices(len(codes), 1)]))


def _check_subset(n, size):
    if not 0 <= size <= n:
        raise ValueError(f"size must be in [0, {n}], got {size}")


def random_subsets_runs(seeds: np.ndarray, n_sets: int, n: int, size: int) -> np.ndarray:
    """For each run seed (uint64), ``n_sets`` uniform random ``size``-subsets of ``range(n)``.

    Returns int32 of shape ``(n_runs, n_sets, size)``, each set sorted ascending.
    """
    _check_subset(n, size)
    seeds = np.ascontiguousarray(seeds, dtype=np.uint64)
    out = np.empty((seeds.size, n_sets, size), dtype=np.int32)
    _subsets_kernel(seeds, n, out)
    return out


def random_subsets(rng: np.random.Generator, n_sets: int, n: int, size: int) -> np.ndarray:
    """``n_sets`` subsets of ``range(n)``, each of exactly ``size`` elements, drawn uniformly (int32, sorted)."""
    return random_subsets_runs(_rnd.seeds_from([rng]), n_sets, n, size)[0]


def random_patterns(rng: np.random.Generator, n_patterns: int, n_visible: int, n_active: int) -> np.ndarray:
    """Random binary patterns with exactly ``n_active`` ones placed uniformly, as index sets ``(P, s)``."""
    if n_active < 1 or n_active > n_visible:
        raise ValueError(f"n_active must be in [1, {n_visible}] (n_visible), got {n_active}")
    return random_subsets(rng, n_patterns, n_visible, n_active)


def cue_size(level: float, n_active: int) -> int:
    """Ones kept in a partial cue at ``level``: ``int(level * n_active)``, checked to be at least one."""
    if not 0.0 < level <= 1.0:
        raise ValueError(f"cue level must be in (0, 1], got {level}")
    m = int(level * n_active)
    if m < 1:
        raise ValueError(f"cue level {level} keeps int({level} * {n_active}) = 0 ones; it must keep at least one")
    return m


def partial_cues_runs(seeds: np.ndarray, patterns: np.ndarray, level: float) -> np.ndarray:
    """Partial cues of ``patterns`` (R, P, s), one kernel seed per run; returns (R, P, int(level * s))."""
    patterns = np.ascontiguousarray(patterns, dtype=np.int32)
    m = cue_size(level, patterns.shape[-1])
    if m == patterns.shape[-1]:
        return patterns.copy()
    out = np.empty(patterns.shape[:2] + (m,), dtype=np.int32)
    _partial_kernel(np.ascontiguousarray(seeds, dtype=np.uint64), patterns, out)
    return out


def partial_cues(rng: np.random.Generator, patterns: np.ndarray, level: float) -> np.ndarray:
    """Partial cues: keep ``int(level * s)`` of each pattern's ``s`` ones, chosen at random, zero the rest.

    Parameters
    ----------
    rng : numpy.random.Generator
    patterns : ndarray of int, shape (P, s)
        Index sets.
    level : float
        Cue level in (0, 1]; ``level == 1`` returns the patterns themselves.

    Returns
    -------
    ndarray of int32, shape (P, int(level * s))
    """
    return partial_cues_runs(_rnd.seeds_from([rng]), np.asarray(patterns)[None], level)[0]


@njit(cache=True, parallel=True)
def _overlaps(a, b, out):
    for r in prange(a.shape[0]):
        i = j = c = 0
        while i < a.shape[1] and j < b.shape[1]:
            if a[r, i] == b[r, j]:
                c += 1
                i += 1
                j += 1
            elif a[r, i] < b[r, j]:
                i += 1
            else:
                j += 1
        out[r] = c


def overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number of shared ones between index sets ``a[..., :]`` and ``b[..., :]`` (both sorted ascending)."""
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape[:-1] != b.shape[:-1]:
        raise ValueError(f"pattern batches differ in shape: {a.shape[:-1]} and {b.shape[:-1]}")
    a2 = np.ascontiguousarray(a.reshape(-1, a.shape[-1]), dtype=np.int32)
    b2 = np.ascontiguousarray(b.reshape(-1, b.shape[-1]), dtype=np.int32)
    out = np.empty(a2.shape[0], dtype=np.int32)
    _overlaps(a2, b2, out)
    return out.reshape(a.shape[:-1])


def mean_pairwise_similarity(patterns: np.ndarray, n_visible: int) -> float:
    """Mean overlap / s over all distinct pairs of a set of patterns with ``s`` ones each."""
    patterns = np.asarray(patterns)
    p, s = patterns.shape
    if p < 2:
        raise ValueError("need at least two patterns")
    dense = np.zeros((p, n_visible), dtype=np.float64)
    np.put_along_axis(dense, patterns.astype(np.intp), 1.0, axis=1)
    gram = dense @ dense.T
    return float((gram.sum() - np.trace(gram)) / (p * (p - 1) * s))


def jaccard(a, b) -> float:
    """Jaccard index of two index sets (cells of two codes): ``|a & b| / |a | b|``, 1 when both are empty.

    Parameters
    ----------
    a, b : array_like of int
        Index sets of any sizes (repeats count once).

    Returns
    -------
    float in [0, 1]
    """
    union = len(np.union1d(a, b))
    return len(np.intersect1d(a, b)) / union if union else 1.0


def paired_code_correlations(codes_a, codes_b, n: int) -> np.ndarray:
    """Population-vector correlation of each pair of codes ``(codes_a[i], codes_b[i])``.

    The codes are binary vectors of ``n`` cells given as index sets of any size (for example the cells that
    fired for input A and for input B); the correlation of a pair is :func:`binary_correlation` of their sizes
    and the cells they share.

    Parameters
    ----------
    codes_a, codes_b : sequence of array_like of int
        Paired codes, the same number of each.
    n : int
        Cells in the population.

    Returns
    -------
    float64 array, one correlation per pair (NaN where a code is empty or holds every cell).
    """
    if len(codes_a) != len(codes_b):
        raise ValueError(f"codes_a and codes_b must pair up: got {len(codes_a)} and {len(codes_b)} codes")
    shared = [len(np.intersect1d(x, y)) for x, y in zip(codes_a, codes_b)]
    return binary_correlation(shared, [len(x) for x in codes_a], [len(y) for y in codes_b], n)
