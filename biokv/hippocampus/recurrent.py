"""CA3 recurrent collaterals in the exact twin: a Hebbian auto-associative layer that completes partial codes.

The classic account of CA3 as a memory (Marr 1971; McNaughton & Morris 1987, Trends Neurosci 10:408; Treves &
Rolls 1992, Hippocampus 2:189): recurrent synapses between CA3 cells are strengthened between cells active in
the same pattern, and at recall the recurrent input completes a partial code into the stored one.

:class:`RecurrentCA3` holds, for ``R`` independent networks, a random recurrent mask (connection probability
``p_connect``, no self-connections) and its weights, batched over runs:

- learning: for every cell ``i`` of a stored CA3 code ``y`` and each of its recurrent inputs ``j``,
  ``W[i, j] += eps (y_j - W[i, j])`` -- the instar rule of the perforant path applied to the recurrents, which
  strengthens synapses between co-active cells and depresses those from inactive cells, so weights stay in
  [0, 1] without a separate normalisation;
- completion: ``y <- select(drive + gain * W y)`` iterated from ``y = select(drive)`` until a fixed point or
  ``steps`` iterations, with ``select`` the top ``k`` cells (ties: a fixed random priority per cell and run).

:func:`complete_reference` is the same computation for one network in plain loops, for tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biokv.core.common.rng import run_generators

__all__ = ["RecurrentCA3", "RecurrentState", "complete_reference", "learn_reference"]


@dataclass
class RecurrentState:
    """Recurrent mask, weights and tie-breaking priorities of ``R`` networks.

    Attributes
    ----------
    mask : bool (R, n, n)
        ``mask[r, i, j]``: cell ``j`` contacts cell ``i``.
    w : float (R, n, n)
        Weights (zero where there is no synapse).
    priority : float (R, n)
        Tie-breaking priority of each cell (smaller wins).
    """

    mask: np.ndarray
    w: np.ndarray
    priority: np.ndarray

    def copy(self) -> "RecurrentState":
        return RecurrentState(self.mask, self.w.copy(), self.priority)


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
        Recurrent connection probability (rat: ~4%, from ~12,000 recurrent synapses per cell; mouse 5.5-11%).
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

    def init_state(self, seed: int, runs) -> RecurrentState:
        """Masks, initial weights and priorities of the networks ``runs`` (stream ``network:ca3_recurrent``)."""
        n = self.n
        mask, w, prio = [], [], []
        for g in run_generators(seed, "network:ca3_recurrent", list(runs)):
            m = g.random((n, n)) < self.p_connect
            np.fill_diagonal(m, False)
            mask.append(m)
            w.append(np.where(m, g.uniform(0, self.initial_weight_max, (n, n)), 0.0))
            prio.append(g.random(n))
        return RecurrentState(np.stack(mask), np.stack(w), np.stack(prio))

    def _codes(self, codes, R) -> np.ndarray:
        codes = np.asarray(codes)
        if codes.dtype != bool or codes.ndim != 3 or codes.shape[0] != R or codes.shape[2] != self.n:
            raise ValueError(f"codes must be a boolean array (runs={R}, patterns, n={self.n}), got "
                             f"{codes.dtype} {codes.shape}")
        return codes

    def learn(self, state: RecurrentState, codes) -> None:
        """Store CA3 codes (boolean (R, P, n)) one pattern at a time, in place."""
        codes = self._codes(codes, state.w.shape[0])
        eps = self.learning_rate
        for p in range(codes.shape[1]):  # patterns in order; runs and cells batched
            y = codes[:, p].astype(float)
            learn = codes[:, p][:, :, None] & state.mask  # rows of active cells, existing synapses
            target = np.broadcast_to(y[:, None, :], state.w.shape)
            state.w[learn] += eps * (target[learn] - state.w[learn])

    def select(self, values: np.ndarray, priority: np.ndarray) -> np.ndarray:
        """Boolean mask of the top ``k`` of ``values`` (R, Q, n); ties: smaller ``priority`` (R, n) wins."""
        R, Q, n = values.shape
        perm = np.broadcast_to(np.argsort(priority, axis=-1)[:, None, :], (R, Q, n))
        order = np.argsort(-np.take_along_axis(values, perm, axis=-1), axis=-1, kind="stable")[..., :self.k]
        out = np.zeros(values.shape, dtype=bool)
        np.put_along_axis(out, np.take_along_axis(perm, order, axis=-1), True, axis=-1)
        return out

    def complete(self, state: RecurrentState, drive, gain: float = 1.0, steps: int = 10):
        """Codes completed from ``drive`` (R, Q, n): ``y <- select(drive + gain W y)`` from ``select(drive)``.

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
        y = self.select(drive, state.priority)
        done = np.zeros(drive.shape[:2], dtype=bool)
        iterations = np.full(drive.shape[:2], int(steps))
        for t in range(int(steps)):
            recurrent = np.einsum("rij,rqj->rqi", state.w, y.astype(float))
            new = self.select(drive + gain * recurrent, state.priority)
            same = np.all(new == y, axis=-1) & ~done
            iterations[same] = t
            done |= same
            y = np.where(done[..., None], y, new)
            if done.all():
                break
        return y, iterations


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
