"""Configurations of the hippocampal network and of its experiments.

:class:`HippocampusConfig` (sizes and connectivity) is generated from the table of
:func:`biokv.hippocampus.description.hippocampal_network`'s parameters
(:data:`biokv.hippocampus.description.NETWORK_PARAMETERS`), and :class:`SpikingConfig` (the spiking simulation)
from the table of the spiking parameters (:data:`biokv.spiking.defaults.SPIKING_DEFAULTS`): each default is
written once, where the model is described. The experiments' configurations follow.

Only the standard library, :mod:`biokv.config` and those two tables (plain Python) are imported here, so that
registering the experiments is cheap; building a network imports what it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, make_dataclass
from pathlib import Path

from biokv.config import ConfigError, param, to_dict
from biokv.hippocampus.description import NETWORK_PARAMETERS, hippocampal_network
from biokv.spiking.defaults import SPIKING_DEFAULTS, config_name
from biokv.spiking.devices import DEVICES

__all__ = ["HippocampusConfig", "SpikingConfig", "SpikingRecallConfig", "SpikingAgreementConfig",
           "ReducedNetworkConfig",
           "SpikingKWinnerConfig", "CompareBioConfig", "SpikingEmaxConfig", "CA3CompletionConfig"]

PAPER = "Bhandarkar & McClelland 2025"


class _NetworkMethods:
    """Check and build of :class:`HippocampusConfig`."""

    def check(self):
        for n, a in (("ec", "ec_active"), ("dg", "dg_active"), ("ca3", "ca3_active"), ("ctx", "ctx_active")):
            if getattr(self, a) > getattr(self, f"n_{n}"):
                raise ConfigError(f"{a}={getattr(self, a)} is out of range: must be <= n_{n}={getattr(self, f'n_{n}')}")

    def build(self):
        """The :class:`biokv.hippocampus.description.NetworkDescription` of this configuration."""
        try:
            return hippocampal_network(**to_dict(self))
        except ValueError as err:
            raise ConfigError(str(err)) from None


HippocampusConfig = make_dataclass(
    "HippocampusConfig",
    [(name, type(p.default), param(p.default, p.doc, low=p.low, high=p.high, low_open=p.low_open,
                                   source=p.source or None))
     for name, p in NETWORK_PARAMETERS.items()],
    bases=(_NetworkMethods,),
    namespace={"__doc__": "Sizes and connectivity of the hippocampal network "
                          "(:func:`biokv.hippocampus.description.hippocampal_network`; one field per entry of "
                          ":data:`biokv.hippocampus.description.NETWORK_PARAMETERS`)."})
HippocampusConfig.__module__ = __name__


class _SpikingMethods:
    """:meth:`parameters` of :class:`SpikingConfig`."""

    def parameters(self):
        """The :class:`biokv.spiking.parameters.SpikingParameters` of this configuration (imports Brian2)."""
        from biokv.spiking.parameters import UNITS, SpikingParameters

        values = {}
        for entry in SPIKING_DEFAULTS:
            value = getattr(self, config_name(entry))
            values[entry.name] = value * UNITS[entry.unit] if entry.unit else value
        try:
            return SpikingParameters(**values)
        except ValueError as err:
            raise ConfigError(str(err)) from None


def _spiking_field(entry):
    unit = f" ({entry.unit})" if entry.unit else ""
    tp = float if entry.unit else type(entry.default)
    return config_name(entry), tp, param(tp(entry.default), entry.doc + unit, low=entry.low, high=entry.high,
                                         low_open=entry.low_open, source=entry.source)


SpikingConfig = make_dataclass(
    "SpikingConfig",
    [_spiking_field(e) for e in SPIKING_DEFAULTS]
    + [("device", str, param("cpp_standalone", "Brian2 device", choices=DEVICES)),
       ("codegen", str, param("numpy", "code-generation target on the runtime device", choices=("numpy", "cython")))],
    bases=(_SpikingMethods,),
    namespace={"__doc__": "The spiking simulation: every value of :class:`biokv.spiking.parameters.SpikingParameters` "
                          "(one field per entry of :data:`biokv.spiking.defaults.SPIKING_DEFAULTS`, the unit in "
                          "the name: ``tau_m_ms``), the Brian2 device and its code generation."})
SpikingConfig.__module__ = __name__


@dataclass
class SpikingRecallConfig:
    """Spiking network vs rate twin: store P key -> value pairs, recall from full and partial cues."""

    network: HippocampusConfig = param(HippocampusConfig(), "network")
    spiking: SpikingConfig = param(SpikingConfig(), "spiking simulation")
    n_pairs: int = param(100, "key -> value pairs stored", low=1)
    cue_levels: tuple[float, ...] = param((1.0, 0.5), "cue levels", low=0.0, high=1.0, low_open=True)
    raster_presentations: int = param(3, "encoding and recall presentations shown in the raster", low=1)


@dataclass
class ReducedNetworkConfig:
    """The K-winner MHN at reduced size (the paper's proportions: s/n_v 10%, k/n_h 2.5%) and its 1-winner MHN."""

    n_visible: int = param(500, "EC (visible) cells = cortical value cells, n_v", low=2)
    n_active: int = param(50, "ones per pattern, s", low=1, source=f"{PAPER}: s/n_v = 0.1")
    n_hidden: int = param(1000, "CA3 (hidden) cells, n_h", low=1, source=f"{PAPER}: n_h = 2 n_v")
    k: int = param(25, "CA3 winners", low=1, source=f"{PAPER}: k/n_h = 0.025")
    fan_in: float = param(0.1, "fraction of EC cells contacting a CA3 cell", low=0.0, high=1.0, low_open=True,
                          source="5 active inputs per cell and pattern, as the paper's f = 0.05 with n_v = 1000")
    learning_rate: float = param(0.3, "eps of the K-winner rule", low=0.0, high=1.0, low_open=True,
                                 source=f"{PAPER}, sec. 2.2.1")
    initial_weight_max: float = param(1.0, "initial weights U[0, this)", low=0.0, low_open=True,
                                      source=f"{PAPER}, sec. 2.2.1")

    def check(self):
        if self.n_active > self.n_visible or self.k > self.n_hidden:
            raise ConfigError(f"n_active={self.n_active} must be <= n_visible={self.n_visible} and k={self.k} "
                              f"<= n_hidden={self.n_hidden}")
        if int(self.fan_in * self.n_visible) < 1:
            raise ConfigError(f"fan_in={self.fan_in} is out of range: int(fan_in * n_visible) must be >= 1")

    @property
    def mhn_hidden(self) -> int:
        """Slots of the 1-winner MHN with as many weights as the K-winner MHN (n_h f n_v = n_slots n_v)."""
        return max(1, int(self.fan_in * self.n_visible) * self.n_hidden // self.n_visible)

    def description(self, encode_gain=1.0, recall_gain=1.0):
        """The network without DG, the value equal to the key and the CA3 -> CTX mask mirroring the perforant
        path, without recurrents or cholinergic suppression: the K-winner MHN, with the perforant-path gains of
        encoding and recall."""
        return hippocampal_network(
            n_ec=self.n_visible, ec_active=self.n_active, n_ca3=self.n_hidden, ca3_active=self.k,
            pp_fan_in=self.fan_in, n_ctx=self.n_visible, ctx_active=self.n_active, ctx_connectivity="mirror",
            learning_rate=self.learning_rate, initial_weight_max=self.initial_weight_max, with_recurrents=False,
            ach_pp_suppression=0.0, with_dg=False).with_gains(pp={"encode": encode_gain, "recall": recall_gain})


@dataclass
class SpikingKWinnerConfig:
    """Spiking K-winner MHN vs rate K-winner MHN vs 1-winner MHN: retention by age at reduced size.

    The spiking network's drive is set by plain values, calibrated on the spiking network alone: single runs of
    the default reduced network (seed 1, 500 burn-in patterns, then 60, 200 or 400 memories, 50% and full cues,
    on ``cpp_standalone``), read out by the spiking network's own winners and recall; the rate core's weights
    and winners play no part. Calibrated:

    - ``spiking.w_ei_mv`` = 60 (the default network's 120 mV): the E%-max winners of an encoding number about k
      (24 on average for k = 25; 120 mV gives 14, 45 mV 30);
    - ``pp_encode_gain`` = 2.5: each winner fires 1.2-1.4 times per encoding, an effective learning rate near the
      rule's eps (2 gives half as many winners; 3, at 120 mV, 3 spikes per winner and faster overwriting);
    - ``pp_recall_gain`` = 5: a 50% cue activates about as many CA3 cells as an encoding (19-22); 4 and 6 change
      recall by at most 0.02, 3.5 gains 0.03 with full cues and loses up to 0.04 with 50% cues;
    - ``ctx_recall_gain`` = 0.3: about s cortical cells fire at a 50% cue (47-64); recall is the same within 0.02
      up to 1 and lower at 0.15 (0.48 instead of 0.56 at ages 1-10);
    - ``ctx_encode_gain`` = 0: the teacher alone drives the value cells during encoding; with 1, CA3 spikes make
      spurious cortical cells fire, which the outstar rule learns (recall at ages 1-10: 0.40 instead of 0.51).
    """

    network: ReducedNetworkConfig = param(ReducedNetworkConfig(), "the reduced network")
    spiking: SpikingConfig = param(SpikingConfig(w_ei_mv=60.0, j_ca3_mv=6.0),
                                   "spiking simulation (w_ei_mv calibrated: E%-max winners of an encoding ~k; "
                                   "j_ca3_mv 6, the scale the perforant-path gains were calibrated at)")
    n_burnin: int = param(500, "burn-in patterns, learned by the rate core on the spiking network's initial weights "
                          "(a shortcut for time: the burned-in weights are the spiking network's starting weights)",
                          low=0)
    n_memories: int = param(400, "memories encoded by the spiking network; ages 1..n_memories", low=2)
    runs: int = param(8, "independent runs (initial weights, patterns, Poisson inputs)", low=2)
    cue_levels: tuple[float, ...] = param((1.0, 0.5), "cue levels", low=0.0, high=1.0, low_open=True,
                                          source=f"{PAPER}, Fig. 4A")
    age_bins: tuple[int, ...] = param((1, 11, 51, 101, 201), "first ages of the bins averaged in the summary",
                                      low=1)
    bootstrap: int = param(2000, "bootstrap resamples of the runs for the d' comparison", low=100)
    pp_encode_gain: float = param(2.5, "perforant-path gain during encoding (times the drive scale "
                                  "spiking.j_ca3_mv)", low=0.0, low_open=True,
                                  source="calibrated: E%-max winners fire 1.2-1.4 times per encoding")
    pp_recall_gain: float = param(5.0, "perforant-path gain during recall", low=0.0, low_open=True,
                                  source="calibrated: a 50% cue activates ~as many CA3 cells as an encoding")
    ctx_encode_gain: float = param(0.0, "CA3 -> CTX transmission gain during encoding (its synapses learn at any "
                                   "gain)", low=0.0,
                                   source="cholinergic suppression of intrinsic transmission during encoding "
                                          "(Hasselmo, Schnell & Barkai 1995, J Neurosci 15:5249)")
    ctx_recall_gain: float = param(0.3, "CA3 -> CTX gain during recall (times the drive scale spiking.j_ctx_mv)",
                                   low=0.0, low_open=True, source="calibrated: ~s cortical cells fire at recall")

    def check(self):
        from biokv.core.common.patterns import cue_size

        if len(set(self.cue_levels)) != len(self.cue_levels):
            raise ConfigError(f"cue_levels={self.cue_levels} has repeats")
        for c in self.cue_levels:
            try:
                cue_size(c, self.network.n_active)
            except ValueError as err:
                raise ConfigError(f"cue_levels: {err}") from None
        if list(self.age_bins) != sorted(set(self.age_bins)) or self.age_bins[-1] > self.n_memories:
            raise ConfigError(f"age_bins={self.age_bins} must increase and stay <= n_memories={self.n_memories}")


@dataclass
class CompareBioConfig:
    """Spiking hippocampal network and rate twin measured against the reference data."""

    network: HippocampusConfig = param(HippocampusConfig(), "network (rat-ratio default)")
    spiking: SpikingConfig = param(SpikingConfig(), "spiking simulation")
    n_pairs: int = param(100, "pairs stored and recalled in the spiking memory protocol (ages 1..n_pairs)", low=2)
    rate_pairs: int = param(500, "pairs stored in the rate twin's memory protocol (its forgetting curve)", low=2)
    rate_runs: int = param(20, "independent rate-twin networks (run 0 is the spiking network's)", low=1)
    overlap_levels: tuple[float, ...] = param(tuple(round(0.1 * i, 1) for i in range(11)),
                                              "fraction of EC cells an input B shares with its A", low=0.0, high=1.0)
    pairs_per_level: int = param(4, "A, B input pairs per overlap level", low=1)
    n_background: int = param(20, "pairs stored before the separation and completion probes", low=0)
    completion_similarity: float = param(0.5, "CA3 recall must lie below identity where the input correlation is "
                                         "at least this", low=0.0, high=1.0, low_open=True)
    reference_csv: tuple[str, ...] = param((), "the user's own measurements (CSV files with the columns of "
                                           "biokv.data.biodata), compared as well")
    species: str = param("rat", "species of the reference rows compared (empty: all)")

    def check(self):
        from biokv.data import biodata

        if len(set(self.overlap_levels)) != len(self.overlap_levels) or len(self.overlap_levels) < 2:
            raise ConfigError(f"overlap_levels={self.overlap_levels} must be two or more distinct values")
        for path in self.reference_csv:
            if not Path(path).is_file():
                raise ConfigError(f"reference_csv={path!r}: no such file")
        try:
            biodata.load(extra=list(self.reference_csv))
        except ValueError as err:
            raise ConfigError(f"reference_csv: {err}") from None
        net = self.network
        s = net.ec_active
        if any(s - int(round(o * s)) > net.n_ec - s for o in self.overlap_levels):
            raise ConfigError(f"overlap_levels={self.overlap_levels}: a B pattern needs new EC cells outside A; "
                              f"n_ec={net.n_ec} is too small for ec_active={s}")


@dataclass
class SpikingEmaxConfig:
    """E%-max in spiking neurons (de Almeida, Idiart & Lisman 2009, J Neurosci 29:7497): winners of the first gamma
    cycle of one theta window against the spread of the drive, with the E of
    :func:`biokv.core.common.selection.e_max_winners` fitted once over all spreads."""

    n_cells: int = param(1000, "principal cells of the layer", low=10)
    spreads: tuple[float, ...] = param((0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0), "spreads of the drive: D = drive_max "
                                       "(1 - spread U[0, 1))", low=0.0, high=1.0, low_open=True)
    runs: int = param(5, "independent runs (drive draws and basket-cell connectivity)", low=1)
    drive_max_mv: float = param(40.0, "largest constant drive I_ext, above rest (mV); the threshold is 20 mV above "
                                "rest", low=20.0, low_open=True)
    n_basket: int = param(20, "basket cells", low=1)
    p_ei: float = param(0.5, "fraction of the layer that excites each basket cell", low=0.0, high=1.0,
                        low_open=True)
    p_ie: float = param(1.0, "fraction of the layer that each basket cell inhibits", low=0.0, high=1.0,
                        low_open=True)
    w_ei_mv: float = param(12.0, "current jump of one principal spike on a basket cell (mV)", low=0.0)
    w_ie_mv: float = param(10.0, "current jump of one basket spike on a principal cell (mV)", low=0.0)
    delay_ei_ms: float = param(1.0, "delay principal -> basket cell (ms)", low=0.0,
                               source="Pouille & Scanziani 2001, Science 293:1159")
    delay_ie_ms: float = param(1.0, "delay basket -> principal cell (ms)", low=0.0,
                               source="Pouille & Scanziani 2001, Science 293:1159")
    theta_hz: float = param(5.0, "theta frequency (Hz); the simulation is one cycle", low=0.0, low_open=True)
    theta_phase: float = param(0.5, "preferred phase of the layer (fraction of the cycle)", low=0.0, high=1.0)
    theta_depth_mv: float = param(40.0, "theta inhibition between windows (mV)", low=0.0)
    theta_kappa: float = param(12.0, "concentration of the theta window (width ~ 1 / sqrt(kappa) rad)", low=0.0,
                               low_open=True)
    window_ms: float = param(1.0, "winners: cells that spike no later than this after the first inhibition arrives "
                             "(first basket-cell spike + delay_ie)", low=0.0)
    dt_ms: float = param(0.1, "integration step (ms)", low=0.0, low_open=True)
    codegen: str = param("numpy", "code-generation target (Brian2 runtime device)", choices=("numpy", "cython"))

    def check(self):
        if len(set(self.spreads)) != len(self.spreads):
            raise ConfigError(f"spreads={self.spreads} has repeats")


@dataclass
class SpikingAgreementConfig:
    """Spiking network vs rate twin at several network sizes, several pattern and noise seeds each."""

    network: HippocampusConfig = param(HippocampusConfig(), "network at size 1")
    spiking: SpikingConfig = param(SpikingConfig(), "spiking simulation")
    sizes: tuple[float, ...] = param((0.5, 1.0, 2.0), "network sizes (factors on every population and activity "
                                     "level)", low=0.0, low_open=True)
    seeds: int = param(3, "pattern and noise seeds per size (one network per size)", low=1)
    n_pairs: int = param(40, "key -> value pairs stored, then recalled from their full keys", low=2)
    age_bins: tuple[int, ...] = param((1, 6, 16), "first ages of the bins", low=1)

    def check(self):
        if list(self.age_bins) != sorted(set(self.age_bins)) or self.age_bins[0] != 1 or \
                self.age_bins[-1] > self.n_pairs:
            raise ConfigError(f"age_bins={self.age_bins} must start at 1, increase and stay <= n_pairs={self.n_pairs}")
        if len(set(self.sizes)) != len(self.sizes):
            raise ConfigError(f"sizes={self.sizes} has repeats")


@dataclass
class CA3CompletionConfig:
    """Pattern completion by the CA3 recurrent collaterals (Marr 1971; Treves & Rolls 1992, Hippocampus 2:189):
    recall from partial cues and CA3 output against EC input correlation for morphed cues, with the recurrents on
    and off, in the rate twin and the spiking network."""

    network: HippocampusConfig = param(HippocampusConfig(), "network (with recurrents: the off condition sets their "
                                       "gain to 0)")
    spiking: SpikingConfig = param(SpikingConfig(), "spiking simulation")
    n_pairs: int = param(30, "key -> value pairs stored, then recalled from every partial and morphed cue", low=2)
    cue_levels: tuple[float, ...] = param((0.2, 0.4, 0.6, 0.8, 1.0), "partial cues: fraction of a key's active EC "
                                          "cells kept", low=0.0, high=1.0, low_open=True)
    morph_levels: tuple[float, ...] = param((0.0, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0), "morphed cues: fraction of a "
                                            "key's active EC cells replaced by other EC cells (same activity)",
                                            low=0.0, high=1.0)
    runs: int = param(8, "independent rate-twin networks (run 0: the spiking network's connectivity)", low=1)
    seeds: int = param(3, "pattern and noise seeds of the spiking network on run 0's connectivity (0: rate twin "
                       "only)", low=0)

    def check(self):
        from biokv.core.common.patterns import cue_size

        net = self.network
        if not net.with_recurrents:
            raise ConfigError("network.with_recurrents=False: the experiment compares recurrents on and off")
        for name, levels in (("cue_levels", self.cue_levels), ("morph_levels", self.morph_levels)):
            if len(levels) < 1 or len(set(levels)) != len(levels):
                raise ConfigError(f"{name}={levels} must be one or more distinct values")
        for c in self.cue_levels:
            try:
                cue_size(c, net.ec_active)
            except ValueError as err:
                raise ConfigError(f"cue_levels: {err}") from None
        s = net.ec_active
        if any(s - int(round((1 - m) * s)) > net.n_ec - s for m in self.morph_levels):
            raise ConfigError(f"morph_levels={self.morph_levels}: a morph needs new EC cells outside its key; "
                              f"n_ec={net.n_ec} is too small for ec_active={s}")
