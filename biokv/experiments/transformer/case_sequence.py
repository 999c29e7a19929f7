"""``case-sequence``: slot-free attention on the Case Sequence Task (Bhandarkar & McClelland 2025, sec. 3, SI B).

Seven models learn the task (:mod:`biokv.core.transformer.task`: ``L = 4`` letters, a context of the 4 letters in a
random order and random cases, then the name of one of them; the target is its case):

* ``baseline``: the minimal transformer (:mod:`biokv.core.transformer.baseline`; sec. 3.2);
* ``fixed``, ``mhn``, ``qk``: the MHN-transformers whose keys, values and items live in the fast weights of a
  1-winner MHN (:mod:`biokv.core.transformer.mhn`; sec. 3.3), with ``W_K`` fixed at its initialisation, trained
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
  :mod:`biokv.core.transformer.baseline`). With it and the paper's other settings, biokv's baseline learns the values
  quickly but the query-key structure slowly (about 85% accuracy after 5000 iterations, 95% after about 7000),
  while the paper reports perfect accuracy. With inverse temperature 1 (model ``baseline-beta1``) every trial is
  perfect and the median accuracy reaches 95% within about 900 iterations. The paper's Table S2 argues for the
  latter: its baseline's query-key gap (on- minus off-diagonal, about 6.3) times ``1 / sqrt(50)`` is a logit gap
  of 0.89, below the ``ln 3 = 1.1`` needed to answer correctly when the three other letters have the other case.
* The MHN models' training output, reported output, W_K rules, temperature, ties and input projections follow
  :mod:`biokv.core.transformer.mhn` (SI B.2.1-B.2.5, B.4).
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

The configuration is in :mod:`biokv.experiments.transformer.config`, the figures in
:mod:`~biokv.experiments.transformer.figures` and the summary in :mod:`~biokv.experiments.transformer.report`; the
similarity matrices and their statistics are computed by :mod:`biokv.core.transformer.structure`.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.common.rng import run_generators
from biokv.core.transformer.baseline import MinimalTransformer
from biokv.core.transformer.mhn import MHNTransformer
from biokv.core.transformer.structure import (SIMILARITIES, STATISTICS, diagonal_statistics, similarity_matrices,
                                              value_case_fraction)
from biokv.core.transformer.task import case_sequence_batches, token_names
from biokv.experiments.transformer.config import LABELS, MODELS, CaseSequenceConfig, tf_dim

__all__ = ["SIMILARITY_TEXT", "build_model", "running_mean", "first_crossing", "smoothed_median", "train",
           "case_sequence"]

STREAM = "case-sequence"
SIMILARITY_TEXT = {"upper-lower keys": "W_K^T W_K, uppercase rows x lowercase columns (Table S1)",
                   "query-lower keys": "W_Q^T W_K, letter-name rows x lowercase columns (Table S2)",
                   "query-upper keys": "W_Q^T W_K, letter-name rows x uppercase columns (Table S3)"}


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


def smoothed_median(ds: xr.Dataset, variable: str, model: str) -> np.ndarray:
    """Median over trials of ``variable`` (``accuracy`` or ``loss``) of one model by iteration, as a running mean
    over the result's ``smooth_window`` iterations (Fig. 7B, S11B)."""
    return running_mean(ds[variable].sel(model=model).median("trial").values, int(ds.attrs["smooth_window"]))


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


def _model_result(cfg: CaseSequenceConfig, name: str, model, acc, loss, stored, seconds: float) -> xr.Dataset:
    """One trained model's curves, final weights and their statistics, with a ``model`` axis of length 1."""
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


def _combined_result(done: list, cfg: CaseSequenceConfig, start: float) -> xr.Dataset:
    """The results of the models trained so far, along ``model``, with coordinates, descriptions and settings."""
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
        done.append(_model_result(cfg, name, model, acc, loss, stored, time.perf_counter() - t0))
        ctx.checkpoint(_combined_result(done, cfg, start))
    return _combined_result(done, cfg, start)
