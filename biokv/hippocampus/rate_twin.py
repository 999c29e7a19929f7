"""Rate twin of the hippocampal key-value network: exact k-winners-take-all, batched over runs.

Reads a :class:`biokv.hippocampus.description.NetworkDescription` (see
:func:`biokv.hippocampus.description.hippocampal_network`) and the connectivity drawn from it
(:func:`biokv.hippocampus.connectivity.draw_connectivity`, which the spiking network reads too):

- encoding a key ``x`` with value ``v``: DG winners = top ``k_DG`` of ``W_EC->DG x`` (fixed weights); CA3 winners
  = top ``k_CA3`` of ``W_PP x + (gain_MF / gain_PP) W_MF dg`` (the mossy-fibre input added after the
  perforant-path sums; projection gains in the description are per phase, and a common gain on all inputs of
  a k-WTA layer does not change its winners);
  then, for every CA3 winner ``i``, ``W_PP[i, j] += eps (x_j - W_PP[i, j])`` for its EC inputs ``j`` and
  ``W_CTX[j, i] += eps (v_j - W_CTX[j, i])`` for its cortical targets ``j``;
- recall from a cue ``c``: CA3 winners = top ``k_CA3`` of ``W_PP c`` (no mossy fibres); the recalled value is
  the top ``s_CTX`` of ``W_CTX y``.

The perforant path and CA3 -> CTX are one hetero-associative :class:`~biokv.core.kwinner.model.KWinnerMHN`; DG is
a K-winner layer whose weights never change. Without DG, with value = key and a mirrored CA3 -> CTX mask, the twin
is the K-winner MHN itself, bit for bit. Interventions scale projections with ``gains`` (projection name ->
array), checked by :func:`biokv.hippocampus.gains.check_gains` as in the spiking network.

With ``selection="e_max"`` the DG and CA3 winners are instead the E%-max cells of the same drives (de Almeida,
Idiart & Lisman 2009, J Neurosci 29:7497: in each gamma cycle the cells whose excitation is within a fraction
``E`` of the most excited cell's fire before the feedback inhibition arrives; see
:func:`biokv.core.common.selection.e_max_winners`), so the number of winners follows the spread of the drive
and varies from pattern to pattern; ``e_max`` gives ``E`` per layer. The K-winner rule is applied to these winners,
patterns one at a time, and the recalled value is still the top ``s_CTX`` of ``W_CTX y``. Winners are then
returned as boolean masks over the cells (``dg_active``, ``ca3_active``) instead of index arrays. E%-max, like
top-k, does not depend on a common gain on all inputs of a layer, and does not break ties (tied cells win or
lose together).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numba import njit, prange

from biokv.core.common import rng as _rnd
from biokv.core.common.selection import new_work, select_e_max, select_top_k
from biokv.core.kwinner.model import _hidden_logits, _readout
from biokv.hippocampus.connectivity import HippocampalState, ca3_layer, dentate_layer, draw_connectivity
from biokv.hippocampus.description import NetworkDescription
from biokv.hippocampus.gains import check_gains

__all__ = ["HippocampalRateTwin", "HippocampalState"]

#: projections whose gains the rate twin applies (the others carry nothing it models separately)
GAIN_PROJECTIONS = ("mf", "pp")

#: winner selections of the k-WTA layers (DG, CA3): a fixed number, or E%-max
SELECTIONS = ("top_k", "e_max")


class HippocampalRateTwin:
    """Rate-based twin of a hippocampal key-value network description.

    Parameters
    ----------
    description : NetworkDescription
        Populations ``EC`` (input), optionally ``DG`` (k-WTA), ``CA3`` (k-WTA), ``CTX`` (value); projections
        ``pp`` (EC -> CA3, fan-in, plastic), ``ca3_ctx`` (CA3 -> CTX, fan-out or mirror of ``pp``, plastic with
        the same learning rate), and with DG ``ec_dg`` (EC -> DG, fan-in, fixed) and ``mf`` (DG -> CA3, fan-out,
        fixed weight, on during encoding only).
    selection : {"top_k", "e_max"}
        ``top_k``: the ``active`` most driven cells of DG and CA3 win; ``e_max``: the cells within a fraction
        ``e_max[layer]`` of the most driven one win (E%-max, de Almeida, Idiart & Lisman 2009).
    e_max : dict of layer name -> float, optional
        ``E`` in [0, 1] for ``"CA3"`` and, with DG, ``"DG"``; required with ``selection="e_max"`` (and only
        then). 0: only the most driven cell(s) win; 1: every cell with a positive drive.
    """

    def __init__(self, description: NetworkDescription, selection: str = "top_k", e_max: Mapping | None = None):
        if selection not in SELECTIONS:
            raise ValueError(f"selection must be one of {SELECTIONS}, got {selection!r}")
        if selection == "top_k" and e_max is not None:
            raise ValueError("e_max is read only with selection='e_max', got e_max with selection='top_k'")
        self.selection = selection
        d = description
        self.description = d
        pp, out = d.projection("pp"), d.projection("ca3_ctx")
        self.ca3_model = ca3_layer(d)
        # a positive gain on every input of a k-WTA layer does not change its winners: only the ratio of the
        # mossy-fibre to the perforant-path gain at encoding matters
        if pp.gain["encode"] <= 0 or pp.gain["recall"] <= 0 or out.gain["recall"] <= 0:
            raise ValueError(f"projections pp and ca3_ctx must be on (gain > 0) when they drive winners, got "
                             f"pp {pp.gain}, ca3_ctx {out.gain}")
        self.with_dg = d.has("DG")
        if self.with_dg:
            mf = d.projection("mf")
            self.dg_model = dentate_layer(d)
            if mf.gain["recall"] != 0.0:
                raise ValueError("the rate twin recalls over the perforant path only: mf gain at recall must be 0")
            self.mf_contacts = mf.n_connections
            self.mf_weight = mf.weight * mf.gain["encode"] / pp.gain["encode"]
        self.e_max = self._check_e_max(e_max) if selection == "e_max" else None

    def _check_e_max(self, e_max) -> dict:
        """``e_max`` as {layer: float} for exactly the k-WTA layers of the network (DG if present, CA3)."""
        layers = ("DG", "CA3") if self.with_dg else ("CA3",)
        if not isinstance(e_max, Mapping):
            raise ValueError(f"selection='e_max' needs e_max, a dict of layer -> fraction in [0, 1] for "
                             f"{list(layers)}, got {e_max!r}")
        missing = [layer for layer in layers if layer not in e_max]
        unknown = [layer for layer in e_max if layer not in layers]
        if missing or unknown:
            raise ValueError(f"e_max needs a fraction for each of {list(layers)} and nothing else; "
                             f"missing {missing}, unknown {unknown}")
        checked = {}
        for layer in layers:
            f = e_max[layer]
            if isinstance(f, bool) or not isinstance(f, (int, float, np.integer, np.floating)) or not 0 <= f <= 1:
                raise ValueError(f"e_max[{layer!r}] must be a number in [0, 1], got {f!r}")
            checked[layer] = float(f)
        return checked

    def init_state(self, seed: int, runs) -> HippocampalState:
        """Connectivity and initial weights of independent networks
        (:func:`biokv.hippocampus.connectivity.draw_connectivity`; the spiking backend reads the same)."""
        return draw_connectivity(self.description, seed, runs)

    def dentate_winners(self, state: HippocampalState, keys) -> np.ndarray:
        """DG winners (R, P, k_DG) for each key: the top ``k_DG`` of the fixed EC -> DG input."""
        if self.selection != "top_k":
            raise ValueError("dentate_winners is the top-k DG code; with selection='e_max' use dentate_active")
        return self.dg_model.retrieve(state.dg, keys, return_winners=True)[1]

    def dentate_active(self, state: HippocampalState, keys) -> np.ndarray:
        """DG winners as a boolean mask (R, P, n_DG) for each key (``selection="e_max"``): the E%-max cells of the
        fixed EC -> DG input, ``E = e_max["DG"]``."""
        if self.selection != "e_max" or not self.with_dg:
            raise ValueError("dentate_active needs selection='e_max' and a network with DG")
        dg = self.dg_model
        dg._check_state(state.dg)
        keys = dg._check_patterns(state.dg, keys, "keys")
        active = np.zeros(keys.shape[:2] + (dg.n_hidden,), dtype=np.bool_)
        _dentate_e_max(state.dg.w_in, state.dg.in_ptr, state.dg.in_hidden, keys, self.e_max["DG"], active)
        return active

    def mossy_drive(self, state: HippocampalState, dg_winners: np.ndarray):
        """Mossy-fibre input to CA3 of each pattern as (indices, weights), each (R, P, k_DG * mf_contacts)."""
        R, P, K = dg_winners.shape
        idx = np.take_along_axis(state.mf_targets[:, None, :, :], dg_winners[..., None].astype(np.intp),
                                 axis=2).reshape(R, P, K * self.mf_contacts)
        return idx, np.full(idx.shape, self.mf_weight)

    def _gains(self, gains, patterns) -> dict:
        """``gains`` checked (:func:`~biokv.hippocampus.gains.check_gains`) over (runs, presentations, target
        cells); the mossy-fibre gain may be one per presentation (runs, presentations)."""
        R, P = np.shape(patterns)[:2]
        checked = check_gains(self.description, gains, (("runs", R), ("presentations", P)), per_pattern=("mf",))
        other = [name for name in checked if name not in GAIN_PROJECTIONS]
        if other:
            raise ValueError(f"gains: the rate twin applies gains to {list(GAIN_PROJECTIONS)} only, got {other[0]!r}")
        return checked

    def encode(self, state: HippocampalState, keys, values=None, dg_winners=None, gains=None,
               dg_active=None) -> dict:
        """Store key -> value pairs (R, P, s) one at a time (in place).

        ``dg_winners`` (R, P, k_DG), if given, replaces the DG's own winners as the source of the mossy-fibre
        input (e.g. the granule cells a spiking network activated), to compare CA3 given the same DG code; with
        ``selection="e_max"`` give it instead as ``dg_active``, a boolean mask (R, P, n_DG).
        ``gains`` maps projections to gains broadcastable to (R, P, target cells), as in the spiking network:
        ``gains["mf"]`` multiplies the mossy-fibre input each CA3 cell receives at each encoding (0: the mossy
        fibres are lesioned or inactivated while that pattern is stored; it may also be given per encoding, as
        (R, P)); ``gains["pp"]``, over (R, P, n_CA3), multiplies the perforant-path input of each CA3 cell (as in
        :meth:`recall`). The K-winner rule is unchanged: the winners' weights learn whatever drove them.

        Returns
        -------
        dict with ``ca3_winners`` (R, P, k_CA3) and, with DG, ``dg_winners`` (R, P, k_DG), index sets; with
        ``selection="e_max"`` instead boolean masks ``ca3_active`` (R, P, n_CA3) and, with DG, ``dg_active``
        (R, P, n_DG).
        """
        if self.selection == "e_max":
            if dg_winners is not None:
                raise ValueError("with selection='e_max' give the DG code as dg_active (a boolean mask), "
                                 "not dg_winners")
            return self._encode_e_max(state, keys, values, dg_active, gains)
        if dg_active is not None:
            raise ValueError("dg_active is the DG code of selection='e_max'; with top_k give dg_winners")
        gains = self._gains(gains, keys)
        out = {}
        drive = None
        if self.with_dg:
            if dg_winners is None:
                out["dg_winners"] = self.dentate_winners(state, keys)
            else:
                dg_winners = np.asarray(dg_winners)
                expected = np.shape(keys)[:2] + (self.dg_model.k,)
                if dg_winners.shape != expected or dg_winners.min() < 0 or dg_winners.max() >= self.dg_model.n_hidden:
                    raise ValueError(f"dg_winners must have shape {expected} with granule cells in "
                                     f"[0, {self.dg_model.n_hidden - 1}]")
                out["dg_winners"] = dg_winners
            if self.mf_weight > 0:
                idx, w = self.mossy_drive(state, out["dg_winners"])
                if "mf" in gains:
                    w = w * np.take_along_axis(gains["mf"], idx.astype(np.intp), axis=2)
                drive = (idx, w)
        out["ca3_winners"] = self.ca3_model.learn(state.ca3, keys, values, drive, return_winners=True,
                                                  hidden_gain=gains.get("pp"))
        return out

    def recall(self, state: HippocampalState, cues, gains=None) -> dict:
        """Recall values from cues (R, Q, m) over the perforant path, weights frozen.

        ``gains["pp"]``, broadcastable to (R, Q, n_CA3), multiplies the perforant-path input of each CA3 cell
        for each cue: 0 everywhere is a perforant-path lesion (CA3 gets no input; its winners are then a random
        draw), > 1 on chosen cells boosts them (e.g. reactivating a memory's CA3 ensemble). A mossy-fibre gain is
        checked and has no effect: the mossy fibres are off at recall.

        With ``selection="e_max"`` the CA3 winners are the E%-max cells of the same drive (none when no cell has
        a positive drive, e.g. after a perforant-path lesion; the readout is then all zeros and its top
        ``s_CTX`` a random draw) and the recalled value the top ``s_CTX`` of their cortical input.

        Returns
        -------
        dict with ``values`` (R, Q, s_CTX) and ``ca3_winners`` (R, Q, k_CA3); with ``selection="e_max"``
        ``ca3_active`` (R, Q, n_CA3), a boolean mask, instead of ``ca3_winners``.
        """
        gains = self._gains(gains, cues)
        if self.selection == "e_max":
            return self._recall_e_max(state, cues, gains)
        values, winners = self.ca3_model.retrieve(state.ca3, cues, return_winners=True, hidden_gain=gains.get("pp"))
        return {"values": values, "ca3_winners": winners}

    # ------------------------------------------------------------------ E%-max selection
    def _encode_e_max(self, state: HippocampalState, keys, values, dg_active, gains) -> dict:
        """:meth:`encode` with E%-max winners: the drives of the top-k path, the K-winner rule on the winners."""
        ca3 = self.ca3_model
        ca3._check_state(state.ca3)
        keys = ca3._check_patterns(state.ca3, keys, "keys")
        R, P, _ = keys.shape
        if values is None:
            if ca3.n_output != ca3.n_visible:
                raise ValueError("values are needed: the CTX layer differs from the EC layer")
            values = keys
        else:
            values = ca3._check_patterns(state.ca3, values, "values", ca3.n_output, P)
        gains = self._gains(gains, keys)
        out = {}
        if self.with_dg:
            if dg_active is None:
                dg_active = self.dentate_active(state, keys)
            else:
                expected = (R, P, self.dg_model.n_hidden)
                dg_active = np.asarray(dg_active)
                if dg_active.dtype != np.bool_ or dg_active.shape != expected:
                    raise ValueError(f"dg_active must be a boolean mask of shape (R, P, n_DG) = {expected}, got "
                                     f"{dg_active.dtype} {dg_active.shape}")
            out["dg_active"] = dg_active
            mf_targets, mf_weight = state.mf_targets, self.mf_weight
        elif dg_active is not None:
            raise ValueError("dg_active needs a network with DG")
        else:
            dg_active, mf_targets, mf_weight = (np.zeros((R, 0, 0), np.bool_), np.zeros((R, 0, 0), np.int32),
                                                0.0)
        H = ca3.n_hidden
        pp_gain = np.ascontiguousarray(gains["pp"]) if "pp" in gains else np.empty((R, 0, H))
        mf_gain = np.ascontiguousarray(gains["mf"]) if "mf" in gains else np.empty((R, 0, H))
        active = np.zeros((R, P, H), dtype=np.bool_)
        s = state.ca3
        _learn_e_max(s.w_in, s.in_ptr, s.in_hidden, s.in_pos, s.inputs, s.w_out, s.out_inputs, s.step, keys,
                     values, pp_gain, np.ascontiguousarray(dg_active), mf_targets, mf_weight, mf_gain,
                     self.e_max["CA3"], ca3.learning_rate, ca3.n_output, active)
        out["ca3_active"] = active
        return out

    def _recall_e_max(self, state: HippocampalState, cues, gains: dict) -> dict:
        """:meth:`recall` with E%-max CA3 winners."""
        ca3 = self.ca3_model
        ca3._check_state(state.ca3)
        cues = ca3._check_patterns(state.ca3, cues, "cues")
        R, Q, _ = cues.shape
        pp_gain = np.ascontiguousarray(gains["pp"]) if "pp" in gains else np.empty((R, 0, ca3.n_hidden))
        values = np.empty((R, Q, ca3.n_output_active), dtype=np.int32)
        active = np.zeros((R, Q, ca3.n_hidden), dtype=np.bool_)
        s = state.ca3
        _recall_e_max(s.w_in, s.in_ptr, s.in_hidden, s.out_inputs, s.w_out, s.key, cues, pp_gain,
                      self.e_max["CA3"], ca3.n_output, ca3.n_output_active, values, active)
        return {"values": values, "ca3_active": active}


# ---------------------------------------------------------------------- E%-max kernels
# The drives are summed by the K-winner MHN's own kernel (_hidden_logits), then scaled by the gains and given the
# mossy-fibre input in the order of the top-k path, so that they are bit for bit the drives top-k selects from.

@njit(cache=True, parallel=True)
def _dentate_e_max(w_in, in_ptr, in_hidden, keys, fraction, active):
    R, P, _ = keys.shape
    H = active.shape[2]
    for r in prange(R):
        logits = np.empty(H)
        for p in range(P):
            _hidden_logits(w_in[r], in_ptr[r], in_hidden[r], keys[r, p], logits)
            select_e_max(logits, fraction, active[r, p])


@njit(cache=True, parallel=True)
def _learn_e_max(w_in, in_ptr, in_hidden, in_pos, inputs, w_out, out_inputs, step, keys, values, pp_gain,
                 dg_active, mf_targets, mf_weight, mf_gain, fraction, lr, n_out, active):
    R, P, _ = keys.shape
    H, F = inputs.shape[1], inputs.shape[2]
    F_out = out_inputs.shape[2]
    V = in_ptr.shape[1] - 1
    for r in prange(R):
        logits = np.empty(H)
        x_on = np.zeros(V)
        v_on = np.zeros(n_out)
        for p in range(P):
            x = keys[r, p]
            _hidden_logits(w_in[r], in_ptr[r], in_hidden[r], x, logits)
            if pp_gain.shape[1]:
                for i in range(H):
                    logits[i] *= pp_gain[r, p, i]
            if dg_active.shape[1] and mf_weight > 0:  # mossy fibres of the active granule cells, ascending
                for g in range(dg_active.shape[2]):
                    if dg_active[r, p, g]:
                        for c in range(mf_targets.shape[2]):
                            t = mf_targets[r, g, c]
                            if mf_gain.shape[1]:
                                logits[t] += mf_weight * mf_gain[r, p, t]
                            else:
                                logits[t] += mf_weight
            select_e_max(logits, fraction, active[r, p])
            for j in x:
                x_on[j] = 1.0
            for j in values[r, p]:
                v_on[j] = 1.0
            for i in range(H):  # the K-winner rule on every winner
                if active[r, p, i]:
                    for c in range(F):
                        q = in_pos[r, i, c]
                        w_in[r, q] = w_in[r, q] + lr * (x_on[inputs[r, i, c]] - w_in[r, q])
                    for c in range(F_out):
                        w_out[r, i, c] = w_out[r, i, c] + lr * (v_on[out_inputs[r, i, c]] - w_out[r, i, c])
            for j in x:
                x_on[j] = 0.0
            for j in values[r, p]:
                v_on[j] = 0.0
            step[r] += 1


@njit(cache=True, parallel=True)
def _recall_e_max(w_in, in_ptr, in_hidden, out_inputs, w_out, key, cues, pp_gain, fraction, n_out, n_out_active,
                  outputs, active):
    R, Q, _ = cues.shape
    H = out_inputs.shape[1]
    for r in prange(R):
        logits = np.empty(H)
        out = np.empty(n_out)
        winners = np.empty(H, dtype=np.int32)
        readout_work = new_work(n_out)
        for q in range(Q):
            _hidden_logits(w_in[r], in_ptr[r], in_hidden[r], cues[r, q], logits)
            if pp_gain.shape[1]:
                for i in range(H):
                    logits[i] *= pp_gain[r, q, i]
            n_win = select_e_max(logits, fraction, active[r, q])
            t = 0
            for i in range(H):
                if active[r, q, i]:
                    winners[t] = i
                    t += 1
            _readout(out_inputs[r], w_out[r], winners, n_win, out)
            select_top_k(out, n_out_active, _rnd.step_key(key[r], _rnd.STREAM_RECALL_READOUT, q), outputs[r, q],
                         readout_work)
