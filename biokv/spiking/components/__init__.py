"""Circuit components for Brian2: layers, feedback inhibition, theta, inputs and projections.

Each component is a named container of its Brian2 groups and synapses; pass components to your own
:class:`brian2.Network` next to your own groups and monitors (``Network(dg, dg_basket, mossy, my_monitor)``). They
never change the device, the preferences or the default clock, so they run on whatever device you chose (runtime
numpy or cython, cpp_standalone), and their objects are named after them, so that two circuits fit in one network.

Brian2 is imported with this package (``import biokv.spiking`` alone does not import it).
"""

from biokv.spiking.components.base import Component
from biokv.spiking.components.inhibition import FeedbackInhibition
from biokv.spiking.components.inputs import PatternInput, pattern_table
from biokv.spiking.components.layers import PrincipalLayer, layer_equations
from biokv.spiking.components.projections import FacilitatingSynapses, InstarSynapses, OutstarSynapses, \
    StaticSynapses
from biokv.spiking.components.theta import ThetaRhythm

__all__ = ["Component", "PrincipalLayer", "layer_equations", "FeedbackInhibition", "ThetaRhythm", "PatternInput",
           "pattern_table", "StaticSynapses", "FacilitatingSynapses", "InstarSynapses", "OutstarSynapses"]
