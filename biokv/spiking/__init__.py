"""biokv.spiking: Brian2 network definitions of the hippocampal key-value models."""

from .network import RunawayActivityError, SpikingHippocampus, SpikingResult
from .parameters import SpikingParameters

__all__ = ["SpikingHippocampus", "SpikingParameters", "SpikingResult", "RunawayActivityError"]
