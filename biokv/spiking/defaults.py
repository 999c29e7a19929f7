"""Default values of the physical parameters of the spiking hippocampal network, with units and docs.

The one place of these defaults: :class:`biokv.spiking.parameters.SpikingParameters` builds its Brian2
quantities from :data:`SPIKING_DEFAULTS` and
:class:`biokv.experiments.hippocampus.config.SpikingConfig` is generated from it (one field per entry, the unit
in the name: ``tau_m_ms``, ``ec_rate_on_hz``). This module imports nothing, so that configurations can be
declared without Brian2.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["SpikingDefault", "SPIKING_DEFAULTS", "SIGNED", "INTEGERS", "config_name"]


class SpikingDefault(NamedTuple):
    """One physical parameter of the spiking network.

    Attributes
    ----------
    name : str
        Field of :class:`biokv.spiking.parameters.SpikingParameters`.
    default : int or float
        Default value, in ``unit``.
    unit : str
        Name of the Brian2 unit (``"ms"``, ``"Hz"``, ``"mV"``), or ``""`` for a plain number.
    doc : str
        What the parameter is and the basis of its default.
    low, high : float, optional
        Range allowed in a configuration (inclusive unless ``low_open``).
    low_open : bool
    source : str, optional
        Publication the default rests on.
    """

    name: str
    default: int | float
    unit: str
    doc: str
    low: float | None = 0.0
    high: float | None = None
    low_open: bool = True
    source: str | None = None


#: parameters that may be zero or negative (membrane potentials)
SIGNED = ("v_rest", "v_threshold", "v_reset")
#: integer parameters and their lower bounds
INTEGERS = {"ec_release_spike": 1}

_THETA = "one theta cycle at 5 Hz (theta: 4-10 Hz)"
_DE_ALMEIDA = "de Almeida, Idiart & Lisman 2009, J Neurosci 29:7497"

#: every parameter of :class:`biokv.spiking.parameters.SpikingParameters`, in field order
SPIKING_DEFAULTS: tuple[SpikingDefault, ...] = (
    SpikingDefault("dt", 0.1, "ms", "integration time step", low=0.001, high=1.0, low_open=False),
    SpikingDefault("presentation", 200, "ms", f"presentation of one key (encoding) or cue (recall): {_THETA}; "
                   "must leave the phase windows inside it", low=1.0, low_open=False),
    SpikingDefault("ec_rate_on", 100, "Hz", "Poisson rate of the presented pattern's EC cells"),
    SpikingDefault("ec_rate_off", 1, "Hz", "Poisson rate of the other EC cells", low_open=False),
    SpikingDefault("ec_release_spike", 3, "", "EC synapses transmit at this spike of their presynaptic cell; with 3, "
                   "an active cell (10 expected spikes before the DG phase) misses with probability 0.3% and a "
                   "background cell (0.1) fires 3 with 0.015%", low=1, low_open=False),
    SpikingDefault("dg_phase", 0.5, "", "theta phase (fraction of the presentation) at which the DG window opens "
                   "(100 ms of 200: the EC bursts have arrived); each window closes when the next opens", high=1.0),
    SpikingDefault("ca3_phase", 0.675, "", "theta phase at which the CA3 window opens (135 ms of 200: the DG "
                   "winners have fired)", high=1.0),
    SpikingDefault("ctx_phase", 0.85, "", "theta phase at which the cortical window opens (170 ms of 200: the CA3 "
                   "winners have fired); it closes at the end of the presentation", high=1.0),
    SpikingDefault("tau_m", 10, "ms", "principal-cell membrane time constant"),
    SpikingDefault("v_rest", -70, "mV", "resting potential", low=None),
    SpikingDefault("v_threshold", -50, "mV", "firing threshold", low=None),
    SpikingDefault("v_reset", -60, "mV", "reset potential after a spike", low=None),
    SpikingDefault("refractory", 3, "ms", "refractory period of principal cells"),
    SpikingDefault("tau_e", 5, "ms", "decay of the fast excitatory current (teacher input)"),
    SpikingDefault("tau_i", 7, "ms", "decay of the inhibitory current (GABA-A, fast)"),
    SpikingDefault("inh_count", 0.95, "", "a layer's basket cells fire once this fraction of its winners has fired "
                   "(the rest fire within the feedback delay): E%-max winner-take-all", high=1.0,
                   source=_DE_ALMEIDA),
    SpikingDefault("inhibition", 100, "mV", "inhibitory current jump on every principal cell when the basket cells "
                   "fire"),
    SpikingDefault("feedback_delay", 0.2, "ms", "delay basket cells -> principal cells (perisomatic, fast)"),
    SpikingDefault("j_dg", 23, "mV", "EC -> DG drive scale: the 120th of 4000 granule cells ~2 mV above "
                   "threshold"),
    SpikingDefault("j_ca3", 22, "mV", "CA3 drive scale (perforant path; mossy fibres in the same units): the 30th "
                   "of 1000 CA3 cells (4 mossy-fibre contacts from the DG winners) ~2 mV above threshold"),
    SpikingDefault("j_ctx", 190, "mV", "CA3 -> CTX drive scale: the s-th most driven value cell just above "
                   "threshold"),
    SpikingDefault("teacher_rate", 200, "Hz", "Poisson rate of the teacher input to value cells during encoding"),
    SpikingDefault("teacher_jump", 30, "mV", "fast current jump per teacher spike"),
    SpikingDefault("max_rate", 300, "Hz", "a population above this mean rate is runaway activity"),
)


def config_name(entry: SpikingDefault) -> str:
    """Name of the configuration field of ``entry``: the parameter's name with its unit (``tau_m_ms``), or the
    bare name for a plain number (``dg_phase``)."""
    return f"{entry.name}_{entry.unit.lower()}" if entry.unit else entry.name
