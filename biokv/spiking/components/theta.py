"""Theta rhythm: septal-like rhythmic inhibition that paces the layers.

GABAergic cells of the medial septum pace hippocampal theta (4-12 Hz) through hippocampal interneurons
(Freund & Antal 1988, Nature 336:170; Buzsaki 2002, Neuron 33:325). Here one pacemaker carries the theta
phase and every layer it paces receives an inhibitory current that is deep for most of the cycle and lifts
around the layer's own preferred phase:

    I_theta = -depth * (1 - exp(kappa * (cos(phase - preferred) - 1)))

(a von Mises window: ``kappa`` sets its width, about ``1 / sqrt(kappa)`` radians). Layers with later
preferred phases fire later in the cycle, so a presentation of one theta cycle runs through the layers in
order, with no frozen membranes and no resets: every state variable evolves continuously.
"""

from __future__ import annotations

from brian2 import Hz, NeuronGroup, Synapses, mV

from biokv.spiking.components.base import Component, check_quantity, neurons_of

__all__ = ["ThetaRhythm"]


class ThetaRhythm(Component):
    """A theta pacemaker and the rhythmic inhibition of the layers it paces.

    Parameters
    ----------
    frequency : Quantity (frequency)
        Theta frequency (default 5 Hz, within 4-12 Hz).
    dt : Quantity (time), optional
    name : str

    Attributes
    ----------
    pacemaker : brian2.NeuronGroup
        One unit whose ``theta_phase`` (radians, growing with time) every paced layer reads.
    drives : dict of layer name -> brian2.Synapses
        The rhythmic inhibition of each layer (shared, run-time ``depth``, ``kappa`` and ``preferred``).

    Examples
    --------
    >>> theta = ThetaRhythm(5 * Hz)                                  # doctest: +SKIP
    >>> theta.pace(dg, phase=0.5, depth=40 * mV, kappa=8)            # doctest: +SKIP
    >>> net = Network(theta, dg, ...)                                # doctest: +SKIP
    """

    def __init__(self, frequency=5 * Hz, dt=None, name: str = "theta*"):
        check_quantity("frequency", frequency, Hz)
        super().__init__(name)
        self.frequency = frequency
        self._dt = dt
        self.pacemaker = self._add(NeuronGroup(1, """
            theta_phase = 2 * pi * theta_frequency * t : 1
            theta_frequency : Hz (shared, constant)
            """, dt=dt, name=f"{self.name}_pacemaker"))
        self.pacemaker.theta_frequency = frequency
        self.drives = {}

    def pace(self, layer, phase: float, depth=40 * mV, kappa: float = 8.0) -> Synapses:
        """Inhibit ``layer`` rhythmically, lifting around ``phase`` (a fraction of the cycle, 0..1).

        ``depth`` is the inhibition between windows (volt; dimensionless for a conductance layer's
        ``I_theta`` it is still a current); ``kappa`` > 0 the window's concentration. Returns the synapses
        (also in :attr:`drives`), whose ``depth``, ``kappa`` and ``preferred`` (radians) are run-time values.
        """
        group = neurons_of(layer, "layer")
        if "I_theta" not in group.variables:
            raise ValueError(f"layer {group.name} has no I_theta: pace a PrincipalLayer")
        if isinstance(phase, bool) or not isinstance(phase, (int, float)) or not 0 <= phase <= 1:
            raise ValueError(f"phase must be a fraction of the theta cycle in [0, 1], got {phase!r}")
        check_quantity("depth", depth, mV, allow_zero=True)
        if isinstance(kappa, bool) or not isinstance(kappa, (int, float)) or kappa <= 0:
            raise ValueError(f"kappa must be a number > 0, got {kappa!r}")
        if group.name in self.drives:
            raise ValueError(f"layer {group.name} is already paced by {self.name}")
        syn = self._add(Synapses(self.pacemaker, group, """
            I_theta_post = -depth * (1 - exp(kappa * (cos(theta_phase_pre - preferred) - 1))) : volt (summed)
            depth : volt (shared, constant)
            kappa : 1 (shared, constant)
            preferred : 1 (shared, constant)
            """, dt=self._dt, name=f"{self.name}_{group.name}"))
        syn.connect()
        syn.depth, syn.kappa, syn.preferred = depth, float(kappa), 2 * 3.141592653589793 * float(phase)
        self.drives[group.name] = syn
        return syn
