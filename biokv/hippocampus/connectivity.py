"""Connectivity of the hippocampal key-value network, drawn once from a description and a seed and read by every
backend.

:func:`draw_connectivity` draws, for independent networks (runs), the masks and initial weights of a
:class:`~biokv.hippocampus.description.NetworkDescription`: the perforant path (EC -> CA3) and CA3 -> CTX as one
hetero-associative :class:`~biokv.core.kwinner.model.KWinnerMHN` state, the EC -> DG mask with its fixed weights,
the CA3 cells each granule cell contacts through its mossy fibre, and the CA3 recurrent collaterals
(:class:`~biokv.hippocampus.recurrent.RecurrentState`). Each part has its own random stream
(``network:ca3``, ``network:dg``, ``network:mf``, ``network:ca3_recurrent``), so a run's network does not depend on which other runs are
drawn with it. The rate twin (:meth:`biokv.hippocampus.rate_twin.HippocampalRateTwin.init_state`) and the spiking
network (:meth:`biokv.spiking.SpikingHippocampus.simulate`) read the same :class:`HippocampalState`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biokv.core.common.patterns import random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.core.kwinner.model import KWinnerMHN, KWinnerState
from biokv.hippocampus.description import NetworkDescription
from biokv.hippocampus.recurrent import RecurrentCA3, RecurrentState

__all__ = ["HippocampalState", "ca3_layer", "dentate_layer", "recurrent_layer", "draw_connectivity"]


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
    rc : RecurrentState or None
        CA3 recurrent collaterals (masks and weights), or None without them.
    """

    ca3: KWinnerState
    dg: KWinnerState | None = None
    mf_targets: np.ndarray | None = None
    rc: RecurrentState | None = None

    def copy(self) -> "HippocampalState":
        """An independent copy (the fixed DG weights, mossy-fibre targets and recurrent masks are shared)."""
        return HippocampalState(self.ca3.copy(), self.dg, self.mf_targets,
                                None if self.rc is None else self.rc.copy())


def _fraction(count: int, total: int) -> float:
    """A fraction f with ``int(f * total) == count`` exactly."""
    return 1.0 if count == total else (count + 0.5) / total


def ca3_layer(description: NetworkDescription) -> KWinnerMHN:
    """The perforant path (``pp``, EC -> CA3) and the return projection (``ca3_ctx``, CA3 -> CTX) as one
    hetero-associative K-winner MHN: CA3 winners = top ``k_CA3`` of the perforant-path input, K-winner rule on
    both projections.

    Raises
    ------
    ValueError
        If ``pp`` is not plastic with ``fan_in`` connectivity, or ``ca3_ctx`` does not share its learning rate
        and initial weight range.
    """
    d = description
    ec, ca3, ctx = d.population("EC"), d.population("CA3"), d.population("CTX")
    pp, out = d.projection("pp"), d.projection("ca3_ctx")
    if pp.connectivity != "fan_in" or pp.learning_rate is None:
        raise ValueError("projection pp must be plastic with fan_in connectivity")
    if (out.learning_rate, out.weight_max) != (pp.learning_rate, pp.weight_max):
        raise ValueError(f"ca3_ctx and pp must share the learning rate and the initial weight range, got "
                         f"{out.learning_rate}, {out.weight_max} and {pp.learning_rate}, {pp.weight_max}")
    return KWinnerMHN(
        n_visible=ec.size, n_hidden=ca3.size, n_active=ec.active, fan_in=_fraction(pp.n_connections, ec.size),
        k=ca3.active, learning_rate=pp.learning_rate, n_output=ctx.size, n_output_active=ctx.active,
        output_fan_out=None if out.connectivity == "mirror" else _fraction(out.n_connections, ctx.size),
        init_weight_max=pp.weight_max)


def dentate_layer(description: NetworkDescription) -> KWinnerMHN | None:
    """The dentate gyrus as a K-winner layer whose weights never change (EC -> DG, ``ec_dg``), or None for a
    network without DG.

    Raises
    ------
    ValueError
        If ``ec_dg`` is not fixed with ``fan_in`` connectivity, or ``mf`` is not fixed with ``fan_out``
        connectivity and a weight.
    """
    d = description
    if not d.has("DG"):
        return None
    ec, dg, ec_dg, mf = d.population("EC"), d.population("DG"), d.projection("ec_dg"), d.projection("mf")
    if ec_dg.connectivity != "fan_in" or ec_dg.learning_rate is not None:
        raise ValueError("projection ec_dg must be fixed with fan_in connectivity")
    if mf.connectivity != "fan_out" or mf.weight is None or mf.learning_rate is not None:
        raise ValueError("projection mf must be fixed, with fan_out connectivity and a weight")
    return KWinnerMHN(n_visible=ec.size, n_hidden=dg.size, n_active=ec.active,
                      fan_in=_fraction(ec_dg.n_connections, ec.size), k=dg.active, learning_rate=1.0,
                      init_weight_max=ec_dg.weight_max)


def recurrent_layer(description: NetworkDescription) -> RecurrentCA3 | None:
    """The CA3 recurrent collaterals (``rc``, CA3 -> CA3) of ``description``, or None without them.

    Raises
    ------
    ValueError
        If ``rc`` is not a plastic fan-in projection of CA3 onto itself with the perforant path's learning rate
        and initial weight range.
    """
    d = description
    if not d.has("rc"):
        return None
    rc, pp, ca3 = d.projection("rc"), d.projection("pp"), d.population("CA3")
    if (rc.source, rc.target, rc.connectivity, rc.synapse) != ("CA3", "CA3", "fan_in", "instar"):
        raise ValueError("projection rc must be a plastic (instar) fan-in projection from CA3 to CA3")
    if (rc.learning_rate, rc.weight_max) != (pp.learning_rate, pp.weight_max):
        raise ValueError(f"rc and pp must share the learning rate and the initial weight range, got "
                         f"{rc.learning_rate}, {rc.weight_max} and {pp.learning_rate}, {pp.weight_max}")
    return RecurrentCA3(ca3.size, ca3.active, p_connect=rc.n_connections / (ca3.size - 1),
                        learning_rate=rc.learning_rate, initial_weight_max=rc.weight_max)


def draw_connectivity(description: NetworkDescription, seed: int, runs) -> HippocampalState:
    """Masks and initial weights of independent networks of ``description``.

    Parameters
    ----------
    description : NetworkDescription
    seed : int
        Seed of every draw.
    runs : iterable
        Run indices (ints or tuples); run ``r`` draws from the streams ``network:ca3``, ``network:dg`` and
        ``network:mf`` (and ``network:ca3_recurrent``) of ``(seed, r)``.

    Returns
    -------
    HippocampalState
        Index ``i`` of its arrays is the network of ``runs[i]``.
    """
    runs = list(runs)
    ca3 = ca3_layer(description)
    state = HippocampalState(ca3.init_state(seed=seed, runs=runs, stream="network:ca3"))
    dg = dentate_layer(description)
    if dg is not None:
        state.dg = dg.init_state(seed=seed, runs=runs, stream="network:dg")
        state.mf_targets = random_subsets_runs(run_seeds(seed, "network:mf", runs), dg.n_hidden, ca3.n_hidden,
                                               description.projection("mf").n_connections)
    rc = recurrent_layer(description)
    if rc is not None:
        state.rc = rc.init_state(seed, runs)
    return state
