"""biokv.core: the rate-based reference mathematics (NumPy, batched over independent runs)."""

from .associative import (HopfieldNetwork, OuterProductMemory, hetero_hopfield_recall, modern_hopfield_recall,
                          top_s)
from .capacity import bit_error_probability, duplicate_free_capacity, measure_capacity, predicted_capacity
from .case_sequence import CaseSequenceBatch, case_sequence_batch, case_sequence_batches, token_names
from .crosstalk import random_keys, readout_mse_theory
from .dual_form import DualFormMemory, error_signals, sgd_epoch, sgd_step
from .kv_optimization import (Adam, KVTraining, class_features, class_labels, kv_loss, loss_and_gradients,
                              train_key_values)
from .kwinner import KWinnerMHN, KWinnerState
from .mhn_transformer import (W_K_RULES, FastWeights, MHNTransformer, init_fast_weights, input_projection,
                              mhn_transformer_gradients, query_step, store_context)
from .transformer import MinimalTransformer, init_transformer, transformer_forward, transformer_loss_and_gradients
from .kwinner_reference import KWinnerMHNReference
from .patterns import mean_pairwise_similarity, overlaps, partial_cues, random_patterns, random_subsets
from .random import run_generators
from .selection import k_winners, k_winners_reference, to_dense
from .tgcrp import tgcrp_leaves, tgcrp_tree

__all__ = [
    "HopfieldNetwork", "OuterProductMemory", "hetero_hopfield_recall", "modern_hopfield_recall", "top_s",
    "bit_error_probability", "duplicate_free_capacity", "measure_capacity", "predicted_capacity", "random_keys",
    "readout_mse_theory", "DualFormMemory", "error_signals", "sgd_epoch", "sgd_step", "Adam", "KVTraining",
    "class_features", "class_labels", "kv_loss", "loss_and_gradients", "train_key_values", "CaseSequenceBatch",
    "case_sequence_batch", "case_sequence_batches", "token_names", "W_K_RULES", "FastWeights", "MHNTransformer",
    "init_fast_weights", "input_projection", "mhn_transformer_gradients", "query_step", "store_context",
    "MinimalTransformer", "init_transformer", "transformer_forward", "transformer_loss_and_gradients",
    "KWinnerMHN", "KWinnerState", "KWinnerMHNReference", "mean_pairwise_similarity", "overlaps", "partial_cues",
    "random_patterns", "random_subsets", "run_generators", "k_winners", "k_winners_reference", "to_dense",
    "tgcrp_leaves", "tgcrp_tree",
]
