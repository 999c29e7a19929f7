"""Helpers shared by every model family of the reference core: seeding (:mod:`~biokv.core.common.rng`), k-WTA
selection, sparse patterns as index sets and their similarity, TGCRP structured patterns, argument checks."""
