"""Sparse binary patterns as index sets.

A binary pattern of size ``n`` with exactly ``s`` ones is stored as the sorted ``int32`` indices of its ones,
so a batch of patterns is an array of shape ``(..., s)``. :func:`biokv.core.selection.to_dense` turns index sets
into 0/1 arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from . import random as _rnd

__all__ = ["random_subsets", "random_subsets_runs", "random_patterns", "cue_size", "partial_cues", "partial_cues_runs",
           "overlaps", "mean_pairwise_similarity"]


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
