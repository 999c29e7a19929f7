"""Classical associative memories: crosstalk of the outer-product memory and the capacity of Hopfield
networks.

Importing this package registers its experiments; their computations are imported when first used.
"""

from biokv.experiments.registry import register

register(name='crosstalk',
         summary='outer-product memory: readout noise ~ sqrt(N/d) and its mitigations',
         tags=('associative',),
         config="biokv.experiments.associative.config:CrosstalkConfig",
         compute="biokv.experiments.associative.crosstalk:crosstalk",
         figures="biokv.experiments.associative.figures:crosstalk_figures",
         report="biokv.experiments.associative.report:crosstalk_report",
         headline="biokv.experiments.associative.report:crosstalk_headline",
         quick={"dims": (32, 64, 128, 256), "n_pairs": (1, 4, 16, 64, 256), "n_runs": 4, "value_dim": 32,
                "reference_dim": 128})
register(name='hopfield-capacity',
         summary='Hopfield networks (one-step hetero, classical auto): capacity ~ d / log d',
         tags=('associative',),
         config="biokv.experiments.associative.config:HopfieldCapacityConfig",
         compute="biokv.experiments.associative.hopfield_capacity:hopfield_capacity",
         figures="biokv.experiments.associative.figures:hopfield_capacity_figures",
         report="biokv.experiments.associative.report:hopfield_capacity_report",
         headline="biokv.experiments.associative.report:hopfield_capacity_headline",
         quick={"dims": (32, 64, 128, 256), "n_runs": 8})
register(name='modern-hopfield-capacity',
         summary='one-step modern Hopfield network: capacity ~ exp(alpha d)',
         tags=('associative',),
         config="biokv.experiments.associative.config:ModernCapacityConfig",
         compute="biokv.experiments.associative.modern_capacity:modern_hopfield_capacity",
         figures="biokv.experiments.associative.figures:modern_capacity_figures",
         report="biokv.experiments.associative.report:modern_capacity_report",
         headline="biokv.experiments.associative.report:modern_capacity_headline",
         quick={"dims": (8, 10, 12, 14, 16, 18), "n_runs": 8})
