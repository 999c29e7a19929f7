"""The hippocampal key-value circuit built from a declarative description, out of the circuit components.

:func:`build_circuit` reads a :class:`~biokv.hippocampus.description.NetworkDescription` by roles and kinds, not
by names:

- a population with role ``input`` becomes a :class:`~biokv.spiking.components.PatternInput` (the key
  patterns);
- a ``kwta`` population becomes a :class:`~biokv.spiking.components.PrincipalLayer` with its
  :class:`~biokv.spiking.components.FeedbackInhibition`, paced by the theta rhythm at a phase that follows its
  depth in the feed-forward chain (the longest path from an input);
- a ``value`` population becomes a layer with feedback inhibition, driven during encoding by a teacher
  :class:`~biokv.spiking.components.PatternInput` one-to-one (the value patterns), not paced;
- each projection becomes the synapse its ``synapse`` kind names (static, facilitating, instar, outstar), with
  the connectivity and initial weights of a :class:`~biokv.hippocampus.connectivity.HippocampalState` run, the
  phase gains of the description times an experiment's gains per presentation and target cell, the cholinergic
  suppression of its transmission (``ach_suppression`` times the acetylcholine level of the presentation) and,
  when plastic, learning gated by the plasticity schedule (on in encoding presentations). A projection of a
  layer onto itself (the CA3 recurrent collaterals) is built the same way.

The result, a :class:`HippocampalCircuit`, is a component (a container of Brian2 objects): add monitors, another
layer or input and run it in your own :class:`brian2.Network`; :class:`biokv.spiking.SpikingHippocampus` is a
protocol runner on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from brian2 import SpikeMonitor, TimedArray

from biokv.hippocampus.connectivity import HippocampalState
from biokv.hippocampus.description import NetworkDescription
from biokv.spiking.components import (Component, FacilitatingSynapses, FeedbackInhibition, InstarSynapses,
                                      OutstarSynapses, PatternInput, PrincipalLayer, StaticSynapses, ThetaRhythm)
from biokv.spiking.parameters import SpikingParameters

__all__ = ["HippocampalCircuit", "Protocol", "build_circuit", "chain_depths", "projection_pairs", "unit_drive",
           "runtime_scalars", "input_streams"]


#: receptors of each kind of projection: mossy fibres (and teachers) act through fast AMPA receptors; the
#: perforant path, EC -> DG and CA3 -> value layer through slow NMDA-like currents that integrate the input's
#: spikes over tens of ms
RECEPTOR = {"static": "slow", "instar": "slow", "outstar": "slow", "facilitating": "fast"}


@dataclass
class Protocol:
    """Tables that drive one simulation, one row per presentation slot.

    Attributes
    ----------
    keys : float array (slots, n_input)
        Levels of the input cells (the key at encoding, the cue at recall).
    values : float array (slots, n_value)
        Levels of the teacher cells (the value at encoding, zero at recall).
    plasticity : float array (slots,)
        The state that gates learning (1 at encoding, 0 at recall).
    gains : dict of projection -> float array (slots, target cells)
        Transmission gains (the description's phase gain times an experiment's gain).
    acetylcholine : float array (slots,)
        Acetylcholine level of each slot in [0, 1] (the description's level of the slot's phase unless an
        experiment sets it); each projection's transmission is scaled by ``1 - ach_suppression * level``.
    """

    keys: np.ndarray
    values: np.ndarray
    plasticity: np.ndarray
    gains: dict
    acetylcholine: np.ndarray

    @property
    def n_slots(self) -> int:
        return len(self.plasticity)


def chain_depths(description: NetworkDescription) -> dict:
    """Depth of every population in the feed-forward chain: 0 for inputs, else the longest path from one."""
    d = description
    depth = {p.name: 0 for p in d.populations if p.role == "input"}
    for _ in range(len(d.populations)):
        for proj in d.projections:
            if proj.source in depth:
                depth[proj.target] = max(depth.get(proj.target, 0), depth[proj.source] + 1)
    return depth


def _pairs(inputs, weights):
    """(pre, post, w) of a fan-in mask: ``inputs[post, c]`` is a presynaptic cell."""
    post = np.repeat(np.arange(inputs.shape[0]), inputs.shape[1])
    return inputs.ravel(), post, weights.ravel()


def projection_pairs(description: NetworkDescription, state: HippocampalState, run: int, name: str):
    """(pre, post, initial weights) of projection ``name`` in run ``run`` of ``state``, by the projection's
    kind: a static fan-in from the input is the dentate layer's mask, a facilitating projection the mossy-fibre
    targets, an instar projection of a layer onto itself the recurrent collaterals, another instar projection the
    perforant path and an outstar projection the return projection of the hetero-associative layer."""
    proj = description.projection(name)
    if proj.source == proj.target and proj.synapse == "instar" and state.rc is not None:  # recurrent collaterals
        inputs = state.rc.inputs[run]
        return _pairs(inputs, state.rc.w[run])
    if proj.synapse == "static" and state.dg is not None:
        return _pairs(state.dg.inputs[run], state.dg.w_in[run][state.dg.in_pos[run]])
    if proj.synapse == "facilitating" and state.mf_targets is not None:
        targets = state.mf_targets[run]
        pre = np.repeat(np.arange(targets.shape[0]), targets.shape[1])
        return pre, targets.ravel(), np.full(targets.size, proj.weight)
    if proj.synapse == "instar":
        return _pairs(state.ca3.inputs[run], state.ca3.w_in[run][state.ca3.in_pos[run]])
    if proj.synapse == "outstar":
        out = state.ca3.out_inputs[run]
        pre = np.repeat(np.arange(out.shape[0]), out.shape[1])
        return pre, out.ravel(), state.ca3.w_out[run].ravel()
    raise ValueError(f"projection {name!r}: the connectivity state holds no {proj.synapse} projection")


class HippocampalCircuit(Component):
    """The spiking circuit of a network description (:func:`build_circuit`).

    Attributes
    ----------
    inputs : dict of population -> PatternInput
    layers : dict of population -> PrincipalLayer
    inhibition : dict of population -> FeedbackInhibition
    teacher : dict of value population -> (PatternInput, StaticSynapses)
    projections : dict of projection -> synapse component
    theta : ThetaRhythm
    monitors : dict of population -> brian2.SpikeMonitor
        Spikes of every principal layer (the runner's read-out; add your own next to them).
    tables : dict of name -> brian2.TimedArray
        The protocol's tables (``keys``, ``values``, ``plasticity``, ``acetylcholine``, ``gain_<projection>``),
        whose values a standalone build takes through ``run_args``.
    """

    def run_args(self, protocol: Protocol) -> dict:
        """``run_args`` that give a compiled build this protocol's tables."""
        return {self.tables["keys"]: protocol.keys, self.tables["values"]: protocol.values,
                self.tables["plasticity"]: protocol.plasticity, self.tables["acetylcholine"]: protocol.acetylcholine,
                **{self.tables[f"gain_{name}"]: g for name, g in protocol.gains.items()}}


def unit_drive(description: NetworkDescription, params: SpikingParameters, name: str):
    """Current jump (volt) of one spike through a synapse of weight 1 of projection ``name``.

    The drive scale of the projection (``j_mf`` for a facilitating projection; else the target's: ``j_ctx`` for
    a value layer, ``j_ca3`` for the last competitive layer of the chain, ``j_dg`` for earlier ones) times the
    projection's ``strength`` is the jump of a volley in which the expected active inputs of a target cell fire
    once (for a facilitating projection: with the description's weight, from rest); dividing by the expected
    number (:meth:`~biokv.hippocampus.description.NetworkDescription.expected_active_inputs`) keeps the drive per
    cell of networks of other sizes.
    """
    d = description
    proj = d.projection(name)
    target = d.population(proj.target)
    if proj.synapse == "facilitating":
        return params.j_mf / (d.expected_active_inputs(name) * (proj.weight or 1.0))
    depth = chain_depths(d)
    last = max(depth[x.name] for x in d.populations if x.role == "kwta")
    scale = params.j_ctx if target.role == "value" else (params.j_ca3 if depth[target.name] == last else params.j_dg)
    return proj.strength * scale / d.expected_active_inputs(name)


def build_circuit(description: NetworkDescription, state: HippocampalState, run: int, params: SpikingParameters,
                  protocol: Protocol, seed: int = 0, name: str = "hippocampus*") -> HippocampalCircuit:
    """The spiking circuit of ``description`` with the connectivity of run ``run`` of ``state``.

    ``protocol`` fixes the number of slots and gives the tables their first values; ``seed`` seeds the input
    streams (:func:`input_streams`). The basket-cell connections are drawn from the run index, so that a
    network's structure does not depend on the simulation's seed. Every run-time scalar is set from
    :func:`runtime_scalars`.
    """
    d, p = description, params
    T = p.presentation
    circuit = HippocampalCircuit(name)
    rng = np.random.default_rng([run, 0xB15C])  # the structure of run ``run``: the same for every seed
    circuit.tables = {}

    def table(key, values):
        ta = TimedArray(values, dt=T, name=f"{circuit.name}_{key}")
        circuit.tables[key] = ta
        return ta

    depth = chain_depths(d)
    circuit.inputs, circuit.layers, circuit.inhibition, circuit.teacher = {}, {}, {}, {}
    circuit.projections, circuit.monitors = {}, {}
    circuit.theta = circuit._add(ThetaRhythm(1 / T, dt=p.dt, name=f"{circuit.name}_theta"))
    inputs = [pop for pop in d.populations if pop.role == "input"]
    if len(inputs) != 1:
        raise ValueError(f"the circuit needs exactly one input population, got {[x.name for x in inputs]}")
    for pop in d.populations:
        label = f"{circuit.name}_{pop.name.lower()}"
        if pop.role == "input":
            group = PatternInput(pop.size, protocol.keys, T, p.ec_rate_on, p.ec_rate_off, dt=p.dt, name=label)
            # the input's table is the protocol's key table
            circuit.tables["keys"] = group.patterns
            circuit.inputs[pop.name] = circuit._add(group)
            continue
        layer = circuit._add(PrincipalLayer(pop.size, tau_m=p.tau_m, v_rest=p.v_rest, v_threshold=p.v_threshold,
                                            v_reset=p.v_reset, refractory=p.refractory, tau_e=p.tau_e,
                                            tau_s=p.tau_s, tau_i=p.tau_i, dt=p.dt, name=label))
        circuit.layers[pop.name] = layer
        n_basket = max(4, math.ceil(p.basket_fraction * pop.size))
        circuit.inhibition[pop.name] = circuit._add(FeedbackInhibition(
            layer, n_basket, p_ei=p.p_ei, p_ie=p.p_ie, w_ei=p.w_ei, w_ie=p.w_ie, delay_ei=p.delay_ei,
            delay_ie=p.delay_ie, tau_basket=p.tau_basket, rng=rng, dt=p.dt, name=f"{label}_basket"))
        if pop.role == "kwta":
            circuit.theta.pace(layer, 0.0)  # phase, depth and concentration: runtime_scalars
        else:  # value layer: a teacher drives the value's cells during encoding
            teacher = PatternInput(pop.size, protocol.values, T, p.teacher_rate, 0 * p.teacher_rate, dt=p.dt,
                                   name=f"{label}_teacher")
            circuit.tables["values"] = teacher.patterns
            syn = StaticSynapses(teacher, layer, connect=(np.arange(pop.size), np.arange(pop.size)),
                                 jump=p.teacher_jump, dt=p.dt, name=f"{label}_teaching")
            circuit.teacher[pop.name] = (circuit._add(teacher), circuit._add(syn))
        circuit.monitors[pop.name] = circuit._add(SpikeMonitor(layer.neurons, name=f"{label}_spikes"))
    plasticity = table("plasticity", protocol.plasticity)
    acetylcholine = table("acetylcholine", protocol.acetylcholine)
    groups = {**circuit.inputs, **circuit.layers}
    for proj in d.projections:
        pre, post, w = projection_pairs(d, state, run, proj.name)
        common = dict(connect=(pre, post), w=w, jump=unit_drive(d, p, proj.name), receptor=RECEPTOR[proj.synapse],
                      gain=table(f"gain_{proj.name}", protocol.gains[proj.name]), acetylcholine=acetylcholine,
                      ach_suppression=proj.ach_suppression, dt=p.dt, name=f"{circuit.name}_{proj.name}")
        if proj.synapse == "static":
            syn = StaticSynapses(groups[proj.source], groups[proj.target], **common)
        elif proj.synapse == "facilitating":
            syn = FacilitatingSynapses(groups[proj.source], groups[proj.target], U=p.mf_release,
                                       tau_f=p.mf_tau_f, **common)
        else:
            kind = InstarSynapses if proj.synapse == "instar" else OutstarSynapses
            syn = kind(groups[proj.source], groups[proj.target], eps=proj.learning_rate, tau_trace=p.tau_trace,
                       plastic=plasticity, **common)
        circuit.projections[proj.name] = circuit._add(syn)
    for (obj, var), value in {**runtime_scalars(d, p, circuit), **input_streams(circuit, seed)}.items():
        setattr(obj, var, value)
    return circuit


def input_streams(circuit: HippocampalCircuit, seed: int) -> dict:
    """Initial stream states of the circuit's inputs and teachers for ``seed``: ``(group, variable) ->
    values`` (:meth:`biokv.spiking.components.PatternInput.stream_values`)."""
    sources = [*circuit.inputs.values(), *(t for t, _ in circuit.teacher.values())]
    out = {}
    for k, src in enumerate(sources):
        for var, values in src.stream_values(np.random.default_rng([seed, k])).items():
            out[(src.neurons, var)] = values
    return out


def runtime_scalars(description: NetworkDescription, params: SpikingParameters, circuit: HippocampalCircuit) -> dict:
    """Every scalar of ``circuit`` that a compiled build reads at run time, from ``params``:
    ``(object, variable) -> value`` (rates, drive scales, inhibition, theta, facilitation, learning rates,
    cholinergic suppression)."""
    d, p = description, params
    depth = chain_depths(d)
    values = {}
    for src in circuit.inputs.values():
        values[(src.neurons, "rate_on")], values[(src.neurons, "rate_off")] = p.ec_rate_on, p.ec_rate_off
    for teacher, syn in circuit.teacher.values():
        values[(teacher.neurons, "rate_on")] = p.teacher_rate
        values[(syn.synapses, "jump")] = p.teacher_jump
    for pop, inh in circuit.inhibition.items():
        n, n_basket = d.population(pop).size, inh.neurons.N
        # size-invariant loop: a basket cell sees the fraction of its layer that fires, a principal cell the
        # fraction of basket cells that fire
        values[(inh.excitation, "jump")] = p.w_ei / (0.01 * n * p.p_ei)
        total = p.w_ie_value if d.population(pop).role == "value" else p.w_ie
        values[(inh.inhibition, "jump")] = total / (n_basket * p.p_ie)
    for pop, layer in circuit.layers.items():
        drive = circuit.theta.drives.get(layer.neurons.name)
        if drive is not None:
            phase = (p.theta_onset + p.theta_lag * (depth[pop] - 1)) % 1.0
            values[(drive, "depth")], values[(drive, "kappa")] = p.theta_depth, p.theta_kappa
            values[(drive, "preferred")] = 2 * np.pi * phase
    for name, syn in circuit.projections.items():
        proj = d.projection(name)
        values[(syn.synapses, "jump")] = unit_drive(d, p, name)
        values[(syn.synapses, "ach_suppression")] = proj.ach_suppression
        if proj.synapse == "facilitating":
            values[(syn.synapses, "U")], values[(syn.synapses, "tau_f")] = p.mf_release, p.mf_tau_f
        elif proj.synapse in ("instar", "outstar"):
            values[(syn.synapses, "eps")], values[(syn.synapses, "tau_trace")] = proj.learning_rate, p.tau_trace
    return values
