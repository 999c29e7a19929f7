"""Spiking hippocampal key-value network in Brian2, built from the same description and connectivity as the
rate twin (:class:`biokv.hippocampus.rate_twin.HippocampalRateTwin`).

One simulation encodes ``P`` key -> value pairs and then recalls from ``Q`` cues, one presentation (a theta
cycle) each:

- EC cells of the slot's pattern fire as Poisson processes at ``ec_rate_on``, the others at ``ec_rate_off``
  (a ``TimedArray`` of slots x cells, so new patterns need no new code); an EC synapse transmits once, at its
  cell's burst (:class:`SpikingParameters`), into a slow drive that lasts for the presentation;
- DG, CA3 and the cortical layer fire in turn, each in its own phase window: cells reach threshold in the order
  of their drive and each layer's basket cells stop the race after about as many winners as the layer's
  activity level (E%-max); a principal cell's synapses transmit at its first spike;
- during encoding the mossy fibres are on (gains per phase come from the description) and a Poisson teacher
  drives the cortical cells of the value;
- at the start of each slot, ``run_regularly`` operations apply the K-winner rule for the slot that just ended
  (encoding slots only) -- for every CA3 cell that fired and each of its EC inputs ``w += eps (x - w)``, for
  every cortical target of such a cell ``w += eps (v - w)`` -- and then reset every cell.

The recalled value of a cue is the ``ctx_active`` cortical cells with the most spikes in its slot (equal counts:
the earlier first spike).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass

import numpy as np

from biokv.core.common.rng import step_key
from biokv.core.common.selection import k_winners
from biokv.hippocampus.connectivity import HippocampalState
from biokv.hippocampus.description import NetworkDescription
from biokv.hippocampus.gains import check_gains
from biokv.hippocampus.rate_twin import HippocampalRateTwin
from biokv.spiking.devices import DEVICES
from biokv.spiking.parameters import SpikingParameters

__all__ = ["SpikingHippocampus", "SpikingResult", "RunawayActivityError"]


class RunawayActivityError(RuntimeError):
    """A population fired far above its expected rate (or its state became NaN)."""


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


def _pairs(inputs, weights):
    """(pre, post, w) of a fan-in mask: ``inputs[post, c]`` is a presynaptic cell."""
    post = np.repeat(np.arange(inputs.shape[0]), inputs.shape[1])
    return inputs.ravel(), post, weights.ravel()


_SEED_FROM_ENVIRONMENT = (
    'const char* _biokv_seed = getenv("BIOKV_SEED");'
    " if (_biokv_seed) { unsigned long _v = strtoul(_biokv_seed, NULL, 10);"
    " for (size_t _i = 0; _i < brian::_random_generators.size(); _i++)"
    " brian::_random_generators[_i].seed(_v + _i); }")


#: :class:`SpikingParameters` fields compiled into a standalone build (the others are run-time values)
_COMPILED_PARAMETERS = ("dt", "presentation", "ec_release_spike", "tau_m", "v_rest", "v_threshold", "v_reset",
                        "refractory", "tau_e", "tau_i", "feedback_delay")

# Brian2's device is global to a process, so a process holds one compiled standalone network: the last one built.
_COMPILED: dict | None = None
_COMPILATIONS = 0
_BUILD_DIR: str | None = None


def standalone_compilations() -> int:
    """Standalone builds compiled in this process so far."""
    return _COMPILATIONS


def _process_build_dir() -> str:
    """This process's own standalone project folder (processes never share one)."""
    global _BUILD_DIR
    if _BUILD_DIR is None:
        _BUILD_DIR = tempfile.mkdtemp(prefix=f"biokv-standalone-{os.getpid()}-")
    return _BUILD_DIR


def _leave_standalone(b2):
    """Back to the runtime device (and forget the compiled network) if the standalone device is active."""
    from brian2.devices.device import RuntimeDevice

    global _COMPILED
    if _COMPILED is not None or not isinstance(b2.get_device(), RuntimeDevice):
        b2.device.reinit()
        b2.set_device("runtime")
        _COMPILED = None


class SpikingHippocampus:
    """Brian2 network of a hippocampal key-value description.

    Parameters
    ----------
    description : NetworkDescription
        The same description the rate twin reads (:func:`biokv.hippocampus.description.hippocampal_network`).
    params : SpikingParameters
    device : {"runtime", "cpp_standalone"}
        ``runtime`` builds and runs in Python with code-generation target ``codegen``. ``cpp_standalone``
        compiles the network once into ``build_dir`` and runs every further simulation with the same compiled
        structure (sizes, connectivity, number of slots, and ``dt``, presentation length, release spike, time
        constants and potentials of :class:`SpikingParameters`) through ``device.run(run_args=...)``: new
        patterns, initial weights, seed and every run-time value (EC and teacher rates, phase windows,
        inhibition, drive scales, gains, learning rates). Brian2's device is global to a process, so the
        process keeps one build, the last one compiled, and any network with the same compiled structure
        reuses it, also a new :class:`SpikingHippocampus` (a sweep worker compiles once for all grid points
        that change only run-time values). A runtime simulation leaves the standalone device.
    codegen : str
        Code-generation target on the runtime device (``"numpy"`` or ``"cython"``).
    build_dir : path, optional
        Standalone project folder (default: one temporary folder per process, so that processes never share
        one).
    """

    def __init__(self, description: NetworkDescription, params: SpikingParameters | None = None,
                 device: str = "runtime", codegen: str = "numpy", build_dir=None):
        if device not in DEVICES:
            raise ValueError(f"device must be one of {DEVICES}, got {device!r}")
        self.description = description
        self.params = SpikingParameters() if params is None else params
        self.twin = HippocampalRateTwin(description)  # validates the topology, provides the connectivity
        self.device = device
        self.codegen = codegen
        self.build_dir = build_dir
        self.compilations = 0

    # ------------------------------------------------------------------------------------------------ build
    def _expected_active(self, proj) -> float:
        """Expected active inputs a target cell receives through ``proj`` for one pattern."""
        d = self.description
        src = d.population(proj.source)
        if proj.connectivity == "fan_in":
            n_in = proj.n_connections
        elif proj.connectivity == "fan_out":
            n_in = proj.n_connections * src.size / d.population(proj.target).size
        else:
            base = d.projection(proj.mirror_of)
            n_in = base.n_connections * d.population(base.target).size / d.population(proj.target).size
        return max(n_in * src.active / src.size, 1e-9)

    def _schedule(self, keys, values, cues, gains=None) -> dict:
        """Per-slot arrays: presented EC pattern, value pattern, encoding flag, each projection's gain per slot and
        target cell (the phase gain of the description times ``gains[projection]``)."""
        d = self.description
        P, Q = len(keys), len(cues)
        key_bits = np.zeros((P + Q, d.population("EC").size))
        for s, pat in enumerate(list(keys) + list(cues)):
            key_bits[s, np.asarray(pat)] = 1.0
        value_bits = np.zeros((P + Q, d.population("CTX").size))
        for s, pat in enumerate(values):
            value_bits[s, np.asarray(pat)] = 1.0
        encoding = np.r_[np.ones(P), np.zeros(Q)]
        out = {"key_bits": key_bits, "value_bits": value_bits, "encoding": encoding}
        for proj in d.projections:
            shape = (P + Q, d.population(proj.target).size)
            phase = np.where(encoding > 0, proj.gain["encode"], proj.gain["recall"])[:, None]
            out[f"gain_{proj.name}"] = np.ascontiguousarray(phase * (gains or {}).get(proj.name, np.ones(shape)))
        return out

    def _build(self, b2, state: HippocampalState, run: int, schedule: dict) -> dict:
        """Create every Brian2 object; returns handles (groups, synapses, timed arrays, monitors, network)."""
        p, d = self.params, self.description
        T = p.presentation
        ta = {name: b2.TimedArray(values, dt=T, name=name) for name, values in schedule.items()}
        ns = {**ta, "slot": T, "half_slot": T / 2, "v_rest": p.v_rest, "v_reset": p.v_reset,
              "v_threshold": p.v_threshold, "tau_m": p.tau_m, "tau_e": p.tau_e, "tau_i": p.tau_i}
        objects = []
        ec = b2.NeuronGroup(d.population("EC").size, """
            rate = rate_off + (rate_on - rate_off) * key_bits(t, i) : Hz
            rate_on : Hz (shared, constant)
            rate_off : Hz (shared, constant)
            count : 1
            """, threshold="rand() < rate * dt", reset="count += 1", namespace=ns, name="EC")
        objects += [ec, ec.run_regularly("count = 0", dt=T, when="start", order=1, name="EC_reset")]
        layers = {}
        for pop in d.populations:
            if pop.role == "input":
                continue
            g = b2.NeuronGroup(pop.size, """
                dv/dt = open * (v_rest - v + Is + Ie - Ii) / tau_m : volt (unless refractory)
                open = int(t - slot * floor(t / slot) >= opens) * int(t - slot * floor(t / slot) < closes) : 1
                opens : second (shared, constant)
                closes : second (shared, constant)
                Is : volt
                dIe/dt = -Ie / tau_e : volt
                dIi/dt = -Ii / tau_i : volt
                count : 1
                """, threshold="v > v_threshold", reset="v = v_reset; count += 1", refractory=p.refractory,
                method="euler", namespace=ns, name=pop.name)
            g.v = p.v_rest
            # the layer's basket cells, lumped into one unit that counts the winners' spikes
            inh = b2.NeuronGroup(1, """
                n : 1
                n_fire : 1 (shared, constant)
                """, threshold="n >= n_fire", reset="n = 0", namespace=ns, name=f"{pop.name}_inh")
            e_i = b2.Synapses(g, inh, on_pre="n_post += 1", name=f"{pop.name}_to_inh")
            e_i.connect()
            i_e = b2.Synapses(inh, g, "jump : volt (shared, constant)", on_pre="Ii_post += jump",
                              delay=p.feedback_delay, name=f"{pop.name}_inh_to")
            i_e.connect()
            objects += [g.run_regularly("v = v_rest; Is = 0*mV; Ie = 0*mV; Ii = 0*mV; count = 0", dt=T,
                                        when="start", order=1, name=f"{pop.name}_reset"),
                        inh.run_regularly("n = 0", dt=T, when="start", order=1, name=f"{pop.name}_inh_reset")]
            layers[pop.name] = g
            objects += [g, inh, e_i, i_e]
        teacher = b2.NeuronGroup(d.population("CTX").size, """
            rate = teacher_rate * encoding(t) * value_bits(t, i) : Hz
            teacher_rate : Hz (shared, constant)
            """, threshold="rand() < rate * dt", namespace=ns, name="teacher")
        t_syn = b2.Synapses(teacher, layers["CTX"], "jump : volt (shared, constant)", on_pre="Ie_post += jump",
                            name="teacher_to_CTX")
        t_syn.connect(j="i")
        objects += [teacher, t_syn]

        groups = {"EC": ec, **layers}
        synapses = {}
        for proj in d.projections:
            pre, post, w = self._connectivity(state, run, proj.name)
            # synapses run before resets in Brian2's schedule: count_pre is the number of earlier spikes
            release = p.ec_release_spike - 1 if proj.source == "EC" else 0
            syn = b2.Synapses(groups[proj.source], groups[proj.target], """
                w : 1
                jump : volt (shared, constant)
                eps : 1 (shared, constant)
                """, on_pre=f"Is_post += gain_{proj.name}(t, j) * jump * w * int(count_pre == {release})",
                namespace=ns, name=proj.name)
            syn.connect(i=pre, j=post)
            syn.w = w
            if proj.learning_rate is not None:
                if proj.name == "pp":  # CA3 cells that fired learn their EC inputs' key bits
                    rule = ("w += encoding(t - half_slot) * eps * (key_bits(t - half_slot, i) - w)"
                            " * int(count_post > 0)")
                else:  # CA3 cells that fired teach their cortical targets the value bits
                    rule = ("w += encoding(t - half_slot) * eps * (value_bits(t - half_slot, j) - w)"
                            " * int(count_pre > 0)")
                objects.append(syn.run_regularly(rule, dt=T, when="start", order=0, name=f"{proj.name}_learning"))
            synapses[proj.name] = syn
            objects.append(syn)
        monitors = {name: b2.SpikeMonitor(g, name=f"{name}_spikes") for name, g in layers.items()}
        objects += list(monitors.values())
        handles = {"timed": ta, "groups": groups, "synapses": synapses, "monitors": monitors,
                   "objects": {obj.name: obj for obj in objects}}
        for (name, var), value in self._runtime_values().items():
            setattr(handles["objects"][name], var, value)
        net = b2.Network(objects)
        # the last encoding slot learns at the start of the first recall slot: no extra time needed
        net.run(len(schedule["encoding"]) * T, namespace={})  # every identifier is in an explicit namespace
        return handles

    def _runtime_values(self) -> dict:
        """Every scalar the compiled code reads at run time: ``(object name, variable) -> value``.

        On the standalone device these go through ``run_args`` with every simulation, so that networks that
        differ only in these values (rates, phase windows, inhibition, drive scales, learning rates) share one
        compiled build; everything else (sizes, connectivity, time constants, potentials, ``dt``, presentation
        length, release spike) is compiled in (:meth:`_signature`).
        """
        p, d = self.params, self.description
        values = {("EC", "rate_on"): p.ec_rate_on, ("EC", "rate_off"): p.ec_rate_off,
                  ("teacher", "teacher_rate"): p.teacher_rate, ("teacher_to_CTX", "jump"): p.teacher_jump}
        for pop in d.populations:
            if pop.role == "input":
                continue
            opens, closes = self._window(pop.name)
            values[(pop.name, "opens")], values[(pop.name, "closes")] = opens, closes
            values[(f"{pop.name}_inh", "n_fire")] = p.inh_count * pop.active
            values[(f"{pop.name}_inh_to", "jump")] = p.inhibition
        for proj in d.projections:
            values[(proj.name, "jump")] = self.unit_drive(proj.name)
            if proj.learning_rate is not None:
                values[(proj.name, "eps")] = proj.learning_rate
        return values

    def _window(self, population: str):
        """Phase window (opens, closes) of a layer within each presentation."""
        p = self.params
        phases = {"DG": (p.dg_phase, p.ca3_phase), "CA3": (p.ca3_phase, p.ctx_phase), "CTX": (p.ctx_phase, 1.0)}
        return tuple(phase * p.presentation for phase in phases[population])

    def unit_drive(self, projection: str):
        """Drive (volt) that one transmitting synapse of weight 1 of ``projection`` adds before its phase gain
        (see :class:`SpikingParameters`)."""
        p, d = self.params, self.description
        proj = d.projection(projection)
        reference = {"DG": "ec_dg", "CA3": "pp", "CTX": "ca3_ctx"}[proj.target]
        scale = {"DG": p.j_dg, "CA3": p.j_ca3, "CTX": p.j_ctx}[proj.target]
        return scale / self._expected_active(d.projection(reference))

    def _signature(self, state, run, schedule) -> str:
        """What a standalone build compiles in: sizes, connectivity, number of slots and the parameters that
        are not :meth:`_runtime_values` (networks with equal signatures share one build)."""
        p, d = self.params, self.description
        h = hashlib.sha1()
        compiled = {"slots": len(schedule["encoding"]),
                    "populations": [(pop.name, pop.size) for pop in d.populations],
                    "projections": [(proj.name, proj.source, proj.target, proj.learning_rate is not None)
                                    for proj in d.projections],
                    "params": [(name, repr(getattr(p, name))) for name in _COMPILED_PARAMETERS]}
        h.update(repr(compiled).encode())
        for proj in d.projections:
            pre, post, _ = self._connectivity(state, run, proj.name)
            h.update(pre.tobytes())
            h.update(post.tobytes())
        return h.hexdigest()

    def simulate(self, state: HippocampalState, run: int, keys, values, cues, seed: int,
                 gains=None, n_slots: int | None = None) -> SpikingResult:
        """Encode ``keys`` -> ``values`` (P index sets each) and recall from ``cues`` (Q index sets) in one run.

        ``state`` holds the connectivity and initial weights (run ``run`` of it is used), drawn by
        :func:`biokv.hippocampus.connectivity.draw_connectivity` as for the rate twin; it is not changed.
        ``seed`` seeds every random number of the simulation (Poisson inputs, connections to interneurons).
        ``gains`` maps projection names to arrays broadcastable to (P + Q slots, target cells) that multiply the
        projection's phase gain in each slot for each target cell: 0 lesions or inactivates the projection (in
        chosen slots, onto chosen cells), > 1 boosts it (e.g. the perforant-path input of a memory's CA3
        ensemble at recall); the rate twin takes the same mapping, and both check it with
        :func:`biokv.hippocampus.gains.check_gains`. They are run-time values: a standalone build is reused.
        ``n_slots``, if larger than ``P + Q``, pads the simulation with recall slots of the first cue (and the
        gains of the last slot), so that protocols of different lengths share one standalone build (the number
        of slots is compiled in); the padded slots are in the result after the others and mean nothing.
        """
        import brian2 as b2

        p, d = self.params, self.description
        P, Q = len(keys), len(cues)
        if P < 1 or Q < 1 or len(values) != P:
            raise ValueError(f"need P >= 1 keys with as many values and Q >= 1 cues, got {P}, {len(values)}, {Q}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
            raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
        for name, pats, pop in (("keys", keys, "EC"), ("cues", cues, "EC"), ("values", values, "CTX")):
            size = d.population(pop).size
            if any(len(x) and (np.min(x) < 0 or np.max(x) >= size) for x in pats):
                raise ValueError(f"{name} hold indices of active {pop} cells, which must be in [0, {size - 1}]")
        gains = check_gains(d, gains, (("slots", P + Q),))
        if n_slots is not None:
            if isinstance(n_slots, bool) or not isinstance(n_slots, (int, np.integer)) or n_slots < P + Q:
                raise ValueError(f"n_slots must be an integer >= P + Q = {P + Q}, got {n_slots!r}")
            pad = int(n_slots) - P - Q
            cues = list(cues) + [cues[0]] * pad
            gains = {k: np.concatenate([g, np.repeat(g[-1:], pad, axis=0)]) for k, g in (gains or {}).items()}
            Q += pad
        schedule = self._schedule(keys, values, cues, gains)
        if self.device == "runtime":
            _leave_standalone(b2)
            b2.start_scope()
            b2.prefs.codegen.target = self.codegen
            b2.defaultclock.dt = p.dt
            b2.seed(int(seed))
            handles = self._build(b2, state, run, schedule)
        else:
            handles = self._standalone(b2, state, run, schedule, int(seed))
            run_args = {handles["timed"][name]: values for name, values in schedule.items()}
            for proj in d.projections:
                run_args[handles["synapses"][proj.name].w] = self._connectivity(state, run, proj.name)[2]
            for (name, var), value in self._runtime_values().items():
                run_args[getattr(handles["objects"][name], var)] = value
            os.environ["BIOKV_SEED"] = str(int(seed))
            b2.device.run(run_args=run_args, with_output=False)
        return self._read_out(handles, P, Q, int(seed))

    def _standalone(self, b2, state, run, schedule, seed) -> dict:
        """Handles of the compiled project for this simulation: the process's build if its signature matches,
        else a new build (in ``build_dir``, or in this process's own temporary folder)."""
        global _COMPILED, _COMPILATIONS
        signature = self._signature(state, run, schedule)
        if _COMPILED is not None and _COMPILED["signature"] == signature:
            return _COMPILED["handles"]
        _leave_standalone(b2)
        build_dir = self.build_dir if self.build_dir is not None else _process_build_dir()
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False, with_output=False)
        b2.device.reinit()
        b2.device.activate(directory=build_dir, build_on_run=False, with_output=False)
        b2.defaultclock.dt = self.params.dt
        b2.device.insert_code("main", _SEED_FROM_ENVIRONMENT)
        handles = self._build(b2, state, run, schedule)
        b2.device.build(run=False, directory=build_dir, with_output=False)
        _COMPILED = {"signature": signature, "handles": handles}
        _COMPILATIONS += 1
        self.compilations += 1
        return handles

    def close(self):
        """Leave the standalone device and forget the process's build (Brian2's device is global to the
        process). Not needed before a runtime simulation, which leaves the standalone device by itself."""
        _leave_standalone(__import__("brian2"))

    def _read_out(self, handles, P, Q, seed) -> SpikingResult:
        n_slots = P + Q
        slot_s = float(self.params.presentation)
        counts, first, spikes = {}, {}, {}
        for name, mon in handles["monitors"].items():
            i, t = np.asarray(mon.i), np.asarray(mon.t_)
            slot = np.minimum((t / slot_s).astype(int), n_slots - 1)
            c = np.zeros((n_slots, handles["groups"][name].N), dtype=np.int32)
            np.add.at(c, (slot, i), 1)
            f = np.full(c.shape, np.inf)
            np.minimum.at(f, (slot, i), t - slot * slot_s)
            counts[name], first[name], spikes[name] = c, f, (i, t)
        self._check_runaway(counts, handles["groups"], slot_s)
        weights = {name: np.asarray(syn.w[:]).copy() for name, syn in handles["synapses"].items()}
        result = SpikingResult(counts, first, spikes, P, None, weights, slot_s)
        s = self.description.population("CTX").active
        keys = [step_key(np.uint64(seed), np.uint64(0x5EED), q) for q in range(Q)]
        result.recalled = np.stack([result.most_active("CTX", P + q, s, keys[q]) for q in range(Q)])
        return result

    def _connectivity(self, state: HippocampalState, run: int, name: str):
        d = self.description
        if name == "ec_dg":
            return _pairs(state.dg.inputs[run], state.dg.w_in[run][state.dg.in_pos[run]])
        if name == "pp":
            return _pairs(state.ca3.inputs[run], state.ca3.w_in[run][state.ca3.in_pos[run]])
        if name == "mf":
            targets = state.mf_targets[run]
            pre = np.repeat(np.arange(targets.shape[0]), targets.shape[1])
            return pre, targets.ravel(), np.full(targets.size, d.projection("mf").weight)
        if name == "ca3_ctx":
            out = state.ca3.out_inputs[run]
            pre = np.repeat(np.arange(out.shape[0]), out.shape[1])
            return pre, out.ravel(), state.ca3.w_out[run].ravel()
        raise ValueError(f"the spiking network does not know projection {name!r}")

    def _check_runaway(self, counts, groups, slot_s):
        for name, c in counts.items():
            rate = c.mean(axis=1) / slot_s
            worst = int(np.argmax(rate))
            if rate[worst] > float(self.params.max_rate):
                raise RunawayActivityError(f"{name} fired at {rate[worst]:.0f} Hz on average in slot {worst} "
                                           f"(limit {self.params.max_rate}): runaway activity; lower the drive "
                                           "or raise the inhibition")
            if np.isnan(np.asarray(groups[name].v_)).any():
                raise RunawayActivityError(f"{name}: membrane potential became NaN")
