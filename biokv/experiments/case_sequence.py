"""``case-sequence``: slot-free attention on the Case Sequence Task (Bhandarkar & McClelland 2025, sec. 3, SI B).

Seven models learn the task (:mod:`biokv.core.case_sequence`: ``L = 4`` letters, a context of the 4 letters in a
random order and random cases, then the name of one of them; the target is its case):

* ``baseline``: the minimal transformer (:mod:`biokv.core.transformer`; sec. 3.2);
* ``fixed``, ``mhn``, ``qk``: the MHN-transformers whose keys, values and items live in the fast weights of a
  1-winner MHN (:mod:`biokv.core.mhn_transformer`; sec. 3.3), with ``W_K`` fixed at its initialisation, trained
  through the MHN, or trained by query-key alignment (the QK-MHN-transformer);
* ``fixed-proj``, ``mhn-proj``, ``qk-proj``: the same with input projections (sec. 3.3.2, SI B.2.4).

An eighth model, ``baseline-beta1`` (not run by default), is the baseline with softmax inverse temperature 1
instead of ``1 / sqrt(k_dim)``: the temperature of the MHN query step and of Theorem 7 (SI B.5.2).

Each model is trained for ``n_iterations`` iterations on fresh batches of 64 sequences in ``n_trials``
independent trials (batched over trials). Recorded per iteration and trial: the batch accuracy and loss (of the
MHN output for the MHN models, SI B.2.5) and, for the MHN models, the fraction of context items held by distinct
hidden units. From these: the final accuracy (mean over the last ``final_window`` iterations; Fig. 7A), the median
accuracy and loss curves (Fig. 7B, S11) and the number of iterations until the median accuracy (running mean over
``smooth_window`` iterations) reaches ``threshold``. From the final weights: the statistics of Tables S1-S3
(SI B.3.2) of three similarity matrices,

* upper-lowercase keys: ``W_K^T W_K`` restricted to uppercase rows and lowercase columns (letter order on both),
* queries-lowercase keys and queries-uppercase keys: ``W_Q^T W_K`` restricted to the letter-name (query) rows and
  the lowercase or uppercase columns,

namely, per trial, the mean and the range (max - min) of the diagonal (same letter) and of the off-diagonal
entries, then averaged over trials. The text copy defines the ranges ambiguously ("the mean and the range of the
d_i's"); biokv takes the range within each trial's matrix, averaged over trials, which is what the paper's
Fixed-``W_K`` rows show: with ``W_K`` entries ``N(0, 1/k_dim)`` the key dot products have standard deviation
``sqrt(1/k_dim) = 0.141``, so the expected range of 4 diagonal entries is ``2.06 x 0.141 = 0.29`` and of 12
off-diagonal entries ``3.26 x 0.141 = 0.46`` (paper: 0.280 and 0.470), while the range over 10 trials of the
per-trial means would be about 0.22 and 0.13.

Readings of the paper where its text copy is incomplete (its formulas and many numbers are lost):

* Values whose numbers are lost (k_dim 50, tf_dim 10 for the Fixed-W_K family and 16 for the others, batch 64,
  5000 iterations, 10 trials, the initial weight ranges) are biokv's reading; the Fixed-W_K rows of Table S1
  (above) fit k_dim 50 with ``W_K`` entries ``N(0, 1/k_dim)``, and the learning rates are legible (SI B.2.5).
* SI B.2.5 gives one MHN size per family "with and without input projections": the projected models use the same
  ``tf_dim`` as the plain ones by default (``tf_dim_projections``; it must be at least ``2 L``).
* The baseline's softmax has inverse temperature ``1 / sqrt(k_dim)`` (SI B.4 and Theorem 7; see
  :mod:`biokv.core.transformer`). With it and the paper's other settings, biokv's baseline learns the values
  quickly but the query-key structure slowly (about 85% accuracy after 5000 iterations, 95% after about 7000),
  while the paper reports perfect accuracy. With inverse temperature 1 (model ``baseline-beta1``) every trial is
  perfect and the median accuracy reaches 95% within about 900 iterations. The paper's Table S2 argues for the
  latter: its baseline's query-key gap (on- minus off-diagonal, about 6.3) times ``1 / sqrt(50)`` is a logit gap
  of 0.89, below the ``ln 3 = 1.1`` needed to answer correctly when the three other letters have the other case.
* The MHN models' training output, reported output, W_K rules, temperature, ties and input projections follow
  :mod:`biokv.core.mhn_transformer` (SI B.2.1-B.2.5, B.4).
* The reported loss is the squared error ``||y_hat - y||^2`` averaged over the sequences of a batch (SI B.2.5 and
  Eq. S10 average the per-sequence losses; the normalisation inside Eq. S10 is lost).

With the default settings (seed 0, about 3 minutes on 2 cores) the MHN models reproduce the paper's Tables S1-S3
closely (e.g. QK: upper-lowercase keys 7.20 / -1.53 on / off the diagonal, paper 7.19 / -1.42), input projections
raise every variant, the QK model with projections learns fastest (median 95% after about 470 iterations; 8 of 10
trials perfect, the other two lose items to overwriting), and the MHN model with projections rises to 96%, falls
to 86% while its growing keys defeat the projections, and recovers slowly. The baseline with ``1 / sqrt(k_dim)``
does not finish learning the query-key structure within 5000 iterations (85%; see above).

Seeds: every model sees the same batches (stream ``case-sequence:batches``, one generator per trial: a paired
comparison); its initial slow weights come from ``case-sequence:init:<model>`` and the fresh fast weights of its
sequences from ``case-sequence:fast:<model>``, one generator per trial.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from ..config import ConfigError, param  # noqa: E402
from ..core.case_sequence import case_sequence_batches, token_names  # noqa: E402
from ..core.mhn_transformer import MHNTransformer  # noqa: E402
from ..core.random import run_generators  # noqa: E402
from ..core.transformer import MinimalTransformer  # noqa: E402
from ..results import provenance_line  # noqa: E402
from .registry import Experiment, register  # noqa: E402

PAPER = "Bhandarkar & McClelland (2025)"
STREAM = "case-sequence"
# for values whose numbers are lost in the text copy of the paper (formulas and many numbers did not survive)
READ = "the number is lost in the text copy; biokv's reading"

# model -> (family, input projections); the baseline family has no fast weights
MODELS = {"baseline": ("baseline", False), "fixed": ("fixed", False), "mhn": ("mhn", False), "qk": ("qk", False),
          "fixed-proj": ("fixed", True), "mhn-proj": ("mhn", True), "qk-proj": ("qk", True),
          "baseline-beta1": ("baseline", False)}
PAPER_MODELS = ("baseline", "fixed", "mhn", "qk", "fixed-proj", "mhn-proj", "qk-proj")
LABELS = {"baseline": "Baseline", "fixed": "Fixed W_K", "mhn": "MHN", "qk": "QK", "fixed-proj": "Fixed W_K + proj.",
          "mhn-proj": "MHN + proj.", "qk-proj": "QK + proj.", "baseline-beta1": "Baseline, beta 1"}
COLORS = {"baseline": "black", "fixed": "#6baed6", "mhn": "#74c476", "qk": "#fb6a4a", "fixed-proj": "#08306b",
          "mhn-proj": "#00441b", "qk-proj": "#67000d", "baseline-beta1": "0.55"}

SIMILARITIES = ("upper-lower keys", "query-lower keys", "query-upper keys")
SIMILARITY_TEXT = {"upper-lower keys": "W_K^T W_K, uppercase rows x lowercase columns (Table S1)",
                   "query-lower keys": "W_Q^T W_K, letter-name rows x lowercase columns (Table S2)",
                   "query-upper keys": "W_Q^T W_K, letter-name rows x uppercase columns (Table S3)"}
STATISTICS = ("on-diagonal mean", "on-diagonal range", "off-diagonal mean", "off-diagonal range")

# Tables S1-S3 of the paper (SI B.3.2): (on-diagonal mean, range, off-diagonal mean, range), means over 10 trials
PAPER_TABLES = {
    "upper-lower keys": {"baseline": (3.34, 0.323, -1.11, 0.693), "fixed": (0.0563, 0.280, -0.00152, 0.470),
                         "mhn": (-0.0541, 2.22, -1.27, 2.32), "qk": (7.19, 2.07, -1.42, 2.48),
                         "fixed-proj": (0.00806, 0.324, 0.00531, 0.482), "mhn-proj": (0.532, 1.57, -0.933, 2.02),
                         "qk-proj": (7.96, 1.88, -0.916, 2.16)},
    "query-lower keys": {"baseline": (4.73, 0.246, -1.57, 1.11), "fixed": (1.83, 1.06, -0.497, 1.52),
                         "mhn": (4.06, 1.39, -0.126, 2.62), "qk": (7.40, 1.94, -1.32, 1.91),
                         "fixed-proj": (2.58, 0.727, -0.313, 1.64), "mhn-proj": (5.52, 2.83, 0.334, 4.17),
                         "qk-proj": (7.95, 1.89, -0.878, 2.21)},
    "query-upper keys": {"baseline": (4.78, 0.307, -1.59, 1.01), "fixed": (1.89, 1.00, -0.582, 1.35),
                         "mhn": (4.00, 1.91, -0.0940, 2.32), "qk": (7.41, 1.92, -1.33, 1.98),
                         "fixed-proj": (2.90, 0.547, -0.351, 1.76), "mhn-proj": (6.12, 1.10, -0.944, 4.14),
                         "qk-proj": (7.95, 1.89, -0.879, 2.21)},
}


# ---------------------------------------------------------------------------------------------- configuration
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


def build_model(cfg: CaseSequenceConfig, model: str, seed: int):
    """A model's initial state for every trial (slow weights from ``case-sequence:init:<model>``)."""
    rngs = run_generators(seed, f"{STREAM}:init:{model}", range(cfg.n_trials))
    family, proj = MODELS[model]
    if family == "baseline":
        b = cfg.baseline
        m = MinimalTransformer.initialize(rngs, cfg.n_letters, cfg.k_dim, b.learning_rate, b.key_scale, b.value_high)
        if model == "baseline-beta1":
            m.beta = 1.0
        return m
    v = getattr(cfg, family)
    return MHNTransformer.initialize(rngs, cfg.n_letters, cfg.k_dim, tf_dim(cfg, model), family, proj, v.lr_qv,
                                     v.lr_k, v.key_scale, v.value_high, hi_high=cfg.fast.hi_high,
                                     oh_high=cfg.fast.oh_high, reinst_high=cfg.fast.reinst_high)


# ---------------------------------------------------------------------------------------------- analysis
def similarity_matrices(W_Q: np.ndarray, W_K: np.ndarray, n_letters: int) -> np.ndarray:
    """The three similarity matrices of Tables S1-S3, ``(..., 3, L, L)``: upper-lower keys, query-lower keys,
    query-upper keys (rows: uppercase letters or letter names; columns: letters, both in letter order)."""
    L = n_letters
    kk = np.einsum("...kn,...km->...nm", W_K, W_K)
    qk = np.einsum("...kn,...km->...nm", W_Q, W_K)
    return np.stack([kk[..., L:2 * L, :L], qk[..., 2 * L:, :L], qk[..., 2 * L:, L:2 * L]], axis=-3)


def diagonal_statistics(C: np.ndarray) -> np.ndarray:
    """Per matrix ``(..., L, L)``: on-diagonal mean and range, off-diagonal mean and range ``(..., 4)``."""
    L = C.shape[-1]
    diag = np.diagonal(C, axis1=-2, axis2=-1)
    off = C[..., ~np.eye(L, dtype=bool)]
    return np.stack([diag.mean(-1), np.ptp(diag, axis=-1), off.mean(-1), np.ptp(off, axis=-1)], axis=-1)


def running_mean(y: np.ndarray, window: int) -> np.ndarray:
    """Trailing running mean over the last axis (shorter windows at the start)."""
    c = np.cumsum(np.asarray(y, dtype=np.float64), axis=-1)
    out = c.copy()
    out[..., window:] = c[..., window:] - c[..., :-window]
    n = np.minimum(np.arange(1, y.shape[-1] + 1), window)
    return out / n


def first_crossing(curve: np.ndarray, threshold: float) -> float:
    """Iterations (1-based count) until ``curve`` first reaches ``threshold``; NaN if never."""
    hit = np.flatnonzero(np.asarray(curve) >= threshold)
    return float(hit[0] + 1) if hit.size else float("nan")


def value_case_fraction(W_V: np.ndarray, n_letters: int) -> np.ndarray:
    """Fraction of the ``2 L`` letter tokens whose value ``W_V x`` points to the token's case (its larger
    component is the case's output), ``(..., 2, n) -> (...)``."""
    L = n_letters
    case = np.repeat([0, 1], L)
    return np.mean(np.argmax(W_V[..., :2 * L], axis=-2) == case, axis=-1)


# ---------------------------------------------------------------------------------------------- compute
def train(model, batches, n_iterations: int, fast_rngs, progress=None):
    """Train ``model`` on ``batches`` (shape ``(trial, iteration, batch)``); returns accuracy, loss and stored
    fraction ``(trial, iteration)`` (float32; stored is NaN for models without fast weights)."""
    T = model.n_trials
    acc = np.empty((T, n_iterations), dtype=np.float32)
    loss = np.empty((T, n_iterations), dtype=np.float32)
    stored = np.full((T, n_iterations), np.nan, dtype=np.float32)
    iterations = range(n_iterations) if progress is None else progress(range(n_iterations))
    for i in iterations:
        r = model.train_step(batches[:, i], fast_rngs)
        acc[:, i], loss[:, i] = r.accuracy, r.loss
        if r.stored is not None:
            stored[:, i] = r.stored
    return acc, loss, stored


def _model_dataset(cfg: CaseSequenceConfig, name: str, model, acc, loss, stored, seconds: float) -> xr.Dataset:
    L = cfg.n_letters
    stats = diagonal_statistics(similarity_matrices(model.W_Q, model.W_K, L))   # (trial, similarity, statistic)
    w = cfg.final_window
    median = running_mean(np.median(acc, axis=0), cfg.smooth_window)
    ds = xr.Dataset({
        "accuracy": (("trial", "iteration"), acc), "loss": (("trial", "iteration"), loss),
        "stored_fraction": (("trial", "iteration"), stored),
        "W_Q": (("trial", "key", "token"), model.W_Q), "W_K": (("trial", "key", "token"), model.W_K),
        "W_V": (("trial", "output", "token"), model.W_V),
        "final_accuracy": ("trial", acc[:, -w:].astype(np.float64).mean(axis=1)),
        "final_loss": ("trial", loss[:, -w:].astype(np.float64).mean(axis=1)),
        "final_stored_fraction": ("trial", stored[:, -w:].astype(np.float64).mean(axis=1)),
        "iterations_to_threshold": ((), first_crossing(median, cfg.threshold)),
        "peak_median_accuracy": ((), float(median.max())), "peak_iteration": ((), int(np.argmax(median)) + 1),
        "similarity_statistics": (("trial", "similarity", "statistic"), stats),
        "value_case_fraction": ("trial", value_case_fraction(model.W_V, L)),
        "tf_dim": ((), tf_dim(cfg, name)), "input_projections": ((), int(MODELS[name][1])),
        "model_time_s": ((), seconds)})
    return ds.expand_dims(model=[name])


def _finish(done: list, cfg: CaseSequenceConfig, start: float) -> xr.Dataset:
    ds = xr.concat(done, dim="model")
    ds = ds.assign_coords(trial=np.arange(cfg.n_trials), iteration=np.arange(1, cfg.n_iterations + 1),
                          key=np.arange(cfg.k_dim), token=token_names(cfg.n_letters),
                          output=["lowercase", "uppercase"], similarity=list(SIMILARITIES),
                          statistic=list(STATISTICS))
    ds["similarity_table"] = ds["similarity_statistics"].mean("trial")
    ds["label"] = ("model", [LABELS[m] for m in ds.model.values])
    desc = {
        "accuracy": "batch accuracy (arg-max of the output equals the target's; MHN output for the MHN models) "
                    "before the iteration's update (float32)",
        "loss": "batch loss: ||y_hat - y||^2 averaged over the sequences of the batch (float32)",
        "stored_fraction": "fraction of context items held by distinct MHN hidden units at the query, mean over the "
                           "batch (float32; NaN for the baselines)",
        "W_Q": "final query matrix", "W_K": "final key matrix", "W_V": "final value matrix",
        "final_accuracy": f"accuracy, mean over the last {cfg.final_window} iterations",
        "final_loss": f"loss, mean over the last {cfg.final_window} iterations",
        "final_stored_fraction": f"stored fraction, mean over the last {cfg.final_window} iterations",
        "iterations_to_threshold": f"iterations until the median accuracy over trials (running mean over "
                                   f"{cfg.smooth_window} iterations) first reaches {cfg.threshold} (NaN: never)",
        "peak_median_accuracy": f"highest median accuracy over trials (running mean over {cfg.smooth_window} "
                                "iterations)",
        "peak_iteration": "iteration of peak_median_accuracy",
        "similarity_statistics": "per trial: mean and range (max - min) of the diagonal and off-diagonal entries "
                                 "of each similarity matrix (Tables S1-S3)",
        "similarity_table": "similarity_statistics averaged over trials (the entries of Tables S1-S3)",
        "value_case_fraction": "fraction of the letter tokens whose value's larger component is the token's case",
        "tf_dim": "hidden units of the MHN (0: no fast weights)", "input_projections": "1 with input projections",
        "model_time_s": "training time of the model (seconds, all trials)", "label": "model name in the figures"}
    for name, text in desc.items():
        ds[name].attrs["description"] = text
    ds["similarity"].attrs["description"] = "; ".join(f"{k}: {v}" for k, v in SIMILARITY_TEXT.items())
    for name in ("accuracy", "loss", "stored_fraction"):
        ds[name].encoding.update(zlib=True, complevel=4)
    ds.attrs.update(elapsed_s=time.perf_counter() - start, final_window=cfg.final_window, threshold=cfg.threshold,
                    smooth_window=cfg.smooth_window, figure_trial=cfg.figure_trial, n_letters=cfg.n_letters,
                    batch_size=cfg.batch_size)
    return ds


def case_sequence(cfg: CaseSequenceConfig, ctx) -> xr.Dataset:
    """Baseline transformer and MHN-transformers (W_K fixed, trained through the MHN, aligned with the query; with
    and without input projections) on the Case Sequence Task: accuracy and loss curves, final accuracy (Fig. 7),
    learned W_V, Q-K and K-K matrices (Figs. S9, S10) and their diagonal statistics (Tables S1-S3)."""
    start = time.perf_counter()
    batches = case_sequence_batches(run_generators(ctx.seed, f"{STREAM}:batches", range(cfg.n_trials)),
                                    cfg.n_iterations, cfg.batch_size, cfg.n_letters)
    done: list[xr.Dataset] = []
    for name in cfg.models:
        t0 = time.perf_counter()
        model = build_model(cfg, name, ctx.seed)
        fast_rngs = run_generators(ctx.seed, f"{STREAM}:fast:{name}", range(cfg.n_trials))
        acc, loss, stored = train(model, batches, cfg.n_iterations, fast_rngs,
                                  lambda it, name=name: ctx.progress(it, total=cfg.n_iterations, desc=name))
        done.append(_model_dataset(cfg, name, model, acc, loss, stored, time.perf_counter() - t0))
        ctx.checkpoint(_finish(done, cfg, start))
    return _finish(done, cfg, start)


# ---------------------------------------------------------------------------------------------- figures
def _median_curve(ds: xr.Dataset, var: str, model: str) -> np.ndarray:
    return running_mean(ds[var].sel(model=model).median("trial").values, int(ds.attrs["smooth_window"]))


def final_accuracy_figure(ds: xr.Dataset):
    """Fig. 7A: final accuracy of every trial (dots) and the median over trials (line), per model."""
    fig, ax = plt.subplots(figsize=(1.1 * ds.sizes["model"] + 2.5, 4.2))
    rng = np.random.default_rng(0)  # jitter of the dots only
    for i, m in enumerate(ds.model.values):
        y = ds["final_accuracy"].sel(model=m).values
        ax.scatter(i + rng.uniform(-0.15, 0.15, y.size), y, s=18, color=COLORS[m], alpha=0.8, zorder=3)
        ax.plot([i - 0.3, i + 0.3], [np.median(y)] * 2, color="k", lw=2, zorder=4)
    ax.set_xticks(range(ds.sizes["model"]), [LABELS[m] for m in ds.model.values], rotation=30, ha="right")
    ax.set(ylabel=f"accuracy, mean of the last {ds.attrs['final_window']} iterations",
           title="A  final accuracy (dots: trials, line: median)")
    ax.set_ylim(min(0.45, float(ds["final_accuracy"].min()) - 0.02), 1.01)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def accuracy_curves_figure(ds: xr.Dataset):
    """Fig. 7B: median accuracy over trials by iteration (running mean)."""
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for m in ds.model.values:
        ax.plot(ds.iteration, _median_curve(ds, "accuracy", m), color=COLORS[m], lw=1.3, label=LABELS[m])
    ax.axhline(float(ds.attrs["threshold"]), color="0.6", lw=0.8, ls=":")
    ax.set(xlabel="training iteration", ylabel="median accuracy over trials",
           title=f"B  median accuracy (running mean over {ds.attrs['smooth_window']} iterations)", ylim=(0.45, 1.01))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def loss_figure(ds: xr.Dataset):
    """Fig. S11: final loss per trial (A), median loss curves (B) and the fraction of context items stored in
    distinct hidden units (C)."""
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4))
    rng = np.random.default_rng(0)
    for i, m in enumerate(ds.model.values):
        y = ds["final_loss"].sel(model=m).values
        axes[0].scatter(i + rng.uniform(-0.15, 0.15, y.size), y, s=18, color=COLORS[m], alpha=0.8)
        axes[0].plot([i - 0.3, i + 0.3], [np.median(y)] * 2, color="k", lw=2)
        axes[1].plot(ds.iteration, _median_curve(ds, "loss", m), color=COLORS[m], lw=1.2, label=LABELS[m])
        if int(ds["tf_dim"].sel(model=m)) > 0:
            axes[2].plot(ds.iteration, running_mean(ds["stored_fraction"].sel(model=m).mean("trial").values,
                                                    int(ds.attrs["smooth_window"])),
                         color=COLORS[m], lw=1.2, label=LABELS[m])
    axes[0].set_xticks(range(ds.sizes["model"]), [LABELS[m] for m in ds.model.values], rotation=30, ha="right")
    axes[0].set(yscale="log", ylabel=f"loss, mean of the last {ds.attrs['final_window']} iterations",
                title="A  final loss (dots: trials, line: median)")
    axes[1].set(yscale="log", xlabel="training iteration", ylabel="median loss over trials",
                title="B  median loss (running mean)")
    axes[2].set(xlabel="training iteration", ylabel="fraction of context items in distinct units",
                title="C  MHN storage without overwriting (mean over trials)", ylim=(0, 1.02))
    for ax in axes:
        ax.grid(alpha=0.3, which="both")
    axes[1].legend(fontsize=7)
    if axes[2].lines:
        axes[2].legend(fontsize=7)
    fig.tight_layout()
    return fig


def weights_figure(ds: xr.Dataset):
    """Figs. S9, S10: learned W_V, the query-key matrix (W_Q^T W_K, letter-name rows x letter columns) and the
    upper-lowercase key matrix (W_K^T W_K) of one trial, one row per model."""
    trial = int(ds.attrs["figure_trial"])
    L = int(ds.attrs["n_letters"])
    names = list(ds.token.values)
    n_models = ds.sizes["model"]
    fig, axes = plt.subplots(n_models, 3, figsize=(15, 2.3 * n_models + 0.6),
                             gridspec_kw={"width_ratios": [3 * L, 2 * L, L]}, squeeze=False)
    for r, m in enumerate(ds.model.values):
        sub = ds.sel(model=m, trial=trial)
        W_Q, W_K, W_V = sub["W_Q"].values, sub["W_K"].values, sub["W_V"].values
        qk = W_Q.T @ W_K
        kk = W_K.T @ W_K
        panels = ((W_V, names, ["lower", "upper"], "W_V"),
                  (qk[2 * L:, :2 * L], names[:2 * L], names[2 * L:], "queries x keys (W_Q^T W_K)"),
                  (kk[L:2 * L, :L], names[:L], names[L:2 * L], "upper x lower keys (W_K^T W_K)"))
        for c, (mat, xt, yt, title) in enumerate(panels):
            ax = axes[r, c]
            lim = max(float(np.abs(mat).max()), 1e-9)
            im = ax.imshow(mat, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
            ax.set_xticks(range(len(xt)), xt, fontsize=7)
            ax.set_yticks(range(len(yt)), yt, fontsize=7)
            ax.set_title(f"{LABELS[m]}: {title}", fontsize=9)
            fig.colorbar(im, ax=ax, fraction=0.05, pad=0.02)
    fig.suptitle(f"learned matrices, trial {trial}", y=1.0)
    fig.tight_layout()
    return fig


def figures(ds: xr.Dataset) -> dict:
    return {"fig7a_final_accuracy": final_accuracy_figure(ds), "fig7b_accuracy_curves": accuracy_curves_figure(ds),
            "figS11_loss": loss_figure(ds), "figS9_S10_weights": weights_figure(ds)}


# ---------------------------------------------------------------------------------------------- summaries
def headline(ds: xr.Dataset) -> xr.Dataset:
    """Final accuracy (mean, median over trials), iterations to the threshold, final loss, and the key and query
    alignment (on-diagonal minus off-diagonal mean of Tables S1 and S2), per model."""
    t = ds["similarity_table"]
    out = xr.Dataset({
        "final_accuracy_mean": ds["final_accuracy"].mean("trial"),
        "final_accuracy_median": ds["final_accuracy"].median("trial"),
        "iterations_to_threshold": ds["iterations_to_threshold"],
        "final_loss_mean": ds["final_loss"].mean("trial"),
        "key_alignment": t.sel(similarity="upper-lower keys", statistic="on-diagonal mean", drop=True)
        - t.sel(similarity="upper-lower keys", statistic="off-diagonal mean", drop=True),
        "query_alignment": t.sel(similarity="query-lower keys", statistic="on-diagonal mean", drop=True)
        - t.sel(similarity="query-lower keys", statistic="off-diagonal mean", drop=True)})
    text = {"final_accuracy_mean": "final accuracy, mean over trials",
            "final_accuracy_median": "final accuracy, median over trials",
            "iterations_to_threshold": ds["iterations_to_threshold"].attrs.get("description", ""),
            "final_loss_mean": "final loss, mean over trials",
            "key_alignment": "upper-lowercase keys: on-diagonal minus off-diagonal mean (Table S1)",
            "query_alignment": "queries-lowercase keys: on-diagonal minus off-diagonal mean (Table S2)"}
    for name, d in text.items():
        out[name].attrs["description"] = d
    return out


def _fmt(x, digits=3) -> str:
    return "-" if not np.isfinite(x) else f"{x:.{digits}f}"


def _claims(ds: xr.Dataset) -> list[str]:
    """The paper's claims (sec. 3.4, SI B.3), each checked against this result where its models were run."""
    models = set(ds.model.values)
    fa = ds["final_accuracy"]
    t = ds["similarity_table"]
    lines = []

    def acc(m):
        return float(fa.sel(model=m).mean()), float(fa.sel(model=m).min())

    def align(m, sim):
        return float(t.sel(model=m, similarity=sim, statistic="on-diagonal mean")
                     - t.sel(model=m, similarity=sim, statistic="off-diagonal mean"))

    for m in ("baseline", "qk-proj"):
        if m in models:
            mean, low = acc(m)
            lines.append(f"- {LABELS[m]} reaches perfect accuracy: final accuracy mean {mean:.4f}, lowest trial "
                         f"{low:.4f} -> {'yes' if low >= 0.99 else 'no'} (criterion: every trial >= 0.99).")
    if {"baseline", "qk-proj"} <= models:
        b, q = (float(ds["iterations_to_threshold"].sel(model=m)) for m in ("baseline", "qk-proj"))
        faster = np.isfinite(q) and (not np.isfinite(b) or q < b)
        lines.append(f"- {LABELS['qk-proj']} learns faster than the baseline: {_fmt(q, 0)} vs {_fmt(b, 0)} iterations "
                     f"to a median accuracy of {ds.attrs['threshold']} -> {'yes' if faster else 'no'}.")
    for fam in ("fixed", "mhn", "qk"):
        if {fam, f"{fam}-proj"} <= models:
            a, b = acc(fam)[0], acc(f"{fam}-proj")[0]
            lines.append(f"- Input projections raise {LABELS[fam]}: {a:.3f} -> {b:.3f} -> {'yes' if b > a else 'no'}.")
    if "mhn-proj" in models:
        curve = _median_curve(ds, "accuracy", "mhn-proj")
        stored = running_mean(ds["stored_fraction"].sel(model="mhn-proj").mean("trial").values,
                              int(ds.attrs["smooth_window"]))
        i = int(np.argmax(curve[:max(1, curve.size // 2)]))        # the early peak (first half of training)
        j = i + int(np.argmin(curve[i:]))                          # the lowest point after it
        falls = curve[j] < curve[i] - 0.02
        lines.append(f"- {LABELS['mhn-proj']} rises steeply, then falls back (paper: to nearly 100%, then lower) -> "
                     f"{'yes' if falls else 'no'}: the median accuracy (running mean) reaches {curve[i]:.3f} at "
                     f"iteration {i + 1}, " + (f"falls to {curve[j]:.3f} at iteration {j + 1} " if falls else "")
                     + f"and ends at {curve[-1]:.3f}. The fraction of context items in distinct units goes from "
                     f"{stored[0]:.2f} to {stored[j]:.2f} and {stored[-1]:.2f}"
                     + (" (keys of different letters grow similar enough to beat the input projections: items are "
                        "overwritten)." if falls and stored[j] < stored[0] - 0.05 else "."))
    for m in ds.model.values:
        vcf = float(ds["value_case_fraction"].sel(model=m).mean())
        q_l, q_u = align(m, "query-lower keys"), align(m, "query-upper keys")
        k = align(m, "upper-lower keys")
        lines.append(f"- {LABELS[m]}: values encode case for {vcf:.0%} of the letter tokens; queries align with "
                     f"their letter's keys by {q_l:+.2f} (lowercase) / {q_u:+.2f} (uppercase) and upper- with "
                     f"lowercase keys by {k:+.2f} (on- minus off-diagonal mean).")
    return lines


def report(ds: xr.Dataset) -> str:
    cfg = json.loads(ds.attrs["config"])
    lines = ["# Slot-free transformer on the Case Sequence Task (Bhandarkar & McClelland 2025, sec. 3, SI B)", "",
             f"Experiment `{ds.attrs.get('experiment')}`, seed {ds.attrs.get('seed')}: {ds.sizes['trial']} trials "
             f"per model, {ds.sizes['iteration']} iterations of {cfg['batch_size']} fresh sequences, "
             f"{cfg['n_letters']} letters, k_dim {cfg['k_dim']}. Final accuracy and loss: mean over the last "
             f"{ds.attrs['final_window']} iterations. Learning speed: iterations until the median accuracy over "
             f"trials (running mean over {ds.attrs['smooth_window']} iterations) reaches {ds.attrs['threshold']}. "
             f"Run time {ds.attrs.get('elapsed_s', float('nan')):.1f} s.", "",
             "| model | tf_dim | final acc. mean | min | max | median | iterations to threshold | peak median acc. "
             "(iteration) | final loss mean | items in distinct units | time (s) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for m in ds.model.values:
        fa = ds["final_accuracy"].sel(model=m)
        stored = float(ds["final_stored_fraction"].sel(model=m).mean())
        lines.append(f"| {LABELS[m]} | {int(ds['tf_dim'].sel(model=m)) or '-'} | {float(fa.mean()):.4f} | "
                     f"{float(fa.min()):.4f} | {float(fa.max()):.4f} | {float(fa.median()):.4f} | "
                     f"{_fmt(float(ds['iterations_to_threshold'].sel(model=m)), 0)} | "
                     f"{float(ds['peak_median_accuracy'].sel(model=m)):.3f} "
                     f"({int(ds['peak_iteration'].sel(model=m))}) | "
                     f"{float(ds['final_loss'].sel(model=m).mean()):.4f} | {_fmt(stored)} | "
                     f"{float(ds['model_time_s'].sel(model=m)):.1f} |")
    for i, sim in enumerate(SIMILARITIES):
        lines += ["", f"## Table S{i + 1}: {SIMILARITY_TEXT[sim]}", "",
                  "Means over trials of each trial's statistic; ranges are max - min within a trial's matrix. "
                  "Paper: the same statistics in Table S" + str(i + 1) + ".", "",
                  "| model | on-diag. mean | on-diag. range | off-diag. mean | off-diag. range | paper (on mean / "
                  "range / off mean / range) |", "|---|---|---|---|---|---|"]
        for m in ds.model.values:
            v = ds["similarity_table"].sel(model=m, similarity=sim).values
            p = PAPER_TABLES[sim].get(str(m))
            paper = " / ".join(f"{x:.3g}" for x in p) if p else "-"
            lines.append(f"| {LABELS[m]} | " + " | ".join(f"{x:.3f}" for x in v) + f" | {paper} |")
    lines += ["", "## The paper's claims, checked", ""] + _claims(ds)
    lines += ["", "Figures: `fig7a_final_accuracy` (Fig. 7A), `fig7b_accuracy_curves` (Fig. 7B), `figS11_loss` "
              "(Fig. S11 and the MHN storage), `figS9_S10_weights` (learned matrices of trial "
              f"{ds.attrs['figure_trial']}).", "", provenance_line(ds), ""]
    return "\n".join(lines)


register(Experiment("case-sequence", "slot-free attention: baseline transformer vs MHN-transformers on the Case "
                    "Sequence Task (Fig. 7, S9-S11, Tables S1-S3)", CaseSequenceConfig, case_sequence, figures,
                    report, {"n_trials": 3, "n_iterations": 1500, "final_window": 300}, headline))
