"""biokv.spiking: Brian2 network definitions of the hippocampal key-value models.

Brian2 is imported when one of these names is first used, not when :mod:`biokv.spiking` is imported.
"""

import importlib

_EXPORTS = {"SpikingHippocampus": "biokv.spiking.network", "SpikingResult": "biokv.spiking.network",
            "RunawayActivityError": "biokv.spiking.network", "SpikingParameters": "biokv.spiking.parameters",
            "DEVICES": "biokv.spiking.devices"}

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
