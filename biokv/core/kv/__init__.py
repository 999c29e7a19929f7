"""The key-value memory cores of Gershman, Fiete & Irie (2025): jointly optimised keys and values
(:mod:`~biokv.core.kv.optimization`, their Fig. 2) and a network trained by SGD kept in its dual key-value form
(:mod:`~biokv.core.kv.dual_form`, their Fig. 3)."""
