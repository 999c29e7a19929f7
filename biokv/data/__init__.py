"""Data that ship with biokv: reference measurements of the hippocampal memory system
(:mod:`~biokv.data.biodata`, ``biology.csv``), model values set against them (:mod:`~biokv.data.comparison`),
and small image data sets for the forgetting experiment (:mod:`~biokv.data.datasets`)."""
