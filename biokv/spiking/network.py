"""Protocol runner of the spiking hippocampal key-value circuit (:mod:`biokv.spiking.circuit`).

One simulation encodes ``P`` key -> value pairs and then recalls from ``Q`` cues, one presentation (a theta
cycle) each, continuously: no state is reset between presentations. The runner builds the circuit
(:func:`biokv.spiking.circuit.build_circuit`) on whatever Brian2 device is active and reads the spikes out:

- on the runtime device (numpy or cython, as the caller set ``prefs.codegen.target``) every simulation builds
  and runs a new circuit in a network of its own;
- on the ``cpp_standalone`` device (set by the caller, with ``build_on_run=False``) the first simulation builds
  and compiles the project; later ones with the same compiled structure (sizes, connectivity, number of slots,
  time constants, potentials, delays and ``dt``) run it again through ``device.run(run_args=...)`` with new
  patterns, initial weights, seed and every run-time scalar (:func:`biokv.spiking.circuit.runtime_scalars`).

The runner never changes the device, the preferences or the default clock. The recalled value of a cue is the
``ctx_active`` cortical cells with the most spikes in its slot (equal counts: the earlier first spike) -- a
read-out by an observer, not a circuit parameter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from biokv.core.common.rng import step_key
from biokv.core.common.selection import k_winners
from biokv.hippocampus.connectivity import HippocampalState
from biokv.hippocampus.description import NetworkDescription
from biokv.hippocampus.gains import check_gains
from biokv.hippocampus.rate_twin import HippocampalRateTwin
from biokv.spiking.components.inputs import pattern_table
from biokv.spiking.parameters import SpikingParameters

__all__ = ["SpikingHippocampus", "SpikingResult", "RunawayActivityError", "is_standalone"]


class RunawayActivityError(RuntimeError):
    """A population fired far above its expected rate (or its state became NaN)."""


def is_standalone(device=None) -> bool:
    """Whether ``device`` (default: Brian2's active device) is a standalone device (C++ or a subclass)."""
    from brian2 import get_device
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    return isinstance(get_device() if device is None else device, CPPStandaloneDevice)


@dataclass
class SpikingResult:
    """Spike counts per presentation slot and what they mean.

    Attributes
    ----------
    counts : dict of population -> int array (n_slots, size)
        Spikes of every principal cell in every slot (encoding slots first, then recall slots).
    first_spike : dict of population -> float array (n_slots, size)
        Time (s) of each cell's first spike after the start of the slot; ``inf`` if it did not fire.
    spikes : dict of population -> (indices, times in s)
    n_encode : int
    recalled : int array (Q, ctx_active)
        The most active cortical cells in each recall slot (:meth:`most_active`).
    weights : dict of projection -> float array of the final synaptic weights (same order as built)
    duration_per_slot : float
        Presentation length in seconds.
    """

    counts: dict
    first_spike: dict
    spikes: dict
    n_encode: int
    recalled: np.ndarray
    weights: dict
    duration_per_slot: float

    def active(self, population: str) -> list[np.ndarray]:
        """Cells that fired in each slot."""
        return [np.flatnonzero(c) for c in self.counts[population]]

    def most_active(self, population: str, slot: int, k: int, key=0) -> np.ndarray:
        """The ``k`` cells with the most spikes in ``slot`` (sorted indices); equal counts go to the cell that
        fired first (rank-order code), remaining ties (silent cells) to the hash priorities of ``key``."""
        fired = np.isfinite(self.first_spike[population][slot])
        earliness = np.where(fired, 1.0 - self.first_spike[population][slot] / self.duration_per_slot, 0.0)
        return k_winners(self.counts[population][slot] + earliness, k, np.uint64(key))

    def rates(self, population: str) -> np.ndarray:
        """Mean firing rate (Hz) of the population in each slot."""
        return self.counts[population].mean(axis=1) / self.duration_per_slot


#: SpikingParameters compiled into a standalone build (the others are run-time values)
COMPILED_PARAMETERS = ("dt", "presentation", "tau_m", "v_rest", "v_threshold", "v_reset", "refractory", "tau_e",
                       "tau_s", "tau_i", "basket_fraction", "p_ei", "p_ie", "delay_ei", "delay_ie", "tau_basket")


class SpikingHippocampus:
    """Spiking circuit of a hippocampal key-value description, run presentation by presentation.

    Parameters
    ----------
    description : NetworkDescription
        The same description the rate twin reads (:func:`biokv.hippocampus.description.hippocampal_network`).
    params : SpikingParameters
    build_dir : path, optional
        Folder of the standalone project (default: the one the caller gave ``set_device``).

    Attributes
    ----------
    circuit : HippocampalCircuit or None
        The last circuit built (on a standalone device: the compiled one).
    compilations : int
        Standalone builds compiled by this runner.
    """

    def __init__(self, description: NetworkDescription, params: SpikingParameters | None = None, build_dir=None):
        self.description = description
        self.params = SpikingParameters() if params is None else params
        self.twin = HippocampalRateTwin(description)  # validates the topology
        self.build_dir = None if build_dir is None else str(build_dir)
        self.circuit = None
        self.compilations = 0
        self._signature = None

    def protocol(self, keys, values, cues, gains=None, acetylcholine=None):
        """The :class:`~biokv.spiking.circuit.Protocol` of encoding ``keys`` -> ``values`` and recalling
        ``cues`` (``acetylcholine``: levels per slot, default the description's level of each phase)."""
        from biokv.spiking.circuit import Protocol

        d = self.description
        inp = next(p for p in d.populations if p.role == "input")
        val = next(p for p in d.populations if p.role == "value")
        P, Q = len(keys), len(cues)
        key_table = pattern_table(list(keys) + list(cues), inp.size)
        value_table = np.zeros((P + Q, val.size))
        value_table[:P] = pattern_table(list(values), val.size)  # index sets, also when given as one array
        encoding = np.r_[np.ones(P), np.zeros(Q)]
        table = {}
        for proj in d.projections:
            shape = (P + Q, d.population(proj.target).size)
            phase = np.where(encoding > 0, proj.gain["encode"], proj.gain["recall"])[:, None]
            table[proj.name] = np.ascontiguousarray(phase * (gains or {}).get(proj.name, np.ones(shape)))
        if acetylcholine is None:
            acetylcholine = np.where(encoding > 0, d.acetylcholine["encode"], d.acetylcholine["recall"])
        return Protocol(key_table, value_table, encoding, table, np.asarray(acetylcholine, dtype=float))

    def simulate(self, state: HippocampalState, run: int, keys, values, cues, seed: int,
                 gains=None, n_slots: int | None = None, acetylcholine=None) -> SpikingResult:
        """Encode ``keys`` -> ``values`` (P index sets each) and recall from ``cues`` (Q index sets) in one run.

        ``state`` holds the connectivity and initial weights (run ``run`` of it is used), drawn by
        :func:`biokv.hippocampus.connectivity.draw_connectivity` as for the rate twin; it is not changed.
        ``seed`` seeds the Poisson streams of the input and teacher cells. ``gains`` maps projection names to
        arrays broadcastable to (P + Q slots, target cells) that multiply the projection's phase gain in each
        slot for each target cell: 0 lesions or inactivates the projection (in chosen slots, onto chosen
        cells), > 1 boosts it; the rate twin takes the same mapping, and both check it with
        :func:`biokv.hippocampus.gains.check_gains`. They are run-time values: a standalone build is reused.
        ``acetylcholine`` (a number or one level in [0, 1] per slot, P + Q) replaces the description's level of
        each phase (high at encoding, low at recall), e.g. 0 in encoding slots for a cholinergic blockade.
        ``n_slots``, if larger than ``P + Q``, pads the simulation with recall slots of the first cue (and the
        gains and acetylcholine of the last slot), so that protocols of different lengths share one standalone
        build; the padded slots are in the result after the others and mean nothing.
        """
        d = self.description
        P, Q = len(keys), len(cues)
        if P < 1 or Q < 1 or len(values) != P:
            raise ValueError(f"need P >= 1 keys with as many values and Q >= 1 cues, got {P}, {len(values)}, {Q}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
            raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
        inp = next(p for p in d.populations if p.role == "input")
        val = next(p for p in d.populations if p.role == "value")
        for name, pats, pop in (("keys", keys, inp), ("cues", cues, inp), ("values", values, val)):
            if any(len(x) and (np.min(x) < 0 or np.max(x) >= pop.size) for x in pats):
                raise ValueError(f"{name} hold indices of active {pop.name} cells, which must be in "
                                 f"[0, {pop.size - 1}]")
        gains = check_gains(d, gains, (("slots", P + Q),))
        if acetylcholine is not None:
            try:
                acetylcholine = np.broadcast_to(np.asarray(acetylcholine, dtype=float), (P + Q,))
            except ValueError:
                raise ValueError(f"acetylcholine must be a level or one level per slot ({P + Q}), got shape "
                                 f"{np.shape(acetylcholine)}") from None
            if not np.all((acetylcholine >= 0) & (acetylcholine <= 1)):
                raise ValueError("acetylcholine must hold levels in [0, 1]")
        if n_slots is not None:
            if isinstance(n_slots, bool) or not isinstance(n_slots, (int, np.integer)) or n_slots < P + Q:
                raise ValueError(f"n_slots must be an integer >= P + Q = {P + Q}, got {n_slots!r}")
            pad = int(n_slots) - P - Q
            cues = list(cues) + [cues[0]] * pad
            gains = {k: np.concatenate([g, np.repeat(g[-1:], pad, axis=0)]) for k, g in (gains or {}).items()}
            if acetylcholine is not None:
                acetylcholine = np.concatenate([acetylcholine, np.repeat(acetylcholine[-1:], pad)])
            Q += pad
        protocol = self.protocol(keys, values, cues, gains, acetylcholine)
        if is_standalone():
            self._run_standalone(state, run, protocol, int(seed))
        else:
            self._run_runtime(state, run, protocol, int(seed))
        return self._read_out(P, Q, int(seed))

    # ------------------------------------------------------------------------------------------ devices
    def _build(self, state, run, protocol, seed):
        from brian2 import Network

        from biokv.spiking.circuit import build_circuit

        self.circuit = build_circuit(self.description, state, run, self.params, protocol, seed=seed)
        network = Network(self.circuit)
        network.run(protocol.n_slots * self.params.presentation, namespace={})
        return network

    def _run_runtime(self, state, run, protocol, seed):
        self._build(state, run, protocol, seed)

    def _run_standalone(self, state, run, protocol, seed):
        from brian2 import get_device

        from biokv.spiking.circuit import input_streams, projection_pairs, runtime_scalars

        device = get_device()
        signature = self.signature(state, run, protocol.n_slots)
        if signature != self._signature:
            if self._signature is not None or device.has_been_run:
                raise RuntimeError("the standalone device already holds a built project of another structure: "
                                   "call device.reinit() and device.activate() before building another network")
            self._build(state, run, protocol, seed)
            self._signature = signature
            self.compilations += 1
            if device.build_on_run:  # built and run with the protocol's values already
                return
            # the caller's set_device options (its directory), unless this runner was given a folder
            options = {k: v for k, v in (device.build_options or {}).items() if k not in ("run", "with_output")}
            if self.build_dir is not None:
                options["directory"] = self.build_dir
            device.build(run=False, with_output=False, **options)
        c = self.circuit
        run_args = c.run_args(protocol)
        for name, syn in c.projections.items():
            run_args[syn.synapses.w] = projection_pairs(self.description, state, run, name)[2]
        for (obj, var), value in {**runtime_scalars(self.description, self.params, c),
                                  **input_streams(c, seed)}.items():
            run_args[getattr(obj, var)] = value
        device.run(run_args=run_args, with_output=False)

    def signature(self, state, run, n_slots) -> str:
        """What a standalone build compiles in: the populations, the kinds of the projections, the number of
        slots, the compiled parameters and the connectivity (runs with equal signatures share one build; gains
        and learning rates are run-time values)."""
        from biokv.spiking.circuit import projection_pairs

        p, d = self.params, self.description
        structure = ([(x.name, x.size, x.role) for x in d.populations],
                     [(x.name, x.source, x.target, x.synapse) for x in d.projections])
        h = hashlib.sha1(repr((structure, n_slots, run,
                               [(name, repr(getattr(p, name))) for name in COMPILED_PARAMETERS])).encode())
        for proj in self.description.projections:
            pre, post, _ = projection_pairs(self.description, state, run, proj.name)
            h.update(pre.tobytes())
            h.update(post.tobytes())
        return h.hexdigest()

    # --------------------------------------------------------------------------------------------- read-out
    def _read_out(self, P, Q, seed) -> SpikingResult:
        c = self.circuit
        n_slots = P + Q
        slot_s = float(self.params.presentation)
        counts, first, spikes = {}, {}, {}
        for name, mon in c.monitors.items():
            i, t = np.asarray(mon.i[:]), np.asarray(mon.t_[:])
            slot = np.minimum((t / slot_s).astype(int), n_slots - 1)
            n = c.layers[name].N
            cnt = np.zeros((n_slots, n), dtype=np.int32)
            np.add.at(cnt, (slot, i), 1)
            f = np.full(cnt.shape, np.inf)
            np.minimum.at(f, (slot, i), t - slot * slot_s)
            counts[name], first[name], spikes[name] = cnt, f, (i, t)
        self._check_runaway(counts, slot_s)
        weights = {name: np.asarray(syn.synapses.w[:]).copy() for name, syn in c.projections.items()}
        result = SpikingResult(counts, first, spikes, P, None, weights, slot_s)
        val = next(p for p in self.description.populations if p.role == "value")
        keys = [step_key(np.uint64(seed), np.uint64(0x5EED), q) for q in range(Q)]
        result.recalled = np.stack([result.most_active(val.name, P + q, val.active, keys[q]) for q in range(Q)])
        return result

    def _check_runaway(self, counts, slot_s):
        for name, cnt in counts.items():
            rate = cnt.mean(axis=1) / slot_s
            worst = int(np.argmax(rate))
            if rate[worst] > float(self.params.max_rate):
                raise RunawayActivityError(f"{name} fired at {rate[worst]:.0f} Hz on average in slot {worst} "
                                           f"(limit {self.params.max_rate}): runaway activity; lower the drive "
                                           "or raise the inhibition")
            if np.isnan(np.asarray(self.circuit.layers[name].neurons.v_[:])).any():
                raise RunawayActivityError(f"{name}: membrane potential became NaN")
