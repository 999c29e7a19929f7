"""Seeding of independent runs and pseudo-random tie-breaking priorities.

Every run of a batched simulation owns its own :class:`numpy.random.Generator`, derived from the user's seed,
a named stream and the run's index. A run's numbers therefore do not depend on how runs are grouped into
batches, and two streams (for example the patterns and a model's initial weights) never share numbers.

Inside compiled kernels, a run's random numbers come from a SplitMix64 stream started from a 64-bit seed that
the run's generator draws (:func:`run_seeds`); bounded integers use Lemire's unbiased multiply-shift method.

Ties in k-winners-take-all selections are broken by a pseudo-random priority ``hash(key, stream, step, unit)``
(SplitMix64 finalizer). It is uniform over the tied units, costs nothing when there are no ties, and is the
same function in the batched kernels and in the single-network reference, so both make identical choices.
"""

from __future__ import annotations

import zlib

import numpy as np
from numba import njit

__all__ = ["run_generators", "run_seeds", "seeds_from", "stream_id", "step_key", "priorities"]

# Streams of tie-breaking priorities, one for each selection a model makes.
STREAM_LEARN_HIDDEN = np.uint64(0x1B873593)
STREAM_LEARN_RANDOM = np.uint64(0x2C1B3C6D)
STREAM_LEARN_READOUT = np.uint64(0x297A2D39)
STREAM_RECALL_HIDDEN = np.uint64(0x68E31DA4)
STREAM_RECALL_READOUT = np.uint64(0x1B56C4E9)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)


def stream_id(name: str) -> int:
    """A stable 32-bit integer for a stream name (used in :class:`numpy.random.SeedSequence` spawn keys)."""
    return zlib.crc32(name.encode("utf-8"))


def run_generators(seed: int, stream: str, runs) -> list[np.random.Generator]:
    """One independent generator per run.

    Parameters
    ----------
    seed : int
        The user's seed (a non-negative integer).
    stream : str
        What the numbers are for, e.g. ``"patterns"`` or ``"model:kwinner"``.
    runs : iterable of int or of tuple of int
        Run identifiers, e.g. ``range(20)`` or ``[(sample, run), ...]``.

    Returns
    -------
    list of numpy.random.Generator
        Generator ``i`` depends only on ``seed``, ``stream`` and ``runs[i]``.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    sid = stream_id(stream)
    gens = []
    for run in runs:
        key = (sid, *run) if isinstance(run, tuple) else (sid, int(run))
        gens.append(np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=key))))
    return gens


def seeds_from(rngs) -> np.ndarray:
    """One 64-bit kernel seed from each generator (uint64 array)."""
    return np.array([g.integers(0, 2**64, dtype=np.uint64) for g in rngs], dtype=np.uint64)


def run_seeds(seed: int, stream: str, runs) -> np.ndarray:
    """64-bit kernel seeds of runs: ``seeds_from(run_generators(seed, stream, runs))``."""
    return seeds_from(run_generators(seed, stream, runs))


@njit(cache=True, inline="always")
def _finalize(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def _mix64(z):
    return _finalize(z + _GOLDEN)


@njit(cache=True, inline="always")
def next_u64(state):
    """Next number of the SplitMix64 stream whose state is ``state[0]`` (a uint64 array of length 1)."""
    state[0] = state[0] + _GOLDEN
    return _finalize(state[0])


@njit(cache=True, inline="always")
def next_double(state):
    """Uniform float in [0, 1) with 53 random bits."""
    return np.float64(next_u64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def next_below(state, n):
    """Uniform integer in [0, n), 1 <= n < 2**32, without bias (Lemire 2019)."""
    bound = np.uint64(n)
    m = (next_u64(state) >> np.uint64(32)) * bound
    low = m & np.uint64(0xFFFFFFFF)
    if low < bound:
        threshold = (np.uint64(0x100000000) - bound) % bound
        while low < threshold:
            m = (next_u64(state) >> np.uint64(32)) * bound
            low = m & np.uint64(0xFFFFFFFF)
    return np.int64(m >> np.uint64(32))


@njit(cache=True, inline="always")
def step_key(key, stream, step):
    """The priority key of one selection (``key``: a run's uint64 key; ``step``: a non-negative int)."""
    return _mix64(_mix64(np.uint64(key) ^ np.uint64(stream)) + np.uint64(step))


@njit(cache=True, inline="always")
def priority(skey, unit):
    """Tie-breaking priority of ``unit`` in the selection ``skey``: the smaller one wins a tie."""
    return _mix64(np.uint64(skey) + np.uint64(unit))


def priorities(skey, n_units: int) -> np.ndarray:
    """Priorities of units ``0 .. n_units-1`` (vectorised NumPy version of :func:`priority`)."""
    z = np.uint64(skey) + np.arange(n_units, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = z + _GOLDEN
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)
