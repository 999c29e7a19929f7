"""Declarative description of a hippocampal key-value network, read by every backend.

Keys are stored by the hippocampus, values by neocortex (Gershman, Fiete & Irie 2025). A description lists the
populations (sizes and how many cells are active per pattern) and the projections (connectivity, weights,
plasticity and when they are on). The rate twin (:mod:`biokv.hippocampus.rate_twin`) and the spiking network
(:mod:`biokv.spiking`) read the same description and draw the same connectivity from the same seed.

The default network (:func:`hippocampal_network`):

- ``EC`` (entorhinal cortex, input): the key pattern, ``ec_active`` of ``n_ec`` cells.
- ``DG`` (dentate gyrus granule cells): sparse fixed input from EC, k-winners-take-all (2-5% active).
- ``CA3``: mossy fibres from DG (each granule cell contacts a handful of CA3 cells with strong synapses; on
  during encoding only) and the perforant path from EC (fan-in ``pp_fan_in``, K-winner MHN learning rule);
  k-winners-take-all.
- ``CTX`` (neocortical value layer): CA3 -> CTX synapses learn the value pattern, taught during encoding;
  the recalled value is the ``ctx_active`` most active cells.

Without DG (``with_dg=False``) and with the value equal to the key and the CA3 -> CTX mask mirroring the
perforant path (``ctx_connectivity="mirror"``), the network is the K-winner MHN of Bhandarkar & McClelland (2025).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

__all__ = ["Population", "Projection", "NetworkDescription", "NetworkParameter", "NETWORK_PARAMETERS",
           "hippocampal_network"]

CONNECTIVITY = ("fan_in", "fan_out", "mirror")
PHASES = ("encode", "recall")
SYNAPSES = ("static", "facilitating", "instar", "outstar")


@dataclass(frozen=True)
class Population:
    """A population of cells.

    Attributes
    ----------
    name : str
    size : int
        Number of cells.
    active : int
        Cells active per pattern: the ones of a pattern (input and value layers) or the winners of the layer's
        k-winners-take-all.
    role : {"input", "kwta", "value"}
        ``input``: driven by the key; ``kwta``: the most strongly driven ``active`` cells fire; ``value``:
        driven by a teacher during encoding, read out (top ``active``) during recall.
    basis : str
        Biological basis of the size and activity (the publications it rests on).
    """

    name: str
    size: int
    active: int
    role: str
    basis: str = ""

    def __post_init__(self):
        if self.size < 1:
            raise ValueError(f"population {self.name}: size must be >= 1, got {self.size}")
        if not 1 <= self.active <= self.size:
            raise ValueError(f"population {self.name}: active must be in [1, {self.size}], got {self.active}")
        if self.role not in ("input", "kwta", "value"):
            raise ValueError(f"population {self.name}: role must be input, kwta or value, got {self.role!r}")


@dataclass(frozen=True)
class Projection:
    """A projection between two populations.

    Attributes
    ----------
    name : str
    source, target : str
        Population names.
    connectivity : {"fan_in", "fan_out", "mirror"}
        ``fan_in``: every target cell receives exactly ``n_connections`` sources drawn without replacement;
        ``fan_out``: every source cell contacts exactly ``n_connections`` targets; ``mirror``: the transpose of
        the mask of projection ``mirror_of`` (cell i of the target is contacted by the cells that projection
        ``mirror_of`` connects to cell i of its target).
    n_connections : int
        Connections per target (``fan_in``) or per source (``fan_out``); unused for ``mirror``.
    weight : float or None
        A fixed weight for every synapse, or ``None`` for initial weights drawn from U[0, weight_max).
    weight_max : float
        Upper bound of the initial weights when ``weight`` is None.
    learning_rate : float or None
        Learning rate of the K-winner rule ``w += eps (x_pre_pattern - w)`` applied to the synapses of the
        target's winners at the end of each encoding presentation; ``None`` for fixed synapses.
    gain : dict
        Multiplier of the projection in each phase (``encode``, ``recall``); 0 switches it off.
    mirror_of : str, optional
        For ``connectivity="mirror"``.
    synapse : {"static", "facilitating", "instar", "outstar"}, optional
        The kind of synapse a spiking backend builds (:mod:`biokv.spiking.components.projections`): fixed,
        short-term facilitating, or plastic learning the presynaptic (instar: the target's winners learn their
        inputs) or the postsynaptic pattern (outstar: the source's cells learn their targets). Default: ``static``
        without a learning rate, ``instar`` with one.
    basis : str
    """

    name: str
    source: str
    target: str
    connectivity: str
    n_connections: int = 0
    weight: float | None = None
    weight_max: float = 1.0
    learning_rate: float | None = None
    gain: dict = field(default_factory=lambda: {"encode": 1.0, "recall": 1.0})
    mirror_of: str | None = None
    synapse: str | None = None
    basis: str = ""

    def __post_init__(self):
        if self.synapse is None:
            object.__setattr__(self, "synapse", "static" if self.learning_rate is None else "instar")
        if self.synapse not in SYNAPSES:
            raise ValueError(f"projection {self.name}: synapse must be one of {SYNAPSES}, got {self.synapse!r}")
        if (self.synapse in ("instar", "outstar")) != (self.learning_rate is not None):
            raise ValueError(f"projection {self.name}: plastic synapses (instar, outstar) need a learning rate and "
                             f"only they have one, got synapse {self.synapse!r} with learning_rate "
                             f"{self.learning_rate}")
        if self.connectivity not in CONNECTIVITY:
            raise ValueError(f"projection {self.name}: connectivity must be one of {CONNECTIVITY}, "
                             f"got {self.connectivity!r}")
        if self.connectivity == "mirror" and not self.mirror_of:
            raise ValueError(f"projection {self.name}: connectivity 'mirror' needs mirror_of")
        if self.connectivity != "mirror" and self.n_connections < 1:
            raise ValueError(f"projection {self.name}: n_connections must be >= 1, got {self.n_connections}")
        if self.weight_max <= 0:
            raise ValueError(f"projection {self.name}: weight_max must be > 0, got {self.weight_max}")
        if self.learning_rate is not None and not 0.0 < self.learning_rate <= 1.0:
            raise ValueError(f"projection {self.name}: learning_rate must be in (0, 1], got {self.learning_rate}")
        if set(self.gain) != set(PHASES) or any(g < 0 for g in self.gain.values()):
            raise ValueError(f"projection {self.name}: gain needs non-negative values for {PHASES}, got {self.gain}")


@dataclass(frozen=True)
class NetworkDescription:
    """Populations and projections of a key-value network."""

    populations: tuple[Population, ...]
    projections: tuple[Projection, ...]

    def __post_init__(self):
        names = [p.name for p in self.populations]
        if len(set(names)) != len(names):
            raise ValueError(f"population names must be unique, got {names}")
        pnames = [p.name for p in self.projections]
        if len(set(pnames)) != len(pnames):
            raise ValueError(f"projection names must be unique, got {pnames}")
        for proj in self.projections:
            for end in (proj.source, proj.target):
                if end not in names:
                    raise ValueError(f"projection {proj.name}: unknown population {end!r}")
            drawn_from = self.population(proj.source if proj.connectivity == "fan_in" else proj.target).size
            if proj.connectivity != "mirror" and proj.n_connections > drawn_from:
                raise ValueError(f"projection {proj.name}: n_connections={proj.n_connections} exceeds the "
                                 f"{drawn_from} cells it is drawn from")
            if proj.connectivity == "mirror":
                base = self.projection(proj.mirror_of)
                if (self.population(base.source).size, self.population(base.target).size) != (
                        self.population(proj.target).size, self.population(proj.source).size):
                    raise ValueError(f"projection {proj.name} mirrors {base.name}: its source must match "
                                     f"{base.name}'s target in size and its target {base.name}'s source")

    def population(self, name: str) -> Population:
        for p in self.populations:
            if p.name == name:
                return p
        raise KeyError(f"no population {name!r}")

    def projection(self, name: str) -> Projection:
        for p in self.projections:
            if p.name == name:
                return p
        raise KeyError(f"no projection {name!r}")

    def with_gains(self, **gains: dict) -> "NetworkDescription":
        """A copy with new per-phase gains, e.g. ``with_gains(pp={"encode": 1.0, "recall": 4.0})``."""
        unknown = set(gains) - {p.name for p in self.projections}
        if unknown:
            raise KeyError(f"no projection {sorted(unknown)[0]!r}")
        return replace(self, projections=tuple(replace(p, gain=dict(gains[p.name])) if p.name in gains else p
                                               for p in self.projections))

    def has(self, name: str) -> bool:
        return any(p.name == name for p in self.populations + self.projections)


class NetworkParameter(NamedTuple):
    """A parameter of :func:`hippocampal_network`: its default, what it is, the range allowed in a configuration
    and the basis of the default.

    Attributes
    ----------
    default : int, float or bool
    doc : str
        What the parameter is, with its unit if it has one.
    low, high : float, optional
        Allowed range (inclusive unless ``low_open``).
    low_open : bool
    source : str
        Publication (author, year, journal) or model choice the default rests on.
    """

    default: int | float | bool
    doc: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    source: str = ""


_AMARAL = "Amaral, Ishizuka & Claiborne 1990, Prog Brain Res 83:1"
_PAPER = "Bhandarkar & McClelland 2025, Neural computation without slots"

#: every configurable parameter of :func:`hippocampal_network`: its one default, doc, allowed range and source
#: (:class:`biokv.experiments.hippocampus.config.HippocampusConfig` is generated from this table)
NETWORK_PARAMETERS: dict[str, NetworkParameter] = {
    "n_ec": NetworkParameter(1000, "EC cells", low=2,
                             source=f"scaled down from ~110,000 rat EC layer II cells ({_AMARAL})"),
    "ec_active": NetworkParameter(100, "EC cells per key", low=1,
                                  source=f"10% of EC, the K-winner MHN's s / n_v = 0.1 ({_PAPER}, sec. 2.2.1)"),
    "n_dg": NetworkParameter(4000, "dentate granule cells (4 per CA3 cell)", low=1,
                             source="rat: ~4.3 granule cells per CA3 cell (van Dijk et al. 2016, Front Neuroanat "
                                    "10:22, Table 4)"),
    "dg_active": NetworkParameter(120, "granule cells active per key (3%)", low=1,
                                  source="rat: 2-2.5% Arc+ granule cells (Chawla et al. 2005, Hippocampus 15:579)"),
    "ec_dg_fan_in": NetworkParameter(0.05, "fraction of EC cells contacting a granule cell", low=0.0, high=1.0,
                                     low_open=True,
                                     source="model choice: 50 EC inputs per granule cell, 5 active per key"),
    "mf_contacts": NetworkParameter(12, "CA3 cells contacted by one granule cell", low=1,
                                    source="rat: 11-15 (Acsady et al. 1998, J Neurosci 18:3386)"),
    "mf_weight": NetworkParameter(5.0, "mossy-fibre weight relative to a full perforant-path synapse", low=0.0,
                                  source="strong 'detonator' synapses (Henze, Wittner & Buzsaki 2002, Nat Neurosci "
                                         "5:790; Vyleta, Borges-Merjane & Jonas 2016, eLife 5:e17977)"),
    "n_ca3": NetworkParameter(1000, "CA3 cells", low=1, source="model choice: scaled down"),
    "ca3_active": NetworkParameter(30, "CA3 winners per key (3%)", low=1,
                                   source="model choice: a few % of CA3 active per key, as DG"),
    "pp_fan_in": NetworkParameter(0.2, "fraction of EC cells contacting a CA3 cell", low=0.0, high=1.0,
                                  low_open=True,
                                  source=f"model choice: 200 inputs, 20 active per key (rat: 3,600-4,000 "
                                         f"perforant-path synapses per CA3 cell, ~3.5% of EC layer II; {_AMARAL})"),
    "n_ctx": NetworkParameter(1000, "cortical value cells", low=1, source="model choice: scaled down"),
    "ctx_active": NetworkParameter(100, "cortical cells per value", low=1, source="model choice: 10%, as EC"),
    "ctx_fan_out": NetworkParameter(0.3, "fraction of cortical cells a CA3 cell contacts", low=0.0, high=1.0,
                                    low_open=True,
                                    source="model choice: a value cell is reached by ~9 of the 30 CA3 winners"),
    "learning_rate": NetworkParameter(0.3, "eps of the K-winner rule", low=0.0, high=1.0, low_open=True,
                                      source=f"{_PAPER}, sec. 2.2.1"),
    "initial_weight_max": NetworkParameter(0.1, "plastic weights start in U[0, this)", low=0.0, low_open=True,
                                           source="model choice: weak naive synapses, so that one encoding stands "
                                                  f"out without a burn-in ({_PAPER}: 1)"),
    "pp_encode_gain": NetworkParameter(1.0, "perforant-path gain during encoding", low=0.0, low_open=True,
                                       source="model choice: the mossy fibres dominate CA3 at encoding"),
    "pp_recall_gain": NetworkParameter(10.0, "perforant-path gain during recall (CA3 driven by the perforant path "
                                       "alone)", low=0.0, low_open=True,
                                       source="mossy fibres needed for encoding, not for recall (Lee & Kesner 2004, "
                                              "Hippocampus 14:66); the factor: model choice"),
    "with_dg": NetworkParameter(True, "include DG and the mossy fibres",
                                source="Lee & Kesner 2004, Hippocampus 14:66"),
}
_DEFAULT = {name: p.default for name, p in NETWORK_PARAMETERS.items()}


def hippocampal_network(n_ec: int = _DEFAULT["n_ec"], ec_active: int = _DEFAULT["ec_active"],
                        n_dg: int = _DEFAULT["n_dg"], dg_active: int = _DEFAULT["dg_active"],
                        ec_dg_fan_in: float = _DEFAULT["ec_dg_fan_in"], mf_contacts: int = _DEFAULT["mf_contacts"],
                        mf_weight: float = _DEFAULT["mf_weight"], n_ca3: int = _DEFAULT["n_ca3"],
                        ca3_active: int = _DEFAULT["ca3_active"], pp_fan_in: float = _DEFAULT["pp_fan_in"],
                        n_ctx: int = _DEFAULT["n_ctx"], ctx_active: int = _DEFAULT["ctx_active"],
                        ctx_connectivity: str = "fan_out", ctx_fan_out: float = _DEFAULT["ctx_fan_out"],
                        learning_rate: float = _DEFAULT["learning_rate"],
                        initial_weight_max: float = _DEFAULT["initial_weight_max"],
                        pp_encode_gain: float = _DEFAULT["pp_encode_gain"],
                        pp_recall_gain: float = _DEFAULT["pp_recall_gain"],
                        with_dg: bool = _DEFAULT["with_dg"]) -> NetworkDescription:
    """The default hippocampal key-value network (sizes scaled down with rat-like ratios).

    The defaults are those of :data:`NETWORK_PARAMETERS` (with their sources).

    Parameters
    ----------
    n_ec, ec_active : int
        EC cells and cells per key (10%).
    n_dg, dg_active : int
        Granule cells (4 per CA3 cell; rat: ~4.3, van Dijk et al. 2016) and winners per pattern (3%; Arc+
        granule cells 2-2.5%, Chawla et al. 2005, 2018).
    ec_dg_fan_in : float
        Fraction of EC cells contacting a granule cell.
    mf_contacts : int
        CA3 cells contacted by each granule cell (rat: 11-15, Acsady et al. 1998).
    mf_weight : float
        Strength of one mossy-fibre contact relative to a fully potentiated perforant-path synapse (1):
        strong "detonator" synapses (Henze et al. 2002; Vyleta et al. 2016).
    n_ca3, ca3_active : int
        CA3 cells and winners per pattern (3%).
    pp_fan_in : float
        Fraction of EC cells contacting a CA3 cell through the perforant path (rat: ~3,600-4,000 synapses per CA3
        cell from ~110,000 EC layer II cells, ~3.5%; the scaled-down network needs more inputs per cell for a
        key to reach its CA3 code: 0.2 gives ~20 active inputs per cell and key).
    n_ctx, ctx_active : int
        Value-layer cells and cells per value pattern.
    ctx_connectivity : {"fan_out", "mirror"}
        CA3 -> CTX mask: each CA3 cell contacts ``int(ctx_fan_out * n_ctx)`` cortical cells, or the transpose of
        the perforant-path mask (needs ``n_ctx == n_ec``; with value = key this is the K-winner MHN). With 0.3,
        a value cell is reached by ~9 of the 30 CA3 winners (with 0.1, ~5% of value cells by none).
    learning_rate : float
        eps of the K-winner rule on the perforant path and on CA3 -> CTX (Bhandarkar & McClelland 2025: 0.3).
    initial_weight_max : float
        Initial plastic weights are drawn from U[0, initial_weight_max): weak naive synapses, so that one
        encoding (eps = 0.3) stands out without the thousands of burn-in patterns the paper uses to reach a
        steady state (with 1, the paper's value, single presentations are swamped by the initial weights).
    pp_encode_gain, pp_recall_gain : float
        Gain of the perforant path during encoding and recall. Top-k selection does not depend on a common
        gain, so the rate twin only uses the ratio of the mossy-fibre weight to ``pp_encode_gain``; a spiking
        network needs its CA3 cells to reach threshold in both phases. During recall CA3 is driven by the
        perforant path alone (mossy fibres off, Lee & Kesner 2004), about 10 times more weakly than by the
        mossy fibres during encoding: the recall gain stands in for the retrieval mode of CA3 (stronger
        excitatory drive when acetylcholine is low, Hasselmo 1999; recurrent collaterals, not modelled).
    with_dg : bool
        Include DG and the mossy fibres; without them, EC -> CA3 -> CTX is the K-winner MHN.
    """
    pops = [Population("EC", n_ec, ec_active, "input", "entorhinal cortex layer II; key patterns")]
    projs = []
    if with_dg:
        pops.append(Population("DG", n_dg, dg_active, "kwta",
                               "granule cells, ~4 per CA3 cell (van Dijk et al. 2016); 2-5% active "
                               "(Chawla et al.)"))
        projs.append(Projection("ec_dg", "EC", "DG", "fan_in", int(ec_dg_fan_in * n_ec), weight=None,
                                basis="sparse EC input to granule cells, fixed weights"))
        projs.append(Projection("mf", "DG", "CA3", "fan_out", mf_contacts, weight=mf_weight,
                                gain={"encode": 1.0, "recall": 0.0}, synapse="facilitating",
                                basis="mossy fibres: 11-15 CA3 cells per granule cell (Acsady et al. 1998), "
                                      "strong; needed for encoding, not for recall (Lee & Kesner 2004)"))
    pops.append(Population("CA3", n_ca3, ca3_active, "kwta", "CA3 pyramidal cells, a few % active"))
    pops.append(Population("CTX", n_ctx, ctx_active, "value", "neocortical value layer"))
    projs.append(Projection("pp", "EC", "CA3", "fan_in", int(pp_fan_in * n_ec), weight_max=initial_weight_max,
                            learning_rate=learning_rate, gain={"encode": pp_encode_gain, "recall": pp_recall_gain},
                            basis="perforant path to CA3; K-winner MHN rule (Bhandarkar & McClelland 2025, eq. 2)"))
    if ctx_connectivity == "mirror":
        projs.append(Projection("ca3_ctx", "CA3", "CTX", "mirror", mirror_of="pp", weight_max=initial_weight_max,
                                learning_rate=learning_rate, synapse="outstar",
                                basis="return projection mirroring the input mask, as in the MHN"))
    elif ctx_connectivity == "fan_out":
        projs.append(Projection("ca3_ctx", "CA3", "CTX", "fan_out", int(ctx_fan_out * n_ctx),
                                weight_max=initial_weight_max, learning_rate=learning_rate, synapse="outstar",
                                basis="CA3 (via CA1/EC) to neocortex, Hebbian"))
    else:
        raise ValueError(f"ctx_connectivity must be 'fan_out' or 'mirror', got {ctx_connectivity!r}")
    return NetworkDescription(tuple(pops), tuple(projs))
