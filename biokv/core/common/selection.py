"""Hard k-winners-take-all selection.

``k_winners(values, k, skey)`` returns the indices of the ``k`` largest values, in ascending index order. Ties
at the threshold are broken by the pseudo-random priorities of :mod:`biokv.core.common.rng` (smaller priority
wins), so the choice among tied units is uniform and reproducible. :func:`k_winners_reference` is the plain
NumPy definition (sort by value, then priority); :func:`select_top_k` is the allocation-free kernel used by the
batched simulations. Both return the same set.

E%-max winners (de Almeida, Idiart & Lisman 2009, J Neurosci 29:7497): in each gamma cycle the cells whose
excitation is within a fraction ``E`` of the most excited cell's fire before the feedback inhibition they recruit
arrives, so the number of winners follows the spread of the excitation instead of being fixed.
:func:`e_max_winners` returns them as a boolean mask, batched along any axis: cell ``i`` wins when
``values[i] >= (1 - fraction) * max(values)`` and ``values[i] > 0`` (a layer with no positive drive has no
winners; with ``fraction = 1`` every positive cell wins, with ``fraction = 0`` only the maxima). There is no
tie-breaking: tied cells win or lose together. :func:`select_e_max` is the same rule as a numba kernel on one
vector, for the simulations.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from biokv.core.common.rng import priorities, priority

__all__ = ["e_max_winners", "k_winners", "k_winners_reference", "to_dense"]


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
        Selection key for tie-breaking (see :func:`biokv.core.common.rng.step_key`).
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    n = values.size
    if not 0 <= k <= n:
        raise ValueError(f"k must be in [0, {n}] (the number of units), got {k}")
    out = np.empty(k, dtype=np.int32)
    select_top_k(values, k, np.uint64(skey), out, new_work(n))
    return out


def to_dense(indices: np.ndarray, n: int, dtype=np.int8) -> np.ndarray:
    """Binary patterns from index sets: ``(..., m)`` indices -> ``(..., n)`` array with ones at the indices."""
    indices = np.asarray(indices)
    dense = np.zeros(indices.shape[:-1] + (n,), dtype=dtype)
    np.put_along_axis(dense, indices.astype(np.intp), 1, axis=-1)
    return dense


def e_max_winners(values, fraction, axis: int = -1) -> np.ndarray:
    """E%-max winners: the cells within ``fraction`` of the most excited one, along ``axis``.

    Parameters
    ----------
    values : array_like, at least 1-d
        Excitation of each cell (finite); ``axis`` runs over the cells of a layer, the other axes are batches
        (e.g. runs and patterns).
    fraction : float or array_like
        ``E`` in [0, 1]: a scalar, or an array broadcastable to ``values`` with ``axis`` removed (one fraction
        per layer instance).
    axis : int
        The axis of the cells.

    Returns
    -------
    bool ndarray, shape of ``values``
        True where ``values >= (1 - fraction) * max(values along axis)`` and ``values > 0``: all False where
        the maximum is not positive. The number of winners varies from one instance to the next.

    Raises
    ------
    ValueError
        If ``values`` is 0-d or holds NaN or infinities, ``axis`` is out of range, or ``fraction`` is not in
        [0, 1] or does not broadcast.

    Examples
    --------
    >>> e_max_winners([[1.0, 0.95, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0]], 0.1)
    array([[ True,  True, False, False],
           [False, False, False, False]])
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 0:
        raise ValueError("values must have at least one axis (the cells), got a scalar")
    if not -values.ndim <= axis < values.ndim:
        raise ValueError(f"axis must be in [{-values.ndim}, {values.ndim - 1}] for values of shape "
                         f"{values.shape}, got {axis}")
    axis %= values.ndim
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite (no NaN or infinity)")
    fraction = np.asarray(fraction, dtype=np.float64)
    if not np.all((fraction >= 0.0) & (fraction <= 1.0)):  # False for NaN too
        got = repr(float(fraction)) if fraction.ndim == 0 else "an array with values outside"
        raise ValueError(f"fraction must be in [0, 1], got {got}")
    batch = values.shape[:axis] + values.shape[axis + 1:]
    try:
        fraction = np.broadcast_to(fraction, batch)
    except ValueError:
        raise ValueError(f"fraction must be a scalar or broadcastable to the shape of values without axis "
                         f"{axis}, {batch}; got shape {fraction.shape}") from None
    if values.shape[axis] == 0:
        return np.zeros(values.shape, dtype=bool)
    threshold = (1.0 - np.expand_dims(fraction, axis)) * values.max(axis=axis, keepdims=True)
    return (values >= threshold) & (values > 0.0)


@njit(cache=True)
def select_e_max(values, fraction, mask):
    """E%-max winners of one vector ``values`` (finite) into the boolean ``mask`` (same size); returns how many.

    The rule of :func:`e_max_winners` with a scalar ``fraction`` in [0, 1]; the threshold is computed the same
    way, so both give the same mask.
    """
    n = values.size
    m = 0.0  # a winner needs a positive value, so a non-positive maximum leaves none
    for i in range(n):
        m = max(m, values[i])
    threshold = (1.0 - fraction) * m
    count = 0
    for i in range(n):
        win = values[i] >= threshold and values[i] > 0.0
        mask[i] = win
        if win:
            count += 1
    return count


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


@njit(cache=True)
def new_work(n):
    """Work arrays of :func:`select_top_k` for up to ``n`` values, with a fresh threshold hint (-inf)."""
    hint = np.empty(1)
    hint[0] = -np.inf
    return (np.empty(n), np.empty(n), np.empty(n, np.int32), np.empty(n, np.uint64), np.empty(n + 1),
            np.empty(n + 1, np.int32), np.empty(n, np.uint8), np.empty(_N_BUCKETS, np.int64), hint)


@njit(cache=True, fastmath={"nnan", "ninf"})
def _bucket_select(vals, ids, m, k, skey, out, work):
    """Winners among ``vals[:m]`` (unit ids ``ids[:m]``, ascending) into ``out[:k]``; returns a new hint.

    One branch-free pass sorts the values into equal-width buckets between their minimum and maximum; every
    unit in a bucket above the one holding the k-th largest value wins; the values in that bucket are resolved
    exactly, and exact ties at the threshold by priority. The hint returned is the lower edge of the bucket
    where about 3k values lie above, a guess of where the next selection's candidates start.
    """
    buf, buf2, tied, prio, _, _, bucket, counts, _ = work
    lo = vals[0]
    hi = vals[0]
    for i in range(m):
        lo = min(lo, vals[i])
        hi = max(hi, vals[i])
    n_win = 0
    n_cand = 0
    hint = lo
    if hi > lo:
        scale = (_N_BUCKETS - 0.5) / (hi - lo)
        counts[:] = 0
        for i in range(m):
            bucket[i] = np.uint8((vals[i] - lo) * scale)
        for i in range(m):
            counts[bucket[i]] += 1
        above = 0
        b = _N_BUCKETS - 1
        while above + counts[b] < k:
            above += counts[b]
            b -= 1
        more = above
        bh = b
        while bh > 0 and more + counts[bh] < 3 * k:
            more += counts[bh]
            bh -= 1
        hint = lo + bh / scale
    else:  # all values equal: one bucket, every value a candidate
        bucket[:m] = 0
        b = 0
    for i in range(m):
        bi = bucket[i]
        if bi > b:
            out[n_win] = ids[i]
            n_win += 1
        elif bi == b:
            tied[n_cand] = ids[i]
            buf[n_cand] = vals[i]
            buf2[n_cand] = vals[i]
            n_cand += 1
    need = k - n_win
    threshold = _nth_largest(buf, n_cand, need)  # reorders buf; buf2 keeps the candidates' order
    n_tied = 0
    for c in range(n_cand):
        v = buf2[c]
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
    return hint


@njit(cache=True)
def select_top_k(values, k, skey, out, work):
    """Write the ``k`` winners of ``values`` (no NaN) into ``out[:k]`` in ascending order.

    ``work`` comes from :func:`new_work`; its hint carries over between calls. Candidates are the values at or
    above the hint (one branch-free pass); if fewer than ``k`` qualify, all values are candidates. Every winner is
    at least the k-th largest value, which is at least the hint, so the winners are among the candidates and the
    result is the same as without the hint: only the work changes.
    """
    n = values.size
    if k == 0:
        return
    if k == n:
        for i in range(n):
            out[i] = i
        return
    cvals, cids, hint = work[4], work[5], work[8]
    h = hint[0]
    m = 0
    for i in range(n):
        v = values[i]
        cvals[m] = v
        cids[m] = i
        m += v >= h
    if m < k:
        for i in range(n):
            cvals[i] = values[i]
            cids[i] = i
        m = n
    hint[0] = _bucket_select(cvals, cids, m, k, skey, out, work)
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
