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
"""

from __future__ import annotations

import numpy as np

from biokv.hippocampus.connectivity import HippocampalState, ca3_layer, dentate_layer, draw_connectivity
from biokv.hippocampus.description import NetworkDescription
from biokv.hippocampus.gains import check_gains

__all__ = ["HippocampalRateTwin", "HippocampalState"]

#: projections whose gains the rate twin applies (the others carry nothing it models separately)
GAIN_PROJECTIONS = ("mf", "pp")


class HippocampalRateTwin:
    """Rate-based twin of a hippocampal key-value network description.

    Parameters
    ----------
    description : NetworkDescription
        Populations ``EC`` (input), optionally ``DG`` (k-WTA), ``CA3`` (k-WTA), ``CTX`` (value); projections
        ``pp`` (EC -> CA3, fan-in, plastic), ``ca3_ctx`` (CA3 -> CTX, fan-out or mirror of ``pp``, plastic with
        the same learning rate), and with DG ``ec_dg`` (EC -> DG, fan-in, fixed) and ``mf`` (DG -> CA3, fan-out,
        fixed weight, on during encoding only).
    """

    def __init__(self, description: NetworkDescription):
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

    def init_state(self, seed: int, runs) -> HippocampalState:
        """Connectivity and initial weights of independent networks
        (:func:`biokv.hippocampus.connectivity.draw_connectivity`; the spiking backend reads the same)."""
        return draw_connectivity(self.description, seed, runs)

    def dentate_winners(self, state: HippocampalState, keys) -> np.ndarray:
        """DG winners (R, P, k_DG) for each key: the top ``k_DG`` of the fixed EC -> DG input."""
        return self.dg_model.retrieve(state.dg, keys, return_winners=True)[1]

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

    def encode(self, state: HippocampalState, keys, values=None, dg_winners=None, gains=None) -> dict:
        """Store key -> value pairs (R, P, s) one at a time (in place).

        ``dg_winners`` (R, P, k_DG), if given, replaces the DG's own winners as the source of the mossy-fibre
        input (e.g. the granule cells a spiking network activated), to compare CA3 given the same DG code.
        ``gains`` maps projections to gains broadcastable to (R, P, target cells), as in the spiking network:
        ``gains["mf"]`` multiplies the mossy-fibre input each CA3 cell receives at each encoding (0: the mossy
        fibres are lesioned or inactivated while that pattern is stored; it may also be given per encoding, as
        (R, P)); ``gains["pp"]``, over (R, P, n_CA3), multiplies the perforant-path input of each CA3 cell (as in
        :meth:`recall`). The K-winner rule is unchanged: the winners' weights learn whatever drove them.

        Returns
        -------
        dict with ``ca3_winners`` (R, P, k_CA3) and, with DG, ``dg_winners`` (R, P, k_DG).
        """
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

        Returns
        -------
        dict with ``values`` (R, Q, s_CTX) and ``ca3_winners`` (R, Q, k_CA3).
        """
        gains = self._gains(gains, cues)
        values, winners = self.ca3_model.retrieve(state.ca3, cues, return_winners=True, hidden_gain=gains.get("pp"))
        return {"values": values, "ca3_winners": winners}
