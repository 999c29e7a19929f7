"""biokv.core: the rate-based reference mathematics (NumPy and numba, batched over independent runs).

One subpackage per model family: :mod:`~biokv.core.kwinner` (the K-winner MHN), :mod:`~biokv.core.associative`
(classical associative memories), :mod:`~biokv.core.kv` (Gershman, Fiete & Irie's key-value cores),
:mod:`~biokv.core.transformer` (the Case Sequence Task), :mod:`~biokv.core.stats` (metrics and fits) and
:mod:`~biokv.core.common` (seeding, selection, patterns). The core imports nothing from biokv outside it.

The most used names are available here too, imported on first use (``from biokv.core import KWinnerMHN``), so
that importing :mod:`biokv.core` is cheap.
"""

import importlib

#: public name -> module that defines it
_EXPORTS = {
    **dict.fromkeys(("HopfieldNetwork", "OuterProductMemory", "hetero_hopfield_recall", "modern_hopfield_recall",
                     "top_s"), "biokv.core.associative.memories"),
    **dict.fromkeys(("bit_error_probability", "duplicate_free_capacity", "measure_capacity", "predicted_capacity"),
                    "biokv.core.associative.capacity"),
    **dict.fromkeys(("random_keys", "readout_mse_theory"), "biokv.core.associative.crosstalk"),
    **dict.fromkeys(("CaseSequenceBatch", "case_sequence_batch", "case_sequence_batches", "token_names"),
                    "biokv.core.transformer.task"),
    "MinimalTransformer": "biokv.core.transformer.baseline",
    **dict.fromkeys(("W_K_RULES", "FastWeights", "MHNTransformer", "init_fast_weights", "input_projection",
                     "query_step", "store_context"), "biokv.core.transformer.mhn"),
    **dict.fromkeys(("DualFormMemory", "error_signals", "sgd_epoch", "sgd_step"), "biokv.core.kv.dual_form"),
    **dict.fromkeys(("Adam", "KVTraining", "class_features", "class_labels", "kv_loss", "loss_and_gradients",
                     "train_key_values"), "biokv.core.kv.optimization"),
    **dict.fromkeys(("KWinnerMHN", "KWinnerState"), "biokv.core.kwinner.model"),
    "KWinnerMHNReference": "biokv.core.kwinner.reference",
    **dict.fromkeys(("mean_pairwise_similarity", "overlaps", "partial_cues", "random_patterns", "random_subsets"),
                    "biokv.core.common.patterns"),
    "run_generators": "biokv.core.common.rng",
    **dict.fromkeys(("e_max_winners", "k_winners", "k_winners_reference", "to_dense"),
                    "biokv.core.common.selection"),
    **dict.fromkeys(("tgcrp_leaves", "tgcrp_tree"), "biokv.core.common.tgcrp"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'biokv.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
