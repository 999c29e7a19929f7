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

__all__ = ["HippocampusConfig", "SpikingConfig", "SpikingRecallConfig", "ReducedNetworkConfig",
           "SpikingKWinnerConfig", "CompareBioConfig"]

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
        path: the K-winner MHN, with the perforant-path gains of encoding and recall."""
        return hippocampal_network(
            n_ec=self.n_visible, ec_active=self.n_active, n_ca3=self.n_hidden, ca3_active=self.k,
            pp_fan_in=self.fan_in, n_ctx=self.n_visible, ctx_active=self.n_active, ctx_connectivity="mirror",
            learning_rate=self.learning_rate, initial_weight_max=self.initial_weight_max,
            pp_encode_gain=encode_gain, pp_recall_gain=recall_gain, with_dg=False)


@dataclass
class SpikingKWinnerConfig:
    """Spiking K-winner MHN vs rate K-winner MHN vs 1-winner MHN: retention by age at reduced size."""

    network: ReducedNetworkConfig = param(ReducedNetworkConfig(), "the reduced network")
    spiking: SpikingConfig = param(SpikingConfig(), "spiking simulation")
    n_burnin: int = param(500, "burn-in patterns (rate core, on the spiking network's weights)", low=0)
    n_memories: int = param(400, "memories encoded by the spiking network; ages 1..n_memories", low=2)
    runs: int = param(8, "independent runs (initial weights, patterns, Poisson inputs)", low=2)
    cue_levels: tuple[float, ...] = param((1.0, 0.5), "cue levels", low=0.0, high=1.0, low_open=True,
                                          source=f"{PAPER}, Fig. 4A")
    age_bins: tuple[int, ...] = param((1, 11, 51, 101, 201), "first ages of the bins averaged in the summary",
                                      low=1)
    bootstrap: int = param(2000, "bootstrap resamples of the runs for the d' comparison", low=100)
    ca3_margin_mv: float = param(6.0, "CA3 drive scaling: the median k-th most driven CA3 cell sits this far above "
                                 "threshold (mV), at encoding and at recall", low=0.0, low_open=True)
    ctx_margin_mv: float = param(30.0, "cortical drive scaling at recall: the median s-th most driven value cell "
                                 "sits this far above threshold (mV)", low=0.0, low_open=True)

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
