"""Physical parameters of the spiking hippocampal network (every value with a unit and its basis).

The defaults, units and docs are those of :data:`biokv.spiking.defaults.SPIKING_DEFAULTS`; this module turns them
into Brian2 quantities.
"""

from __future__ import annotations

from dataclasses import field, make_dataclass

from brian2 import Hz, mV, ms
from brian2.units.fundamentalunits import Quantity, have_same_dimensions

from biokv.spiking.defaults import INTEGERS, SIGNED, SPIKING_DEFAULTS, SpikingDefault

__all__ = ["SpikingParameters"]

#: the Brian2 units the table names
UNITS = {"ms": ms, "Hz": Hz, "mV": mV}


def default_value(entry: SpikingDefault):
    """The default of a table entry: a Brian2 quantity, or the plain number of a unitless parameter."""
    return entry.default * UNITS[entry.unit] if entry.unit else entry.default


_DOC = """Dynamics, drives and schedule of :class:`biokv.spiking.SpikingHippocampus`.

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

    Attributes
    ----------
""" + "".join(f"    {e.name} : {'Quantity (' + e.unit + ')' if e.unit else type(e.default).__name__}\n"
              f"        {e.doc} (default {e.default}{' ' + e.unit if e.unit else ''}).\n" for e in SPIKING_DEFAULTS)


class _Checks:
    """Validation of :class:`SpikingParameters` (units, signs, ranges and the order of the phase windows)."""

    def __post_init__(self):
        for entry in SPIKING_DEFAULTS:
            value = getattr(self, entry.name)
            if entry.unit:
                default = default_value(entry)
                if not isinstance(value, Quantity) or not have_same_dimensions(value, default):
                    raise ValueError(f"{entry.name} must be a quantity with the unit of {default!r} "
                                     f"(e.g. {default!r}), got {value!r}")
                if entry.name not in SIGNED and float(value) <= 0:
                    raise ValueError(f"{entry.name} must be positive, got {value!r}")
            elif entry.name in INTEGERS:
                if isinstance(value, bool) or not isinstance(value, int) or value < INTEGERS[entry.name]:
                    raise ValueError(f"{entry.name} must be an integer >= {INTEGERS[entry.name]}, got {value!r}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise ValueError(f"{entry.name} must be a number in (0, 1], got {value!r}")
        if not self.v_rest < self.v_reset < self.v_threshold:
            raise ValueError(f"need v_rest < v_reset < v_threshold, got {self.v_rest}, {self.v_reset}, "
                             f"{self.v_threshold}")
        if self.dt >= self.presentation / 10:
            raise ValueError(f"dt={self.dt} must be well below presentation={self.presentation}")
        if not 0 < self.dg_phase < self.ca3_phase < self.ctx_phase < 1:
            raise ValueError(f"phase windows must open in order within the presentation: need 0 < dg_phase < "
                             f"ca3_phase < ctx_phase < 1, got {self.dg_phase}, {self.ca3_phase}, {self.ctx_phase}")


def _field(entry: SpikingDefault):
    if entry.unit:  # a quantity is a (mutable) array: one per instance
        return entry.name, Quantity, field(default_factory=lambda e=entry: default_value(e))
    return entry.name, type(entry.default), field(default=entry.default)


SpikingParameters = make_dataclass("SpikingParameters", [_field(e) for e in SPIKING_DEFAULTS], bases=(_Checks,),
                                   frozen=True, namespace={"__doc__": _DOC})
SpikingParameters.__module__ = __name__
