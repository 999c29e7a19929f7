"""Excitatory projections: static, facilitating (mossy fibres) and plastic (instar and outstar rules).

One synaptic event adds ``jump * w * gain`` to the target's ``ge`` (fast receptors) or ``gs`` (slow receptors), for facilitating
synapses times the facilitation ``u / U``. ``jump`` is a shared, run-time scalar in the target layer's excitatory
unit; ``w`` a weight per synapse; ``gain`` optionally a :class:`brian2.TimedArray` of (time, target cell) that an
experiment uses to lesion or boost the projection in chosen presentations and cells (transmission only: learning
sees spikes, never the gain table). With an ``acetylcholine`` level (a :class:`brian2.TimedArray` of time, the
modulatory state of the circuit) the event is also multiplied by ``1 - ach_suppression * acetylcholine(t)``: the
cholinergic suppression of glutamate release, strong at recurrent synapses and weak at mossy fibres (Hasselmo,
Schnell & Barkai 1995, J Neurosci 15:5249).
"""

from __future__ import annotations

import numpy as np
from brian2 import Synapses, TimedArray, ms, second, volt

from biokv.spiking.components.base import Component, as_generator, check_quantity, draw_fan_in, draw_fan_out, \
    neurons_of

__all__ = ["StaticSynapses", "FacilitatingSynapses", "InstarSynapses", "OutstarSynapses", "RECEPTORS"]

#: receptor kind -> the target layer's variable it adds to
RECEPTORS = {"fast": "ge", "slow": "gs"}


def _connections(source, target, connect, fan_in, fan_out, rng):
    """(pre, post) from explicit pairs or a fan-in / fan-out draw (exactly one of them)."""
    given = [x is not None for x in (connect, fan_in, fan_out)]
    if sum(given) != 1:
        raise ValueError("give exactly one of connect=(pre, post), fan_in=(inputs per target cell) or "
                         "fan_out=(targets per source cell)")
    if connect is not None:
        pre, post = (np.asarray(x, dtype=np.int64).ravel() for x in connect)
        if pre.shape != post.shape:
            raise ValueError(f"connect: pre and post must have the same length, got {pre.size} and {post.size}")
        if pre.size and (pre.min() < 0 or pre.max() >= source.N or post.min() < 0 or post.max() >= target.N):
            raise ValueError(f"connect: indices must lie in [0, {source.N - 1}] (pre) and [0, {target.N - 1}] (post)")
        return pre, post
    what, count = ("fan_in", fan_in) if fan_in is not None else ("fan_out", fan_out)
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
        raise ValueError(f"{what} must be an integer (a number of cells), got {count!r}")
    if fan_in is not None:
        return draw_fan_in(source.N, target.N, int(fan_in), as_generator(rng))
    return draw_fan_out(source.N, target.N, int(fan_out), as_generator(rng))


class StaticSynapses(Component):
    """Excitatory synapses with fixed weights.

    Parameters
    ----------
    source, target : component or Brian2 group
        Presynaptic cells (any group that spikes: a layer, a :class:`PatternInput`, a user's
        ``SpikeGeneratorGroup``) and the postsynaptic layer (a group with ``ge``).
    connect : (pre, post) arrays, optional
    fan_in, fan_out : int, optional
        Draw ``fan_in`` inputs per target cell or ``fan_out`` targets per source cell (with ``rng``) instead.
    w : float or array
        Initial weights (default 1).
    jump : Quantity
        Increment of the target's ``ge`` per event of weight 1 (volt for current-based layers).
    gain : brian2.TimedArray, optional
        Transmission gain ``gain(t, j)`` per target cell.
    acetylcholine : brian2.TimedArray, optional
        Acetylcholine level ``acetylcholine(t)`` in [0, 1]; transmission is multiplied by
        ``1 - ach_suppression * acetylcholine(t)``.
    ach_suppression : float
        Fraction of transmission suppressed at full acetylcholine (a run-time value; default 0).
    receptor : {"fast", "slow"}
        Postsynaptic receptors: fast (AMPA, the target's ``ge``) or slow (NMDA, ``gs``).
    delay : Quantity (time)
        Synaptic delay (default 1 ms).
    rng : int or numpy.random.Generator
    dt : Quantity (time), optional
    name : str

    Attributes
    ----------
    synapses : brian2.Synapses
    """

    model = "w : 1\njump : {unit} (shared, constant)"
    transmit = "{receptor}_post += jump * w{gain}"
    on_post = None

    def __init__(self, source, target, connect=None, fan_in=None, fan_out=None, w=1.0, jump=None, gain=None,
                 acetylcholine=None, ach_suppression=0.0, receptor: str = "fast", delay=1 * ms, rng=0, dt=None,
                 name: str = "projection*", **extra):
        pre_group, post_group = neurons_of(source, "source"), neurons_of(target, "target")
        if receptor not in RECEPTORS:
            raise ValueError(f"receptor must be one of {tuple(RECEPTORS)}, got {receptor!r}")
        var = RECEPTORS[receptor]
        if var not in post_group.variables:
            raise ValueError(f"target {post_group.name} has no excitatory input {var}")
        unit_name = "1" if post_group.variables[var].dim.is_dimensionless else "volt"
        if jump is None:
            raise ValueError("jump (the ge increment of one event of weight 1) is required")
        check_quantity("jump", jump, 1 if unit_name == "1" else volt, allow_zero=True)
        check_quantity("delay", delay, ms, allow_zero=True)
        if gain is not None and not isinstance(gain, TimedArray):
            raise ValueError(f"gain must be a brian2.TimedArray of (time, target cell), got {gain!r}")
        if acetylcholine is not None and not isinstance(acetylcholine, TimedArray):
            raise ValueError(f"acetylcholine must be a brian2.TimedArray of time, got {acetylcholine!r}")
        if isinstance(ach_suppression, bool) or not isinstance(ach_suppression, (int, float)) or \
                not 0 <= ach_suppression <= 1:
            raise ValueError(f"ach_suppression must be a fraction in [0, 1], got {ach_suppression!r}")
        extra_model, on_pre_extra, on_post, namespace = self._plasticity(**extra)  # checks the rule's values
        pre, post = _connections(pre_group, post_group, connect, fan_in, fan_out, rng)
        super().__init__(name)
        gain_term = "" if gain is None else " * gain_table(t, j)"
        if gain is not None:
            namespace["gain_table"] = gain
        model = self.model.format(unit=unit_name) + extra_model
        if acetylcholine is not None:
            gain_term += " * (1 - ach_suppression * acetylcholine_level(t))"
            namespace["acetylcholine_level"] = acetylcholine
            model += "\nach_suppression : 1 (shared, constant)"
        self.synapses = self._add(Synapses(
            pre_group, post_group, model,
            on_pre="\n".join([self.transmit.format(gain=gain_term, receptor=var)] + on_pre_extra),
            on_post=on_post, delay=delay, namespace=namespace, dt=dt, name=f"{self.name}_synapses"))
        self.synapses.connect(i=pre, j=post)
        self.synapses.w = w
        self.synapses.jump = jump
        if acetylcholine is not None:
            self.synapses.ach_suppression = float(ach_suppression)
        self._configure(**extra)

    def _plasticity(self, **extra):
        """(model lines, on_pre lines after transmission, on_post code, namespace) of a subclass's rule."""
        if extra:
            raise TypeError(f"unexpected arguments {sorted(extra)}")
        return "", [], None, {}

    def _configure(self, **extra):
        """Set the run-time values of a subclass's rule."""

    @property
    def w(self):
        return self.synapses.w


class FacilitatingSynapses(StaticSynapses):
    """Short-term facilitating synapses (mossy fibres): each spike's efficacy grows with recent activity.

    The facilitation ``u`` of the Tsodyks-Markram model (Tsodyks & Markram 1997, PNAS 94:719; Markram, Wang &
    Tsodyks 1998, PNAS 95:5323), without depression: at a spike ``u += U (1 - u)``, then the event transmits
    ``jump * w * u / U`` (the first spike from rest transmits ``jump * w``); between spikes ``u`` decays to 0
    with ``tau_f``. A paired pulse at interval ``d`` is ``1 + (1 - U) exp(-d / tau_f)`` times the first; a long
    train at interval ``d`` approaches ``1 / (1 - (1 - U) exp(-d / tau_f))``. Mossy-fibre boutons have a low
    initial release probability and facilitate strongly (paired-pulse facilitation 2x that of associational
    synapses, frequency facilitation up to 6-fold: Salin et al. 1996, PNAS 93:13304).

    Parameters
    ----------
    U : float
        Initial release fraction (default 0.05; with ``tau_f`` = 0.4 s a 20 Hz train facilitates up to ~6-fold,
        1 / (1 - 0.95 exp(-0.05 / 0.4)) = 6.19 in the limit and 6.16 at its 30th spike, and a paired pulse at
        20 ms 1.90-fold).
    tau_f : Quantity (time)
        Decay of facilitation (default 0.4 s).
    contacts : int, optional
        Postsynaptic cells per presynaptic cell (a fan-out draw; 11-15 CA3 cells per granule cell in the rat:
        Acsady et al. 1998, J Neurosci 18:3386); or give ``connect``.
    Other parameters as :class:`StaticSynapses`.
    """

    transmit = "u += U * (1 - u)\n{receptor}_post += jump * w * u / U{gain}"

    def __init__(self, source, target, connect=None, contacts=None, U=0.05, tau_f=0.4 * second, **kwargs):
        super().__init__(source, target, connect=connect, fan_out=contacts, U=U, tau_f=tau_f, **kwargs)

    def _plasticity(self, U, tau_f):
        if isinstance(U, bool) or not isinstance(U, (int, float)) or not 0 < U <= 1:
            raise ValueError(f"U must be a release fraction in (0, 1], got {U!r}")
        check_quantity("tau_f", tau_f, ms)
        return ("\ndu/dt = -u / tau_f : 1 (event-driven)\nU : 1 (shared, constant)\n"
                "tau_f : second (shared, constant)"), [], None, {}

    def _configure(self, U, tau_f):
        self.synapses.U, self.synapses.tau_f = float(U), tau_f


class _PlasticSynapses(StaticSynapses):
    """Shared parameters of the instar and outstar rules."""

    def _check_rule(self, eps, tau_trace, plastic):
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 <= eps <= 1:
            raise ValueError(f"eps must be a learning rate in [0, 1], got {eps!r}")
        check_quantity("tau_trace", tau_trace, ms)
        if isinstance(plastic, TimedArray):
            return "\nplastic = plasticity_schedule(t) : 1 (shared)", {"plasticity_schedule": plastic}
        if isinstance(plastic, bool) or not isinstance(plastic, (int, float)) or not 0 <= plastic <= 1:
            raise ValueError(f"plastic must be a level in [0, 1] or a brian2.TimedArray of time, got {plastic!r}")
        return "\nplastic : 1 (shared)", {}

    def _configure(self, eps, tau_trace, plastic):
        self.synapses.eps, self.synapses.tau_trace = float(eps), tau_trace
        if not isinstance(plastic, TimedArray):
            self.synapses.plastic = float(plastic)


_RULE_MODEL = "\neps : 1 (shared, constant)\ntau_trace : second (shared, constant)"


class InstarSynapses(_PlasticSynapses):
    """Synapses that learn their presynaptic pattern when the postsynaptic cell fires (instar rule).

    Each synapse keeps a nearest-spike trace of its presynaptic cell, ``x = 1`` at a presynaptic spike,
    decaying with ``tau_trace``; at a postsynaptic spike ``w += eps * plastic * (x - w)``. ``plastic`` is a
    modulatory state (acetylcholine-like), a number or a TimedArray of time, never the stimulus table.

    With binary traces (``x`` = 1 for the inputs that fired within the trace's memory, 0 for the others) and
    one spike per winner, this is the K-winner rule of the rate core, ``w_ij += eps (x_j - w_ij)`` for every
    winner ``i`` (Bhandarkar & McClelland 2025); a winner that fires ``n`` times applies it ``n`` times
    (effective rate ``1 - (1 - eps)^n``).

    Parameters
    ----------
    eps : float
        Learning rate per postsynaptic spike.
    tau_trace : Quantity (time)
        Decay of the presynaptic trace (default 50 ms: the input of the current theta cycle, not the last).
    plastic : float or brian2.TimedArray
        Modulatory gate of learning in [0, 1] (default 1).
    Other parameters as :class:`StaticSynapses`.
    """

    def __init__(self, source, target, eps=0.3, tau_trace=50 * ms, plastic=1.0, **kwargs):
        super().__init__(source, target, eps=eps, tau_trace=tau_trace, plastic=plastic, **kwargs)

    def _plasticity(self, eps, tau_trace, plastic):
        gate, namespace = self._check_rule(eps, tau_trace, plastic)
        return ("\ndtrace_in/dt = -trace_in / tau_trace : 1 (event-driven)" + _RULE_MODEL + gate,
                ["trace_in = 1"], "w += eps * plastic * (trace_in - w)", namespace)


class OutstarSynapses(_PlasticSynapses):
    """Synapses that learn their postsynaptic cells' pattern when the presynaptic cell fires (outstar rule).

    Each synapse keeps a nearest-spike trace of its postsynaptic cell, ``y = 1`` at a postsynaptic spike,
    decaying with ``tau_trace``; at a presynaptic spike (after transmitting) ``w += eps * plastic * (y - w)``.
    A CA3 cell thus stores in its cortical synapses the cortical cells that fired just before it -- those a
    teacher drove -- and the rate core's ``W_out[j, i] += eps (v_j - W_out[j, i])`` is the case of binary
    traces and one spike per winner.

    Parameters as :class:`InstarSynapses`.
    """

    def __init__(self, source, target, eps=0.3, tau_trace=50 * ms, plastic=1.0, **kwargs):
        super().__init__(source, target, eps=eps, tau_trace=tau_trace, plastic=plastic, **kwargs)

    def _plasticity(self, eps, tau_trace, plastic):
        gate, namespace = self._check_rule(eps, tau_trace, plastic)
        return ("\ndtrace_out/dt = -trace_out / tau_trace : 1 (event-driven)" + _RULE_MODEL + gate,
                ["w += eps * plastic * (trace_out - w)"], "trace_out = 1", namespace)
