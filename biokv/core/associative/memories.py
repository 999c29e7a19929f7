"""Classical associative memories, batched over independent runs.

Every array has a leading *run* axis: ``keys`` of shape ``(runs, n, d)`` hold ``n`` keys of dimension ``d`` for
each run, and a run's memory never sees another run's patterns.

- :class:`OuterProductMemory`: the Hebbian key-value memory of Gershman, Fiete & Irie (2025), written
  ``M += eta v k^T`` and read ``v_hat = M q``, with optional key normalisation and a threshold or top-``s``
  readout.
- :class:`HopfieldNetwork`: the classical auto-associative network ``W = sum_i x_i x_i^T`` (zero diagonal) on
  patterns in {-1, 1}^d, with synchronous and asynchronous sign dynamics and the energy ``-x^T W x / 2``.
- :func:`hetero_hopfield_recall`: the one-step hetero-associative Hopfield network ``sign(W x)``,
  ``W = sum_i y_i x_i^T`` (Hsu 2025).
- :func:`modern_hopfield_recall`: the one-step modern Hopfield network ``sign(sum_i exp(beta <x, x_i>) y_i)``
  (Demircigil et al. 2017; Krotov & Hopfield 2021) and its softmax-weighted form, which is attention with query
  ``x``, keys ``x_i`` and values ``y_i`` (Ramsauer et al. 2021).

Sign conventions: ``sign(0) = 0`` in one-step recall (a zero field recalls no bit, so it counts as an error); the
Hopfield dynamics keep a unit's state when its field is exactly zero.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_binary", "check_batch", "OuterProductMemory", "top_s", "HopfieldNetwork",
           "hetero_hopfield_recall", "modern_hopfield_recall", "READOUTS"]

READOUTS = ("linear", "sign", "threshold", "top-s")


def check_batch(x, name: str, dim: int | None = None, runs: int | None = None) -> np.ndarray:
    """``x`` as a float64 array of shape ``(runs, n, dim)``; a clear error names ``name`` otherwise."""
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"{name} must have shape (runs, n, dim), got an array of shape {x.shape}")
    if dim is not None and x.shape[2] != dim:
        raise ValueError(f"{name} must have dimension {dim} (last axis), got shape {x.shape}")
    if runs is not None and x.shape[0] != runs:
        raise ValueError(f"{name} must hold {runs} runs (first axis), got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
        raise ValueError(f"{name} must be real numbers, got dtype {x.dtype}")
    x = x.astype(np.float64, copy=False)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite")
    return x


def check_binary(x, name: str, dim: int | None = None, runs: int | None = None) -> np.ndarray:
    """``x`` as a float64 array of shape ``(runs, n, dim)`` with entries in {-1, 1}."""
    x = check_batch(x, name, dim, runs)
    bad = (x != 1.0) & (x != -1.0)
    if bad.any():
        value = float(x[bad][0])
        raise ValueError(f"{name} must be binary patterns with entries -1 or 1, got {value:g} "
                         f"({int(bad.sum())} entries are neither)")
    return x


def _unit(x: np.ndarray, name: str) -> np.ndarray:
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    if np.any(norm == 0):
        raise ValueError(f"{name}: cannot normalise a zero vector")
    return x / norm


def top_s(x: np.ndarray, s: int) -> np.ndarray:
    """0/1 array with a 1 at the ``s`` largest entries of each vector (last axis); ties go to the lower index."""
    x = np.asarray(x, dtype=np.float64)
    if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not 1 <= s <= x.shape[-1]:
        raise ValueError(f"s={s!r} is out of range: must be an integer in [1, {x.shape[-1]}]")
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :s]
    out = np.zeros_like(x)
    np.put_along_axis(out, idx, 1.0, axis=-1)
    return out


class OuterProductMemory:
    """Hebbian (outer-product) key-value memory ``M = eta * sum_i v_i k_i^T``, one matrix per run.

    Parameters
    ----------
    key_dim, value_dim : int
        Dimensions ``d`` of keys and queries and ``d_v`` of values.
    n_runs : int
        Independent memories (runs).
    eta : float
        Learning rate of every write (> 0).
    normalize_keys : bool
        Scale keys (when written) and queries (when read) to unit length, so that a stored key read back
        returns its value with weight exactly ``eta``.

    Attributes
    ----------
    M : ndarray, shape (n_runs, value_dim, key_dim)
        The memory matrices.
    n_stored : int
        Pairs written so far (per run).
    """

    def __init__(self, key_dim: int, value_dim: int, n_runs: int = 1, *, eta: float = 1.0,
                 normalize_keys: bool = False):
        for name, v in (("key_dim", key_dim), ("value_dim", value_dim), ("n_runs", n_runs)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name}={v!r} is out of range: must be an integer >= 1")
        if not np.isfinite(eta) or eta <= 0:
            raise ValueError(f"eta={eta!r} is out of range: must be a finite number > 0")
        self.key_dim, self.value_dim, self.n_runs = int(key_dim), int(value_dim), int(n_runs)
        self.eta = float(eta)
        self.normalize_keys = bool(normalize_keys)
        self.M = np.zeros((self.n_runs, self.value_dim, self.key_dim))
        self.n_stored = 0

    def write(self, keys, values) -> "OuterProductMemory":
        """Store pairs: ``M += eta * sum_i v_i k_i^T``.

        Parameters
        ----------
        keys : array, shape (n_runs, n, key_dim)
        values : array, shape (n_runs, n, value_dim)
        """
        keys = check_batch(keys, "keys", self.key_dim, self.n_runs)
        values = check_batch(values, "values", self.value_dim, self.n_runs)
        if keys.shape[1] != values.shape[1]:
            raise ValueError(f"keys and values must hold the same number of pairs, got {keys.shape[1]} keys "
                             f"and {values.shape[1]} values")
        if self.normalize_keys:
            keys = _unit(keys, "keys")
        self.M += self.eta * np.matmul(values.transpose(0, 2, 1), keys)
        self.n_stored += keys.shape[1]
        return self

    def read(self, queries, readout: str = "linear", *, threshold: float = 0.0, s: int | None = None) -> np.ndarray:
        """Read ``v_hat = M q`` for each query, then apply the readout.

        Parameters
        ----------
        queries : array, shape (n_runs, n, key_dim)
        readout : {"linear", "sign", "threshold", "top-s"}
            ``linear``: ``M q``; ``sign``: ``sign(M q)`` (for values in {-1, 1}); ``threshold``: 1 where
            ``M q > threshold``, else 0 (for 0/1 values); ``top-s``: 1 at the ``s`` largest entries, else 0.
        threshold : float
            Threshold of the ``threshold`` readout.
        s : int
            Active units of the ``top-s`` readout (1 <= s <= value_dim).

        Returns
        -------
        ndarray, shape (n_runs, n, value_dim)
        """
        if readout not in READOUTS:
            raise ValueError(f"readout={readout!r} is not allowed: must be one of {', '.join(READOUTS)}")
        if readout == "top-s" and s is None:
            raise ValueError("the top-s readout needs s (the number of active value units)")
        queries = check_batch(queries, "queries", self.key_dim, self.n_runs)
        if self.normalize_keys:
            queries = _unit(queries, "queries")
        v = np.matmul(queries, self.M.transpose(0, 2, 1))
        if readout == "sign":
            return np.sign(v)
        if readout == "threshold":
            return (v > threshold).astype(np.float64)
        if readout == "top-s":
            return top_s(v, s)
        return v


class HopfieldNetwork:
    """Classical auto-associative Hopfield network ``W = sum_i x_i x_i^T`` with zero diagonal, one per run.

    Parameters
    ----------
    patterns : array, shape (runs, n, d), entries in {-1, 1}
        The stored patterns.
    """

    def __init__(self, patterns):
        x = check_binary(patterns, "patterns")
        self.n_runs, self.n_patterns, self.dim = x.shape
        self.W = np.matmul(x.transpose(0, 2, 1), x)
        self.W[:, np.arange(self.dim), np.arange(self.dim)] = 0.0

    def _states(self, states) -> np.ndarray:
        return check_binary(states, "states", self.dim, self.n_runs)

    def field(self, states) -> np.ndarray:
        """Local fields ``W x`` of states of shape ``(runs, m, d)``."""
        return np.matmul(self._states(states), self.W)  # W is symmetric

    def energy(self, states) -> np.ndarray:
        """Energy ``E(x) = -x^T W x / 2`` of each state, shape ``(runs, m)``."""
        x = self._states(states)
        return -0.5 * np.einsum("rmd,rmd->rm", x, np.matmul(x, self.W))

    def is_fixed_point(self, states) -> np.ndarray:
        """True where no unit would change: ``x_j (W x)_j >= 0`` for every ``j``; shape ``(runs, m)``."""
        x = self._states(states)
        return np.all(x * np.matmul(x, self.W) >= 0, axis=-1)

    @staticmethod
    def _update(x, h):
        return np.where(h > 0, 1.0, np.where(h < 0, -1.0, x))

    def run_synchronous(self, states, max_steps: int = 100):
        """Update all units at once, ``x <- sign(W x)``, until a fixed point or ``max_steps``.

        Synchronous dynamics can end in a 2-cycle instead of a fixed point; ``converged`` says which.

        Returns
        -------
        states : ndarray (runs, m, d)
        steps : ndarray (runs, m), int
            Updates until the state stopped changing (``max_steps`` if it never did).
        converged : ndarray (runs, m), bool
        """
        x = self._states(states).copy()
        steps = np.full(x.shape[:2], max_steps, dtype=np.int64)
        done = np.zeros(x.shape[:2], dtype=bool)
        for t in range(max_steps):
            new = self._update(x, np.matmul(x, self.W))
            same = np.all(new == x, axis=-1)
            steps[same & ~done] = t
            done |= same
            x = new
            if done.all():
                break
        return x, steps, done

    def run_asynchronous(self, states, rng: np.random.Generator, max_sweeps: int = 100, record_energy: bool = False):
        """Update one unit at a time, in a fresh random order every sweep, until a sweep changes nothing.

        Parameters
        ----------
        states : array (runs, m, d) in {-1, 1}
        rng : numpy.random.Generator
            Draws the update orders (one per run, state and sweep).
        max_sweeps : int
            Sweeps of ``d`` single-unit updates at most.
        record_energy : bool
            Also return the energy after every single-unit update, shape ``(updates + 1, runs, m)``.

        Returns
        -------
        states, sweeps (runs, m), converged (runs, m)[, energies]
        """
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        x = self._states(states).copy()
        runs, m, d = x.shape
        r_idx, m_idx = np.meshgrid(np.arange(runs), np.arange(m), indexing="ij")
        sweeps = np.full((runs, m), max_sweeps, dtype=np.int64)
        done = np.zeros((runs, m), dtype=bool)
        energies = [self.energy(x)] if record_energy else None
        h = np.matmul(x, self.W)
        for sweep in range(max_sweeps):
            changed = np.zeros((runs, m), dtype=bool)
            order = rng.permuted(np.broadcast_to(np.arange(d), (runs, m, d)), axis=-1)
            for t in range(d):
                u = order[:, :, t]
                old = x[r_idx, m_idx, u]
                new = self._update(old, h[r_idx, m_idx, u])
                flip = new != old
                if flip.any():
                    x[r_idx, m_idx, u] = new
                    # h <- h + W[:, u] (new - old) for the states whose unit u flipped
                    delta = np.where(flip, new - old, 0.0)
                    h += delta[..., None] * self.W[r_idx, u, :]
                    changed |= flip
                if record_energy:
                    energies.append(-0.5 * np.einsum("rmd,rmd->rm", x, h))
            stopped = ~changed & ~done
            sweeps[stopped] = sweep
            done |= ~changed
            if done.all():
                break
        if record_energy:
            return x, sweeps, done, np.array(energies)
        return x, sweeps, done


def _check_memory(keys, values, queries, check):
    """Keys, values and queries of a one-step memory, checked with ``check`` and for matching shapes."""
    keys = check(keys, "keys")
    values = check(values, "values", runs=keys.shape[0])
    queries = check(queries, "queries", keys.shape[2], keys.shape[0])
    if keys.shape[1] != values.shape[1]:
        raise ValueError(f"keys and values must hold the same number of patterns, got {keys.shape[1]} and "
                         f"{values.shape[1]}")
    return keys, values, queries


def hetero_hopfield_recall(keys, values, queries) -> np.ndarray:
    """One-step hetero-associative Hopfield network: ``sign(W x)`` with ``W = sum_i y_i x_i^T``.

    Parameters
    ----------
    keys : array (runs, n, d) in {-1, 1}
    values : array (runs, n, d_v) in {-1, 1}
    queries : array (runs, m, d) in {-1, 1}

    Returns
    -------
    ndarray (runs, m, d_v) with entries -1, 0 (a zero field) or 1
    """
    keys, values, queries = _check_memory(keys, values, queries, check_binary)
    return np.sign(np.matmul(np.matmul(queries, keys.transpose(0, 2, 1)), values))


def modern_hopfield_recall(keys, values, queries, beta: float = 1.0, form: str = "sign") -> np.ndarray:
    """One-step modern Hopfield network (attention).

    ``form="sign"``: ``sign(sum_i exp(beta <x, x_i>) y_i)``; ``form="softmax"``: the softmax-weighted sum
    ``sum_i softmax_i(beta <x, x_i>) y_i`` (attention with query ``x``, keys ``x_i``, values ``y_i``). The
    softmax divides by a positive number, so both forms have the same signs. Computed with the maximum
    subtracted, so large ``beta * d`` does not overflow.

    Parameters
    ----------
    keys : array (runs, n, d); values : array (runs, n, d_v); queries : array (runs, m, d)
        Real arrays (binary patterns in the capacity experiments, but any real vectors are allowed).
    beta : float
        Inverse temperature (> 0).
    form : {"sign", "softmax"}
    """
    if form not in ("sign", "softmax"):
        raise ValueError(f"form={form!r} is not allowed: must be 'sign' or 'softmax'")
    if not np.isfinite(beta) or beta <= 0:
        raise ValueError(f"beta={beta!r} is out of range: must be a finite number > 0")
    keys, values, queries = _check_memory(keys, values, queries, check_batch)
    scores = beta * np.matmul(queries, keys.transpose(0, 2, 1))
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    if form == "softmax":
        weights /= weights.sum(axis=-1, keepdims=True)
        return np.matmul(weights, values)
    return np.sign(np.matmul(weights, values))
