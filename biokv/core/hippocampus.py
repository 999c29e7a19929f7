"""Rate twin of the hippocampal key-value network: exact k-winners-take-all, batched over runs.

Reads a :class:`biokv.network.NetworkDescription` (see :func:`biokv.network.hippocampal_network`):

- encoding a key ``x`` with value ``v``: DG winners = top ``k_DG`` of ``W_EC->DG x`` (fixed weights); CA3 winners
  = top ``k_CA3`` of ``W_PP x + (gain_MF / gain_PP) W_MF dg`` (the mossy-fibre input added after the
  perforant-path sums; projection gains in the description are per phase, and a common gain on all inputs of
  a k-WTA layer does not change its winners);
  then, for every CA3 winner ``i``, ``W_PP[i, j] += eps (x_j - W_PP[i, j])`` for its EC inputs ``j`` and
  ``W_CTX[j, i] += eps (v_j - W_CTX[j, i])`` for its cortical targets ``j``;
- recall from a cue ``c``: CA3 winners = top ``k_CA3`` of ``W_PP c`` (no mossy fibres); the recalled value is
  the top ``s_CTX`` of ``W_CTX y``.

The perforant path and CA3 -> CTX are one hetero-associative :class:`~biokv.core.kwinner.KWinnerMHN`; DG is a
K-winner layer whose weights never change. Without DG, with value = key and a mirrored CA3 -> CTX mask, the twin
is the K-winner MHN itself, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import NetworkDescription
from .kwinner import KWinnerMHN, KWinnerState
from .patterns import random_subsets_runs
from .random import run_seeds

__all__ = ["HippocampalRateTwin", "HippocampalState"]


@dataclass
class HippocampalState:
    """Connectivity and weights of ``R`` independent networks.

    Attributes
    ----------
    ca3 : KWinnerState
        Perforant path (EC -> CA3, ``w_in``) and CA3 -> CTX (``w_out``) masks and weights.
    dg : KWinnerState or None
        EC -> DG mask and fixed weights.
    mf_targets : int32 (R, n_dg, mf_contacts) or None
        CA3 cells contacted by each granule cell, sorted.
    """

    ca3: KWinnerState
    dg: KWinnerState | None = None
    mf_targets: np.ndarray | None = None

    def copy(self) -> "HippocampalState":
        """An independent copy (the fixed DG weights and mossy-fibre targets are shared)."""
        return HippocampalState(self.ca3.copy(), self.dg, self.mf_targets)


def _fraction(count: int, total: int) -> float:
    """A fraction f with ``int(f * total) == count`` exactly."""
    return 1.0 if count == total else (count + 0.5) / total


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
        ec, ca3, ctx = d.population("EC"), d.population("CA3"), d.population("CTX")
        pp, out = d.projection("pp"), d.projection("ca3_ctx")
        if pp.connectivity != "fan_in" or pp.learning_rate is None:
            raise ValueError("projection pp must be plastic with fan_in connectivity")
        if (out.learning_rate, out.weight_max) != (pp.learning_rate, pp.weight_max):
            raise ValueError(f"ca3_ctx and pp must share the learning rate and the initial weight range, got "
                             f"{out.learning_rate}, {out.weight_max} and {pp.learning_rate}, {pp.weight_max}")
        # a positive gain on every input of a k-WTA layer does not change its winners: only the ratio of the
        # mossy-fibre to the perforant-path gain at encoding matters
        if pp.gain["encode"] <= 0 or pp.gain["recall"] <= 0 or out.gain["recall"] <= 0:
            raise ValueError(f"projections pp and ca3_ctx must be on (gain > 0) when they drive winners, got "
                             f"pp {pp.gain}, ca3_ctx {out.gain}")
        self.ca3_model = KWinnerMHN(
            n_visible=ec.size, n_hidden=ca3.size, n_active=ec.active, fan_in=_fraction(pp.n_connections, ec.size),
            k=ca3.active, learning_rate=pp.learning_rate, n_output=ctx.size, n_output_active=ctx.active,
            output_fan_out=None if out.connectivity == "mirror" else _fraction(out.n_connections, ctx.size),
            init_weight_max=pp.weight_max)
        self.with_dg = d.has("DG")
        if self.with_dg:
            dg, ec_dg, mf = d.population("DG"), d.projection("ec_dg"), d.projection("mf")
            if ec_dg.connectivity != "fan_in" or ec_dg.learning_rate is not None:
                raise ValueError("projection ec_dg must be fixed with fan_in connectivity")
            if mf.connectivity != "fan_out" or mf.weight is None or mf.learning_rate is not None:
                raise ValueError("projection mf must be fixed, with fan_out connectivity and a weight")
            if mf.gain["recall"] != 0.0:
                raise ValueError("the rate twin recalls over the perforant path only: mf gain at recall must be 0")
            self.dg_model = KWinnerMHN(n_visible=ec.size, n_hidden=dg.size, n_active=ec.active,
                                       fan_in=_fraction(ec_dg.n_connections, ec.size), k=dg.active,
                                       learning_rate=1.0, init_weight_max=ec_dg.weight_max)
            self.mf_contacts = mf.n_connections
            self.mf_weight = mf.weight * mf.gain["encode"] / pp.gain["encode"]

    def init_state(self, seed: int, runs) -> HippocampalState:
        """Connectivity and initial weights of independent networks (streams ``network:ca3``, ``network:dg``,
        ``network:mf``; the spiking backend draws the same)."""
        runs = list(runs)
        state = HippocampalState(self.ca3_model.init_state(seed=seed, runs=runs, stream="network:ca3"))
        if self.with_dg:
            state.dg = self.dg_model.init_state(seed=seed, runs=runs, stream="network:dg")
            state.mf_targets = random_subsets_runs(run_seeds(seed, "network:mf", runs), self.dg_model.n_hidden,
                                                   self.ca3_model.n_hidden, self.mf_contacts)
        return state

    def dentate_winners(self, state: HippocampalState, keys) -> np.ndarray:
        """DG winners (R, P, k_DG) for each key: the top ``k_DG`` of the fixed EC -> DG input."""
        return self.dg_model.retrieve(state.dg, keys, return_winners=True)[1]

    def mossy_drive(self, state: HippocampalState, dg_winners: np.ndarray):
        """Mossy-fibre input to CA3 of each pattern as (indices, weights), each (R, P, k_DG * mf_contacts)."""
        R, P, K = dg_winners.shape
        idx = np.take_along_axis(state.mf_targets[:, None, :, :], dg_winners[..., None].astype(np.intp),
                                 axis=2).reshape(R, P, K * self.mf_contacts)
        return idx, np.full(idx.shape, self.mf_weight)

    def encode(self, state: HippocampalState, keys, values=None, dg_winners=None, mf_gain=None,
               pp_gain=None) -> dict:
        """Store key -> value pairs (R, P, s) one at a time (in place).

        ``dg_winners`` (R, P, k_DG), if given, replaces the DG's own winners as the source of the mossy-fibre
        input (e.g. the granule cells a spiking network activated), to compare CA3 given the same DG code.
        ``mf_gain``, broadcastable to (R, P), multiplies the mossy-fibre input of each encoding (0: the mossy
        fibres are lesioned or inactivated while that pattern is stored); ``pp_gain``, broadcastable to
        (R, P, n_CA3), multiplies the perforant-path input of each CA3 cell (as in :meth:`recall`). The K-winner
        rule is unchanged: the winners' weights learn whatever drove them.

        Returns
        -------
        dict with ``ca3_winners`` (R, P, k_CA3) and, with DG, ``dg_winners`` (R, P, k_DG).
        """
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
                if mf_gain is not None:
                    w = w * _gain(mf_gain, idx.shape[:2], "mf_gain")[..., None]
                drive = (idx, w)
        elif mf_gain is not None:
            raise ValueError("mf_gain needs a network with DG and mossy fibres")
        if pp_gain is not None:
            pp_gain = _gain(pp_gain, np.shape(keys)[:2] + (self.ca3_model.n_hidden,), "pp_gain")
        out["ca3_winners"] = self.ca3_model.learn(state.ca3, keys, values, drive, return_winners=True,
                                                  hidden_gain=pp_gain)
        return out

    def recall(self, state: HippocampalState, cues, pp_gain=None) -> dict:
        """Recall values from cues (R, Q, m) over the perforant path, weights frozen.

        ``pp_gain``, broadcastable to (R, Q, n_CA3), multiplies the perforant-path input of each CA3 cell for
        each cue: 0 everywhere is a perforant-path lesion (CA3 gets no input; its winners are then a random
        draw), > 1 on chosen cells boosts them (e.g. reactivating a memory's CA3 ensemble).

        Returns
        -------
        dict with ``values`` (R, Q, s_CTX) and ``ca3_winners`` (R, Q, k_CA3).
        """
        if pp_gain is not None:
            pp_gain = _gain(pp_gain, np.shape(cues)[:2] + (self.ca3_model.n_hidden,), "pp_gain")
        values, winners = self.ca3_model.retrieve(state.ca3, cues, return_winners=True, hidden_gain=pp_gain)
        return {"values": values, "ca3_winners": winners}


def _gain(gain, shape, name) -> np.ndarray:
    """A gain array broadcast to ``shape``, checked (finite, non-negative)."""
    try:
        g = np.broadcast_to(np.asarray(gain, dtype=np.float64), shape)
    except ValueError:
        raise ValueError(f"{name} must be broadcastable to {shape}, got shape {np.shape(gain)}") from None
    if not np.all(np.isfinite(g)) or g.min() < 0:
        raise ValueError(f"{name} must hold finite non-negative numbers")
    return g
