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

With CA3 recurrent collaterals (projection ``rc``) the CA3 code settles instead: each input is scaled by its
transmission at the presentation's acetylcholine level
(:meth:`~biokv.hippocampus.description.NetworkDescription.transmission`), the feed-forward drive ``d`` (perforant
path, and the mossy fibres where they transmit) is computed from the current weights, and
``y <- select(d + g_rc W_RC y)`` is iterated from ``select(d)`` until the code stops changing or ``steps``
iterations (:class:`~biokv.hippocampus.recurrent.RecurrentCA3`; ``g_rc`` = ``rc.strength`` times the ratio of the
expected active perforant-path to recurrent inputs, so that a stored code's recurrent drive is ``strength`` times
its key's perforant-path drive at equal weights). At encoding the K-winner rule is then applied to the settled code
on the perforant path, CA3 -> CTX and the recurrents, one pattern after the other (a Python loop over patterns,
runs batched); at recall the value is the top ``s_CTX`` of ``W_CTX y``. Top-k ties go to a fixed random priority
per cell and run (not the hash keys of the feed-forward path).

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
from biokv.core.common.selection import e_max_winners
from biokv.hippocampus.connectivity import (HippocampalState, ca3_layer, dentate_layer, draw_connectivity,
                                            recurrent_layer)
from biokv.hippocampus.description import NetworkDescription
from biokv.hippocampus.gains import check_gains

__all__ = ["HippocampalRateTwin", "HippocampalState"]

#: projections whose gains the rate twin applies (the others carry nothing it models separately)
GAIN_PROJECTIONS = ("mf", "pp", "rc")

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
        fixed weight, on during encoding only unless the twin has recurrents), and optionally ``rc`` (CA3 -> CA3,
        fan-in, plastic).
    selection : {"top_k", "e_max"}
        ``top_k``: the ``active`` most driven cells of DG and CA3 win; ``e_max``: the cells within a fraction
        ``e_max[layer]`` of the most driven one win (E%-max, de Almeida, Idiart & Lisman 2009).
    e_max : dict of layer name -> float, optional
        ``E`` in [0, 1] for ``"CA3"`` and, with DG, ``"DG"``; required with ``selection="e_max"`` (and only
        then). 0: only the most driven cell(s) win; 1: every cell with a positive drive.
    steps : int
        Iterations of the recurrent dynamics at most (with projection ``rc``; "a few gamma cycles": 5).
    """

    def __init__(self, description: NetworkDescription, selection: str = "top_k", e_max: Mapping | None = None,
                 steps: int = 5):
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise ValueError(f"steps must be an integer >= 0 (iterations of the recurrent dynamics), got {steps!r}")
        self.steps = int(steps)
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
        if d.transmission("pp", "encode") <= 0 or d.transmission("pp", "recall") <= 0 or out.gain["recall"] <= 0:
            raise ValueError(f"projections pp and ca3_ctx must be on (gain > 0) when they drive winners, got "
                             f"pp {pp.gain} (acetylcholine suppression {pp.ach_suppression}), ca3_ctx {out.gain}")
        self.with_dg = d.has("DG")
        self.recurrent = recurrent_layer(d)
        if self.with_dg:
            mf = d.projection("mf")
            self.dg_model = dentate_layer(d)
            if mf.gain["recall"] != 0.0 and self.recurrent is None:
                raise ValueError("without recurrents the rate twin recalls over the perforant path only: mf gain at "
                                 "recall must be 0")
            self.mf_contacts = mf.n_connections
            self.mf_weight = mf.weight * d.transmission("mf", "encode") / d.transmission("pp", "encode")
        if self.recurrent is not None:
            # the recurrent input of a stored code at weight 1 is rc.strength times the perforant-path input of its
            # full key at weight 1 (per cell: expected active inputs of each projection)
            self.rc_scale = (d.projection("rc").strength * d.expected_active_inputs("pp")
                             / d.expected_active_inputs("rc"))
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
               dg_active=None, acetylcholine=None) -> dict:
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
        if self.selection == "e_max" and dg_winners is not None:
            raise ValueError("with selection='e_max' give the DG code as dg_active (a boolean mask), not dg_winners")
        if self.selection == "top_k" and dg_active is not None:
            raise ValueError("dg_active is the DG code of selection='e_max'; with top_k give dg_winners")
        if self.recurrent is not None:
            return self._encode_recurrent(state, keys, values, dg_winners, dg_active, gains, acetylcholine)
        if acetylcholine is not None:
            raise ValueError("acetylcholine is read by the network with recurrents (projection rc) only")
        if self.selection == "e_max":
            return self._encode_e_max(state, keys, values, dg_active, gains)
        gains = self._gains(gains, keys)
        out = {}
        drive = None
        if self.with_dg:
            if dg_winners is None:
                out["dg_winners"] = self.dentate_winners(state, keys)
            else:
                out["dg_winners"] = self._given_dg_winners(dg_winners, np.shape(keys)[:2])
            if self.mf_weight > 0:
                idx, w = self.mossy_drive(state, out["dg_winners"])
                if "mf" in gains:
                    w = w * np.take_along_axis(gains["mf"], idx.astype(np.intp), axis=2)
                drive = (idx, w)
        out["ca3_winners"] = self.ca3_model.learn(state.ca3, keys, values, drive, return_winners=True,
                                                  hidden_gain=gains.get("pp"))
        return out

    def recall(self, state: HippocampalState, cues, gains=None, acetylcholine=None) -> dict:
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
        if self.recurrent is not None:
            return self._recall_recurrent(state, cues, gains, acetylcholine)
        if acetylcholine is not None:
            raise ValueError("acetylcholine is read by the network with recurrents (projection rc) only")
        if self.selection == "e_max":
            return self._recall_e_max(state, cues, gains)
        values, winners = self.ca3_model.retrieve(state.ca3, cues, return_winners=True, hidden_gain=gains.get("pp"))
        return {"values": values, "ca3_winners": winners}

    def _pairs(self, state: HippocampalState, keys, values):
        """``keys`` and ``values`` (default: the keys, when CTX is as large as EC) checked against ``state``."""
        ca3 = self.ca3_model
        ca3._check_state(state.ca3)
        keys = ca3._check_patterns(state.ca3, keys, "keys")
        if values is None:
            if ca3.n_output != ca3.n_visible:
                raise ValueError("values are needed: the CTX layer differs from the EC layer")
            return keys, keys
        return keys, ca3._check_patterns(state.ca3, values, "values", ca3.n_output, keys.shape[1])

    # ------------------------------------------------------------------ E%-max selection
    def _encode_e_max(self, state: HippocampalState, keys, values, dg_active, gains) -> dict:
        """:meth:`encode` with E%-max winners: the drives of the top-k path, the K-winner rule on the winners."""
        ca3 = self.ca3_model
        keys, values = self._pairs(state, keys, values)
        R, P, _ = keys.shape
        gains = self._gains(gains, keys)
        out = {}
        if self.with_dg:
            if dg_active is None:
                dg_active = self.dentate_active(state, keys)
            else:
                dg_active = self._given_dg_active(dg_active, (R, P))
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


    # ------------------------------------------------------------------ recurrent CA3
    def _acetylcholine(self, acetylcholine, phase: str, R: int, P: int) -> np.ndarray:
        """Acetylcholine level (R, P) of each presentation: the description's level in ``phase``, or
        ``acetylcholine`` (a number or an array broadcastable to (R, P), in [0, 1])."""
        if acetylcholine is None:
            return np.full((R, P), float(self.description.acetylcholine[phase]))
        try:
            level = np.broadcast_to(np.asarray(acetylcholine, dtype=np.float64), (R, P))
        except ValueError:
            raise ValueError(f"acetylcholine must be broadcastable to (runs={R}, presentations={P}), got shape "
                             f"{np.shape(acetylcholine)}") from None
        if not np.all((level >= 0) & (level <= 1)):
            raise ValueError("acetylcholine must hold levels in [0, 1]")
        return level

    def _ca3_select(self, state: HippocampalState):
        """The CA3 selection of this twin as a function of values (R, Q, n) -> boolean winners."""
        if self.selection == "e_max":
            fraction = self.e_max["CA3"]
            return lambda values: e_max_winners(values, fraction)
        return lambda values: self.recurrent.select(values, state.rc.priority)

    def _given_dg_winners(self, dg_winners, leading) -> np.ndarray:
        """A given top-k DG code, checked: index sets of shape ``leading + (k_DG,)``."""
        dg_winners = np.asarray(dg_winners)
        expected, n_dg = tuple(leading) + (self.dg_model.k,), self.dg_model.n_hidden
        if dg_winners.shape != expected or dg_winners.min() < 0 or dg_winners.max() >= n_dg:
            raise ValueError(f"dg_winners must have shape {expected} with granule cells in [0, {n_dg - 1}]")
        return dg_winners

    def _given_dg_active(self, dg_active, leading) -> np.ndarray:
        """A given E%-max DG code, checked: a boolean mask of shape ``leading + (n_DG,)``."""
        dg_active = np.asarray(dg_active)
        expected = tuple(leading) + (self.dg_model.n_hidden,)
        if dg_active.dtype != np.bool_ or dg_active.shape != expected:
            raise ValueError(f"dg_active must be a boolean mask of shape (R, P, n_DG) = {expected}, got "
                             f"{dg_active.dtype} {dg_active.shape}")
        return dg_active

    def _dentate_code(self, state: HippocampalState, patterns, dg_winners=None, dg_active=None) -> np.ndarray:
        """DG code (R, P, n_DG) as a boolean mask: the DG's own winners, or those given."""
        leading = patterns.shape[:2]
        if dg_active is not None:
            return self._given_dg_active(dg_active, leading)
        if self.selection == "e_max":
            return self.dentate_active(state, patterns)
        dg_winners = (self.dentate_winners(state, patterns) if dg_winners is None
                      else self._given_dg_winners(dg_winners, leading))
        mask = np.zeros(leading + (self.dg_model.n_hidden,), dtype=np.bool_)
        np.put_along_axis(mask, dg_winners.astype(np.intp), True, axis=2)
        return mask

    def _feedforward(self, state: HippocampalState, patterns, phase: str, ach, gains: dict, dg) -> np.ndarray:
        """Perforant-path input to CA3 (R, P, n_CA3) in ``phase`` at acetylcholine ``ach`` (R, P), plus the
        mossy-fibre input of the DG code ``dg`` (boolean (R, P, n_DG), or None) where the mossy fibres transmit."""
        d = self.description
        R, P, _ = patterns.shape
        s = state.ca3
        drive = np.empty((R, P, self.ca3_model.n_hidden))
        _pp_drives(s.w_in, s.in_ptr, s.in_hidden, np.ascontiguousarray(patterns, dtype=np.int32), drive)
        drive *= d.transmission("pp", phase, ach)[..., None]
        if "pp" in gains:
            drive *= gains["pp"]
        if dg is not None:
            contacts = np.zeros(drive.shape)
            _mossy_contacts(state.mf_targets, np.ascontiguousarray(dg), contacts)
            mf = d.projection("mf").weight * d.transmission("mf", phase, ach)[..., None] * contacts
            drive += mf * gains["mf"] if "mf" in gains else mf
        return drive

    def _recurrent_gain(self, phase: str, ach, gains: dict) -> np.ndarray:
        """Multiplier (R, P, 1 or n_CA3) of the recurrent input ``W_rc y`` of each cell."""
        g = (self.rc_scale * self.description.transmission("rc", phase, ach))[..., None]
        return g * gains["rc"] if "rc" in gains else g

    def _codes_out(self, layer: str, active: np.ndarray) -> dict:
        """A layer's winners as the twin returns them: ``{"<layer>_winners": index sets (R, P, k)}`` for top-k (exactly
        ``k`` cells win), ``{"<layer>_active": the boolean mask}`` for E%-max."""
        if self.selection == "e_max":
            return {f"{layer}_active": active}
        k = (self.dg_model if layer == "dg" else self.ca3_model).k
        return {f"{layer}_winners": np.argsort(~active, axis=-1, kind="stable")[..., :k].astype(np.int32)}

    def _encode_recurrent(self, state, keys, values, dg_winners, dg_active, gains, acetylcholine) -> dict:
        """:meth:`encode` with recurrent collaterals: for each pattern in turn, the CA3 code settles under the
        perforant-path, mossy-fibre and (acetylcholine-suppressed) recurrent input, then the K-winner rule is
        applied to its cells on the perforant path, CA3 -> CTX and the recurrents."""
        ca3 = self.ca3_model
        keys, values = self._pairs(state, keys, values)
        R, P, _ = keys.shape
        gains = self._gains(gains, keys)
        ach = self._acetylcholine(acetylcholine, "encode", R, P)
        out, dg = {}, None
        if self.with_dg:
            dg = self._dentate_code(state, keys, dg_winners, dg_active)
            out.update(self._codes_out("dg", dg))
        elif dg_winners is not None or dg_active is not None:
            raise ValueError("a DG code needs a network with DG")
        rc_gain = np.broadcast_to(self._recurrent_gain("encode", ach, gains), (R, P, ca3.n_hidden))
        select = self._ca3_select(state)
        active = np.zeros((R, P, ca3.n_hidden), dtype=np.bool_)
        iterations = np.zeros((R, P), dtype=np.int64)
        s = state.ca3
        for p in range(P):  # patterns in order (each changes the weights the next settles in); runs batched
            one = slice(p, p + 1)
            drive = self._feedforward(state, keys[:, one], "encode", ach[:, one],
                                      {name: g[:, one] for name, g in gains.items()}, None if dg is None else dg[:, one])
            y, its = self.recurrent.complete(state.rc, drive, rc_gain[:, one], self.steps, select)
            active[:, p], iterations[:, p] = y[:, 0], its[:, 0]
            _learn_active(s.w_in, s.in_pos, s.inputs, s.w_out, s.out_inputs, s.step, keys[:, p], values[:, p],
                          np.ascontiguousarray(y[:, 0]), ca3.learning_rate, ca3.n_visible, ca3.n_output)
            self.recurrent.learn(state.rc, y)
        out.update(self._codes_out("ca3", active))
        out["iterations"] = iterations
        return out

    def _recall_recurrent(self, state, cues, gains: dict, acetylcholine) -> dict:
        """:meth:`recall` with recurrent collaterals: the CA3 code settles from the cue's feed-forward input by
        ``y <- select(drive + W_rc y)``; the value is read out from the settled code."""
        ca3 = self.ca3_model
        ca3._check_state(state.ca3)
        cues = ca3._check_patterns(state.ca3, cues, "cues")
        R, Q, _ = cues.shape
        ach = self._acetylcholine(acetylcholine, "recall", R, Q)
        dg = None
        if self.with_dg and np.any(self.description.transmission("mf", "recall", ach) > 0):
            dg = self._dentate_code(state, cues)
        drive = self._feedforward(state, cues, "recall", ach, gains, dg)
        active, iterations = self.recurrent.complete(state.rc, drive, self._recurrent_gain("recall", ach, gains),
                                                     self.steps, self._ca3_select(state))
        values = np.empty((R, Q, ca3.n_output_active), dtype=np.int32)
        s = state.ca3
        _readout_active(s.out_inputs, s.w_out, s.key, np.ascontiguousarray(active), ca3.n_output,
                        ca3.n_output_active, values)
        out = {"values": values, "iterations": iterations}
        out.update(self._codes_out("ca3", active))
        return out


# ---------------------------------------------------------------------- recurrent-path kernels
@njit(cache=True, parallel=True)
def _pp_drives(w_in, in_ptr, in_hidden, patterns, out):
    """Perforant-path input ``W_pp x`` (R, P, n_CA3) of each pattern (the K-winner MHN's summation)."""
    R, P, _ = patterns.shape
    for r in prange(R):
        for p in range(P):
            _hidden_logits(w_in[r], in_ptr[r], in_hidden[r], patterns[r, p], out[r, p])


@njit(cache=True, parallel=True)
def _mossy_contacts(mf_targets, dg_active, out):
    """Mossy-fibre contacts (R, P, n_CA3) each CA3 cell receives from the active granule cells."""
    R, P, G = dg_active.shape
    for r in prange(R):
        for p in range(P):
            for g in range(G):
                if dg_active[r, p, g]:
                    for c in range(mf_targets.shape[2]):
                        out[r, p, mf_targets[r, g, c]] += 1.0


@njit(cache=True, parallel=True)
def _learn_active(w_in, in_pos, inputs, w_out, out_inputs, step, x, v, active, lr, n_vis, n_out):
    """The K-winner rule on the active cells ``active`` (R, n_CA3) of one pattern: key ``x``, value ``v`` (R, s)."""
    R, H, F = inputs.shape
    F_out = out_inputs.shape[2]
    for r in prange(R):
        x_on = np.zeros(n_vis)
        v_on = np.zeros(n_out)
        for j in x[r]:
            x_on[j] = 1.0
        for j in v[r]:
            v_on[j] = 1.0
        for i in range(H):
            if active[r, i]:
                for c in range(F):
                    q = in_pos[r, i, c]
                    w_in[r, q] = w_in[r, q] + lr * (x_on[inputs[r, i, c]] - w_in[r, q])
                for c in range(F_out):
                    w_out[r, i, c] = w_out[r, i, c] + lr * (v_on[out_inputs[r, i, c]] - w_out[r, i, c])
        step[r] += 1


@njit(cache=True, parallel=True)
def _readout_active(out_inputs, w_out, key, active, n_out, n_out_active, outputs):
    """The top ``n_out_active`` of the cortical input ``W_CTX y`` of each code (R, Q, n_CA3)."""
    R, Q, H = active.shape
    for r in prange(R):
        out = np.empty(n_out)
        winners = np.empty(H, dtype=np.int32)
        readout_work = new_work(n_out)
        for q in range(Q):
            n_win = 0
            for i in range(H):
                if active[r, q, i]:
                    winners[n_win] = i
                    n_win += 1
            _readout(out_inputs[r], w_out[r], winners, n_win, out)
            select_top_k(out, n_out_active, _rnd.step_key(key[r], _rnd.STREAM_RECALL_READOUT, q), outputs[r, q],
                         readout_work)


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
