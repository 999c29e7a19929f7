"""The hippocampal key-value circuit: its declarative description (the one place of the network's defaults), the
connectivity drawn from a description and a seed, and the exact rate twin. The spiking realisation is
:mod:`biokv.spiking`."""

from biokv.hippocampus.description import NetworkDescription, Population, Projection, hippocampal_network

__all__ = ["NetworkDescription", "Population", "Projection", "hippocampal_network"]
