"""Declarative description of a hippocampal key-value network, read by every backend.

Keys are stored by the hippocampus, values by neocortex (Gershman, Fiete & Irie 2025). A description lists the
populations (sizes and how many cells are active per pattern) and the projections (connectivity, weights,
plasticity and when they are on). The rate twin (:mod:`biokv.hippocampus.rate_twin`) and the spiking network
(:mod:`biokv.spiking`) read the same description and draw the same connectivity from the same seed.

The default network (:func:`hippocampal_network`):

- ``EC`` (entorhinal cortex, input): the key pattern, ``ec_active`` of ``n_ec`` cells.
- ``DG`` (dentate gyrus granule cells): sparse fixed input from EC, k-winners-take-all (2-5% active).
- ``CA3``: mossy fibres from DG (each granule cell contacts a handful of CA3 cells with strong synapses; silent
  at recall unless ``mossy_fibres_at_recall``), the perforant path from EC (fan-in ``pp_fan_in``, K-winner MHN
  learning rule) and the recurrent collaterals (``rc``, CA3 -> CA3, Hebbian); k-winners-take-all.
- ``CTX`` (neocortical value layer): CA3 -> CTX synapses learn the value pattern, taught during encoding;
  the recalled value is the ``ctx_active`` most active cells.

Encoding and retrieval are switched by acetylcholine (Hasselmo, Schnell & Barkai 1995; Hasselmo 2006): high during
encoding, when it suppresses the recurrent and (less) the perforant-path transmission, so that the mossy fibres
set new CA3 codes and old memories do not intrude; low during retrieval, when the cue drives CA3 through the
perforant path and the recurrents complete the code. Plasticity is on during encoding.

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
    ach_suppression : float
        Fraction of the projection's transmission that acetylcholine suppresses at its full level (1): the
        transmission in a phase is ``gain[phase] * (1 - ach_suppression * ACh)``
        (:meth:`NetworkDescription.transmission`; Hasselmo, Schnell & Barkai 1995).
    strength : float
        Drive of the projection's expected active inputs at weight 1 relative to the perforant path's drive of a
        full key at weight 1 onto the same layer (backends divide by the expected number of active inputs, so the
        relative drive does not change with the network's size).
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
    ach_suppression: float = 0.0
    strength: float = 1.0
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
        if not 0.0 <= self.ach_suppression <= 1.0:
            raise ValueError(f"projection {self.name}: ach_suppression must be in [0, 1], got {self.ach_suppression}")
        if not self.strength > 0:
            raise ValueError(f"projection {self.name}: strength must be > 0, got {self.strength}")


@dataclass(frozen=True)
class NetworkDescription:
    """Populations and projections of a key-value network, and the acetylcholine level of each phase.

    Attributes
    ----------
    populations : tuple of Population
    projections : tuple of Projection
    acetylcholine : dict
        The cholinergic state in each phase, in [0, 1]: high during encoding, low during retrieval (Hasselmo,
        Schnell & Barkai 1995, J Neurosci 15:5249; Hasselmo 2006, Curr Opin Neurobiol 16:710). It scales each
        projection's transmission by ``1 - ach_suppression * level``; an experiment may set its own level per
        presentation (e.g. a cholinergic blockade: 0 during encoding). Plasticity is gated separately (on during
        encoding), so a blockade removes the suppression of transmission, not learning.
    """

    populations: tuple[Population, ...]
    projections: tuple[Projection, ...]
    acetylcholine: dict = field(default_factory=lambda: {"encode": 1.0, "recall": 0.0})

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
            drawn_from -= proj.source == proj.target  # a recurrent projection: no self-connections
            if proj.connectivity != "mirror" and proj.n_connections > drawn_from:
                raise ValueError(f"projection {proj.name}: n_connections={proj.n_connections} exceeds the "
                                 f"{drawn_from} cells it is drawn from")
            if proj.connectivity == "mirror":
                base = self.projection(proj.mirror_of)
                if (self.population(base.source).size, self.population(base.target).size) != (
                        self.population(proj.target).size, self.population(proj.source).size):
                    raise ValueError(f"projection {proj.name} mirrors {base.name}: its source must match "
                                     f"{base.name}'s target in size and its target {base.name}'s source")

        if set(self.acetylcholine) != set(PHASES) or not all(0 <= a <= 1 for a in self.acetylcholine.values()):
            raise ValueError(f"acetylcholine needs a level in [0, 1] for {PHASES}, got {self.acetylcholine}")

    def transmission(self, name: str, phase, acetylcholine=None):
        """Transmission of projection ``name`` in ``phase`` ("encode" or "recall", or a boolean array: True =
        encode): its phase gain times ``1 - ach_suppression * ACh``, with ACh the phase's level or
        ``acetylcholine`` (a number or an array broadcast against ``phase``)."""
        import numpy as np

        proj = self.projection(name)
        encode = np.asarray(phase == "encode") if isinstance(phase, str) else np.asarray(phase, dtype=bool)
        gain = np.where(encode, proj.gain["encode"], proj.gain["recall"])
        level = (np.where(encode, self.acetylcholine["encode"], self.acetylcholine["recall"])
                 if acetylcholine is None else np.asarray(acetylcholine, dtype=float))
        out = gain * (1.0 - proj.ach_suppression * level)
        return float(out) if out.ndim == 0 else out

    def expected_active_inputs(self, name: str) -> float:
        """Expected number of active presynaptic cells a target cell receives through projection ``name`` for one
        pattern (at least 1e-9)."""
        proj = self.projection(name)
        src, target = self.population(proj.source), self.population(proj.target)
        if proj.connectivity == "fan_in":
            n_in = proj.n_connections
        elif proj.connectivity == "fan_out":
            n_in = proj.n_connections * src.size / target.size
        else:
            base = self.projection(proj.mirror_of)
            n_in = base.n_connections * self.population(base.target).size / target.size
        return max(n_in * src.active / src.size, 1e-9)

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
    "with_recurrents": NetworkParameter(True, "include the CA3 recurrent collaterals (CA3 -> CA3)",
                                        source="Marr 1971; McNaughton & Morris 1987, Trends Neurosci 10:408; Treves "
                                               "& Rolls 1992, Hippocampus 2:189"),
    "rc_probability": NetworkParameter(0.088, "CA3 -> CA3 connection probability (every CA3 cell receives "
                                       "round(p (n_ca3 - 1)) recurrent inputs)", low=0.0, high=1.0, low_open=True,
                                       source="mouse: 8.8% in paired recordings (Sammons et al. 2024, PNAS "
                                              "121:e2312281120); rat ~4% from ~12,000 recurrent synapses per cell "
                                              "(Amaral, Ishizuka & Claiborne 1990; Treves & Rolls 1992, "
                                              "Hippocampus 2:189), human 1.3% (Watson et al. 2025, Cell)"),
    "rc_strength": NetworkParameter(0.25, "recurrent drive of a stored CA3 code relative to the perforant-path "
                                    "drive of its full key (both at weight 1)", low=0.0, low_open=True,
                                    source="model choice, calibrated in the rate twin: of 0.25, 0.5 and 1, the best "
                                           "recall from 15% cues (30 pairs, 2 networks; 0.82 vs 0.70 without "
                                           "recurrents)"),
    "ach_pp_suppression": NetworkParameter(0.5, "fraction of perforant-path transmission to CA3 suppressed at "
                                           "high acetylcholine", low=0.0, high=1.0,
                                           source="model choice: cholinergic suppression is weaker in stratum "
                                                  "lacunosum-moleculare than in stratum radiatum (Hasselmo & "
                                                  "Schnell 1994, J Neurosci 14:3898)"),
    "ach_rc_suppression": NetworkParameter(0.9, "fraction of recurrent-collateral transmission suppressed at high "
                                           "acetylcholine", low=0.0, high=1.0,
                                           source="carbachol suppresses stratum radiatum (recurrent) synapses "
                                                  "much more than mossy fibres (Hasselmo, Schnell & Barkai 1995, "
                                                  "J Neurosci 15:5249); the fraction: model choice"),
    "ach_mf_suppression": NetworkParameter(0.0, "fraction of mossy-fibre transmission suppressed at high "
                                           "acetylcholine", low=0.0, high=1.0,
                                           source="mossy fibres little suppressed by carbachol (Hasselmo, Schnell "
                                                  "& Barkai 1995, J Neurosci 15:5249); model choice: none"),
    "mossy_fibres_at_recall": NetworkParameter(False, "mossy fibres transmit at recall (False: silent at "
                                               "retrieval, the Treves-Rolls hypothesis; True: gated by "
                                               "acetylcholine alone, as in Hasselmo's)",
                                               source="Treves & Rolls 1992, Hippocampus 2:189; Hasselmo, Schnell "
                                                      "& Barkai 1995, J Neurosci 15:5249"),
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
                        with_recurrents: bool = _DEFAULT["with_recurrents"],
                        rc_probability: float = _DEFAULT["rc_probability"],
                        rc_strength: float = _DEFAULT["rc_strength"],
                        ach_pp_suppression: float = _DEFAULT["ach_pp_suppression"],
                        ach_rc_suppression: float = _DEFAULT["ach_rc_suppression"],
                        ach_mf_suppression: float = _DEFAULT["ach_mf_suppression"],
                        mossy_fibres_at_recall: bool = _DEFAULT["mossy_fibres_at_recall"],
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
    with_recurrents : bool
        Include the CA3 recurrent collaterals ``rc`` (CA3 -> CA3): every CA3 cell receives
        ``round(rc_probability * (n_ca3 - 1))`` recurrent inputs from other CA3 cells, plastic by the same instar
        rule as the perforant path (``w += eps (y_pre - w)`` for the synapses onto the active cells of a stored
        code: synapses from co-active cells grow towards 1, from silent cells decay towards 0, so the weights stay
        in [0, 1] without a separate normalisation). At recall they complete a partial code (Marr 1971; Treves &
        Rolls 1992).
    rc_probability : float
        Recurrent connection probability (rat ~4%, mouse 5.5-11%, human 1.3%).
    rc_strength : float
        Drive of a stored code through the recurrents relative to the perforant-path drive of its full key (the
        projection's ``strength``).
    ach_pp_suppression, ach_rc_suppression, ach_mf_suppression : float
        Fractions of perforant-path, recurrent and mossy-fibre transmission that high acetylcholine (encoding)
        suppresses; at retrieval acetylcholine is low and every projection transmits fully (Hasselmo, Schnell &
        Barkai 1995). This cholinergic switch replaces fixed per-phase gains.
    mossy_fibres_at_recall : bool
        False: the mossy fibres are silent at retrieval (their recall gain is 0), the hypothesis of Treves &
        Rolls (1992) that they set CA3 codes at encoding only; True: they transmit at retrieval too, gated by
        acetylcholine alone.
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
                                gain={"encode": 1.0, "recall": 1.0 if mossy_fibres_at_recall else 0.0},
                                synapse="facilitating", ach_suppression=ach_mf_suppression,
                                basis="mossy fibres: 11-15 CA3 cells per granule cell (Acsady et al. 1998), "
                                      "strong; needed for encoding, not for recall (Lee & Kesner 2004)"
                                      + ("" if mossy_fibres_at_recall else "; silent at recall (Treves & Rolls "
                                                                           "1992)")))
    pops.append(Population("CA3", n_ca3, ca3_active, "kwta", "CA3 pyramidal cells, a few % active"))
    pops.append(Population("CTX", n_ctx, ctx_active, "value", "neocortical value layer"))
    projs.append(Projection("pp", "EC", "CA3", "fan_in", int(pp_fan_in * n_ec), weight_max=initial_weight_max,
                            learning_rate=learning_rate, ach_suppression=ach_pp_suppression,
                            basis="perforant path to CA3; K-winner MHN rule (Bhandarkar & McClelland 2025, eq. 2)"))
    if with_recurrents:
        projs.append(Projection("rc", "CA3", "CA3", "fan_in", max(1, round(rc_probability * (n_ca3 - 1))),
                                weight_max=initial_weight_max, learning_rate=learning_rate,
                                ach_suppression=ach_rc_suppression, strength=rc_strength,
                                basis="CA3 recurrent collaterals, Hebbian (instar rule); suppressed by "
                                      "acetylcholine (Hasselmo, Schnell & Barkai 1995)"))
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
