"""Physical parameters of the spiking hippocampal network (every value with a unit and its basis)."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields

from brian2 import Hz, mV, ms
from brian2.units.fundamentalunits import Quantity, have_same_dimensions

__all__ = ["SpikingParameters"]


def _q(value: Quantity):
    return field(default_factory=lambda: value)


@dataclass(frozen=True)
class SpikingParameters:
    """Dynamics, drives and schedule of :class:`biokv.spiking.SpikingHippocampus`.

    Principal cells of every layer (DG, CA3, CTX) are leaky integrate-and-fire neurons with exponentially
    decaying excitatory and inhibitory currents (in voltage units). Each layer has a pool of fast-spiking
    interneurons that all principal cells excite and that inhibit all principal cells after a short delay: the
    most strongly driven cells fire first and the delayed feedback silences the rest, so that only cells whose
    drive is close to the maximum fire (the E%-max winner-take-all of de Almeida, Idiart & Lisman 2009).

    Drive scales ``j_*`` are the summed input (mV) a cell receives when its expected number of active inputs
    all have weight 1; the weight of one synapse is divided by that expected number, so networks of other
    sizes keep the same drive per cell.
    """

    dt: Quantity = _q(0.1 * ms)  #: integration time step
    presentation: Quantity = _q(100 * ms)  #: one key (encoding) or cue (recall) presentation; ~4 gamma cycles
    ec_rate_on: Quantity = _q(100 * Hz)  #: EC cells of the presented pattern (Poisson)
    ec_rate_off: Quantity = _q(1 * Hz)  #: other EC cells (Poisson)
    tau_m: Quantity = _q(10 * ms)  #: principal-cell membrane time constant
    v_rest: Quantity = _q(-70 * mV)
    v_threshold: Quantity = _q(-50 * mV)
    v_reset: Quantity = _q(-60 * mV)
    refractory: Quantity = _q(3 * ms)
    tau_e: Quantity = _q(5 * ms)  #: excitatory current decay
    tau_i: Quantity = _q(7 * ms)  #: inhibitory current decay (GABA-A, fast)
    inh_per_cell: float = 0.1  #: interneurons per principal cell (rat CA3: ~13%, Czeh et al. 2013)
    inh_tau_m: Quantity = _q(3 * ms)  #: fast-spiking interneuron membrane time constant
    inh_tau_e: Quantity = _q(1 * ms)
    inh_threshold: Quantity = _q(-55 * mV)
    inh_drive: Quantity = _q(20 * mV)  #: jump of an interneuron's input current per principal-cell spike
    inh_connection_p: float = 0.5  #: probability of a principal cell -> interneuron connection
    inhibition: Quantity = _q(200 * mV)  #: summed inhibitory jump on a principal cell when every interneuron fires
    #: inhibitory current of principal cells at the start of each presentation, so that the first cycle is
    #: E%-max too (with 0, the onset volley recruits most cells)
    onset_inhibition: Quantity = _q(150 * mV)
    feedback_delay: Quantity = _q(1 * ms)  #: principal cell -> interneuron -> principal cell, each way
    j_ec_dg: Quantity = _q(100 * mV)  #: EC -> DG drive scale
    j_pp: Quantity = _q(400 * mV)  #: perforant path EC -> CA3 drive scale
    j_mf: Quantity = _q(8 * mV)  #: mossy fibres: with weight 5, ~28 mV per granule-cell spike (detonator-like)
    j_ctx: Quantity = _q(300 * mV)  #: CA3 -> CTX drive scale
    teacher_rate: Quantity = _q(100 * Hz)  #: Poisson teacher input to value cells during encoding
    teacher_jump: Quantity = _q(30 * mV)  #: current jump per teacher spike
    max_rate: Quantity = _q(300 * Hz)  #: a population above this mean rate is runaway activity

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            default = f.default_factory() if f.default_factory is not MISSING else f.default
            if isinstance(default, Quantity):
                if not isinstance(value, Quantity) or not have_same_dimensions(value, default):
                    raise ValueError(f"{f.name} must be a quantity with the unit of {default!r} "
                                     f"(e.g. {default!r}), got {value!r}")
                if f.name == "onset_inhibition":
                    if float(value) < 0:
                        raise ValueError(f"{f.name} must be >= 0, got {value!r}")
                elif f.name not in ("v_rest", "v_threshold", "v_reset", "inh_threshold") and float(value) <= 0:
                    raise ValueError(f"{f.name} must be positive, got {value!r}")
            elif not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise ValueError(f"{f.name} must be a number in (0, 1], got {value!r}")
        if not self.v_rest < self.v_reset < self.v_threshold:
            raise ValueError(f"need v_rest < v_reset < v_threshold, got {self.v_rest}, {self.v_reset}, "
                             f"{self.v_threshold}")
        if self.dt >= self.presentation / 10:
            raise ValueError(f"dt={self.dt} must be well below presentation={self.presentation}")
