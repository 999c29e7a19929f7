"""The K-winner MHN family (Bhandarkar & McClelland 2025): retention of old memories, fan-in, graded
learning, the 1-winner MHN against its theory, structured patterns.

Importing this package registers its experiments; their computations are imported when first used.
"""

from biokv.experiments.registry import register

_MODULE = "biokv.experiments.kwinner"
#: the small version of every retention experiment: 5 samples x 8 runs, enough for the paired t-tests
_RETENTION_QUICK = {"protocol": {"n_samples": 5, "runs_per_sample": 8}}


def _retention(name: str, summary: str, config: str, compute: str) -> None:
    """Register a retention experiment: the retention protocol's figures, headline metrics and quick layer."""
    register(name=name, summary=summary, tags=("kwinner",), config=f"{_MODULE}.config:{config}",
             compute=f"{_MODULE}.retention:{compute}", figures=f"{_MODULE}.figures:retention_figures",
             report=f"{_MODULE}.report:{name.replace('-', '_')}_report",
             headline=f"{_MODULE}.report:retention_headline", quick=_RETENTION_QUICK)


_retention("kwinner-retention", "K-winner MHN vs 1-winner MHN: retention of older memories (Fig. 4, S1)",
           "KWinnerRetentionConfig", "kwinner_retention")
_retention("kwinner-fanin", "K-winner MHN with raised fan-in vs 1-winner MHN (Fig. S2)", "KWinnerFaninConfig",
           "kwinner_retention")
_retention("graded-mhn", "graded 1-winner MHN vs slot MHN and K-winner MHNs by learning rate (Fig. S3)",
           "GradedMHNConfig", "graded_mhn")
_retention("mhn-retention", "1-winner MHN alone against its closed-form retention theory (SI A.2.4)",
           "MHNRetentionConfig", "mhn_retention")
register(name="structured-patterns",
         summary="K-winner vs 1-winner MHN on hierarchically structured TGCRP patterns (Fig. S6, S7)",
         tags=("kwinner",),
         config=f"{_MODULE}.config:StructuredConfig",
         compute=f"{_MODULE}.structured:structured_patterns",
         figures=f"{_MODULE}.figures:structured_figures",
         report=f"{_MODULE}.report:structured_report",
         headline=f"{_MODULE}.report:structured_headline",
         quick={"flips": (5, 15, 30), "protocol": {"n_samples": 4, "runs_per_sample": 5}})
