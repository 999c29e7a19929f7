"""The key-value memory simulations of Gershman, Fiete & Irie (2025): key and value optimisation (Fig. 2),
forgetting and recovery by reactivation in the dual form of SGD (Fig. 3).

Importing this package registers its experiments; their computations are imported when first used.
"""

from biokv.experiments.registry import register

register(name='kv-optimization',
         summary='keys and values of 2- and 3-class events optimised jointly for retrieval: keys separate by '
                 'class, values approach the class features (Fig. 2)',
         tags=('key-value',),
         config="biokv.experiments.kv.config:KVOptimizationConfig",
         compute="biokv.experiments.kv.optimization:kv_optimization",
         figures="biokv.experiments.kv.figures:kv_optimization_figures",
         report="biokv.experiments.kv.report:kv_optimization_report",
         headline="biokv.experiments.kv.report:kv_optimization_headline",
         quick={"n_steps": 3000, "runs": 2, "record_every": 50})
register(name='forgetting-reactivation',
         summary='forgetting of Task 1 after Task 2 and its recovery by scaling the Task-1 key-value pairs of the '
                 'SGD dual form (Gershman, Fiete & Irie 2025, Fig. 3)',
         tags=('key-value',),
         config="biokv.experiments.kv.config:ForgettingConfig",
         compute="biokv.experiments.kv.forgetting_reactivation:forgetting_reactivation",
         figures="biokv.experiments.kv.figures:forgetting_figures",
         report="biokv.experiments.kv.report:forgetting_report",
         headline="biokv.experiments.kv.report:forgetting_headline",
         quick={"n_runs": 3, "beta_points": 16})
