"""Spiking hippocampal key-value network in Brian2, built from the same description and connectivity as the
rate twin (:class:`biokv.core.hippocampus.HippocampalRateTwin`).

One simulation encodes ``P`` key -> value pairs and then recalls from ``Q`` cues, one presentation slot each:

- EC cells of the slot's pattern fire as Poisson processes at ``ec_rate_on``, the others at ``ec_rate_off``
  (a ``TimedArray`` of slots x cells, so new patterns need no new code);
- during encoding the mossy fibres are on (their gain per phase comes from the description) and a Poisson
  teacher drives the cortical cells of the value;
- at the start of each slot, ``run_regularly`` operations apply the K-winner rule for the slot that just ended
  (encoding slots only) -- for every CA3 cell that fired and each of its EC inputs ``w += eps (x - w)``, for
  every cortical target of such a cell ``w += eps (v - w)`` -- and then reset every cell.

The recalled value of a cue is the ``ctx_active`` cortical cells with the most spikes in its slot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.hippocampus import HippocampalRateTwin, HippocampalState
from ..core.random import step_key
from ..core.selection import k_winners
from ..network import NetworkDescription
from .parameters import SpikingParameters

__all__ = ["SpikingHippocampus", "SpikingResult", "RunawayActivityError"]


class RunawayActivityError(RuntimeError):
    """A population fired far above its expected rate (or its state became NaN)."""


@dataclass
class SpikingResult:
    """Spike counts per presentation slot and what they mean.

    Attributes
    ----------
    counts : dict of population -> int array (n_slots, size)
        Spikes of every principal cell in every slot (encoding slots first, then recall slots).
    spikes : dict of population -> (indices, times in s)
    n_encode : int
    recalled : int array (Q, ctx_active)
        The most active cortical cells in each recall slot.
    weights : dict of projection -> float array of the final synaptic weights (same order as built)
    """

    counts: dict
    spikes: dict
    n_encode: int
    recalled: np.ndarray
    weights: dict
    duration_per_slot: float

    def active(self, population: str) -> list[np.ndarray]:
        """Cells that fired in each slot."""
        return [np.flatnonzero(c) for c in self.counts[population]]

    def rates(self, population: str) -> np.ndarray:
        """Mean firing rate (Hz) of the population in each slot."""
        return self.counts[population].mean(axis=1) / self.duration_per_slot


def _pairs(inputs, weights):
    """(pre, post, w) of a fan-in mask: ``inputs[post, c]`` is a presynaptic cell."""
    post = np.repeat(np.arange(inputs.shape[0]), inputs.shape[1])
    return inputs.ravel(), post, weights.ravel()


class SpikingHippocampus:
    """Brian2 network of a hippocampal key-value description.

    Parameters
    ----------
    description : NetworkDescription
        The same description the rate twin reads (:func:`biokv.network.hippocampal_network`).
    params : SpikingParameters
    codegen : str
        Brian2 code-generation target on the runtime device (``"numpy"`` or ``"cython"``).
    """

    def __init__(self, description: NetworkDescription, params: SpikingParameters | None = None,
                 codegen: str = "numpy"):
        self.description = description
        self.params = SpikingParameters() if params is None else params
        self.twin = HippocampalRateTwin(description)  # validates the topology, provides the connectivity
        self.codegen = codegen

    # ------------------------------------------------------------------------------------------------ build
    def _expected_active(self, proj) -> float:
        d = self.description
        src = d.population(proj.source)
        if proj.connectivity == "fan_in":
            n_in = proj.n_connections
        elif proj.connectivity == "fan_out":
            n_in = proj.n_connections * src.size / d.population(proj.target).size
        else:
            n_in = d.projection(proj.mirror_of).n_connections * d.population(d.projection(proj.mirror_of).target).size \
                / d.population(proj.target).size
        return max(n_in * src.active / src.size, 1e-9)

    def simulate(self, state: HippocampalState, run: int, keys, values, cues, seed: int) -> SpikingResult:
        """Encode ``keys`` -> ``values`` (P index sets each) and recall from ``cues`` (Q index sets) in one run.

        ``state`` holds the connectivity and initial weights (run ``run`` of it is used); it is not changed.
        """
        import brian2 as b2

        p, d = self.params, self.description
        keys, values, cues = (np.asarray(a) for a in (keys, values, cues))
        P, Q = len(keys), len(cues)
        if P < 1 or Q < 1 or len(values) != P:
            raise ValueError(f"need P >= 1 keys with as many values and Q >= 1 cues, got {P}, {len(values)}, {Q}")
        ec, ctx = d.population("EC"), d.population("CTX")
        n_slots = P + Q
        T = p.presentation
        b2.start_scope()
        b2.prefs.codegen.target = self.codegen
        b2.defaultclock.dt = p.dt
        b2.seed(seed)

        # ---- schedule: one row per slot
        key_bits = np.zeros((n_slots, ec.size))
        for s, pat in enumerate(list(keys) + list(cues)):
            key_bits[s, pat] = 1.0
        value_bits = np.zeros((n_slots, ctx.size))
        for s, pat in enumerate(values):
            value_bits[s, pat] = 1.0
        encoding = np.r_[np.ones(P), np.zeros(Q)]
        ns = {
            "key_bits": b2.TimedArray(key_bits, dt=T),
            "value_bits": b2.TimedArray(value_bits, dt=T),
            "encoding": b2.TimedArray(encoding, dt=T),
            "rate_on": p.ec_rate_on, "rate_off": p.ec_rate_off, "half_slot": T / 2,
            "v_rest": p.v_rest, "v_reset": p.v_reset, "v_threshold": p.v_threshold, "tau_m": p.tau_m,
            "tau_e": p.tau_e, "tau_i": p.tau_i, "inh_tau_m": p.inh_tau_m, "inh_tau_e": p.inh_tau_e,
            "inh_threshold": p.inh_threshold,
        }
        objects = []
        ec_group = b2.NeuronGroup(ec.size, "rate = rate_off + (rate_on - rate_off) * key_bits(t, i) : Hz",
                                  threshold="rand() < rate * dt", namespace=ns, name="EC")
        objects.append(ec_group)
        layers = {}
        for pop in d.populations:
            if pop.role == "input":
                continue
            g = b2.NeuronGroup(pop.size, """
                dv/dt = (v_rest - v + Ie - Ii) / tau_m : volt (unless refractory)
                dIe/dt = -Ie / tau_e : volt
                dIi/dt = -Ii / tau_i : volt
                count : 1
                """, threshold="v > v_threshold", reset="v = v_reset; count += 1", refractory=p.refractory,
                method="exact", namespace=ns, name=pop.name)
            g.v = p.v_rest
            n_inh = max(1, int(round(p.inh_per_cell * pop.size)))
            inh = b2.NeuronGroup(n_inh, """
                dv/dt = (v_rest - v + Ie) / inh_tau_m : volt (unless refractory)
                dIe/dt = -Ie / inh_tau_e : volt
                """, threshold="v > inh_threshold", reset="v = v_rest", refractory=1 * b2.ms, method="exact",
                namespace=ns, name=f"{pop.name}_inh")
            inh.v = p.v_rest
            e_i = b2.Synapses(g, inh, on_pre="Ie_post += jump", namespace={"jump": p.inh_drive},
                              delay=p.feedback_delay, name=f"{pop.name}_to_inh")
            e_i.connect(p=p.inh_connection_p)
            i_e = b2.Synapses(inh, g, on_pre="Ii_post += jump", namespace={"jump": p.inhibition / n_inh},
                              delay=p.feedback_delay, name=f"{pop.name}_inh_to")
            i_e.connect()
            for grp in (g, inh):
                reset = "v = v_rest; Ie = 0*mV" + ("; Ii = 0*mV; count = 0" if grp is g else "")
                objects.append(grp.run_regularly(reset, dt=T, when="start", order=1, name=f"{grp.name}_reset"))
            layers[pop.name] = g
            objects += [g, inh, e_i, i_e]
        if "CTX" in layers:  # teacher: Poisson drive to the value's cells during encoding
            teacher = b2.NeuronGroup(ctx.size, "rate = teacher_rate * encoding(t) * value_bits(t, i) : Hz",
                                     threshold="rand() < rate * dt",
                                     namespace={**ns, "teacher_rate": p.teacher_rate}, name="teacher")
            t_syn = b2.Synapses(teacher, layers["CTX"], on_pre="Ie_post += jump", namespace={"jump": p.teacher_jump},
                                name="teacher_to_CTX")
            t_syn.connect(j="i")
            objects += [teacher, t_syn]

        # ---- projections, from the rate twin's connectivity
        groups = {"EC": ec_group, **layers}
        scale = {"ec_dg": p.j_ec_dg, "pp": p.j_pp, "mf": p.j_mf, "ca3_ctx": p.j_ctx}
        synapses = {}
        for proj in d.projections:
            pre, post, w = self._connectivity(state, run, proj.name)
            gains = np.where(encoding > 0, proj.gain["encode"], proj.gain["recall"])
            syn_ns = {"jump": scale[proj.name] / self._expected_active(proj),
                      "gain": b2.TimedArray(gains, dt=T), **ns}
            syn = b2.Synapses(groups[proj.source], groups[proj.target], "w : 1",
                              on_pre="Ie_post += gain(t) * jump * w", namespace=syn_ns, name=proj.name)
            syn.connect(i=pre, j=post)
            syn.w = w
            if proj.learning_rate is not None:
                if proj.name == "pp":  # CA3 cells that fired learn their EC inputs' key bits
                    rule = "w += encoding(t - half_slot) * eps * (key_bits(t - half_slot, i) - w) * int(count_post > 0)"
                else:  # CA3 cells that fired teach their cortical targets the value bits
                    rule = "w += encoding(t - half_slot) * eps * (value_bits(t - half_slot, j) - w) * int(count_pre > 0)"
                syn.namespace["eps"] = proj.learning_rate
                objects.append(syn.run_regularly(rule, dt=T, when="start", order=0, name=f"{proj.name}_learning"))
            synapses[proj.name] = syn
            objects.append(syn)
        monitors = {name: b2.SpikeMonitor(g, name=f"{name}_spikes") for name, g in layers.items()}
        objects += list(monitors.values())
        net = b2.Network(objects)
        # one extra step past the last slot is not needed: the last encoding slot learns at the first recall slot
        net.run(n_slots * T)

        # ---- read out
        counts, spikes = {}, {}
        slot_s = float(T)
        for name, mon in monitors.items():
            i, t = np.asarray(mon.i), np.asarray(mon.t_)
            slot = np.minimum((t / slot_s).astype(int), n_slots - 1)
            c = np.zeros((n_slots, groups[name].N), dtype=np.int32)
            np.add.at(c, (slot, i), 1)
            counts[name], spikes[name] = c, (i, t)
        self._check_runaway(counts, layers, slot_s)
        recalled = np.stack([k_winners(counts["CTX"][P + q].astype(float), ctx.active,
                                       step_key(np.uint64(seed), np.uint64(0x5EED), q)) for q in range(Q)])
        weights = {name: np.asarray(syn.w[:]).copy() for name, syn in synapses.items()}
        return SpikingResult(counts, spikes, P, recalled, weights, slot_s)

    def _connectivity(self, state: HippocampalState, run: int, name: str):
        d = self.description
        if name == "ec_dg":
            return _pairs(state.dg.inputs[run], state.dg.w_in[run][state.dg.in_pos[run]])
        if name == "pp":
            return _pairs(state.ca3.inputs[run], state.ca3.w_in[run][state.ca3.in_pos[run]])
        if name == "mf":
            targets = state.mf_targets[run]
            pre = np.repeat(np.arange(targets.shape[0]), targets.shape[1])
            return pre, targets.ravel(), np.full(targets.size, d.projection("mf").weight)
        if name == "ca3_ctx":
            out = state.ca3.out_inputs[run]
            pre = np.repeat(np.arange(out.shape[0]), out.shape[1])
            return pre, out.ravel(), state.ca3.w_out[run].ravel()
        raise ValueError(f"the spiking network does not know projection {name!r}")

    def _check_runaway(self, counts, layers, slot_s):
        for name, c in counts.items():
            rate = c.mean(axis=1) / slot_s
            worst = int(np.argmax(rate))
            if rate[worst] > float(self.params.max_rate):
                raise RunawayActivityError(f"{name} fired at {rate[worst]:.0f} Hz on average in slot {worst} "
                                           f"(limit {self.params.max_rate}): runaway activity; lower the drive "
                                           "or raise the inhibition")
            if np.isnan(np.asarray(layers[name].v_)).any():
                raise RunawayActivityError(f"{name}: membrane potential became NaN")
