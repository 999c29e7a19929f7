"""biokv.spiking: a Brian2 extension for the hippocampal key-value models.

:mod:`biokv.spiking.components` holds the circuit components (layers, basket-cell inhibition, theta, pattern
inputs, static, facilitating and plastic projections) that go into any Brian2 network;
:mod:`biokv.spiking.circuit` builds the hippocampal circuit of a description from them; :class:`SpikingHippocampus`
runs encoding and recall protocols on it.

Brian2 is imported when one of these names is first used, not when :mod:`biokv.spiking` is imported.
"""

import importlib

_EXPORTS = {"SpikingHippocampus": "biokv.spiking.network", "SpikingResult": "biokv.spiking.network",
            "RunawayActivityError": "biokv.spiking.network", "SpikingParameters": "biokv.spiking.parameters",
            "DEVICES": "biokv.spiking.devices", "build_circuit": "biokv.spiking.circuit",
            "HippocampalCircuit": "biokv.spiking.circuit", "Protocol": "biokv.spiking.circuit"}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'biokv.spiking' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
