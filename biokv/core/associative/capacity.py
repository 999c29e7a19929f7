"""Storage capacity of one-step associative memories on random patterns, measured and predicted.

A memory of the first ``n`` pairs ``(x_i, y_i)`` *stores every pattern* when each stored key recalls its value
exactly. The measured capacity ``n_max`` of a sequence of random patterns is the largest ``n`` such that the
memories of the first 1, 2, ..., ``n`` pairs all do: one less than the first ``n`` at which some pattern fails.

Networks (``x_i, y_i`` in {-1, 1}^d, drawn uniformly):

- ``"hetero"``: the one-step hetero-associative Hopfield network ``sign(W x)``, ``W = sum_i y_i x_i^T``;
  bit ``j`` of pattern ``i`` is right when ``y_ij (W x_i)_j > 0``.
- ``"auto"``: the classical Hopfield network (``y_i = x_i``, zero diagonal); pattern ``i`` is stored when it is
  a fixed point of the dynamics, ``x_ij (W x_i)_j >= 0`` for every ``j`` (a zero field keeps the state).
- ``"modern"``: the one-step modern Hopfield network ``sign(sum_i exp(beta <x, x_i>) y_i)``; strict like
  ``"hetero"``.

The kernel adds one pair at a time and updates every stored pattern's field, ``O(n_max^2 d)`` per run, without
forming the ``n x n`` Gram matrix. Patterns are drawn in blocks of :data:`BLOCK` pairs, block ``b`` of run ``r``
from its own generator, so ``n_max`` does not depend on how far ahead patterns were drawn.

Predictions: a bit's field is ``d + S`` (``d - 1 + S`` for ``"auto"``) where ``S`` is a sum of ``(n - 1) d``
(``(n - 1)(d - 1)``) independent signs, so the bit error probability is an exact binomial tail (Hsu 2025;
McEliece et al. 1987). Treating the ``n d`` bits as independent, the median ``n_max`` is where the expected
number of wrong bits reaches ``ln 2``. Asymptotically both networks store ``d / (4 ln d)`` patterns with every
pattern exact (McEliece et al. 1987); the modern network stores ``exp(alpha d)`` patterns for every
``alpha < ln(2) / 2`` at ``beta = 1`` (Demircigil et al. 2017, exact retrieval). No memory can do better than
storing keys until two of them coincide (with different values): :func:`duplicate_free_capacity`, the birthday
bound, whose rate is also ``ln(2) / 2``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from scipy import optimize, stats

from biokv.core.associative.memories import check_binary
from biokv.core.common.rng import run_generators

__all__ = ["NETWORKS", "BLOCK", "random_binary_pairs", "first_failure", "measure_capacity", "bit_error_probability",
           "predicted_capacity", "duplicate_free_capacity", "THEOREM_CONSTANT",
           "MODERN_RATE_BOUND"]

NETWORKS = ("hetero", "auto", "modern")
BLOCK = 1024
THEOREM_CONSTANT = 0.25  # n_max ~ d / (4 ln d): every pattern exact (McEliece et al. 1987)
MODERN_RATE_BOUND = math.log(2.0) / 2.0  # n_max = exp(alpha d), alpha < ln 2 / 2 at beta = 1 (Demircigil et al.)

_KIND = {"hetero": 0, "auto": 1, "modern": 2}


@njit(cache=True, parallel=True)
def _first_failure_kernel(X, Y, kind, beta, counts):
    """For each run, the first pattern count at which some stored pattern fails (``counts[r]``), or
    ``n_cap + 1`` when none does. ``X``: keys (runs, n_cap, d); ``Y``: values (runs, n_cap, d_v); ``kind``: 0, 1
    or 2 as in ``_KIND``."""
    runs, n_cap, d = X.shape
    d_v = Y.shape[2]
    for r in prange(runs):
        S = np.zeros((n_cap, d_v))
        counts[r] = n_cap + 1
        for p in range(n_cap):
            for i in range(p + 1):
                g = 0.0
                for m in range(d):
                    g += X[r, i, m] * X[r, p, m]
                if kind == 2:
                    w = math.exp(beta * (g - d))  # scaled by exp(-beta d): signs unchanged, no overflow
                else:
                    w = g
                for c in range(d_v):
                    S[i, c] += w * Y[r, p, c]
                if i < p:
                    for c in range(d_v):
                        S[p, c] += w * Y[r, i, c]
            if kind == 1:  # zero diagonal: every stored pattern contributes -x_i to pattern i's own field
                for i in range(p):
                    for c in range(d_v):
                        S[i, c] -= Y[r, i, c]
                for c in range(d_v):
                    S[p, c] -= (p + 1) * Y[r, p, c]
            failed = False
            for i in range(p + 1):
                for c in range(d_v):
                    margin = S[i, c] * Y[r, i, c]
                    if margin < 0.0 or (margin == 0.0 and kind != 1):
                        failed = True
                        break
                if failed:
                    break
            if failed:
                counts[r] = p + 1
                break


def _check_network(network: str, beta: float):
    if network not in NETWORKS:
        raise ValueError(f"network={network!r} is not allowed: must be one of {', '.join(NETWORKS)}")
    if network == "modern" and (not np.isfinite(beta) or beta <= 0):
        raise ValueError(f"beta={beta!r} is out of range: must be a finite number > 0")


def first_failure(keys, values, network: str, beta: float = 1.0) -> np.ndarray:
    """The first number of stored pairs at which some stored pattern is not recalled exactly, per run.

    Parameters
    ----------
    keys : array (runs, n, d) in {-1, 1}
    values : array (runs, n, d_v) in {-1, 1}; ignored (the keys are the values) for ``network="auto"``
    network : {"hetero", "auto", "modern"}
    beta : float
        Inverse temperature of the modern network.

    Returns
    -------
    ndarray (runs,) of int
        ``n_fail`` in 1..n; ``n + 1`` where all ``n`` pairs are stored (the capacity is at least ``n``).
    """
    _check_network(network, beta)
    keys = check_binary(keys, "keys")
    values = keys if network == "auto" else check_binary(values, "values", runs=keys.shape[0])
    if values.shape[1] != keys.shape[1]:
        raise ValueError(f"keys and values must hold the same number of patterns, got {keys.shape[1]} and "
                         f"{values.shape[1]}")
    counts = np.zeros(keys.shape[0], dtype=np.int64)
    _first_failure_kernel(np.ascontiguousarray(keys), np.ascontiguousarray(values), _KIND[network], float(beta),
                          counts)
    return counts


def random_binary_pairs(seed: int, stream: str, runs, n: int, d: int, d_v: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` random key-value pairs in {-1, 1}^d x {-1, 1}^d_v of each run (runs: identifiers).

    Block ``b`` of :data:`BLOCK` pairs of run ``r`` comes from generator ``(seed, stream, (r, b))``: the first
    ``n`` pairs are the same whatever ``n`` is.
    """
    runs = list(runs)
    n_blocks = -(-n // BLOCK)
    keys = np.empty((len(runs), n_blocks * BLOCK, d))
    values = np.empty((len(runs), n_blocks * BLOCK, d_v))
    for b in range(n_blocks):
        gens = run_generators(seed, stream, [(r, b) if not isinstance(r, tuple) else (*r, b) for r in runs])
        for i, g in enumerate(gens):
            sl = slice(b * BLOCK, (b + 1) * BLOCK)
            keys[i, sl] = 2.0 * g.integers(0, 2, size=(BLOCK, d)) - 1.0
            values[i, sl] = 2.0 * g.integers(0, 2, size=(BLOCK, d_v)) - 1.0
    return keys[:, :n], values[:, :n]


def measure_capacity(seed: int, stream: str, runs, d: int, network: str, beta: float = 1.0,
                     n_start: int = 64, n_limit: int = 2**20) -> np.ndarray:
    """Measured capacity ``n_max`` of each run: random pairs are added until some stored pattern fails.

    Runs whose patterns all survive ``n`` pairs are measured again with ``2 n`` (the same first ``n`` pairs),
    up to ``n_limit``; a run still without failure there raises an error (raise ``n_limit``).

    Parameters
    ----------
    seed, stream, runs
        Where the patterns come from (see :func:`random_binary_pairs`).
    d : int
        Pattern dimension (values have the same dimension).
    network, beta
        See :func:`first_failure`.
    """
    _check_network(network, beta)
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"d={d!r} is out of range: must be an integer >= 1")
    runs = list(runs)
    n_max = np.full(len(runs), -1, dtype=np.int64)
    pending = np.arange(len(runs))
    n = max(1, int(n_start))
    while pending.size:
        if n > n_limit:
            raise RuntimeError(f"no pattern failed within n_limit={n_limit} pairs (d={d}, network={network!r}); "
                               "raise n_limit")
        keys, values = random_binary_pairs(seed, stream, [runs[i] for i in pending], n, d, d)
        fail = first_failure(keys, values, network, beta)
        done = fail <= n
        n_max[pending[done]] = fail[done] - 1
        pending = pending[~done]
        n *= 2
    return n_max


def bit_error_probability(n, d, network: str = "hetero") -> np.ndarray:
    """Probability that one bit of a stored pattern is wrong with ``n`` stored random pairs.

    ``"hetero"``: ``P(S <= -d)``, ``S`` a sum of ``(n - 1) d`` independent signs (a zero field is an error);
    ``"auto"``: ``P(S < -(d - 1))``, ``S`` a sum of ``(n - 1)(d - 1)`` signs (zero diagonal; a zero field keeps
    the state). Exact binomial tails.
    """
    if network not in ("hetero", "auto"):
        raise ValueError(f"network={network!r} is not allowed: must be 'hetero' or 'auto'")
    n = np.asarray(n, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64)
    m = (n - 1) * (d if network == "hetero" else d - 1)
    # S = 2 B - m with B ~ Binomial(m, 1/2); hetero: S <= -d <=> B <= (m - d) / 2; auto: S <= -d likewise
    # (S has the parity of m, and -(d - 1) - 1 = -d)
    return stats.binom.cdf(np.floor((m - d) / 2.0), np.maximum(m, 0), 0.5)


def predicted_capacity(d: int, network: str = "hetero") -> float:
    """Median ``n_max`` if the ``n d`` bits failed independently: the ``n`` where ``n d p(n) = ln 2``.

    Found on the continuous extension of the binomial tail (the regularised incomplete beta function).
    """
    if network not in ("hetero", "auto"):
        raise ValueError(f"network={network!r} is not allowed: must be 'hetero' or 'auto'")
    d = float(d)
    width = d if network == "hetero" else d - 1

    def excess(log_n):
        n = math.exp(log_n)
        m = (n - 1) * width
        k = (m - d) / 2.0
        p = 0.0 if k < 0 else float(stats.beta.sf(0.5, k + 1, m - k)) if m > k else 1.0
        return math.log(max(n * d * p, 1e-300)) - math.log(math.log(2.0))

    lo, hi = math.log(2.0), math.log(max(4.0, d * d))
    return float(math.exp(optimize.brentq(excess, lo, hi, xtol=1e-10)))


def duplicate_free_capacity(d: int) -> float:
    """Median ``n_max`` if pairs failed only when a key repeats: the largest ``n`` with
    ``P(n random keys in {-1, 1}^d all distinct) = prod_{i < n} (1 - i / 2^d) >= 1/2`` (birthday problem; for
    ``d > 40`` the approximation ``n (n - 1) / 2^(d + 1) = ln 2``)."""
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"d={d!r} is out of range: must be an integer >= 1")
    if d > 40:
        return float(math.floor(0.5 + math.sqrt(0.25 + 2.0 ** (d + 1) * math.log(2.0))))
    size = 2.0 ** d
    i = np.arange(int(min(size, 4 * math.sqrt(size) + 16)))
    log_p = np.cumsum(np.log1p(-i / size))  # log_p[n - 1] = log P(first n distinct)
    return float(np.count_nonzero(log_p >= math.log(0.5)))
