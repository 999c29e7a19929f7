import math

import pytest

from biokv.data import biodata

HEADER = ",".join(biodata.COLUMNS)


def test_packaged_reference_loads_and_every_row_is_valid():
    table = biodata.load()
    assert len(table) > 80 and set(table["status"]) == {"V", "S", "U"}
    assert (table["source"] != "").all() and table["status"].isin(["V", "S", "U"]).all()
    ranged = table.dropna(subset=["low", "high", "value"])
    assert len(ranged) > 0 and ((ranged["low"] <= ranged["value"]) & (ranged["value"] <= ranged["high"])).all()
    numbers = table[table["unit"] != "finding"]
    assert (numbers["value"].notna() | (numbers["low"].notna() & numbers["high"].notna())).all()


def test_find_by_quantity_region_and_species():
    table = biodata.load()
    dg = biodata.find(table, quantity="active_fraction", region="DG", species="rat")
    assert sorted(dg["value"]) == [0.02, 0.025]
    assert set(biodata.find(table, quantity="pyramidal_cells", region="CA3")["species"]) == {"rat"}
    assert "CA3 and CA1" in set(biodata.find(table, region="CA3")["region"])
    assert "CA3-2" not in set(biodata.find(table, region="CA3")["region"])


def test_within_range_uses_only_the_stated_range():
    table = biodata.load()
    row = biodata.find(table, quantity="firing_rate", region="DG").iloc[0]  # 0 - 0.5 Hz
    assert biodata.within_range(0.3, row) is True
    assert biodata.within_range(0.51, row) is False
    single = biodata.find(table, quantity="active_fraction", region="CA3", species="rat").iloc[0]  # 0.23, no range
    assert biodata.within_range(0.23, single) is None


def test_user_measurements_are_added_and_compared(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(HEADER + "\nactive_fraction,CA3,rat,0.05,0.03,0.07,fraction,my lab 2026,V,\n")
    table = biodata.load(extra=path)
    mine = biodata.find(table, quantity="active_fraction", region="CA3")
    mine = mine[mine["origin"] == "mine.csv"].iloc[0]
    assert biodata.within_range(0.06, mine) is True and biodata.within_range(0.08, mine) is False
    only = biodata.load(extra=[path], packaged=False)
    assert len(only) == 1


@pytest.mark.parametrize("row, message", [
    ("q,CA3,rat,5,6,7,Hz,src,V,", r"row 2 \(q, CA3\): value=5.0 lies outside its range \[6.0, 7.0\]"),
    ("q,CA3,rat,5,,,Hz,,V,", "source is empty"),
    ("q,CA3,rat,5,,,Hz,src,X,", "status 'X' must be one of V, S, U"),
    ("q,CA3,rat,,,,Hz,src,V,", "needs a value or a range"),
    ("q,CA3,rat,,3,,Hz,src,V,", "a range needs both low and high"),
    ("q,CA3,rat,,7,3,Hz,src,V,", "low=7.0 is above high=3.0"),
    ("q,CA3,rat,abc,,,Hz,src,V,", "column 'value' must hold numbers"),
    ("q,CA3,rat,1,,,finding,src,V,x", "a finding .* has no numbers"),
])
def test_bad_rows_are_rejected_with_the_row_and_the_problem(tmp_path, row, message):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\n" + row + "\n")
    with pytest.raises(ValueError, match=message):
        biodata.load(extra=path)


def test_missing_file_and_columns(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        biodata.load(extra=tmp_path / "none.csv")
    path = tmp_path / "cols.csv"
    path.write_text("quantity,value\nq,1\n")
    with pytest.raises(ValueError, match="missing columns"):
        biodata.load(extra=path)
    assert math.isnan(float(biodata.load()["low"].iloc[0]))
