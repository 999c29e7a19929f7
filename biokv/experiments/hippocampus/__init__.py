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
