"""Model values set against reference measurements (:mod:`biokv.data.biodata`), one row per pair.

A model value is compared with every reference row of the same quantity and region (and species, if given):
the packaged measurements and the user's own. The verdict is ``yes`` or ``no`` only when the reference states a
range (``low <= value <= high``, nothing looser); otherwise it says why there is none: a single value without a
range, a qualitative finding, or a unit that differs from the model's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from biokv.data import biodata

__all__ = ["VERDICTS", "ComparisonRow", "compare", "comparison_frame", "markdown_table"]

#: every verdict a row can carry
VERDICTS = {"yes": "within the stated range", "no": "outside the stated range",
            "no range": "the reference gives a value without a range: no verdict",
            "finding": "a qualitative finding: compared in words, no verdict",
            "unit differs": "the reference has another unit: no verdict",
            "no value": "the model has no value for this quantity (described in words): no verdict",
            "parameter": "the model value is a parameter (set from the reference or fixed by construction), not an "
                         "output: shown beside the reference, not scored"}


@dataclass(frozen=True)
class ComparisonRow:
    """One model value next to one reference row."""

    quantity: str  #: what the model measured (words)
    model: str  #: which model or backend
    value: float  #: the model value (NaN for a finding compared in words)
    unit: str
    model_text: str  #: the model value as shown in the report
    reference: str  #: the reference value, range and species as shown
    source: str
    status: str
    origin: str  #: ``biokv`` or the user's file
    verdict: str  #: a key of :data:`VERDICTS`


def _number(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1e4 else f"{x:,.0f}"


def _reference_text(row) -> str:
    if row["unit"] == "finding":
        return f"{row['note']} ({row['species']})"
    parts = []
    if not math.isnan(row["value"]):
        parts.append(_number(row["value"]))
    if not math.isnan(row["low"]):
        parts.append(f"[{_number(row['low'])}, {_number(row['high'])}]")
    note = f"; {row['note']}" if row["note"] else ""
    return f"{' '.join(parts)} {row['unit']} ({row['species']}{note})"


def compare(table: pd.DataFrame, quantity: str, region: str, value: float, unit: str, *, model: str,
            label: str | None = None, species: str | None = None, model_text: str | None = None,
            parameter: bool = False) -> list[ComparisonRow]:
    """Compare one model value with every matching reference row.

    Parameters
    ----------
    table : pandas.DataFrame
        A reference table (:func:`biokv.data.biodata.load`).
    quantity, region : str
        The reference quantity and region to match (:func:`biokv.data.biodata.find`).
    value : float
        The model value, in ``unit``; NaN for a result described only in words (``model_text``), which gets the
        verdict ``no value`` against a numeric reference.
    unit : str
        Unit of the model value; a reference row in another unit gets the verdict ``unit differs``.
    model : str
        Which model or backend produced the value (e.g. ``spiking``, ``rate``).
    label : str, optional
        The quantity as shown in the report (default ``quantity, region``).
    species : str, optional
        Only rows of this species.
    model_text : str, optional
        The model value as shown (default: the value with its unit).
    parameter : bool
        The value is a parameter of the model (chosen from the reference, or fixed by construction), not
        something the model produced: every row gets the verdict ``parameter``.

    Returns
    -------
    list of ComparisonRow
        One per matching reference row (none if nothing matches).
    """
    rows = []
    for _, ref in biodata.find(table, quantity=quantity, region=region, species=species).iterrows():
        if parameter:
            verdict = "parameter"
        elif ref["unit"] == "finding":
            verdict = "finding"
        elif ref["unit"] != unit:
            verdict = "unit differs"
        elif math.isnan(float(value)):
            verdict = "no value"
        else:
            inside = biodata.within_range(float(value), ref)
            verdict = "no range" if inside is None else ("yes" if inside else "no")
        shown = model_text if model_text is not None else f"{_number(value)} {unit}"
        rows.append(ComparisonRow(label or f"{quantity}, {region}", model, float(value), unit, shown,
                                  _reference_text(ref), ref["source"], ref["status"], ref.get("origin", ""), verdict))
    return rows


def comparison_frame(rows: list[ComparisonRow]) -> pd.DataFrame:
    """The rows as a table (one column per :class:`ComparisonRow` field)."""
    return pd.DataFrame([r.__dict__ for r in rows], columns=list(ComparisonRow.__dataclass_fields__))


def markdown_table(rows: list[ComparisonRow]) -> str:
    """Markdown table: quantity, model, model value, biology, source, status, within range."""
    lines = ["| quantity | model | model value | biology | source | status | within range |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        source = r.source if r.origin in ("", "biokv") else f"{r.source} ({r.origin})"
        lines.append(f"| {r.quantity} | {r.model} | {r.model_text} | {r.reference} | {source} | {r.status} | "
                     f"{r.verdict} |")
    return "\n".join(lines)
