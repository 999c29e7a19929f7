"""Configurations of the prediction experiments on CA3's recurrent collaterals and its cholinergic and mossy-fibre
gating: the recurrent-collateral lesion, the cholinergic blockade during encoding and the encoding/retrieval
double dissociation of the mossy fibres and the perforant path.

Only the standard library, :mod:`biokv.config` and other configuration modules are imported here, so that
registering the experiments is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

from biokv.config import ConfigError, param
from biokv.experiments.predictions.config import InterventionConfig

__all__ = ["RecurrentLesionConfig", "CholinergicBlockadeConfig", "GatingConfig"]

NAKAZAWA = "Nakazawa et al. 2002, Science 297:211"
HASSELMO = "Hasselmo, Schnell & Barkai 1995, J Neurosci 15:5249; Hasselmo 2006, Curr Opin Neurobiol 16:710"


def _need_recurrents(cfg, what: str):
    if not cfg.network.with_recurrents:
        raise ConfigError(f"network.with_recurrents=false: {what}")


@dataclass
class RecurrentLesionConfig(InterventionConfig):
    """CA3 recurrent collaterals silenced at retrieval: recall from full and from partial cues."""

    n_pairs: int = param(40, "memories stored and recalled", low=2,
                         source="model choice: a load at which the intact network recalls most memories from their "
                                "full keys; three presentations per memory (its encoding, its full and its partial "
                                "cue) fit the 210 slots of the shared spiking build")
    cue_fraction: float = param(0.25, "fraction of a key's active EC cells kept in its partial cue", low=0.0,
                                high=1.0, low_open=True,
                                source=f"{NAKAZAWA}: one of the four extra-maze cues left in the partial-cue test")

    def check(self):
        _need_recurrents(self, "the recurrent-collateral lesion needs the recurrent collaterals (projection rc)")
        if int(self.cue_fraction * self.network.ec_active) < 1:
            raise ConfigError(f"cue_fraction={self.cue_fraction} is out of range: it keeps no cell of a key of "
                              f"network.ec_active={self.network.ec_active} cells")
        self.check_slots(3 * self.n_pairs)


@dataclass
class CholinergicBlockadeConfig(InterventionConfig):
    """Old memories stored at the normal acetylcholine level, then new memories, whose keys share cells with the
    old keys, stored at the normal level (control) or under a cholinergic blockade."""

    n_old: int = param(40, "memories stored first, at the normal acetylcholine level of encoding", low=2,
                       source="model choice: as predict-mossy-lesion")
    n_new: int = param(40, "memories stored next, each sharing EC cells with the key of one old memory (its "
                       "partner: new memory j pairs with old memory j)", low=2,
                       source="model choice: as predict-mossy-lesion; at most n_old")
    key_overlap: float = param(0.3, "fraction of a new key's active EC cells shared with its old partner's key "
                               "(the others are drawn outside the partner's key)", low=0.0, high=1.0,
                               source="model choice: enough shared input for the recurrents and the learned "
                                      "perforant path to pull a new code towards an old one")
    blockade_level: float = param(0.0, "acetylcholine level while the new memories are stored under the blockade "
                                  "(0: full muscarinic blockade; the control stores them at the network's level "
                                  "of encoding, 1)", low=0.0, high=1.0,
                                  source=f"scopolamine blocks the cholinergic suppression ({HASSELMO})")

    def check(self):
        _need_recurrents(self, "the rate twin reads an acetylcholine level only in a network with recurrents")
        if self.n_new > self.n_old:
            raise ConfigError(f"n_new={self.n_new} is out of range: every new memory needs an old partner, so "
                              f"n_new <= n_old={self.n_old}")
        s, n = self.network.ec_active, self.network.n_ec
        shared = round(self.key_overlap * s)
        if s - shared > n - s:
            raise ConfigError(f"key_overlap={self.key_overlap} is out of range: a new key needs {s - shared} cells "
                              f"outside its partner's key but only {n - s} of network.n_ec={n} are")
        self.check_slots(2 * (self.n_old + self.n_new))


@dataclass
class GatingConfig(InterventionConfig):
    """Mossy fibres or perforant path blocked at encoding or at retrieval, under the two hypotheses of how the
    mossy fibres are gated (``network.mossy_fibres_at_recall`` is set by each hypothesis, not read)."""

    n_pairs: int = param(50, "memories stored and recalled", low=2,
                         source="model choice: a load at which the intact network recalls most memories; two "
                                "presentations per memory (its encoding and its recall) fit the 210 slots of the "
                                "shared spiking build")
    impairment: float = param(0.1, "a block impairs recall when the 95% CI of its effect on recall accuracy lies "
                              "below -impairment and spares it when the CI lies above", low=0.0, high=1.0,
                              source="model choice: a tenth of a value's cells, so that a significant but slight "
                                     "change is not read as an impairment")

    def check(self):
        if not self.network.with_dg:
            raise ConfigError("network.with_dg=false: the gating experiment needs DG and the mossy fibres")
        _need_recurrents(self, "the rate twin recalls with the mossy fibres (the acetylcholine-alone hypothesis) "
                               "only in a network with recurrents")
        self.check_slots(2 * self.n_pairs)
