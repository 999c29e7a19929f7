"""Reference measurements of the hippocampal-neocortical memory system, as a table.

The packaged data set (``biokv/data/biology.csv``) has one row per measurement or published finding:

============  =========================================================================================
column        meaning
============  =========================================================================================
quantity      what was measured (``granule_cells``, ``active_fraction``, ``firing_rate``, ...)
region        brain region or projection (``DG``, ``CA3``, ``EC->CA3``, ``behaviour``, ...)
species       ``rat``, ``mouse``, ``human``; ``(model)`` marks a model-based estimate
value         the reported value (empty when only a range or a qualitative finding is reported)
low, high     the reported range (empty when none is reported; a range always contains the value)
unit          unit of value and range; ``finding`` for a qualitative result (described in ``note``)
source        the publication
status        ``V`` read in the source itself, ``S`` in a secondary source citing it, ``U`` commonly cited,
              not checked in the source
note          conditions, method, or the finding itself
============  =========================================================================================

Users add their own measurements as a CSV with the same columns (:func:`load` with ``extra=``) and compare
against those the same way. A model value is *within range* only when a range is stated and contains it
(:func:`within_range`); a single reported value without a range gives no verdict.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = ["COLUMNS", "STATUSES", "load", "validate", "find", "within_range", "describe_status"]

COLUMNS = ("quantity", "region", "species", "value", "low", "high", "unit", "source", "status", "note")
STATUSES = {"V": "read in the source", "S": "read in a secondary source", "U": "commonly cited, not checked"}
_TEXT = ("quantity", "region", "species", "unit", "source", "status", "note")
_NUMBERS = ("value", "low", "high")


def _read(path) -> pd.DataFrame:
    table = pd.read_csv(path, dtype={c: str for c in _TEXT}, keep_default_na=False, na_values={c: [""] for c in
                                                                                                _NUMBERS})
    return validate(table, str(path))


def validate(table: pd.DataFrame, name: str = "table") -> pd.DataFrame:
    """Check a reference table; the error names the file, the row (as in the CSV, header = 1) and the problem.

    Every row needs a quantity, region, species, unit, source and a status in V/S/U; numbers must be finite;
    ``low <= value <= high`` wherever they are given; a row that is not a finding needs a value or a range.
    """
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{name}: missing columns {missing}; a reference table has the columns {list(COLUMNS)}")
    table = table[list(COLUMNS)].copy()
    for c in _NUMBERS:
        try:
            table[c] = pd.to_numeric(table[c], errors="raise").astype(float)
        except (ValueError, TypeError) as err:
            raise ValueError(f"{name}: column {c!r} must hold numbers or be empty ({err})") from None
    for c in _TEXT:
        table[c] = table[c].fillna("").astype(str).str.strip()
    for i, row in enumerate(table.itertuples(index=False), start=2):
        where = f"{name}, row {i} ({row.quantity or '?'}, {row.region or '?'})"
        for c in ("quantity", "region", "species", "unit", "source"):
            if not getattr(row, c):
                raise ValueError(f"{where}: {c} is empty; every measurement needs one")
        if row.status not in STATUSES:
            raise ValueError(f"{where}: status {row.status!r} must be one of V, S, U")
        numbers = {c: getattr(row, c) for c in _NUMBERS}
        if any(math.isinf(v) for v in numbers.values()):
            raise ValueError(f"{where}: numbers must be finite")
        given = {c: v for c, v in numbers.items() if not math.isnan(v)}
        if row.unit == "finding":
            if given:
                raise ValueError(f"{where}: a finding (unit 'finding') has no numbers; put them in a row with a unit")
            if not row.note:
                raise ValueError(f"{where}: a finding needs its description in note")
            continue
        if not given:
            raise ValueError(f"{where}: a measurement needs a value or a range (low and high)")
        if ("low" in given) != ("high" in given):
            raise ValueError(f"{where}: a range needs both low and high")
        if "low" in given and not given["low"] <= given["high"]:
            raise ValueError(f"{where}: low={given['low']} is above high={given['high']}")
        if "low" in given and "value" in given and not given["low"] <= given["value"] <= given["high"]:
            raise ValueError(f"{where}: value={given['value']} lies outside its range [{given['low']}, "
                             f"{given['high']}]")
    return table


def load(extra=None, packaged: bool = True) -> pd.DataFrame:
    """The reference table: the packaged data set and/or the user's own CSV files (same columns).

    Parameters
    ----------
    extra : path or sequence of paths, optional
        The user's measurements; their rows follow the packaged ones.
    packaged : bool
        Include biokv's data set.

    Returns
    -------
    pandas.DataFrame with the columns :data:`COLUMNS` and a column ``origin`` (``biokv`` or the file name).
    """
    parts = []
    if packaged:
        with resources.as_file(resources.files("biokv") / "data" / "biology.csv") as path:
            parts.append(_read(path).assign(origin="biokv"))
    if extra is not None:
        for path in [extra] if isinstance(extra, (str, Path)) else list(extra):
            if not Path(path).is_file():
                raise FileNotFoundError(f"extra={str(path)!r}: no such file (a CSV with the columns "
                                        f"{', '.join(COLUMNS)})")
            parts.append(_read(path).assign(origin=Path(path).name))
    if not parts:
        raise ValueError("nothing to load: packaged=False and no extra files")
    return pd.concat(parts, ignore_index=True)


def find(table: pd.DataFrame, quantity: str | None = None, region: str | None = None,
         species: str | None = None) -> pd.DataFrame:
    """Rows matching every criterion given (exact, case-insensitive; ``region`` also matches a region that
    lists it, e.g. ``"CA3"`` matches ``"CA3 and CA1"`` but not ``"CA3-2"``)."""
    keep = pd.Series(True, index=table.index)
    if quantity is not None:
        keep &= table["quantity"].str.lower() == quantity.lower()
    if species is not None:
        keep &= table["species"].str.lower() == species.lower()
    if region is not None:
        words = table["region"].str.lower().str.replace(",", " ").str.split()
        keep &= (table["region"].str.lower() == region.lower()) | words.apply(lambda w: region.lower() in w)
    return table[keep]


def within_range(value: float, row) -> bool | None:
    """True if ``low <= value <= high``, False if outside, None when the row states no range (no verdict: a
    single reported value is not turned into a range by any tolerance)."""
    low, high = float(row["low"]), float(row["high"])
    if math.isnan(low) or math.isnan(high) or math.isnan(value):
        return None
    return bool(low <= value <= high)


def describe_status(status: str) -> str:
    """What a verification status means (for reports)."""
    return STATUSES[status]
