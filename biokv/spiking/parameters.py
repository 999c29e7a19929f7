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

    One presentation (a key at encoding, a cue at recall) lasts one theta cycle. EC cells of the pattern fire
    as Poisson processes throughout it (:class:`~biokv.spiking.components.PatternInput`); each later layer of
    the feed-forward chain is held down by theta inhibition except in a window around its preferred phase
    (:class:`~biokv.spiking.components.ThetaRhythm`: ``theta_onset`` for the first layer after the input,
    ``theta_lag`` later for each further layer), so DG fires before CA3 in every cycle. Within a window the
    cells reach threshold in the order of their drive, and the layer's basket cells
    (:class:`~biokv.spiking.components.FeedbackInhibition`) silence the rest one loop delay after the first
    spikes: the winners' number follows the drive (E%-max). The value layer is not paced (neocortex); during
    encoding a teacher drives the cells of the value.

    Learning is spike-driven (:class:`~biokv.spiking.components.InstarSynapses` on the perforant path,
    :class:`~biokv.spiking.components.OutstarSynapses` from CA3 to the value layer) and gated by a modulatory
    state that is high during encoding presentations and zero at recall. Nothing is reset between
    presentations: inhibition between theta windows and decaying traces separate them.

    Drive scales ``j_*`` are the current jump (mV) of one volley in which the expected number of active inputs
    of a cell (on the reference projection: EC for DG, the perforant path for CA3, CA3 for the value layer),
    all of weight 1, fire once; one synapse of weight ``w`` adds ``j w / expected`` per spike, so that networks
    of other sizes keep the same drive per cell. With ``ec_rate_on * tau_e = 1`` the steady drive of a cell
    with all expected EC inputs at weight 1 is ``j`` above rest. Mossy fibres use CA3's scale: their weights are
    in units of a full perforant-path synapse, as in the rate twin, times their facilitation.

    Attributes
    ----------
""" + "".join(f"    {e.name} : {'Quantity (' + e.unit + ')' if e.unit else type(e.default).__name__}\n"
              f"        {e.doc} (default {e.default}{' ' + e.unit if e.unit else ''}).\n" for e in SPIKING_DEFAULTS)


def _within(entry: SpikingDefault, value: float) -> bool:
    """Whether ``value`` (in the entry's unit) lies in the entry's range."""
    if entry.low is not None and (value <= entry.low if entry.low_open else value < entry.low):
        return False
    return entry.high is None or value <= entry.high


def _allowed(entry: SpikingDefault) -> str:
    """The entry's range in words: ``positive``, ``>= 0 Hz``, ``in [0.001, 1.0] ms``."""
    if entry.high is None:
        return "positive" if entry.low == 0 and entry.low_open else \
            f"{'>' if entry.low_open else '>='} {entry.low} {entry.unit}"
    return f"in {'(' if entry.low_open else '['}{entry.low}, {entry.high}] {entry.unit}"


class _Checks:
    """Validation of :class:`SpikingParameters` (units, signs and the ranges of the defaults table)."""

    def __post_init__(self):
        for entry in SPIKING_DEFAULTS:
            value = getattr(self, entry.name)
            if entry.unit:
                default = default_value(entry)
                if not isinstance(value, Quantity) or not have_same_dimensions(value, default):
                    raise ValueError(f"{entry.name} must be a quantity with the unit of {default!r} "
                                     f"(e.g. {default!r}), got {value!r}")
                if entry.name not in SIGNED and not _within(entry, float(value / UNITS[entry.unit])):
                    raise ValueError(f"{entry.name} must be {_allowed(entry)}, got {value!r}")
            elif entry.name in INTEGERS:
                if isinstance(value, bool) or not isinstance(value, int) or value < INTEGERS[entry.name]:
                    raise ValueError(f"{entry.name} must be an integer >= {INTEGERS[entry.name]}, got {value!r}")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= (
                    entry.high if entry.high is not None else float("inf")):
                bound = f"in (0, {entry.high}]" if entry.high is not None else "> 0"
                raise ValueError(f"{entry.name} must be a number {bound}, got {value!r}")
        if not self.v_rest < self.v_reset < self.v_threshold:
            raise ValueError(f"need v_rest < v_reset < v_threshold, got {self.v_rest}, {self.v_reset}, "
                             f"{self.v_threshold}")
        if self.dt >= self.presentation / 10:
            raise ValueError(f"dt={self.dt} must be well below presentation={self.presentation}")


def _field(entry: SpikingDefault):
    if entry.unit:  # a quantity is a (mutable) array: one per instance
        return entry.name, Quantity, field(default_factory=lambda e=entry: default_value(e))
    return entry.name, type(entry.default), field(default=entry.default)


SpikingParameters = make_dataclass("SpikingParameters", [_field(e) for e in SPIKING_DEFAULTS], bases=(_Checks,),
                                   frozen=True, namespace={"__doc__": _DOC})
SpikingParameters.__module__ = __name__
