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
INTEGERS: dict[str, int] = {}

_THETA = "one theta cycle at 5 Hz (theta: 4-12 Hz)"
_BARTOS = "Bartos, Vida & Jonas 2007, Nat Rev Neurosci 8:45"
_POUILLE = "Pouille & Scanziani 2001, Science 293:1159"
_SALIN = "Salin et al. 1996, PNAS 93:13304"
_CAL = "calibrated on the default network"

#: every parameter of :class:`biokv.spiking.parameters.SpikingParameters`, in field order
SPIKING_DEFAULTS: tuple[SpikingDefault, ...] = (
    SpikingDefault("dt", 0.1, "ms", "integration time step", low=0.001, high=1.0, low_open=False),
    SpikingDefault("presentation", 200, "ms", f"presentation of one key (encoding) or cue (recall): {_THETA}; the "
                   "theta rhythm's period", low=1.0, low_open=False),
    SpikingDefault("theta_onset", 0.5, "", "theta phase (fraction of the cycle) at which the first layer after the "
                   "input is released from theta inhibition (100 ms of 200: EC has fired for half a cycle)",
                   high=1.0, source=_CAL),
    SpikingDefault("theta_lag", 0.01, "", "phase lag of each later layer of the feed-forward chain (2 ms of 200: "
                   "CA3 just after DG, within the mossy fibres' EPSC)", high=1.0, source=_CAL),
    SpikingDefault("theta_depth", 80, "mV", "theta inhibition of a paced layer away from its preferred phase",
                   low_open=False, source=_CAL),
    SpikingDefault("theta_kappa", 3.0, "", "concentration of a layer's theta window (width ~1/sqrt(kappa) rad: "
                   "~18 ms of 200)", high=None, source=_CAL),
    SpikingDefault("ec_rate_on", 100, "Hz", "Poisson rate of the presented pattern's EC cells", source=_CAL),
    SpikingDefault("ec_rate_off", 1, "Hz", "Poisson rate of the other EC cells", low_open=False),
    SpikingDefault("tau_m", 10, "ms", "principal-cell membrane time constant (effective, under background "
                   "conductance)", source=_CAL),
    SpikingDefault("v_rest", -70, "mV", "resting potential", low=None),
    SpikingDefault("v_threshold", -50, "mV", "firing threshold", low=None),
    SpikingDefault("v_reset", -60, "mV", "reset potential after a spike", low=None),
    SpikingDefault("refractory", 3, "ms", "refractory period of principal cells"),
    SpikingDefault("tau_e", 5, "ms", "decay of the fast excitatory synaptic current (AMPA receptors: mossy "
                   "fibres, teacher)"),
    SpikingDefault("tau_s", 50, "ms", "decay of the slow excitatory synaptic current (NMDA receptors, linear: the "
                   "perforant-path and CA3 -> value-layer drive, integrated over tens of ms)", source=_CAL),
    SpikingDefault("tau_i", 5, "ms", "decay of the inhibitory synaptic current (fast GABA_A of basket-cell "
                   "synapses, a few ms)", source=_BARTOS),
    SpikingDefault("basket_fraction", 0.02, "", "basket cells per principal cell of a layer (at least 4)",
                   high=1.0, source=_CAL),
    SpikingDefault("p_ei", 0.5, "", "fraction of a layer's cells that excite each basket cell", high=1.0,
                   source=_CAL),
    SpikingDefault("p_ie", 1.0, "", "fraction of a layer's cells each basket cell inhibits", high=1.0, source=_CAL),
    SpikingDefault("w_ei", 120, "mV", "excitatory current jump on a basket cell when 1% of its layer fires at once "
                   "(one synapse: w_ei / (0.01 n p_ei), so that the loop sees fractions at every size)",
                   source=_CAL),
    SpikingDefault("w_ie", 200, "mV", "inhibitory current jump on a principal cell when all basket cells of its "
                   "layer fire once (one synapse: w_ie / (n_basket p_ie))", source=_CAL),
    SpikingDefault("w_ie_value", 10, "mV", "as w_ie for the value layer (weaker: it expresses a pattern rather "
                   "than a few winners)", source=_CAL),
    SpikingDefault("delay_ei", 1, "ms", "delay principal -> basket cell (the E -> I -> E loop: ~2-3 ms with the "
                   "basket cell's integration)", source=_POUILLE),
    SpikingDefault("delay_ie", 1, "ms", "delay basket -> principal cell", source=_POUILLE),
    SpikingDefault("tau_basket", 5, "ms", "membrane time constant of fast-spiking basket cells", source=_BARTOS),
    SpikingDefault("mf_release", 0.05, "", "initial release fraction U of mossy-fibre synapses (with mf_tau_f, "
                   "a paired pulse at 20 ms facilitates 1.9-fold and a 20 Hz train up to 6.2-fold)", high=1.0,
                   source=_SALIN),
    SpikingDefault("mf_tau_f", 400, "ms", "decay of mossy-fibre facilitation", source=_SALIN),
    SpikingDefault("tau_trace", 50, "ms", "decay of the pre- and postsynaptic traces of the instar and outstar "
                   "rules"),
    SpikingDefault("j_dg", 6, "mV", "EC -> DG drive scale: the current jump of a volley in which the expected "
                   "active inputs of a granule cell, all of weight 1, fire once", source=_CAL),
    SpikingDefault("j_ca3", 60, "mV", "drive scale of CA3's perforant-path and (times rc_strength) recurrent "
                   "inputs (as j_dg; acetylcholine halves the perforant path at encoding)",
                   source=_CAL + ": of 12, 24, 40, 60, 90 and 120 mV, the best recall from full, 50% and 25% cues "
                                 "(20 pairs, seed 1); 90 and above silence CA3 at encoding"),
    SpikingDefault("j_mf", 55, "mV", "mossy-fibre drive scale: the current jump of a volley in which the expected "
                   "active mossy-fibre contacts of a CA3 cell fire once from rest (no facilitation)", source=_CAL),
    SpikingDefault("j_ctx", 400, "mV", "CA3 -> value-layer drive scale (as j_dg)", source=_CAL),
    SpikingDefault("teacher_rate", 200, "Hz", "Poisson rate of the teacher cells of the value during encoding"),
    SpikingDefault("teacher_jump", 40, "mV", "current jump of one teacher spike on its value cell", source=_CAL),
    SpikingDefault("max_rate", 300, "Hz", "a population above this mean rate is runaway activity"),
)


def config_name(entry: SpikingDefault) -> str:
    """Name of the configuration field of ``entry``: the parameter's name with its unit (``tau_m_ms``), or the
    bare name for a plain number (``theta_kappa``)."""
    return f"{entry.name}_{entry.unit.lower()}" if entry.unit else entry.name
