"""Configuration of the ``case-sequence`` experiment: the models trained on the Case Sequence Task and their
settings (Bhandarkar & McClelland 2025, section 3 and SI B.2.5).

Values whose numbers are lost in the paper's text copy (its formulas and many numbers did not survive) are biokv's
reading, marked so in their sources; :mod:`biokv.experiments.transformer.case_sequence` explains each reading.
Only the standard library and :mod:`biokv.config` are imported here, so that registering the experiment is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

from biokv.config import ConfigError, param

__all__ = ["MODELS", "PAPER_MODELS", "LABELS", "BaselineConfig", "VariantConfig", "FastWeightConfig",
           "CaseSequenceConfig", "tf_dim"]

PAPER = "Bhandarkar & McClelland (2025)"
# for values whose numbers are lost in the text copy of the paper (formulas and many numbers did not survive)
READ = "the number is lost in the text copy; biokv's reading"

# model -> (family, input projections); the baseline family has no fast weights
MODELS = {"baseline": ("baseline", False), "fixed": ("fixed", False), "mhn": ("mhn", False), "qk": ("qk", False),
          "fixed-proj": ("fixed", True), "mhn-proj": ("mhn", True), "qk-proj": ("qk", True),
          "baseline-beta1": ("baseline", False)}
PAPER_MODELS = ("baseline", "fixed", "mhn", "qk", "fixed-proj", "mhn-proj", "qk-proj")
# model -> its name in the result (variable ``label``), the figures and the summary
LABELS = {"baseline": "Baseline", "fixed": "Fixed W_K", "mhn": "MHN", "qk": "QK", "fixed-proj": "Fixed W_K + proj.",
          "mhn-proj": "MHN + proj.", "qk-proj": "QK + proj.", "baseline-beta1": "Baseline, beta 1"}


@dataclass
class BaselineConfig:
    """The minimal transformer (sec. 3.2)."""

    learning_rate: float = param(1e-3, "learning rate of W_Q, W_K and W_V (plain gradient descent on the batch SSE)",
                                 low=0.0, source=f"{PAPER}, SI B.2.5")
    key_scale: float = param(0.25, "W_Q and W_K entries: key_scale / sqrt(k_dim) times a standard normal", low=0.0,
                             source=f"{PAPER}, SI B.2.5 (baseline initialisation; {READ})")
    value_high: float = param(0.1, "W_V entries uniform on [0, value_high)", low=0.0,
                              source=f"{PAPER}, SI B.2.5 ({READ})")


@dataclass
class VariantConfig:
    """One MHN-transformer family, with and without input projections."""

    tf_dim: int = param(16, "hidden units of the 1-winner MHN without input projections", low=1,
                        source=f"{PAPER}, SI B.2.5 ({READ})")
    tf_dim_projections: int = param(16, "hidden units with input projections (>= 2 n_letters)", low=1,
                                    source=f"{PAPER}, SI B.2.5 gives one size per family 'with and without input "
                                           "projections'; biokv keeps the same size")
    lr_qv: float = param(5e-3, "learning rate of W_Q and W_V", low=0.0, source=f"{PAPER}, SI B.2.5")
    lr_k: float = param(5e-3, "learning rate of W_K (unused by the Fixed-W_K family)", low=0.0,
                        source=f"{PAPER}, SI B.2.5")
    key_scale: float = param(1.0, "W_Q and W_K entries: key_scale / sqrt(k_dim) times a standard normal", low=0.0,
                             source=f"{PAPER}, SI B.2.5 ({READ}); the Fixed-W_K rows of Table S1 confirm sd "
                                    "1/sqrt(k_dim) with k_dim 50")
    value_high: float = param(0.1, "W_V entries uniform on [0, value_high)", low=0.0,
                              source=f"{PAPER}, SI B.2.5 ({READ})")


@dataclass
class FastWeightConfig:
    """Initial fast weights of every sequence (uniform on [0, high))."""

    hi_high: float = param(0.5, "W_hi entries uniform on [0, hi_high) (without input projections; zero with them)",
                           low=0.0, source=f"{PAPER}, SI B.2.5 ({READ})")
    oh_high: float = param(1.0, "W_oh entries uniform on [0, oh_high)", low=0.0,
                           source=f"{PAPER}, SI B.2.5 ({READ})")
    reinst_high: float = param(1.0, "W_reinst entries uniform on [0, reinst_high)", low=0.0,
                               source=f"{PAPER}, SI B.2.5 ({READ})")


@dataclass
class CaseSequenceConfig:
    """The baseline transformer and the six MHN-transformer variants trained on the Case Sequence Task."""

    models: tuple[str, ...] = param(PAPER_MODELS, "models trained, in this order", choices=tuple(MODELS),
                                    source=f"{PAPER}, Fig. 7 (baseline-beta1: biokv's addition, not run by default)")
    n_letters: int = param(4, "letters L (3 L one-hot tokens; the context holds all L letters)", low=2, high=42,
                           source=f"{PAPER}, SI B.1: 'the first four letters of the alphabet'")
    k_dim: int = param(50, "dimension of keys and queries", low=1,
                       source=f"{PAPER}, SI B.2.5 ({READ}; the Fixed-W_K rows of Table S1 fit 50)")
    batch_size: int = param(64, "sequences per batch (fresh every iteration)", low=1,
                            source=f"{PAPER}, SI B.1 ({READ})")
    n_iterations: int = param(5000, "training iterations", low=1, source=f"{PAPER}, SI B.2.5 ({READ})")
    n_trials: int = param(10, "independent trials (initialisations and batches) per model", low=1,
                          source=f"{PAPER}, Fig. 7 and SI B.3.2 ({READ})")
    baseline: BaselineConfig = param(BaselineConfig(), "the baseline transformer")
    fixed: VariantConfig = param(VariantConfig(tf_dim=10, tf_dim_projections=10, lr_qv=1e-3, lr_k=0.0),
                                 "the Fixed-W_K MHN-transformer", source=f"{PAPER}, SI B.2.1, B.2.5")
    mhn: VariantConfig = param(VariantConfig(), "the MHN-transformer (W_K trained through the MHN)",
                               source=f"{PAPER}, SI B.2.2, B.2.5")
    qk: VariantConfig = param(VariantConfig(lr_k=1e-4), "the QK-MHN-transformer (W_K aligned with the query)",
                              source=f"{PAPER}, SI B.2.3, B.2.5")
    fast: FastWeightConfig = param(FastWeightConfig(), "initial fast weights of the MHN-transformers")
    final_window: int = param(1000, "final accuracy and loss: mean over this many last iterations", low=1,
                              source=f"{PAPER}, SI B.3.2 (the last 1,000 batches)")
    threshold: float = param(0.95, "accuracy whose first crossing by the (smoothed) median curve is reported",
                             low=0.0, high=1.0, source="biokv's choice")
    smooth_window: int = param(50, "running mean (iterations) of the median curves in the learning-speed measure "
                               "and in Fig. 7B / S11B", low=1, source="biokv's choice")
    figure_trial: int = param(0, "trial whose learned matrices are drawn (Figs. S9, S10)", low=0,
                              source="biokv's choice")

    def check(self):
        if not self.models or len(set(self.models)) != len(self.models):
            raise ConfigError(f"models={self.models} must be one or more distinct models")
        for name, limit in (("final_window", self.n_iterations), ("smooth_window", self.n_iterations)):
            if getattr(self, name) > limit:
                raise ConfigError(f"{name}={getattr(self, name)} is out of range: must be <= n_iterations="
                                  f"{self.n_iterations}")
        if self.figure_trial >= self.n_trials:
            raise ConfigError(f"figure_trial={self.figure_trial} is out of range: must be < n_trials={self.n_trials}")
        for model in self.models:
            family, proj = MODELS[model]
            if proj and getattr(self, family).tf_dim_projections < 2 * self.n_letters:
                raise ConfigError(f"{family}.tf_dim_projections={getattr(self, family).tf_dim_projections} is too "
                                  f"small for model {model!r}: input projections need >= 2 n_letters = "
                                  f"{2 * self.n_letters} hidden units")


def tf_dim(cfg: CaseSequenceConfig, model: str) -> int:
    """Hidden units of a model's MHN (0 for the baselines)."""
    family, proj = MODELS[model]
    if family == "baseline":
        return 0
    group = getattr(cfg, family)
    return group.tf_dim_projections if proj else group.tf_dim
