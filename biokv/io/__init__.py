"""Reading and writing results: atomic NetCDF files with provenance (:mod:`~biokv.io.results`), ``biokv info`` and
``biokv plot`` (:mod:`~biokv.io.inspection`), spike trains as Neo objects (:mod:`~biokv.io.neo_export`)."""
