"""The K-winner modern Hopfield network family, batched over independent runs.

Bhandarkar & McClelland (2025), *Neural Computation Without Slots*, section 2.1, eq. (1)-(2). A network has
``n_visible`` input units, ``n_hidden`` memory units and a binary fan-in mask: every hidden unit is connected to
exactly ``int(fan_in * n_visible)`` visible units, drawn without replacement. Only connected weights exist:
``W_in`` (visible -> hidden) and ``W_out`` (hidden -> visible), drawn independently from U[0, 1).

A step with a binary input ``x`` (``n_active`` ones, or fewer for a partial cue):

1. ``logits = W_in x``; ``y`` = hard k-WTA of the logits (the ``k`` largest set to 1);
2. ``out = W_out y``; the returned pattern has ones at the ``n_active`` largest entries of ``out``;
3. when learning (after the output is computed), for every winner ``i`` and connected input ``j``:
   ``W_in[i, j] += lr * (x_j - W_in[i, j])`` and ``W_out[j, i] += lr * (x_j - W_out[j, i])``.

Special cases: ``fan_in=1, k=1, lr=1`` is the fixed-capacity, self-assigning 1-winner MHN (the winner's weights
are replaced by ``x``); ``fan_in=1, k=1, lr<1`` is the graded MHN. With ``learning="random-k"`` the ``k`` units
that learn are drawn at random; retrieval still uses the top ``k``.

Ties in a k-WTA are broken uniformly at random through per-run hash priorities (:mod:`biokv.core.common.rng`).
:class:`biokv.core.kwinner.reference.KWinnerMHNReference` is the dense single-network version of the same
algorithm, written for clarity; the two agree exactly.

Storage per run: ``n_hidden * fan_in_count`` weights in each matrix. ``W_in`` is kept in visible-major order
(compressed sparse columns), because computing ``W_in x`` for a sparse ``x`` then touches only the weights of
the active inputs; ``W_out`` is kept in hidden-major order, because the readout touches only the winners' rows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numba import njit, prange

from biokv.core.common import rng as _rnd
from biokv.core.common.checks import check_int
from biokv.core.common.patterns import floyd_subset
from biokv.core.common.selection import new_work, select_random_k, select_top_k

__all__ = ["KWinnerMHN", "KWinnerState"]

LEARNING_RULES = ("top-k", "random-k")


@dataclass
class KWinnerState:
    """Weights and bookkeeping of ``R`` independent networks (arrays have the run as first axis).

    Attributes
    ----------
    inputs : int32 (R, n_hidden, F)
        Visible units connected to each hidden unit (the fan-in mask), sorted ascending.
    w_in : float64 (R, n_hidden * F)
        ``W_in`` in visible-major order: the weights from visible unit ``j`` are
        ``w_in[r, in_ptr[r, j]:in_ptr[r, j + 1]]``, to hidden units ``in_hidden[r, ...]`` (ascending).
    in_ptr : int32 (R, n_visible + 1)
    in_hidden : int32 (R, n_hidden * F)
    in_pos : int32 (R, n_hidden, F)
        Where the weight of connection ``(i, inputs[r, i, c])`` sits in ``w_in[r]``.
    out_inputs : int32 (R, n_hidden, F_out)
        Output units each hidden unit projects to, sorted (the same array as ``inputs`` when the return
        projection mirrors the input mask).
    w_out : float64 (R, n_hidden, F_out)
        ``W_out[out_inputs[r, i, c], i]``: the return weights, hidden-major.
    key : uint64 (R,)
        Tie-breaking key of each run.
    step : int64 (R,)
        Number of patterns learned so far.
    """

    inputs: np.ndarray
    w_in: np.ndarray
    in_ptr: np.ndarray
    in_hidden: np.ndarray
    in_pos: np.ndarray
    out_inputs: np.ndarray
    w_out: np.ndarray
    key: np.ndarray
    step: np.ndarray

    @property
    def n_runs(self) -> int:
        return self.inputs.shape[0]

    def copy(self) -> "KWinnerState":
        new = KWinnerState(**{f.name: getattr(self, f.name).copy() for f in fields(self)})
        if self.out_inputs is self.inputs:
            new.out_inputs = new.inputs
        return new

    def dense_weights(self, run: int, n_visible: int, n_output: int | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
        """``W_in`` (n_hidden, n_visible) and ``W_out`` (n_output, n_hidden) of one run, zero where unconnected."""
        n_output = n_visible if n_output is None else n_output
        inputs = self.inputs[run]
        n_hidden = inputs.shape[0]
        rows = np.repeat(np.arange(n_hidden), inputs.shape[1])
        w_in = np.zeros((n_hidden, n_visible))
        w_in[rows, inputs.ravel()] = self.w_in[run][self.in_pos[run].ravel()]
        out_rows = np.repeat(np.arange(n_hidden), self.out_inputs.shape[2])
        w_out = np.zeros((n_output, n_hidden))
        w_out[self.out_inputs[run].ravel(), out_rows] = self.w_out[run].ravel()
        return w_in, w_out


class KWinnerMHN:
    """K-winner modern Hopfield network (batched reference implementation).

    Parameters
    ----------
    n_visible : int
        Visible (input) layer size, ``n_v``.
    n_hidden : int
        Hidden (memory) layer size, ``n_h``.
    n_active : int
        Ones per stored pattern, ``s``; the readout returns exactly this many.
    fan_in : float
        Fraction ``f`` of visible units connected to each hidden unit; each hidden unit gets exactly
        ``int(f * n_visible)`` inputs. In (0, 1].
    k : int
        Winners of the hidden k-WTA, ``1 <= k <= n_hidden``.
    learning_rate : float
        ``eps`` in (0, 1].
    learning : {"top-k", "random-k"}
        Which hidden units learn: the k-WTA winners (the paper's rule) or ``k`` units drawn at random.
    n_output : int, optional
        Size of the output (value) layer for hetero-association; default ``n_visible`` (auto-association).
    n_output_active : int, optional
        Ones per value pattern; the readout returns exactly this many. Default ``n_active``.
    output_fan_out : float, optional
        Fraction of output units each hidden unit projects to (exactly ``int(output_fan_out * n_output)``,
        drawn at random). Default: the return projection mirrors the input mask (``W_out`` is masked by the
        transpose of ``W_in``'s mask, as in the MHN), which needs ``n_output == n_visible``.
    init_weight_max : float
        Initial weights are drawn from U[0, init_weight_max) (the paper: 1).

    Examples
    --------
    >>> import numpy as np
    >>> from biokv.core import KWinnerMHN, random_patterns
    >>> net = KWinnerMHN(n_visible=200, n_hidden=100, n_active=20, fan_in=0.2, k=5, learning_rate=0.3)
    >>> state = net.init_state(seed=0, runs=range(4))
    >>> pats = np.stack([random_patterns(np.random.default_rng(r), 30, 200, 20) for r in range(4)])
    >>> net.learn(state, pats)
    >>> net.retrieve(state, pats).shape
    (4, 30, 20)
    """

    def __init__(self, n_visible=1000, n_hidden=2000, n_active=100, fan_in=0.05, k=50, learning_rate=0.3,
                 learning="top-k", n_output=None, n_output_active=None, output_fan_out=None,
                 init_weight_max=1.0):
        check_int("n_visible", n_visible, 1)
        check_int("n_hidden", n_hidden, 1)
        check_int("n_active", n_active, 1, n_visible)
        check_int("k", k, 1, n_hidden)
        if not (isinstance(fan_in, (int, float, np.floating)) and 0.0 < fan_in <= 1.0):
            raise ValueError(f"fan_in must be in (0, 1], got {fan_in!r}")
        if int(fan_in * n_visible) < 1:
            raise ValueError(f"fan_in * n_visible = {fan_in} * {n_visible} gives no connection; "
                             f"fan_in must be >= {1 / n_visible}")
        if not (isinstance(learning_rate, (int, float, np.floating)) and 0.0 < learning_rate <= 1.0):
            raise ValueError(f"learning_rate must be in (0, 1], got {learning_rate!r}")
        if learning not in LEARNING_RULES:
            raise ValueError(f"learning must be one of {LEARNING_RULES}, got {learning!r}")
        n_output = n_visible if n_output is None else n_output
        check_int("n_output", n_output, 1)
        n_output_active = n_active if n_output_active is None else n_output_active
        check_int("n_output_active", n_output_active, 1, n_output)
        if output_fan_out is None:
            if n_output != n_visible:
                raise ValueError(f"a return projection that mirrors the input mask needs n_output == n_visible "
                                 f"({n_output} != {n_visible}); give output_fan_out")
        elif not (isinstance(output_fan_out, (int, float, np.floating)) and 0.0 < output_fan_out <= 1.0
                  and int(output_fan_out * n_output) >= 1):
            raise ValueError(f"output_fan_out must be in (0, 1] with int(output_fan_out * n_output) >= 1, "
                             f"got {output_fan_out!r}")
        if not (isinstance(init_weight_max, (int, float, np.floating)) and init_weight_max > 0):
            raise ValueError(f"init_weight_max must be > 0, got {init_weight_max!r}")
        self.init_weight_max = float(init_weight_max)
        self.n_output = int(n_output)
        self.n_output_active = int(n_output_active)
        self.output_fan_out = None if output_fan_out is None else float(output_fan_out)
        self.n_visible = int(n_visible)
        self.n_hidden = int(n_hidden)
        self.n_active = int(n_active)
        self.fan_in = float(fan_in)
        self.k = int(k)
        self.learning_rate = float(learning_rate)
        self.learning = learning

    @property
    def n_inputs(self) -> int:
        """Connections per hidden unit, ``int(fan_in * n_visible)``."""
        return int(self.fan_in * self.n_visible)

    @property
    def n_outputs(self) -> int:
        """Output units each hidden unit projects to."""
        return self.n_inputs if self.output_fan_out is None else int(self.output_fan_out * self.n_output)

    @property
    def n_weights(self) -> int:
        """Learnable weights of ``W_in``, ``n_hidden * n_inputs``."""
        return self.n_hidden * self.n_inputs

    def get_params(self) -> dict:
        return dict(n_visible=self.n_visible, n_hidden=self.n_hidden, n_active=self.n_active, fan_in=self.fan_in,
                    k=self.k, learning_rate=self.learning_rate, learning=self.learning, n_output=self.n_output,
                    n_output_active=self.n_output_active, output_fan_out=self.output_fan_out,
                    init_weight_max=self.init_weight_max)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"KWinnerMHN({args})"

    # ------------------------------------------------------------------ initialisation
    def init_state(self, seed: int | None = None, runs=None, rngs=None, stream: str = "model") -> KWinnerState:
        """Initial state of independent networks: fan-in masks, weights drawn from U[0, 1), tie-breaking keys.

        Give either ``seed`` and ``runs`` (run identifiers, see :func:`biokv.core.common.rng.run_generators`; the
        networks are then drawn from ``stream``) or a list of generators ``rngs``, one per run. A run's network
        depends only on its own generator.
        """
        if rngs is None:
            if seed is None or runs is None:
                raise ValueError("give either rngs, or seed and runs")
            rngs = _rnd.run_generators(seed, stream, runs)
        if len(rngs) == 0:
            raise ValueError("at least one run is needed")
        seeds = _rnd.seeds_from(rngs)
        R, H, F, V = len(seeds), self.n_hidden, self.n_inputs, self.n_visible
        mirror = self.output_fan_out is None
        inputs = np.empty((R, H, F), np.int32)
        state = KWinnerState(inputs=inputs, w_in=np.empty((R, H * F)), in_ptr=np.empty((R, V + 1), np.int32),
                             in_hidden=np.empty((R, H * F), np.int32), in_pos=np.empty((R, H, F), np.int32),
                             out_inputs=inputs if mirror else np.empty((R, H, self.n_outputs), np.int32),
                             w_out=np.empty((R, H, self.n_outputs)), key=np.empty(R, np.uint64),
                             step=np.zeros(R, np.int64))
        _init(seeds, state.inputs, state.w_in, state.in_ptr, state.in_hidden, state.in_pos, state.out_inputs,
              self.n_output, mirror, self.init_weight_max, state.w_out, state.key)
        return state

    # ------------------------------------------------------------------ learning and retrieval
    def _check_state(self, state: KWinnerState):
        expected = (self.n_hidden, self.n_inputs, self.n_visible, self.n_outputs)
        got = (state.inputs.shape[1], state.inputs.shape[2], state.in_ptr.shape[1] - 1, state.out_inputs.shape[2])
        if got != expected:
            raise ValueError(f"state is of a network with (n_hidden, inputs per hidden unit, n_visible, outputs per "
                             f"hidden unit) = {got}, this one has {expected}")

    def _check_patterns(self, state: KWinnerState, patterns, name: str, n_units: int | None = None,
                        n_patterns: int | None = None) -> np.ndarray:
        n_units = self.n_visible if n_units is None else n_units
        patterns = np.asarray(patterns)
        if patterns.ndim != 3 or patterns.shape[0] != state.n_runs or (
                n_patterns is not None and patterns.shape[1] != n_patterns):
            want = "n_patterns" if n_patterns is None else str(n_patterns)
            raise ValueError(f"{name} must have shape (n_runs={state.n_runs}, {want}, n_ones), "
                             f"got {patterns.shape}")
        if patterns.size and (patterns.min() < 0 or patterns.max() >= n_units):
            raise ValueError(f"{name} hold indices of active units, which must be in [0, {n_units - 1}]")
        patterns = np.ascontiguousarray(patterns, dtype=np.int32)
        if patterns.shape[2] > 1 and np.any(np.diff(patterns, axis=2) <= 0):
            raise ValueError(f"{name} must be sorted index sets without repeats "
                             "(see biokv.core.common.patterns; np.sort along the last axis)")
        return patterns

    def learn(self, state: KWinnerState, patterns, values=None, drive=None, return_output: bool = False,
              return_winners: bool = False, hidden_gain=None):
        """Present ``patterns`` (R, P, s) one at a time to each run, learning after each (in place).

        Parameters
        ----------
        state : KWinnerState
        patterns : int array (R, P, s)
            Input (key) patterns as sorted index sets.
        values : int array (R, P, n_output_active), optional
            Value patterns learned by the return weights (hetero-association); default ``patterns``.
        drive : tuple (indices, weights) of arrays (R, P, M), optional
            Extra input to the hidden units for each pattern, added after ``W_in x`` in the order given
            (e.g. mossy-fibre input from the dentate gyrus during encoding).
        return_output, return_winners : bool
            Also return each step's output (computed before that step's weight change, index sets
            (R, P, n_output_active)) and/or its hidden winners (R, P, k).
        hidden_gain : array, optional
            Multiplies each hidden unit's input ``W_in x`` (before ``drive`` is added), broadcastable to
            (R, P, n_hidden), non-negative (see :meth:`retrieve`). The learning rule is unchanged.
        """
        self._check_state(state)
        patterns = self._check_patterns(state, patterns, "patterns")
        R, P, _ = patterns.shape
        gain = self._hidden_gain(hidden_gain, R, P)
        if values is None:
            if self.n_output != self.n_visible:
                raise ValueError("values are needed: the output layer differs from the input layer")
            values = patterns
        else:
            values = self._check_patterns(state, values, "values", self.n_output, P)
        if drive is None:
            drive_idx, drive_w = np.empty((R, P, 0), np.int32), np.empty((R, P, 0))
        else:
            drive_idx = np.ascontiguousarray(drive[0], dtype=np.int32)
            drive_w = np.ascontiguousarray(drive[1], dtype=np.float64)
            if drive_idx.shape != drive_w.shape or drive_idx.shape[:2] != (R, P):
                raise ValueError(f"drive indices and weights must both have shape (R={R}, P={P}, M), got "
                                 f"{drive_idx.shape} and {drive_w.shape}")
            if drive_idx.size and (drive_idx.min() < 0 or drive_idx.max() >= self.n_hidden):
                raise ValueError(f"drive indices must be hidden units in [0, {self.n_hidden - 1}]")
        outputs = np.empty((R, P if return_output else 0, self.n_output_active), dtype=np.int32)
        winners = np.empty((R, P if return_winners else 0, self.k), dtype=np.int32)
        _learn(state.w_in, state.in_ptr, state.in_hidden, state.in_pos, state.inputs, state.w_out,
               state.out_inputs, state.key, state.step, patterns, values, drive_idx, drive_w, self.k,
               self.learning_rate, self.learning == "random-k", self.n_output, self.n_output_active, return_output,
               outputs, winners, gain)
        result = tuple(a for a, want in ((outputs, return_output), (winners, return_winners)) if want)
        return result[0] if len(result) == 1 else (result or None)

    def retrieve(self, state: KWinnerState, cues, return_winners: bool = False, hidden_gain=None):
        """Retrieve from cues (R, Q, m) with frozen weights; returns index sets (R, Q, n_output_active), and the
        hidden winners (R, Q, k) with ``return_winners``.

        ``hidden_gain``, if given, multiplies each hidden unit's input ``W_in x`` before the k-WTA: an array
        broadcastable to (R, Q, n_hidden) of non-negative numbers (0 silences a unit's input, e.g. a lesioned
        projection; > 1 boosts it, e.g. the reactivation of an ensemble). Units with equal input keep the
        random tie-break.
        """
        self._check_state(state)
        cues = self._check_patterns(state, cues, "cues")
        R, Q, _ = cues.shape
        gain = self._hidden_gain(hidden_gain, R, Q)
        outputs = np.empty((R, Q, self.n_output_active), dtype=np.int32)
        winners = np.empty((R, Q if return_winners else 0, self.k), dtype=np.int32)
        _retrieve(state.w_in, state.in_ptr, state.in_hidden, state.out_inputs, state.w_out, state.key, cues, self.k,
                  self.n_output, self.n_output_active, outputs, winners, gain)
        return (outputs, winners) if return_winners else outputs

    def _hidden_gain(self, hidden_gain, R: int, P: int) -> np.ndarray:
        """``hidden_gain`` as a contiguous (R, P, n_hidden) array, or an empty (R, 0, n_hidden) one for none."""
        if hidden_gain is None:
            return np.empty((R, 0, self.n_hidden))
        try:
            gain = np.ascontiguousarray(np.broadcast_to(np.asarray(hidden_gain, dtype=np.float64),
                                                        (R, P, self.n_hidden)))
        except ValueError:
            raise ValueError(f"hidden_gain must be broadcastable to (R={R}, {P}, n_hidden={self.n_hidden}), got "
                             f"shape {np.shape(hidden_gain)}") from None
        if not np.all(np.isfinite(gain)) or gain.min() < 0:
            raise ValueError("hidden_gain must hold finite non-negative numbers")
        return gain


# ---------------------------------------------------------------------- kernels
@njit(cache=True, parallel=True)
def _init(seeds, inputs, w_in, in_ptr, in_hidden, in_pos, out_inputs, n_out, mirror, w_max, w_out, key):
    R, H, F = inputs.shape
    F_out = out_inputs.shape[2]
    V = in_ptr.shape[1] - 1
    for r in prange(R):
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[r]
        member = np.zeros(max(V, n_out), dtype=np.bool_)
        for i in range(H):  # fan-in mask: F distinct inputs per hidden unit
            floyd_subset(state, V, F, member, inputs[r, i])
        if not mirror:  # return projection with its own mask: F_out distinct output units per hidden unit
            for i in range(H):
                floyd_subset(state, n_out, F_out, member, out_inputs[r, i])
        w_rows = np.empty(H * F)  # W_in, hidden-major, then W_out, independently
        for q in range(H * F):
            w_rows[q] = _rnd.next_double(state) * w_max
        for i in range(H):
            for c in range(F_out):
                w_out[r, i, c] = _rnd.next_double(state) * w_max
        key[r] = _rnd.next_u64(state)
        # visible-major layout of W_in by counting sort (hidden ascending within each visible unit)
        in_ptr[r, :] = 0
        for i in range(H):
            for c in range(F):
                in_ptr[r, inputs[r, i, c] + 1] += 1
        for j in range(V):
            in_ptr[r, j + 1] += in_ptr[r, j]
        fill = in_ptr[r, :V].copy()
        for i in range(H):
            for c in range(F):
                j = inputs[r, i, c]
                q = fill[j]
                fill[j] += 1
                in_hidden[r, q] = i
                in_pos[r, i, c] = q
                w_in[r, q] = w_rows[i * F + c]


@njit(cache=True, inline="always")
def _hidden_logits(w_in, in_ptr, in_hidden, x, logits):
    logits[:] = 0.0
    H = logits.size
    for j in x:  # ascending: the same summation order as the dense reference
        start = in_ptr[j]
        if in_ptr[j + 1] - start == H:  # connected to every hidden unit (hidden ascending): contiguous
            for i in range(H):
                logits[i] += w_in[start + i]
        else:
            for p in range(start, in_ptr[j + 1]):
                logits[in_hidden[p]] += w_in[p]


@njit(cache=True, inline="always")
def _readout(out_inputs, w_out, winners, k, out):
    out[:] = 0.0
    for t in range(k):
        i = winners[t]
        for c in range(out_inputs.shape[1]):
            out[out_inputs[i, c]] += w_out[i, c]


@njit(cache=True, parallel=True)
def _learn(w_in, in_ptr, in_hidden, in_pos, inputs, w_out, out_inputs, key, step, patterns, values, drive_idx,
           drive_w, k, lr, random_k, n_out, n_out_active, return_output, outputs, winners_seen, gain):
    R, P, _ = patterns.shape
    H, F = inputs.shape[1], inputs.shape[2]
    F_out = out_inputs.shape[2]
    V = in_ptr.shape[1] - 1
    for r in prange(R):
        logits = np.empty(H)
        out = np.empty(n_out)
        winners = np.empty(k, dtype=np.int32)
        learners = np.empty(k, dtype=np.int32)
        hidden_work = new_work(H)
        readout_work = new_work(n_out)
        prio = np.empty(H, dtype=np.uint64)
        x_on = np.zeros(V, dtype=np.float64)
        v_on = np.zeros(n_out, dtype=np.float64)
        for p in range(P):
            x = patterns[r, p]
            t = step[r]
            _hidden_logits(w_in[r], in_ptr[r], in_hidden[r], x, logits)
            if gain.shape[1]:
                for i in range(H):
                    logits[i] *= gain[r, p, i]
            for m in range(drive_idx.shape[2]):  # extra drive (e.g. mossy fibres), after the input sums
                logits[drive_idx[r, p, m]] += drive_w[r, p, m]
            select_top_k(logits, k, _rnd.step_key(key[r], _rnd.STREAM_LEARN_HIDDEN, t), winners, hidden_work)
            if winners_seen.shape[1]:
                winners_seen[r, p, :] = winners
            if return_output:
                _readout(out_inputs[r], w_out[r], winners, k, out)
                select_top_k(out, n_out_active, _rnd.step_key(key[r], _rnd.STREAM_LEARN_READOUT, t),
                             outputs[r, p], readout_work)
            if random_k:
                select_random_k(H, k, _rnd.step_key(key[r], _rnd.STREAM_LEARN_RANDOM, t), learners, prio)
            else:
                learners[:] = winners
            for j in x:
                x_on[j] = 1.0
            for j in values[r, p]:
                v_on[j] = 1.0
            for a in range(k):
                i = learners[a]
                for c in range(F):
                    xj = x_on[inputs[r, i, c]]
                    q = in_pos[r, i, c]
                    w_in[r, q] = w_in[r, q] + lr * (xj - w_in[r, q])
                for c in range(F_out):
                    vj = v_on[out_inputs[r, i, c]]
                    w_out[r, i, c] = w_out[r, i, c] + lr * (vj - w_out[r, i, c])
            for j in x:
                x_on[j] = 0.0
            for j in values[r, p]:
                v_on[j] = 0.0
            step[r] = t + 1


@njit(cache=True, parallel=True)
def _retrieve(w_in, in_ptr, in_hidden, out_inputs, w_out, key, cues, k, n_out, n_out_active, outputs,
              winners_seen, gain):
    R, Q, _ = cues.shape
    H = out_inputs.shape[1]
    for r in prange(R):
        logits = np.empty(H)
        out = np.empty(n_out)
        winners = np.empty(k, dtype=np.int32)
        hidden_work = new_work(H)
        readout_work = new_work(n_out)
        for q in range(Q):
            _hidden_logits(w_in[r], in_ptr[r], in_hidden[r], cues[r, q], logits)
            if gain.shape[1]:
                for i in range(H):
                    logits[i] *= gain[r, q, i]
            select_top_k(logits, k, _rnd.step_key(key[r], _rnd.STREAM_RECALL_HIDDEN, q), winners, hidden_work)
            if winners_seen.shape[1]:
                winners_seen[r, q, :] = winners
            _readout(out_inputs[r], w_out[r], winners, k, out)
            select_top_k(out, n_out_active, _rnd.step_key(key[r], _rnd.STREAM_RECALL_READOUT, q),
                         outputs[r, q], readout_work)
