"""Physical parameters of the spiking hippocampal network (every value with a unit and its basis)."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields

from brian2 import Hz, mV, ms
from brian2.units.fundamentalunits import Quantity, have_same_dimensions

__all__ = ["SpikingParameters"]


def _q(value: Quantity):
    return field(default_factory=lambda: value)


#: parameters that may be zero or negative (membrane potentials)
_SIGNED = ("v_rest", "v_threshold", "v_reset")
#: integer parameters and their lower bounds
_INTEGERS = {"ec_release_spike": 1}


@dataclass(frozen=True)
class SpikingParameters:
    """Dynamics, drives and schedule of :class:`biokv.spiking.SpikingHippocampus`.

    One presentation (a key at encoding, a cue at recall) lasts one slow theta cycle. EC cells of the pattern
    burst throughout it; the later layers fire in sequence, each in its own phase window (DG, then CA3, then
    the cortical value layer), as hippocampal layers fire at different theta phases:

    - every EC synapse transmits once per presentation, at the presynaptic cell's ``ec_release_spike``-th
      spike (a burst: short-term facilitation from a near-zero initial release probability). An active EC cell
      (``ec_rate_on``) almost surely bursts before the DG phase; a background cell (``ec_rate_off``) almost
      never does. A principal cell's synapses transmit once, at its first spike of the presentation (strong
      short-term depression);
    - transmitted input adds to a slow excitatory drive ``Is`` that lasts for the presentation (NMDA-receptor
      currents outlast a theta cycle), so that ``Is`` is the weighted sum of the *pattern*, not of Poisson
      spike counts;
    - a layer's membrane is clamped at rest (shunting inhibition) until its phase window opens and again after
      it closes; when it opens, cells reach threshold in the order of their drive (leaky integrate-and-fire,
      time to threshold ``tau_m ln(D / (D - theta))``);
    - the layer's fast-spiking basket cells (lumped into one unit) sum its spikes and fire once ``inh_count``
      times the layer's number of winners have fired, silencing the rest: the E%-max winner-take-all of
      de Almeida, Idiart & Lisman (2009), with the feedback threshold expressed as a number of winners.

    Drive scales ``j_*`` are the drive (mV above rest) of a cell whose expected number of active inputs (on
    the reference projection: EC for DG, the perforant path for CA3, CA3 for the cortex) all have weight 1;
    one synapse of weight ``w`` adds ``j w / expected`` when it transmits, so that networks of other sizes keep
    the same drive per cell. Mossy fibres use CA3's scale: their weights are in units of a full perforant-path
    synapse, as in the rate twin.
    """

    dt: Quantity = _q(0.1 * ms)  #: integration time step
    #: one key (encoding) or cue (recall) presentation: one theta cycle at 5 Hz (theta: 4-10 Hz)
    presentation: Quantity = _q(200 * ms)
    ec_rate_on: Quantity = _q(100 * Hz)  #: EC cells of the presented pattern (Poisson)
    ec_rate_off: Quantity = _q(1 * Hz)  #: other EC cells (Poisson)
    #: EC synapses transmit at this spike of their presynaptic cell; with 3, an active cell (10 expected spikes
    #: before the DG phase) misses with probability 0.3% and a background cell (0.1) fires 3 with 0.015%
    ec_release_spike: int = 3
    #: theta phases (fractions of the presentation) at which the layers' windows open; each closes when the next
    #: opens, the cortical one at the end. DG at 100 ms of 200: the EC bursts have arrived
    dg_phase: float = 0.5
    ca3_phase: float = 0.675  #: 135 ms of 200: the DG winners have fired
    ctx_phase: float = 0.85  #: 170 ms of 200: the CA3 winners have fired
    tau_m: Quantity = _q(10 * ms)  #: principal-cell membrane time constant
    v_rest: Quantity = _q(-70 * mV)
    v_threshold: Quantity = _q(-50 * mV)
    v_reset: Quantity = _q(-60 * mV)
    refractory: Quantity = _q(3 * ms)
    tau_e: Quantity = _q(5 * ms)  #: fast excitatory current (teacher input)
    tau_i: Quantity = _q(7 * ms)  #: inhibitory current decay (GABA-A, fast)
    #: the layer's basket cells fire once this fraction of its winners has fired (the rest fire within the
    #: feedback delay)
    inh_count: float = 0.95
    inhibition: Quantity = _q(100 * mV)  #: inhibitory current jump on every principal cell when the basket cells fire
    feedback_delay: Quantity = _q(0.2 * ms)  #: basket cells -> principal cells (perisomatic, fast)
    j_dg: Quantity = _q(23 * mV)  #: EC -> DG drive scale: the 120th of 4000 granule cells ~2 mV above threshold
    #: CA3 drive scale (perforant path; mossy fibres in the same units): the 30th of 1000 CA3 cells (4 mossy-fibre
    #: contacts from the DG winners) ~2 mV above threshold
    j_ca3: Quantity = _q(22 * mV)
    j_ctx: Quantity = _q(190 * mV)  #: CA3 -> CTX drive scale: the s-th most driven value cell just above threshold
    teacher_rate: Quantity = _q(200 * Hz)  #: Poisson teacher input to value cells during encoding
    teacher_jump: Quantity = _q(30 * mV)  #: fast current jump per teacher spike
    max_rate: Quantity = _q(300 * Hz)  #: a population above this mean rate is runaway activity

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            default = f.default_factory() if f.default_factory is not MISSING else f.default
            if isinstance(default, Quantity):
                if not isinstance(value, Quantity) or not have_same_dimensions(value, default):
                    raise ValueError(f"{f.name} must be a quantity with the unit of {default!r} "
                                     f"(e.g. {default!r}), got {value!r}")
                if f.name not in _SIGNED and float(value) <= 0:
                    raise ValueError(f"{f.name} must be positive, got {value!r}")
            elif f.name in _INTEGERS:
                if isinstance(value, bool) or not isinstance(value, int) or value < _INTEGERS[f.name]:
                    raise ValueError(f"{f.name} must be an integer >= {_INTEGERS[f.name]}, got {value!r}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise ValueError(f"{f.name} must be a number in (0, 1], got {value!r}")
        if not self.v_rest < self.v_reset < self.v_threshold:
            raise ValueError(f"need v_rest < v_reset < v_threshold, got {self.v_rest}, {self.v_reset}, "
                             f"{self.v_threshold}")
        if self.dt >= self.presentation / 10:
            raise ValueError(f"dt={self.dt} must be well below presentation={self.presentation}")
        if not 0 < self.dg_phase < self.ca3_phase < self.ctx_phase < 1:
            raise ValueError(f"phase windows must open in order within the presentation: need 0 < dg_phase < "
                             f"ca3_phase < ctx_phase < 1, got {self.dg_phase}, {self.ca3_phase}, {self.ctx_phase}")
