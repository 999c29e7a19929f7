"""Feedback inhibition by a population of basket cells: the winner-take-all of a gamma cycle (E%-max).

Principal cells excite fast-spiking basket cells, which inhibit the principal cells back through fast GABA_A
synapses. When a layer is driven, its cells reach threshold in the order of their drive; the first spikes
recruit the basket cells and their inhibition arrives one loop delay later (E -> I delay, basket-cell
integration, I -> E delay); every cell that reaches threshold before then has won the cycle. The number of
winners is not a parameter: it follows the spread of the drive (de Almeida, Idiart & Lisman 2009, J Neurosci
29:7497). Fast-spiking basket cells and their fast, strong perisomatic synapses: Bartos, Vida & Jonas 2007,
Nat Rev Neurosci 8:45; disynaptic inhibition follows excitation by ~1-2 ms: Pouille & Scanziani 2001, Science
293:1159.
"""

from __future__ import annotations

import numpy as np
from brian2 import NeuronGroup, Synapses, ms, mV

from biokv.spiking.components.base import Component, as_generator, check_quantity, draw_fan_in
from biokv.spiking.components.layers import PrincipalLayer

__all__ = ["FeedbackInhibition", "BASKET_EQUATIONS"]

#: fast-spiking basket cell: leaky integrate-and-fire with a short membrane time constant
BASKET_EQUATIONS = """
dv/dt = (v_rest - v + ge) / tau_basket : volt (unless refractory)
dge/dt = -ge / tau_e_basket : volt
"""


class FeedbackInhibition(Component):
    """Basket cells of a :class:`~biokv.spiking.components.layers.PrincipalLayer` and their loop with it.

    Parameters
    ----------
    layer : PrincipalLayer
        The principal cells that excite the basket cells and receive their inhibition.
    n_basket : int
        Number of basket cells.
    p_ei : float
        Fraction of the layer's cells that excite each basket cell (drawn with ``rng``).
    p_ie : float
        Fraction of the layer's cells that each basket cell inhibits.
    w_ei : Quantity (voltage)
        Excitatory current jump of one principal spike on a basket cell.
    w_ie : Quantity (voltage, or dimensionless for conductance layers)
        Inhibitory jump of one basket spike on ``gi`` of a principal cell.
    delay_ei, delay_ie : Quantity (time)
        Conduction and synaptic delays of the two synapses (1 ms each: with the basket cells' integration the
        loop takes ~2-3 ms, the disynaptic lag of Pouille & Scanziani 2001).
    tau_basket : Quantity (time)
        Membrane time constant of the basket cells (5 ms; fast-spiking interneurons have short ones, Bartos
        et al. 2007).
    tau_e_basket : Quantity (time)
        Decay of the basket cells' excitatory input (2 ms: fast AMPA receptors of interneurons).
    refractory : Quantity (time)
        Refractory period of the basket cells (1 ms).
    rng : int or numpy.random.Generator
        Draws the connections.
    dt : Quantity (time), optional
    name : str

    Attributes
    ----------
    neurons : brian2.NeuronGroup
        The basket cells.
    excitation, inhibition : brian2.Synapses
        Principal -> basket and basket -> principal synapses (``w_ei`` and ``w_ie`` are their shared,
        run-time ``jump`` variables).
    """

    def __init__(self, layer: PrincipalLayer, n_basket: int = 20, p_ei: float = 0.2, p_ie: float = 0.5,
                 w_ei=4 * mV, w_ie=10 * mV, delay_ei=1 * ms, delay_ie=1 * ms, tau_basket=5 * ms,
                 tau_e_basket=2 * ms, refractory=1 * ms, rng=0, dt=None, name: str | None = None):
        if not isinstance(layer, PrincipalLayer):
            raise ValueError(f"layer must be a PrincipalLayer, got {layer!r}")
        if isinstance(n_basket, bool) or not isinstance(n_basket, (int, np.integer)) or n_basket < 1:
            raise ValueError(f"n_basket must be an integer >= 1, got {n_basket!r}")
        for pname, p in (("p_ei", p_ei), ("p_ie", p_ie)):
            if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p <= 1:
                raise ValueError(f"{pname} must be a fraction in (0, 1], got {p!r}")
        check_quantity("w_ei", w_ei, mV, allow_zero=True)
        check_quantity("w_ie", w_ie, layer.excitatory_unit, allow_zero=True)
        for pname, value in (("delay_ei", delay_ei), ("delay_ie", delay_ie), ("tau_basket", tau_basket),
                             ("tau_e_basket", tau_e_basket), ("refractory", refractory)):
            check_quantity(pname, value, ms, allow_zero=pname.startswith(("delay", "refractory")))
        super().__init__(name if name is not None else f"{layer.name}_basket*")
        rng = as_generator(rng)
        n = layer.N
        namespace = {"v_rest": layer.v_rest, "v_threshold": layer.v_threshold, "tau_basket": tau_basket,
                     "tau_e_basket": tau_e_basket}
        self.layer = layer
        self.neurons = self._add(NeuronGroup(
            int(n_basket), BASKET_EQUATIONS, threshold="v > v_threshold", reset="v = v_rest",
            refractory=refractory, method="euler", namespace=namespace, dt=dt, name=f"{self.name}_neurons"))
        self.neurons.v = layer.v_rest
        pre, post = draw_fan_in(n, int(n_basket), max(1, int(round(p_ei * n))), rng)
        self.excitation = self._add(Synapses(layer.neurons, self.neurons, "jump : volt (shared, constant)",
                                             on_pre="ge_post += jump", delay=delay_ei, dt=dt,
                                             name=f"{self.name}_excitation"))
        self.excitation.connect(i=pre, j=post)
        self.excitation.jump = w_ei
        post, pre = draw_fan_in(n, int(n_basket), max(1, int(round(p_ie * n))), rng)
        jump_unit = "volt" if layer.synapses == "current" else "1"
        self.inhibition = self._add(Synapses(self.neurons, layer.neurons, f"jump : {jump_unit} (shared, constant)",
                                             on_pre="gi_post += jump", delay=delay_ie, dt=dt,
                                             name=f"{self.name}_inhibition"))
        self.inhibition.connect(i=pre, j=post)
        self.inhibition.jump = w_ie
