"""The K-winner modern Hopfield network family (Bhandarkar & McClelland 2025): the batched model, its dense
single-network reference, the retention protocol and the closed-form theory of the 1-winner MHN."""

from biokv.core.kwinner.model import LEARNING_RULES, KWinnerMHN, KWinnerState
from biokv.core.kwinner.reference import KWinnerMHNReference

__all__ = ["LEARNING_RULES", "KWinnerMHN", "KWinnerState", "KWinnerMHNReference"]
