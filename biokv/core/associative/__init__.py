"""Classical associative memories: the outer-product key-value memory, classical, one-step and modern Hopfield
networks, their measured and predicted capacity, and the crosstalk of outer-product readout."""

from biokv.core.associative.memories import (HopfieldNetwork, OuterProductMemory, hetero_hopfield_recall,
                                             modern_hopfield_recall, top_s)

__all__ = ["HopfieldNetwork", "OuterProductMemory", "hetero_hopfield_recall", "modern_hopfield_recall", "top_s"]
