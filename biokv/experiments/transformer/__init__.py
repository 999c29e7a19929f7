"""Slot-free attention on the Case Sequence Task (Bhandarkar & McClelland 2025, section 3, SI B).

Importing this package registers its experiments; their computations are imported when first used.
"""

from biokv.experiments.registry import register

register(name="case-sequence",
         summary="slot-free attention: baseline transformer vs MHN-transformers on the Case Sequence Task "
                 "(Fig. 7, S9-S11, Tables S1-S3)",
         tags=("transformer",),
         config="biokv.experiments.transformer.config:CaseSequenceConfig",
         compute="biokv.experiments.transformer.case_sequence:case_sequence",
         figures="biokv.experiments.transformer.figures:case_sequence_figures",
         report="biokv.experiments.transformer.report:case_sequence_report",
         headline="biokv.experiments.transformer.report:case_sequence_headline",
         quick={"n_trials": 3, "n_iterations": 1500, "final_window": 300})
