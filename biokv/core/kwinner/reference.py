"""The K-winner MHN for one network, written for clarity (dense matrices, one pattern at a time).

This is the definition that :class:`biokv.core.kwinner.model.KWinnerMHN` implements fast; tests check that the two
agree exactly. Sums run over inputs (or winners) in ascending order, one vector addition at a time, so that
the floating-point result does not depend on a BLAS library's summation order.
"""

from __future__ import annotations

import numpy as np

from biokv.core.common import rng as _rnd
from biokv.core.kwinner.model import KWinnerMHN
from biokv.core.common.selection import k_winners_reference

__all__ = ["KWinnerMHNReference"]


class KWinnerMHNReference:
    """One K-winner MHN with dense weights ``W_in`` (n_hidden x n_visible) and ``W_out`` (n_output x n_hidden).

    Parameters
    ----------
    model : KWinnerMHN
        The parameters (sizes, fan-in, k, learning rate, learning rule).
    rng : numpy.random.Generator
        Draws the fan-in mask and the initial weights exactly as :meth:`KWinnerMHN.init_state` does for a run
        with this generator.
    """

    def __init__(self, model: KWinnerMHN, rng: np.random.Generator):
        self.model = model
        state = model.init_state(rngs=[rng])
        self.W_in, self.W_out = state.dense_weights(0, model.n_visible, model.n_output)
        self.mask = np.zeros((model.n_hidden, model.n_visible), dtype=bool)
        self.out_mask = np.zeros((model.n_output, model.n_hidden), dtype=bool)
        for i in range(model.n_hidden):
            self.mask[i, state.inputs[0, i]] = True
            self.out_mask[state.out_inputs[0, i], i] = True
        self.key = state.key[0]
        self.step_count = 0

    def _winners(self, x: np.ndarray, stream, drive=()) -> np.ndarray:
        logits = np.zeros(self.model.n_hidden)
        for j in np.flatnonzero(x):
            logits += self.W_in[:, j]
        for i, w in drive:  # extra input, after the input sums, in the order given
            logits[i] += w
        return k_winners_reference(logits, self.model.k, _rnd.step_key(self.key, stream, self.step_count))

    def _output(self, winners: np.ndarray, stream) -> np.ndarray:
        out = np.zeros(self.model.n_output)
        for i in winners:
            out += self.W_out[:, i]
        chosen = k_winners_reference(out, self.model.n_output_active,
                                     _rnd.step_key(self.key, stream, self.step_count))
        y = np.zeros(self.model.n_output, dtype=np.int8)
        y[chosen] = 1
        return y

    def learn(self, x: np.ndarray, v: np.ndarray | None = None, drive=()) -> np.ndarray:
        """Present binary key ``x`` (n_visible,) with value ``v`` (n_output,; default ``x``) and extra hidden
        input ``drive`` (pairs of hidden unit and weight), learn, and return the output computed before
        learning."""
        x = np.asarray(x)
        v = x if v is None else np.asarray(v)
        winners = self._winners(x, _rnd.STREAM_LEARN_HIDDEN, drive)
        self.last_winners = winners
        output = self._output(winners, _rnd.STREAM_LEARN_READOUT)
        if self.model.learning == "random-k":
            prio = _rnd.priorities(_rnd.step_key(self.key, _rnd.STREAM_LEARN_RANDOM, self.step_count),
                                   self.model.n_hidden)
            learners = np.sort(np.argsort(prio, kind="stable")[: self.model.k])
        else:
            learners = winners
        eps = self.model.learning_rate
        xf = x.astype(np.float64)
        vf = v.astype(np.float64)
        for i in learners:
            cols = np.flatnonzero(self.mask[i])
            self.W_in[i, cols] = self.W_in[i, cols] + eps * (xf[cols] - self.W_in[i, cols])
            rows = np.flatnonzero(self.out_mask[:, i])
            self.W_out[rows, i] = self.W_out[rows, i] + eps * (vf[rows] - self.W_out[rows, i])
        self.step_count += 1
        return output

    def retrieve(self, x: np.ndarray, query_index: int = 0) -> np.ndarray:
        """Output for cue ``x`` with frozen weights (``query_index`` picks the tie-breaking stream)."""
        saved = self.step_count
        self.step_count = query_index
        try:
            winners = self._winners(np.asarray(x), _rnd.STREAM_RECALL_HIDDEN)
            return self._output(winners, _rnd.STREAM_RECALL_READOUT)
        finally:
            self.step_count = saved
