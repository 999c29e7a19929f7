"""Markdown summary and headline metrics of ``ca3-completion``, each from its result Dataset alone."""

from __future__ import annotations

import numpy as np
import xarray as xr

from biokv.io.results import provenance_line

__all__ = ["ca3_completion_report", "ca3_completion_headline", "ca3_completion_sentence",
           "ca3_separation_sentence", "identity_side"]


def _ci(mean, half, sign: bool = False) -> str:
    if not np.isfinite(mean):
        return "nan"
    text = f"{float(mean):+.3f}" if sign else f"{float(mean):.3f}"
    return text if not np.isfinite(half) else f"{text} ± {float(half):.3f}"


def identity_side(mean: float, half: float) -> str:
    """Where a mean output-minus-input correlation lies relative to the identity line: ``above`` (completion) or
    ``below`` (separation) when its 95% CI excludes 0, ``on the line`` when it includes 0, ``above?`` /
    ``below?`` by the sign of the mean alone when there is no CI (one network or seed), ``undefined`` without a
    mean (e.g. no CA3 cell fired)."""
    if not np.isfinite(mean):
        return "undefined"
    if not np.isfinite(half):
        return "above?" if mean > 0 else "below?" if mean < 0 else "on the line"
    if mean - half > 0:
        return "above"
    if mean + half < 0:
        return "below"
    return "on the line"


def ca3_completion_sentence(ds: xr.Dataset) -> str:
    """One line: recall accuracy and CA3 completion at the lowest cue level with the recurrents on and off, in
    each backend."""
    cue = float(ds.cue.min())
    parts = []
    for b in ds.backend.values:
        a, c = ds["accuracy_mean"].sel(backend=b, cue=cue), ds["completion_mean"].sel(backend=b, cue=cue)
        g = ds["accuracy_gain_mean"].sel(backend=b, cue=cue)
        gh = ds["accuracy_gain_ci95"].sel(backend=b, cue=cue)
        parts.append(f"{b}: recall {float(a.sel(recurrents='on')):.2f} on vs {float(a.sel(recurrents='off')):.2f} "
                     f"off ({_ci(g, gh, sign=True)}), CA3 completion {float(c.sel(recurrents='on')):.2f} vs "
                     f"{float(c.sel(recurrents='off')):.2f}")
    return f"CA3 recurrents at {cue:g} cues -- " + "; ".join(parts) + "."


def _near_half(ds: xr.Dataset, backend: str) -> float:
    """The morph level whose mean input correlation in ``backend`` is closest to 0.5."""
    x = ds["input_correlation_mean"].sel(backend=backend)
    return float(ds.morph[int(np.nanargmin(np.abs(x.values - 0.5)))])


def ca3_separation_sentence(ds: xr.Dataset) -> str:
    """One line: at the morph level with input correlation closest to 0.5, the rate twin's DG correlation, CA3
    correlation at encoding and at recall (recurrents on and off), with the side of the identity line."""
    m = _near_half(ds, "rate")
    r = dict(backend="rate", morph=m)
    x = float(ds["input_correlation_mean"].sel(**r))
    dg = float(ds["dg_correlation_mean"].sel(**r))
    dg_side = identity_side(float(ds["dg_minus_input_mean"].sel(**r)), float(ds["dg_minus_input_ci95"].sel(**r)))
    enc, rec = ds["encoding_correlation_mean"].sel(**r), ds["output_correlation_mean"].sel(**r)
    side = {name: identity_side(float(ds[f"{name}_mean"].sel(**r, recurrents="on")),
                                float(ds[f"{name}_ci95"].sel(**r, recurrents="on")))
            for name in ("encoding_minus_input", "output_minus_input")}  # recurrents on
    return (f"Morphed keys at input correlation {x:.2f} (rate twin) -- DG {dg:.2f} ({dg_side} the identity); CA3 "
            f"encoding them as new memories {float(enc.sel(recurrents='on')):.2f} on / "
            f"{float(enc.sel(recurrents='off')):.2f} off ({side['encoding_minus_input']}, on); CA3 recalling from them "
            f"{float(rec.sel(recurrents='on')):.2f} on / {float(rec.sel(recurrents='off')):.2f} off "
            f"({side['output_minus_input']}, on).")


def ca3_completion_report(ds: xr.Dataset) -> str:
    """Markdown summary: the headline sentences, recall accuracy and CA3 completion per cue level with the
    recurrents on and off, the CA3 output at recall against EC input correlation of morphed cues per morph level
    with its side of the identity line, and in encoding mode the DG and CA3 correlations with theirs."""
    samples = f"{ds.attrs['runs']} rate-twin networks"
    if "spiking" in ds.backend.values:
        samples += (f"; spiking network (device `{ds.attrs['device']}`) on network 0 with {ds.attrs['seeds']} "
                    f"pattern and noise seeds, {ds.attrs['spiking_wall_s']:.0f} s of simulation")
    else:
        samples += "; spiking network not run (seeds = 0)"
    lines = ["# Pattern completion by the CA3 recurrent collaterals", "",
             f"**{ca3_completion_sentence(ds)}**", "", f"**{ca3_separation_sentence(ds)}**", "",
             f"Seed {ds.attrs.get('seed')}, {ds.attrs['n_pairs']} key -> value pairs; {samples}. Recurrents off: "
             "gain 0 on the recurrent projection at encoding and recall, on the same networks, patterns and (spiking) "
             "Poisson streams. Mean over networks / seeds of the mean over pairs, ± the half-width of the 95% t "
             "confidence interval; on - off is the paired difference.", "",
             "## Recall from partial cues", "",
             "Recall accuracy = overlap(recalled value, stored value) / s; CA3 completion = overlap(CA3 code at "
             "recall, stored CA3 code) / k (spiking: the at most k CA3 cells with the most spikes in a slot, of "
             "those that fired).", "",
             "| backend | cue | recall (on) | recall (off) | on - off | CA3 completion (on) | CA3 completion (off) | "
             "on - off |", "|---|---|---|---|---|---|---|---|"]
    for b in ds.backend.values:
        for cue in ds.cue.values:
            a, ah = ds["accuracy_mean"].sel(backend=b, cue=cue), ds["accuracy_ci95"].sel(backend=b, cue=cue)
            c, ch = ds["completion_mean"].sel(backend=b, cue=cue), ds["completion_ci95"].sel(backend=b, cue=cue)
            cells = [_ci(a.sel(recurrents=r), ah.sel(recurrents=r)) for r in ("on", "off")]
            cells.append(_ci(ds["accuracy_gain_mean"].sel(backend=b, cue=cue),
                             ds["accuracy_gain_ci95"].sel(backend=b, cue=cue), sign=True))
            cells += [_ci(c.sel(recurrents=r), ch.sel(recurrents=r)) for r in ("on", "off")]
            cells.append(_ci(ds["completion_gain_mean"].sel(backend=b, cue=cue),
                             ds["completion_gain_ci95"].sel(backend=b, cue=cue), sign=True))
            lines.append(f"| {b} | {cue:g} | " + " | ".join(cells) + " |")
    if "rate_iterations" in ds:
        it = ds["rate_iterations"].sel(recurrents="on").mean(("run", "pair"))
        lines += ["", "Rate twin, iterations of the recurrent dynamics with the recurrents on (at most "
                  f"{ds.attrs['rate_steps']}): " + ", ".join(f"{float(v):.1f} at {c:g}" for c, v in
                                                             zip(ds.cue.values, it.values)) + "."]
    if "spiking_ca3_fired" in ds:
        f = ds["spiking_ca3_fired"].mean(("seed", "pair"))
        lines += ["", f"Spiking CA3 cells that fired per recall slot (k = {ds.attrs['k_ca3']}): " + "; ".join(
            f"{r}: " + ", ".join(f"{float(v):.1f} at {c:g}" for c, v in zip(ds.cue.values, f.sel(recurrents=r).values))
            for r in ds.recurrents.values) + "."]
    lines += ["", "## Recall mode: CA3 output against EC input correlation (morphed cues, weights frozen)", "",
              "A morph replaces a fraction of the key's active EC cells by random other cells. Above the identity "
              "line (output - input > 0, CI excluding 0): completion; below: separation.", "",
              "| backend | morph | input correlation | output (on) | output (off) | output - input (on) | side (on) | "
              "output - input (off) | side (off) |", "|---|---|---|---|---|---|---|---|---|"]
    for b in ds.backend.values:
        for m in ds.morph.values:
            x = _ci(ds["input_correlation_mean"].sel(backend=b, morph=m), ds["input_correlation_ci95"].sel(
                backend=b, morph=m))
            cells = [x]
            out, oh = (ds[f"output_correlation_{s}"].sel(backend=b, morph=m) for s in ("mean", "ci95"))
            cells += [_ci(out.sel(recurrents=r), oh.sel(recurrents=r)) for r in ("on", "off")]
            for r in ("on", "off"):
                d = float(ds["output_minus_input_mean"].sel(backend=b, morph=m, recurrents=r))
                dh = float(ds["output_minus_input_ci95"].sel(backend=b, morph=m, recurrents=r))
                cells += [_ci(d, dh, sign=True), identity_side(d, dh)]
            lines.append(f"| {b} | {m:g} | " + " | ".join(cells) + " |")
    lines += ["", "## Encoding mode: morphed keys stored as new memories", "",
              "After the pairs are stored, each morph is encoded as a new memory (plasticity on, acetylcholine at "
              "its encoding level, DG and mossy fibres active) into its own copy of the trained network, so that "
              "the morphs do not interfere; its CA3 code is compared with the key's stored CA3 code, its DG code "
              "with the key's DG code (fixed EC -> DG weights). Theory (Guzowski, Knierim & Moser 2004; Yassa & "
              "Stark 2011; Rolls 2013): DG below the identity line (separation), CA3 at encoding between DG and "
              "the input. Side: of the identity line, from the 95% CI of the paired difference to the input; "
              "CA3 - DG: paired difference on the same networks / seeds.", "",
              "| backend | morph | input | DG | side | CA3 enc (on) | side | CA3 enc - DG (on) | CA3 enc (off) | "
              "side | CA3 recall (on) | CA3 recall (off) |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for b in ds.backend.values:
        for m in ds.morph.values:
            sel = dict(backend=b, morph=m)

            def ci(name, **extra):
                return _ci(ds[f"{name}_mean"].sel(**sel, **extra), ds[f"{name}_ci95"].sel(**sel, **extra))

            def side(name, **extra):
                return identity_side(float(ds[f"{name}_mean"].sel(**sel, **extra)),
                                     float(ds[f"{name}_ci95"].sel(**sel, **extra)))

            cells = [ci("input_correlation"), ci("dg_correlation"), side("dg_minus_input"),
                     ci("encoding_correlation", recurrents="on"), side("encoding_minus_input", recurrents="on"),
                     _ci(ds["encoding_minus_dg_mean"].sel(**sel, recurrents="on"),
                         ds["encoding_minus_dg_ci95"].sel(**sel, recurrents="on"), sign=True),
                     ci("encoding_correlation", recurrents="off"), side("encoding_minus_input", recurrents="off"),
                     ci("output_correlation", recurrents="on"), ci("output_correlation", recurrents="off")]
            lines.append(f"| {b} | {m:g} | " + " | ".join(cells) + " |")
    if "spiking" in ds.backend.values:
        lines += ["", "Spiking network: the morphs are presented at recall only (plasticity off), so the CA3 code "
                  "at encoding is not measured (it would take further simulations); the DG code of a morph is read "
                  "in its recall slot (EC -> DG transmits alike at encoding and recall) against the key's in its "
                  "encoding slot, every granule cell that fired."]
    lines += ["", "Figures: `completion_by_cue`, `separation_completion` (both modes).", "",
              f"Run time {ds.attrs['elapsed_s']:.0f} s (rate twin {ds.attrs['rate_wall_s']:.1f} s).", "",
              provenance_line(ds), ""]
    return "\n".join(lines)


def ca3_completion_headline(ds: xr.Dataset) -> xr.Dataset:
    """Recall accuracy and CA3 completion per backend, condition and cue level, their on - off differences, and
    per morph level the CA3 output (recall) minus input, DG minus input and CA3 at encoding minus input
    correlation."""
    out = xr.Dataset({name: ds[f"{name}_mean"] for name in ("accuracy", "accuracy_gain", "completion",
                                                              "completion_gain", "output_minus_input",
                                                              "dg_minus_input", "encoding_minus_input")})
    for name in out:
        out[name].attrs["description"] = ds[f"{name}_mean"].attrs.get("description", "")
    return out
