"""Predictions of the hippocampal network: a control and an intervention on the same seeds, effects with 95%
confidence intervals (``biokv predict``).

Importing this package registers its experiments (tagged ``"prediction"``; ``biokv predict`` runs them in this
order); their computations are imported when first used. :mod:`~biokv.experiments.predictions.config` holds the
configurations, :mod:`~biokv.experiments.predictions.effects` the shared control-vs-intervention convention,
:mod:`~biokv.experiments.predictions.figures` and :mod:`~biokv.experiments.predictions.report` the outputs.
"""

from biokv.experiments.registry import register

_HERE = "biokv.experiments.predictions"

register(name="predict-mossy-lesion",
         summary="prediction: mossy-fibre lesion during encoding impairs new memories, spares old ones",
         tags=("prediction", "spiking"),
         config=f"{_HERE}.config:MossyLesionConfig",
         compute=f"{_HERE}.mossy_lesion:mossy_lesion",
         figures=f"{_HERE}.figures:intervention_figures",
         report=f"{_HERE}.report:intervention_report",
         headline=f"{_HERE}.effects:effect_headline",
         quick={"rate_runs": 5, "spiking_seeds": 2, "spiking_slots": 60, "n_old": 15, "n_new": 15})
register(name="predict-pp-lesion",
         summary="prediction: perforant-path lesion abolishes recall, spares the CA3 code at encoding",
         tags=("prediction", "spiking"),
         config=f"{_HERE}.config:PerforantLesionConfig",
         compute=f"{_HERE}.pp_lesion:pp_lesion",
         figures=f"{_HERE}.figures:intervention_figures",
         report=f"{_HERE}.report:intervention_report",
         headline=f"{_HERE}.effects:effect_headline",
         quick={"rate_runs": 5, "spiking_seeds": 2, "spiking_slots": 60, "n_pairs": 30})
register(name="predict-reactivation",
         summary="prediction: reactivating a forgotten memory's CA3 ensemble restores recall, a random ensemble "
                 "does not",
         tags=("prediction", "spiking"),
         config=f"{_HERE}.config:ReactivationConfig",
         compute=f"{_HERE}.reactivation:reactivation",
         figures=f"{_HERE}.figures:intervention_figures",
         report=f"{_HERE}.report:intervention_report",
         headline=f"{_HERE}.effects:effect_headline",
         quick={"rate_runs": 5, "spiking_seeds": 2, "spiking_slots": 60, "n_pairs": 40, "age_min": 15,
                "age_max": 25})
register(name="predict-distributed-storage",
         summary="prediction: distributed (K-winner) storage retains old memories better than slot (1-winner) "
                 "storage, by k and similarity",
         tags=("prediction",),
         config=f"{_HERE}.config:DistributedStorageConfig",
         compute=f"{_HERE}.distributed_storage:distributed_storage",
         figures=f"{_HERE}.figures:storage_figures",
         report=f"{_HERE}.report:storage_report",
         headline=f"{_HERE}.effects:effect_headline",
         quick={"ks": (5, 50), "flips": (10,), "n_burnin": 50, "n_memories": 200, "old_age": 50, "runs": 4})
register(name="predict-capacity",
         summary="prediction: memories recalled at a criterion against CA3 size (fixed active fraction, fixed k) "
                 "and recurrent connection probability, with and without recurrents, vs c / a^2",
         tags=("prediction",),
         config=f"{_HERE}.config:CapacityConfig",
         compute=f"{_HERE}.capacity_scaling:capacity",
         figures=f"{_HERE}.figures:capacity_figures",
         report=f"{_HERE}.report:capacity_report",
         headline=f"{_HERE}.effects:effect_headline",
         quick={"n_ca3": (250, 500, 1000), "runs": 3, "memories_per_cell": 0.15, "rc_probabilities": (0.04, 0.2),
                "probability_n_ca3": 500})
register(name="predict-rc-lesion",
         summary="prediction: silencing the CA3 recurrent collaterals at retrieval impairs recall from partial cues, "
                 "spares recall from full cues",
         tags=("prediction", "spiking"),
         config=f"{_HERE}.ca3_config:RecurrentLesionConfig",
         compute=f"{_HERE}.rc_lesion:rc_lesion",
         figures=f"{_HERE}.figures:intervention_figures",
         report=f"{_HERE}.report:intervention_report",
         headline=f"{_HERE}.effects:effect_headline",
         quick={"rate_runs": 5, "spiking_seeds": 2, "spiking_slots": 60, "n_pairs": 12})
register(name="predict-cholinergic-blockade",
         summary="prediction: a cholinergic blockade while new memories are stored lets old memories interfere "
                 "with their CA3 codes and recall",
         tags=("prediction", "spiking"),
         config=f"{_HERE}.ca3_config:CholinergicBlockadeConfig",
         compute=f"{_HERE}.cholinergic_blockade:cholinergic_blockade",
         figures=f"{_HERE}.figures:intervention_figures",
         report=f"{_HERE}.report:intervention_report",
         headline=f"{_HERE}.effects:effect_headline",
         quick={"rate_runs": 5, "spiking_seeds": 2, "spiking_slots": 60, "n_old": 15, "n_new": 15})
register(name="predict-gating",
         summary="prediction: mossy-fibre and perforant-path blocks at encoding or retrieval under two gating "
                 "hypotheses (Lee & Kesner double dissociation)",
         tags=("prediction", "spiking"),
         config=f"{_HERE}.ca3_config:GatingConfig",
         compute=f"{_HERE}.gating:gating",
         figures=f"{_HERE}.ca3_figures:gating_figures",
         report=f"{_HERE}.ca3_report:gating_report",
         headline=f"{_HERE}.effects:effect_headline",
         quick={"rate_runs": 5, "spiking_seeds": 2, "spiking_slots": 60, "n_pairs": 15})
