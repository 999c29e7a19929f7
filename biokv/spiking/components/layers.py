"""Principal-cell layers: leaky integrate-and-fire cells with exponentially decaying synaptic input.

Two synaptic models share one interface (synapses add to ``ge`` for fast excitation, ``gs`` for slow
excitation and ``gi`` for inhibition):

- ``"current"`` (default): ``ge`` and ``gi`` are currents in units of voltage (current times membrane
  resistance), so one synaptic event moves the membrane by the same amount at any potential;
- ``"conductance"``: ``ge`` and ``gi`` are conductances relative to the leak conductance (dimensionless) with
  reversal potentials ``e_exc`` and ``e_inh``; one event's effect shrinks as the membrane nears its reversal
  potential (shunting inhibition).

``I_theta`` is written by a :class:`~biokv.spiking.components.theta.ThetaRhythm` (zero without one) and ``I_ext``
is a constant bias per cell (zero by default) for experiments that set the drive directly.
"""

from __future__ import annotations

import numpy as np
from brian2 import Equations, NeuronGroup, ms, mV

from biokv.spiking.components.base import Component, check_quantity

__all__ = ["PrincipalLayer", "layer_equations", "SYNAPSE_MODELS"]

SYNAPSE_MODELS = ("current", "conductance")

_CURRENT = """
dv/dt = (v_rest - v + ge + gs - gi + I_theta + I_ext) / tau_m : volt (unless refractory)
dge/dt = -ge / tau_e : volt
dgs/dt = -gs / tau_s : volt
dgi/dt = -gi / tau_i : volt
I_theta : volt
I_ext : volt
"""
_CONDUCTANCE = """
dv/dt = (v_rest - v + (ge + gs) * (e_exc - v) + gi * (e_inh - v) + I_theta + I_ext) / tau_m : volt (unless refractory)
dge/dt = -ge / tau_e : 1
dgs/dt = -gs / tau_s : 1
dgi/dt = -gi / tau_i : 1
I_theta : volt
I_ext : volt
"""


def layer_equations(synapses: str = "current") -> Equations:
    """The equations of a :class:`PrincipalLayer` (``"current"`` or ``"conductance"`` synapses)."""
    if synapses not in SYNAPSE_MODELS:
        raise ValueError(f"synapses must be one of {SYNAPSE_MODELS}, got {synapses!r}")
    return Equations(_CURRENT if synapses == "current" else _CONDUCTANCE)


class PrincipalLayer(Component):
    """A layer of leaky integrate-and-fire principal cells (granule cells, pyramidal cells, cortical cells).

    Parameters
    ----------
    n : int
        Number of cells.
    synapses : {"current", "conductance"}
        Synaptic model (module docstring).
    tau_m : Quantity (time)
        Membrane time constant (default 10 ms: an effective time constant under in-vivo background
        conductance, shorter than in slices; calibrated, not measured).
    v_rest, v_threshold, v_reset : Quantity (voltage)
        Resting potential, threshold and reset (-70, -50, -60 mV).
    refractory : Quantity (time)
        Absolute refractory period (3 ms).
    tau_e : Quantity (time)
        Decay of the fast excitatory input ``ge`` (default 5 ms, AMPA receptors).
    tau_s : Quantity (time)
        Decay of the slow excitatory input ``gs`` (default 50 ms: NMDA receptors, which carry much of the
        perforant-path drive and integrate an input's spikes over tens of ms; a linear stand-in without the
        magnesium block).
    tau_i : Quantity (time)
        Decay of the inhibitory synaptic input (default 5 ms, GABA_A at basket-cell synapses, a few ms:
        Bartos, Vida & Jonas 2007, Nat Rev Neurosci 8:45).
    e_exc, e_inh : Quantity (voltage)
        Reversal potentials of the conductance model (0 mV, -75 mV).
    dt : Quantity (time), optional
        Time step of the group (default: the default clock's).
    name : str
        Name of the layer; its group is ``<name>_neurons``. ``"layer*"`` numbers instances.

    Attributes
    ----------
    neurons : brian2.NeuronGroup
        The cells (``v``, ``ge``, ``gs``, ``gi``, ``I_theta``, ``I_ext``), to monitor or connect.
    equations : brian2.Equations
    excitatory_unit : Quantity
        Unit of one excitatory event on ``ge`` (volt for current synapses, 1 for conductance synapses).
    """

    def __init__(self, n: int, synapses: str = "current", tau_m=10 * ms, v_rest=-70 * mV, v_threshold=-50 * mV,
                 v_reset=-60 * mV, refractory=3 * ms, tau_e=5 * ms, tau_s=50 * ms, tau_i=5 * ms, e_exc=0 * mV,
                 e_inh=-75 * mV, dt=None, name: str = "layer*"):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be an integer >= 1, got {n!r}")
        self.equations = layer_equations(synapses)
        for pname, value in (("tau_m", tau_m), ("refractory", refractory), ("tau_e", tau_e), ("tau_s", tau_s),
                             ("tau_i", tau_i)):
            check_quantity(pname, value, ms, allow_zero=pname == "refractory")
        for pname, value in (("v_rest", v_rest), ("v_threshold", v_threshold), ("v_reset", v_reset),
                             ("e_exc", e_exc), ("e_inh", e_inh)):
            check_quantity(pname, value, mV, positive=False)
        if not v_rest < v_threshold or not v_reset < v_threshold:
            raise ValueError(f"v_threshold must lie above v_rest and v_reset, got {v_threshold} with v_rest "
                             f"{v_rest}, v_reset {v_reset}")
        super().__init__(name)
        self.synapses = synapses
        self.excitatory_unit = mV if synapses == "current" else 1
        self.v_threshold, self.v_rest = v_threshold, v_rest
        namespace = {"tau_m": tau_m, "v_rest": v_rest, "v_reset": v_reset, "v_threshold": v_threshold,
                     "tau_e": tau_e, "tau_s": tau_s, "tau_i": tau_i, "e_exc": e_exc, "e_inh": e_inh}
        self.neurons = self._add(NeuronGroup(int(n), self.equations, threshold="v > v_threshold", reset="v = v_reset",
                                             refractory=refractory, method="euler", namespace=namespace, dt=dt,
                                             name=f"{self.name}_neurons"))
        self.neurons.v = v_rest

    @property
    def N(self) -> int:
        return self.neurons.N
