"""Hard k-winners-take-all selection.

``k_winners(values, k, skey)`` returns the indices of the ``k`` largest values, in ascending index order. Ties
at the threshold are broken by the pseudo-random priorities of :mod:`biokv.core.random` (smaller priority
wins), so the choice among tied units is uniform and reproducible. :func:`k_winners_reference` is the plain
NumPy definition (sort by value, then priority); :func:`select_top_k` is the allocation-free kernel used by the
batched simulations. Both return the same set.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .random import priorities, priority

__all__ = ["k_winners", "k_winners_reference", "to_dense"]


def k_winners_reference(values: np.ndarray, k: int, skey) -> np.ndarray:
    """Indices of the ``k`` largest ``values`` (ties: smaller priority, then smaller index), sorted ascending."""
    values = np.asarray(values, dtype=np.float64)
    n = values.size
    if not 0 <= k <= n:
        raise ValueError(f"k must be in [0, {n}] (the number of units), got {k}")
    order = np.lexsort((np.arange(n), priorities(skey, n), -values))
    return np.sort(order[:k])


def k_winners(values: np.ndarray, k: int, skey=0) -> np.ndarray:
    """Hard k-WTA: indices of the ``k`` largest ``values``, sorted ascending.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Activations.
    k : int
        Number of winners, ``0 <= k <= n``.
    skey : int
        Selection key for tie-breaking (see :func:`biokv.core.random.step_key`).
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    n = values.size
    if not 0 <= k <= n:
        raise ValueError(f"k must be in [0, {n}] (the number of units), got {k}")
    out = np.empty(k, dtype=np.int32)
    select_top_k(values, k, np.uint64(skey), out, np.empty(n), np.empty(n, np.int32), np.empty(n, np.uint64))
    return out


def to_dense(indices: np.ndarray, n: int, dtype=np.int8) -> np.ndarray:
    """Binary patterns from index sets: ``(..., m)`` indices -> ``(..., n)`` array with ones at the indices."""
    indices = np.asarray(indices)
    dense = np.zeros(indices.shape[:-1] + (n,), dtype=dtype)
    np.put_along_axis(dense, indices.astype(np.intp), 1, axis=-1)
    return dense


@njit(cache=True)
def _quickselect_largest(buf, n, k):
    """The k-th largest (1-based) of ``buf[:n]``; reorders ``buf`` (Hoare quickselect, median-of-three)."""
    target = n - k  # position of the k-th largest in ascending order
    lo, hi = 0, n - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        a, b, c = buf[lo], buf[mid], buf[hi]
        if a < b:
            pivot = b if b < c else (c if a < c else a)
        else:
            pivot = a if a < c else (c if b < c else b)
        i, j = lo, hi
        while i <= j:
            while buf[i] < pivot:
                i += 1
            while buf[j] > pivot:
                j -= 1
            if i <= j:
                buf[i], buf[j] = buf[j], buf[i]
                i += 1
                j -= 1
        if target <= j:
            hi = j
        elif target >= i:
            lo = i
        else:
            return buf[target]
    return buf[target]


@njit(cache=True)
def _nth_largest(buf, n, k):
    """The k-th largest (1-based) of ``buf[:n]``; reorders ``buf``. Insertion sort for small ``n``."""
    if n > 32:
        return _quickselect_largest(buf, n, k)
    for a in range(1, n):
        v = buf[a]
        b = a - 1
        while b >= 0 and buf[b] < v:
            buf[b + 1] = buf[b]
            b -= 1
        buf[b + 1] = v
    return buf[k - 1]


_N_BUCKETS = 256


@njit(cache=True, fastmath={"nnan", "ninf"})
def select_top_k(values, k, skey, out, buf, tied, prio):
    """Write the ``k`` winners of ``values`` into ``out[:k]`` in ascending order.

    ``buf`` (float64), ``tied`` (int32) and ``prio`` (uint64) are work arrays of at least ``values.size``;
    ``values`` must not contain NaN. Bucket selection: one branch-free pass counts values into equal-width buckets between the minimum and the
    maximum; every unit in a bucket above the one holding the k-th largest value wins; the few values in that
    bucket are resolved exactly, and exact ties at the threshold by priority.
    """
    n = values.size
    if k == 0:
        return
    if k == n:
        for i in range(n):
            out[i] = i
        return
    lo = values[0]
    hi = values[0]
    for i in range(n):
        lo = min(lo, values[i])
        hi = max(hi, values[i])
    n_win = 0
    n_cand = 0
    if hi > lo:
        scale = (_N_BUCKETS - 0.5) / (hi - lo)
        counts = np.zeros(_N_BUCKETS, dtype=np.int64)
        bucket = np.empty(n, dtype=np.uint8)
        for i in range(n):
            bucket[i] = np.uint8((values[i] - lo) * scale)
        for i in range(n):
            counts[bucket[i]] += 1
        above = 0
        b = _N_BUCKETS - 1
        while above + counts[b] < k:
            above += counts[b]
            b -= 1
        for i in range(n):
            bi = bucket[i]
            if bi > b:
                out[n_win] = i
                n_win += 1
            elif bi == b:
                tied[n_cand] = i
                buf[n_cand] = values[i]
                n_cand += 1
    else:
        for i in range(n):
            tied[i] = i
            buf[i] = values[i]
        n_cand = n
    need = k - n_win
    # resolve the candidates: those above the need-th largest win; exact ties go by priority
    cand_values = buf[:n_cand].copy()
    threshold = _nth_largest(buf, n_cand, need)
    n_tied = 0
    for c in range(n_cand):
        v = cand_values[c]
        if v > threshold:
            out[n_win] = tied[c]
            n_win += 1
        elif v == threshold:
            tied[n_tied] = tied[c]
            n_tied += 1
    need = k - n_win
    if need == n_tied:
        for t in range(n_tied):
            out[n_win + t] = tied[t]
    else:
        for t in range(n_tied):
            prio[t] = priority(skey, tied[t])
        order = np.argsort(prio[:n_tied], kind="mergesort")
        for t in range(need):
            out[n_win + t] = tied[order[t]]
    out[:k].sort()


@njit(cache=True)
def select_random_k(n, k, skey, out, prio):
    """Write ``k`` units drawn uniformly without replacement (the ``k`` smallest priorities) into ``out[:k]``."""
    for i in range(n):
        prio[i] = priority(skey, i)
    order = np.argsort(prio[:n], kind="mergesort")
    for t in range(k):
        out[t] = order[t]
    out[:k].sort()
