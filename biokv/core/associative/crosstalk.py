"""Crosstalk in the outer-product key-value memory: random keys of several kinds and their readout noise.

``N`` pairs ``(k_i, v_i)`` with random values ``v_i`` in {-1, 1}^d_v are written into ``M = sum_i v_i k_i^T``;
reading a stored key gives ``M k_i = (k_i . k_i) v_i + sum_{j != i} (k_j . k_i) v_j``. The *readout noise* is the
deviation ``M k_i - v_i``; for random values its mean is zero and its mean square per component is

    E[(k_i . k_i - 1)^2] + (N - 1) E[(k_j . k_i)^2].

Key kinds (dimension ``d``):

- ``"binary"``: ``{-1, 1}^d / sqrt(d)`` (unit length). Mean square ``(N - 1) / d``: noise sd ``sqrt(N / d)``.
- ``"gaussian"``: ``N(0, I / d)`` (unit length on average). ``(N + 1) / d`` (``Var |k|^2 = 2 / d``).
- ``"gain"``: binary keys times a log-normal gain ``g = exp(sigma z - sigma^2)`` (``E g^2 = 1``), as when
  inputs arrive with unequal strengths: ``exp(4 sigma^2) - 1 + (N - 1) / d``, a floor that more dimensions do
  not remove. Writing and reading them with key normalisation gives the binary result back.
- ``"rate"``: non-negative firing-rate keys, ``s = round(f d)`` active units of ``d`` at ``1 / sqrt(s)``
  (unit length). Two keys share a hypergeometric number ``o`` of units, ``E[(k_j . k_i)^2] = E[o^2] / s^2``,
  which is ``f^2 + (1 - f) / d`` approximately: dense rate codes are never near-orthogonal, sparse ones are.

With binary keys the sign readout is the one-step hetero-associative Hopfield network: its bit error rate is
:func:`biokv.core.associative.capacity.bit_error_probability`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["KEY_KINDS", "random_keys", "random_signs", "readout_mse_theory", "active_units"]

KEY_KINDS = ("binary", "gaussian", "gain", "rate")


def active_units(d: int, fraction: float) -> int:
    """Active units ``s = round(fraction d)`` of a rate key, at least 1."""
    return max(1, int(round(fraction * d)))


def _check_kind(kind: str):
    if kind not in KEY_KINDS:
        raise ValueError(f"kind={kind!r} is not allowed: must be one of {', '.join(KEY_KINDS)}")


def random_signs(rngs, n: int, d: int) -> np.ndarray:
    """Uniform {-1, 1} vectors, shape ``(len(rngs), n, d)``; run ``r`` uses ``rngs[r]``."""
    return np.stack([2.0 * g.integers(0, 2, size=(n, d)) - 1.0 for g in rngs])


def random_keys(rngs, n: int, d: int, kind: str, *, gain_sd: float = 0.5, fraction: float = 0.5) -> np.ndarray:
    """``n`` random keys of dimension ``d`` for each run, shape ``(len(rngs), n, d)``.

    Parameters
    ----------
    rngs : sequence of numpy.random.Generator
        One generator per run.
    kind : {"binary", "gaussian", "gain", "rate"}
        See the module docstring.
    gain_sd : float
        ``sigma`` of the log-normal gain of ``"gain"`` keys (>= 0).
    fraction : float
        Fraction of active units of ``"rate"`` keys, in (0, 1].
    """
    _check_kind(kind)
    if not gain_sd >= 0:
        raise ValueError(f"gain_sd={gain_sd!r} is out of range: must be >= 0")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction={fraction!r} is out of range: must be in (0, 1]")
    if kind in ("binary", "gain"):
        keys = random_signs(rngs, n, d) / np.sqrt(d)
        if kind == "gain":
            z = np.stack([g.standard_normal((n, 1)) for g in rngs])
            keys *= np.exp(gain_sd * z - gain_sd**2)
        return keys
    if kind == "gaussian":
        return np.stack([g.standard_normal((n, d)) for g in rngs]) / np.sqrt(d)
    s = active_units(d, fraction)
    keys = np.zeros((len(rngs), n, d))
    for r, g in enumerate(rngs):
        idx = np.argsort(g.random((n, d)), axis=1)[:, :s]
        np.put_along_axis(keys[r], idx, 1.0 / np.sqrt(s), axis=1)
    return keys


def readout_mse_theory(n_pairs, d, kind: str, *, gain_sd: float = 0.5, fraction: float = 0.5,
                       normalized: bool = False) -> np.ndarray:
    """Expected mean square readout noise per value component (see the module docstring), broadcast over
    ``n_pairs`` and ``d``. ``normalized``: keys and queries scaled to unit length (exact unit length for every
    kind but ``"gaussian"``, whose normalised keys are uniform on the sphere: ``(N - 1) / d``)."""
    _check_kind(kind)
    n = np.asarray(n_pairs, dtype=np.float64)
    d_arr = np.asarray(d, dtype=np.float64)
    cross = n - 1.0
    if kind == "rate":
        def second_moment(dd):
            s = active_units(int(dd), fraction)
            h = stats.hypergeom(int(dd), s, s)
            return (h.var() + h.mean() ** 2) / s**2

        return cross * np.vectorize(second_moment)(d_arr)
    if normalized or kind == "binary":
        return cross / d_arr
    if kind == "gaussian":
        return (n + 1.0) / d_arr
    return np.exp(4.0 * gain_sd**2) - 1.0 + cross / d_arr  # gain, raw
