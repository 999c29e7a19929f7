"""biokv.core: the rate-based reference mathematics (NumPy, batched over independent runs)."""

from .kwinner import KWinnerMHN, KWinnerState
from .kwinner_reference import KWinnerMHNReference
from .patterns import mean_pairwise_similarity, overlaps, partial_cues, random_patterns, random_subsets
from .random import run_generators
from .selection import k_winners, k_winners_reference, to_dense
from .tgcrp import tgcrp_leaves, tgcrp_tree

__all__ = [
    "KWinnerMHN", "KWinnerState", "KWinnerMHNReference", "mean_pairwise_similarity", "overlaps", "partial_cues",
    "random_patterns", "random_subsets", "run_generators", "k_winners", "k_winners_reference", "to_dense",
    "tgcrp_leaves", "tgcrp_tree",
]
