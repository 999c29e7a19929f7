"""The Brian2 device of an experiment's spiking simulations, chosen by the experiment as a user's script would.

The spiking components and their runner (:mod:`biokv.spiking`) run on whatever device is active and never
change it. An experiment's configuration names a device (``spiking.device``, ``spiking.codegen``);
:func:`spiking_device` selects it for the duration of a computation and restores the caller's device and
code-generation target afterwards.

On ``cpp_standalone``, Brian2 holds one compiled project per process. The process keeps the last one built:
a simulation whose compiled structure (sizes, connectivity, number of slots and the compiled parameters of
:data:`biokv.spiking.network.COMPILED_PARAMETERS`) matches it runs on it with new run-time values, also from a
later computation (a sweep worker compiles once for all grid points that change only run-time values); any
other builds a new project in the process's own temporary folder.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager

from biokv.spiking.devices import DEVICES

__all__ = ["spiking_device", "standalone_compilations"]

_COMPILED = {"runner": None, "compilations": 0, "directory": None}


def standalone_compilations() -> int:
    """Standalone projects compiled in this process so far."""
    return _COMPILED["compilations"]


def _process_build_dir() -> str:
    """This process's own standalone project folder (processes never share one)."""
    if _COMPILED["directory"] is None:
        _COMPILED["directory"] = tempfile.mkdtemp(prefix=f"biokv-standalone-{os.getpid()}-")
    return _COMPILED["directory"]


class _StandaloneRunner:
    """A :class:`biokv.spiking.SpikingHippocampus` on the process's compiled project when the structure matches,
    on a new build otherwise."""

    def __init__(self, description, params):
        from biokv.spiking import SpikingHippocampus

        self._candidate = SpikingHippocampus(description, params, build_dir=_process_build_dir())

    def __getattr__(self, name):
        return getattr(self._candidate, name)

    def simulate(self, state, run, keys, values, cues, seed, gains=None, n_slots=None, acetylcholine=None):
        import brian2

        cached = _COMPILED["runner"]
        slots = n_slots if n_slots is not None else len(keys) + len(cues)
        if cached is not None and cached.signature(state, run, slots) == self._candidate.signature(state, run, slots):
            cached.description, cached.params = self._candidate.description, self._candidate.params
            return cached.simulate(state, run, keys, values, cues, seed, gains=gains, n_slots=n_slots,
                                   acetylcholine=acetylcholine)
        device = brian2.get_device()
        if cached is not None or device.has_been_run:
            device.reinit()
            device.activate(directory=_process_build_dir(), build_on_run=False, with_output=False)
        _COMPILED["runner"] = None
        result = self._candidate.simulate(state, run, keys, values, cues, seed, gains=gains, n_slots=n_slots,
                                          acetylcholine=acetylcholine)
        _COMPILED["runner"] = self._candidate
        _COMPILED["compilations"] += 1
        return result


@contextmanager
def spiking_device(device: str = "cpp_standalone", codegen: str = "numpy"):
    """Select ``device`` for the spiking simulations inside the block; yields a factory
    ``make(description, params) -> runner`` with the interface of :class:`biokv.spiking.SpikingHippocampus`.

    ``runtime`` runs on Brian2's runtime device with code-generation target ``codegen``; ``cpp_standalone``
    compiles (or reuses the process's build, see the module docstring). The caller's device and
    ``prefs.codegen.target`` are restored when the block ends.
    """
    if device not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}, got {device!r}")
    if codegen not in ("numpy", "cython"):
        raise ValueError(f"codegen must be 'numpy' or 'cython', got {codegen!r}")
    import brian2
    from brian2.devices.device import reset_device

    from biokv.spiking import SpikingHippocampus

    target = brian2.prefs.codegen.target
    if device == "runtime":
        brian2.set_device("runtime")
        brian2.prefs.codegen.target = codegen
        make = SpikingHippocampus
    else:
        brian2.set_device("cpp_standalone", directory=_process_build_dir(), build_on_run=False, with_output=False)
        make = _StandaloneRunner
    try:
        yield make
    finally:
        brian2.prefs.codegen.target = target
        reset_device()
