"""The hippocampal key-value network: the spiking network against its rate twin, the reduced spiking K-winner
network, and the network against biological data.

Importing this package registers its experiments; their computations are imported when first used.
"""

from biokv.experiments.registry import register

_PACKAGE = "biokv.experiments.hippocampus"

register(name="spiking-recall",
         summary="spiking hippocampal network vs its rate twin: CA3 agreement and recall by age (Brian2)",
         tags=("hippocampus", "spiking"),
         config=f"{_PACKAGE}.config:SpikingRecallConfig",
         compute=f"{_PACKAGE}.spiking_recall:spiking_recall",
         figures=f"{_PACKAGE}.figures:spiking_recall_figures",
         report=f"{_PACKAGE}.report:spiking_recall_report",
         headline=f"{_PACKAGE}.report:spiking_recall_headline",
         quick={"n_pairs": 20, "cue_levels": (1.0,)})
register(name="spiking-kwinner",
         summary="spiking K-winner MHN (EC -> CA3 -> CTX, Brian2) vs rate K-winner and 1-winner MHN: retention by age",
         tags=("hippocampus", "spiking"),
         config=f"{_PACKAGE}.config:SpikingKWinnerConfig",
         compute=f"{_PACKAGE}.spiking_kwinner:spiking_kwinner",
         figures=f"{_PACKAGE}.figures:spiking_kwinner_figures",
         report=f"{_PACKAGE}.report:spiking_kwinner_report",
         headline=f"{_PACKAGE}.report:spiking_kwinner_headline",
         quick={"n_memories": 200, "runs": 3, "n_burnin": 300, "cue_levels": (0.5,), "age_bins": (1, 11, 51, 101)})
register(name="compare-bio",
         summary="the spiking hippocampal network and its rate twin against biological sparsity, rates, "
                 "connectivity, separation/completion and forgetting data",
         tags=("hippocampus", "spiking", "biology"),
         config=f"{_PACKAGE}.config:CompareBioConfig",
         compute=f"{_PACKAGE}.compare_bio:compare_bio",
         figures=f"{_PACKAGE}.figures:compare_bio_figures",
         report=f"{_PACKAGE}.report:compare_bio_report",
         headline=f"{_PACKAGE}.report:compare_bio_headline",
         quick={"n_pairs": 40, "rate_pairs": 200, "rate_runs": 5, "pairs_per_level": 2, "n_background": 10,
                "overlap_levels": (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0)})
register(name="spiking-emax",
         summary="E%-max in spiking neurons: winners of a gamma cycle against the spread of the drive, "
                 "with E fitted once (Brian2)",
         tags=("hippocampus", "spiking"),
         config=f"{_PACKAGE}.config:SpikingEmaxConfig",
         compute=f"{_PACKAGE}.emax:spiking_emax",
         figures=f"{_PACKAGE}.emax_figures:spiking_emax_figures",
         report=f"{_PACKAGE}.emax_report:spiking_emax_report",
         headline=f"{_PACKAGE}.emax_report:spiking_emax_headline",
         quick={"n_cells": 400, "runs": 2, "spreads": (0.1, 0.3, 0.6, 1.0)})
register(name="spiking-agreement",
         summary="spiking network vs rate twin at 0.5x, 1x, 2x size: CA3 agreement, recall by age with 95% CIs",
         tags=("hippocampus", "spiking"),
         config=f"{_PACKAGE}.config:SpikingAgreementConfig",
         compute=f"{_PACKAGE}.agreement:spiking_agreement",
         figures=f"{_PACKAGE}.figures:spiking_agreement_figures",
         report=f"{_PACKAGE}.report:spiking_agreement_report",
         headline=f"{_PACKAGE}.report:spiking_agreement_headline",
         quick={"sizes": (0.5, 1.0), "seeds": 2, "n_pairs": 10, "age_bins": (1, 6)})
register(name="ca3-completion",
         summary="pattern completion by the CA3 recurrents: recall against cue level, recurrents on and off, and "
                 "DG / CA3 output against EC input correlation at encoding and recall (rate twin and spiking)",
         tags=("hippocampus", "spiking"),
         config=f"{_PACKAGE}.config:CA3CompletionConfig",
         compute=f"{_PACKAGE}.completion:ca3_completion",
         figures=f"{_PACKAGE}.completion_figures:ca3_completion_figures",
         report=f"{_PACKAGE}.completion_report:ca3_completion_report",
         headline=f"{_PACKAGE}.completion_report:ca3_completion_headline",
         quick={"n_pairs": 8, "runs": 3, "seeds": 2, "morph_levels": (0.0, 0.3, 0.6, 1.0)})
