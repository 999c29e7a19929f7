"""CA3 recurrent collaterals in the exact twin: a Hebbian auto-associative layer that completes partial codes.

The classic account of CA3 as a memory (Marr 1971; McNaughton & Morris 1987, Trends Neurosci 10:408; Treves &
Rolls 1992, Hippocampus 2:189): recurrent synapses between CA3 cells are strengthened between cells active in
the same pattern, and at recall the recurrent input completes a partial code into the stored one.

:class:`RecurrentCA3` holds, for ``R`` independent networks, a random recurrent mask (each cell receives
``round(p_connect (n - 1))`` inputs from other cells, drawn without replacement; no self-connections) and its
weights, batched over runs:

- learning: for every cell ``i`` of a stored CA3 code ``y`` and each of its recurrent inputs ``j``,
  ``W[i, j] += eps (y_j - W[i, j])`` -- the instar rule of the perforant path applied to the recurrents, which
  strengthens synapses between co-active cells and depresses those from inactive cells, so weights stay in
  [0, 1] without a separate normalisation;
- completion: ``y <- select(drive + gain * W y)`` iterated from ``y = select(drive)`` until a fixed point or
  ``steps`` iterations, with ``select`` the top ``k`` cells (ties: a fixed random priority per cell and run) or
  any other selection (e.g. E%-max).

:func:`complete_reference` is the same computation for one network in plain loops, for tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from biokv.core.common.rng import run_generators

__all__ = ["RecurrentCA3", "RecurrentState", "complete_reference", "learn_reference"]


@dataclass
class RecurrentState:
    """Recurrent connections, weights and tie-breaking priorities of ``R`` networks, stored by fan-in.

    Attributes
    ----------
    inputs : int32 (R, n, c)
        ``inputs[r, i]``: the ``c`` cells that contact cell ``i`` (sorted ascending, never ``i`` itself).
    w : float (R, n, c)
        ``w[r, i, m]``: weight of the synapse from ``inputs[r, i, m]`` onto ``i``.
    priority : float (R, n)
        Tie-breaking priority of each cell (smaller wins).
    target_ptr, target_pos : int32 (R, n + 1), (R, n c)
        The synapses each cell makes, for summing the input of a sparse code by its active cells: those of cell
        ``j`` are ``target_pos[r, target_ptr[r, j]:target_ptr[r, j + 1]]``, positions in ``w[r].ravel()``
        (ascending target).
    """

    inputs: np.ndarray
    w: np.ndarray
    priority: np.ndarray
    target_ptr: np.ndarray = None
    target_pos: np.ndarray = None

    def __post_init__(self):
        if self.target_ptr is None:
            R, n, c = self.inputs.shape
            flat = self.inputs.reshape(R, n * c)
            order = np.argsort(flat, axis=1, kind="stable")  # by source, then by target (rows are targets)
            counts = np.stack([np.bincount(f, minlength=n) for f in flat])
            self.target_ptr = np.concatenate([np.zeros((R, 1), np.int64), np.cumsum(counts, axis=1)],
                                             axis=1).astype(np.int32)
            self.target_pos = order.astype(np.int32)

    def copy(self) -> "RecurrentState":
        return RecurrentState(self.inputs, self.w.copy(), self.priority, self.target_ptr, self.target_pos)

    def mask(self, run: int) -> np.ndarray:
        """Boolean (n, n) connection matrix of run ``run``: ``[i, j]`` = cell ``j`` contacts cell ``i``."""
        n = self.inputs.shape[1]
        m = np.zeros((n, n), dtype=bool)
        m[np.arange(n)[:, None], self.inputs[run]] = True
        return m

    def dense_weights(self, run: int) -> np.ndarray:
        """Weights of run ``run`` as a dense (n, n) matrix (0 where there is no synapse)."""
        n = self.inputs.shape[1]
        w = np.zeros((n, n))
        w[np.arange(n)[:, None], self.inputs[run]] = self.w[run]
        return w


def _check_fraction(name, value, low_open=True):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            (0 < value if low_open else 0 <= value) and value <= 1):
        raise ValueError(f"{name} must be a number in {'(0' if low_open else '[0'}, 1], got {value!r}")


class RecurrentCA3:
    """Recurrent collaterals of a CA3 layer of ``n`` cells with ``k`` winners.

    Parameters
    ----------
    n, k : int
        Cells and winners per code.
    p_connect : float
        Recurrent connection probability (rat: ~4%, from ~12,000 recurrent synapses per cell; mouse 5.5-11%):
        every cell receives ``max(1, round(p_connect (n - 1)))`` recurrent inputs (:attr:`fan_in`).
    learning_rate : float
        eps of the rule.
    initial_weight_max : float
        Initial weights drawn from U[0, this) on existing synapses.
    """

    def __init__(self, n: int, k: int, p_connect: float = 0.04, learning_rate: float = 0.3,
                 initial_weight_max: float = 0.1):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise ValueError(f"n must be an integer >= 2, got {n!r}")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
            raise ValueError(f"k must be an integer in [1, {n}], got {k!r}")
        _check_fraction("p_connect", p_connect)
        _check_fraction("learning_rate", learning_rate)
        if isinstance(initial_weight_max, bool) or not isinstance(initial_weight_max, (int, float)) or \
                initial_weight_max < 0:
            raise ValueError(f"initial_weight_max must be a number >= 0, got {initial_weight_max!r}")
        self.n, self.k, self.p_connect = int(n), int(k), float(p_connect)
        self.learning_rate, self.initial_weight_max = float(learning_rate), float(initial_weight_max)
        self.fan_in = max(1, round(self.p_connect * (self.n - 1)))

    def init_state(self, seed: int, runs) -> RecurrentState:
        """Connections, initial weights and priorities of the networks ``runs`` (stream ``network:ca3_recurrent``)."""
        n, c = self.n, self.fan_in
        inputs, w, prio = [], [], []
        for g in run_generators(seed, "network:ca3_recurrent", list(runs)):
            order = g.random((n, n))
            np.fill_diagonal(order, np.inf)  # no self-connections
            inputs.append(np.sort(np.argpartition(order, c - 1, axis=1)[:, :c], axis=1).astype(np.int32))
            w.append(g.uniform(0, self.initial_weight_max, (n, c)))
            prio.append(g.random(n))
        return RecurrentState(np.stack(inputs), np.stack(w), np.stack(prio))

    def _codes(self, codes, R) -> np.ndarray:
        codes = np.asarray(codes)
        if codes.dtype != bool or codes.ndim != 3 or codes.shape[0] != R or codes.shape[2] != self.n:
            raise ValueError(f"codes must be a boolean array (runs={R}, patterns, n={self.n}), got "
                             f"{codes.dtype} {codes.shape}")
        return codes

    def learn(self, state: RecurrentState, codes) -> None:
        """Store CA3 codes (boolean (R, P, n)) one pattern at a time, in place."""
        codes = self._codes(codes, state.w.shape[0])
        _learn(state.inputs, state.w, np.ascontiguousarray(codes), self.learning_rate)

    def select(self, values: np.ndarray, priority: np.ndarray) -> np.ndarray:
        """Boolean mask of the top ``k`` of ``values`` (R, Q, n); ties: smaller ``priority`` (R, n) wins."""
        R, Q, n = values.shape
        perm = np.broadcast_to(np.argsort(priority, axis=-1)[:, None, :], (R, Q, n))
        order = np.argsort(-np.take_along_axis(values, perm, axis=-1), axis=-1, kind="stable")[..., :self.k]
        out = np.zeros(values.shape, dtype=bool)
        np.put_along_axis(out, np.take_along_axis(perm, order, axis=-1), True, axis=-1)
        return out

    def recurrent_input(self, state: RecurrentState, codes) -> np.ndarray:
        """``W y`` (R, Q, n) of codes ``y`` (boolean (R, Q, n)): each cell's summed weights from active inputs."""
        codes = self._codes(codes, state.w.shape[0])
        out = np.zeros(codes.shape)
        R, n, c = state.w.shape
        _recurrent_input(state.target_ptr, state.target_pos, state.w.reshape(R, n * c), np.ascontiguousarray(codes),
                         c, out)
        return out

    def complete(self, state: RecurrentState, drive, gain=1.0, steps: int = 10, select=None):
        """Codes completed from ``drive`` (R, Q, n): ``y <- select(drive + gain W y)`` from ``select(drive)``.

        ``gain`` (a number or an array broadcastable to (R, Q, n)) multiplies each cell's recurrent input;
        ``select`` maps values (R, Q, n) to a boolean mask of winners (default: :meth:`select`, the top ``k``).

        Returns
        -------
        codes : bool (R, Q, n)
        iterations : int (R, Q)
            Iterations until the code stopped changing (``steps`` if it never did).
        """
        drive = np.asarray(drive, dtype=float)
        R = state.w.shape[0]
        if drive.ndim != 3 or drive.shape[0] != R or drive.shape[2] != self.n:
            raise ValueError(f"drive must have shape (runs={R}, cues, n={self.n}), got {drive.shape}")
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
        if select is None:
            def select(values):
                return self.select(values, state.priority)
        y = select(drive)
        done = np.zeros(drive.shape[:2], dtype=bool)
        iterations = np.full(drive.shape[:2], int(steps))
        for t in range(int(steps)):
            new = select(drive + gain * self.recurrent_input(state, y))
            same = np.all(new == y, axis=-1) & ~done
            iterations[same] = t
            done |= same
            y = np.where(done[..., None], y, new)
            if done.all():
                break
        return y, iterations


@njit(cache=True, parallel=True)
def _learn(inputs, w, codes, eps):
    R, P, n = codes.shape
    for r in prange(R):
        for p in range(P):  # patterns in order
            for i in range(n):
                if codes[r, p, i]:
                    for m in range(inputs.shape[2]):
                        target = 1.0 if codes[r, p, inputs[r, i, m]] else 0.0
                        w[r, i, m] += eps * (target - w[r, i, m])


@njit(cache=True, parallel=True)
def _recurrent_input(target_ptr, target_pos, w_flat, codes, c, out):
    """``out[r, q, i] = sum_j W[i, j] y_j`` summed over the active cells ``j`` in ascending order (the order of a
    loop over the code's cells), by the synapses each active cell makes."""
    R, Q, n = codes.shape
    for r in prange(R):
        for q in range(Q):
            for j in range(n):
                if codes[r, q, j]:
                    for a in range(target_ptr[r, j], target_ptr[r, j + 1]):
                        pos = target_pos[r, a]
                        out[r, q, pos // c] += w_flat[r, pos]


def learn_reference(w, mask, codes, eps):
    """The learning rule for one network in plain loops: ``w`` (n, n), ``codes`` list of index sets."""
    w = np.array(w, dtype=float)
    n = w.shape[0]
    for code in codes:
        y = np.zeros(n)
        y[list(code)] = 1
        for i in code:
            for j in range(n):
                if mask[i, j]:
                    w[i, j] += eps * (y[j] - w[i, j])
    return w


def complete_reference(w, priority, drive, k, gain=1.0, steps=10):
    """Completion for one network and one cue in plain loops; returns (sorted winner indices, iterations)."""
    n = len(drive)

    def select(values):
        return sorted(sorted(range(n), key=lambda c: (-values[c], priority[c]))[:k])

    y = select(drive)
    for t in range(steps):
        values = [drive[i] + gain * sum(w[i][j] for j in y) for i in range(n)]
        new = select(values)
        if new == y:
            return y, t
        y = new
    return y, steps
