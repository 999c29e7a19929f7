import math

import numpy as np
import pytest

from biokv.data import biodata
from biokv.data.comparison import VERDICTS, compare, comparison_frame, markdown_table

HEADER = ",".join(biodata.COLUMNS)


def test_a_value_is_within_range_only_inside_the_stated_range():
    table = biodata.load()
    # CA3 cells contacted by one granule cell: 11-15 (Acsady et al. 1998)
    inside = compare(table, "ca3_cells_per_granule_cell", "DG->CA3", 12, "cells", model="network")
    edge = compare(table, "ca3_cells_per_granule_cell", "DG->CA3", 15, "cells", model="network")
    outside = compare(table, "ca3_cells_per_granule_cell", "DG->CA3", 15.01, "cells", model="network")
    assert [r.verdict for r in inside + edge + outside] == ["yes", "yes", "no"]
    assert inside[0].source.startswith("Acsady") and inside[0].status == "V"
    # a single value (no range) never gets a verdict, however close
    close = compare(table, "active_fraction", "DG", 0.025, "fraction", model="rate", species="rat")
    assert close and {r.verdict for r in close} == {"no range"}


def test_findings_and_other_units_get_no_verdict():
    table = biodata.load()
    rows = compare(table, "forgetting_form", "behaviour", math.nan, "finding", model="rate", model_text="power")
    assert rows[0].verdict == "finding" and "power law" in rows[0].reference
    rows = compare(table, "ca3_cells_per_granule_cell", "DG->CA3", 12, "synapses", model="network")
    assert rows[0].verdict == "unit differs"
    assert set(VERDICTS) >= {r.verdict for r in rows}


def test_a_missing_model_value_gets_no_verdict_even_against_a_range():
    table = biodata.load()
    rows = compare(table, "ca3_cells_per_granule_cell", "DG->CA3", math.nan, "cells", model="network",
                   model_text="undefined")
    assert rows and {r.verdict for r in rows} == {"no value"} and rows[0].model_text == "undefined"
    assert set(VERDICTS) >= {r.verdict for r in rows}


def test_users_measurements_are_compared_too(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(HEADER + "\nactive_fraction,DG,rat,0.04,0.03,0.05,fraction,My lab 2026,V,Arc+ in my rats\n")
    table = biodata.load(extra=path)
    rows = compare(table, "active_fraction", "DG", 0.03, "fraction", model="spiking", species="rat",
                   label="DG cells active")
    mine = [r for r in rows if r.origin == "mine.csv"]
    assert len(mine) == 1 and mine[0].verdict == "yes"
    out = compare(table, "active_fraction", "DG", 0.06, "fraction", model="spiking", species="rat")
    assert [r.verdict for r in out if r.origin == "mine.csv"] == ["no"]
    text = markdown_table(rows)
    assert "My lab 2026 (mine.csv)" in text and "| DG cells active | spiking |" in text
    frame = comparison_frame(rows)
    assert list(frame["verdict"]).count("yes") == 1 and np.isclose(frame["value"], 0.03).all()


def test_nothing_matches_gives_no_rows():
    assert compare(biodata.load(), "no_such_quantity", "DG", 1.0, "Hz", model="rate") == []


@pytest.mark.parametrize("value", [0.0, 0.5])
def test_range_edges_of_granule_cell_rate(value):
    rows = compare(biodata.load(), "firing_rate", "DG", value, "Hz", model="spiking")
    assert [r.verdict for r in rows] == ["yes"]


def test_a_parameter_is_shown_beside_its_reference_and_never_scored():
    table = biodata.load()
    inside = compare(table, "ca3_cells_per_granule_cell", "DG->CA3", 12.0, "cells", model="network")
    assert inside and {r.verdict for r in inside} == {"yes"}  # as an output it would be scored ...
    shown = compare(table, "ca3_cells_per_granule_cell", "DG->CA3", 12.0, "cells", model="network", parameter=True)
    assert [r.reference for r in shown] == [r.reference for r in inside]
    assert {r.verdict for r in shown} == {"parameter"} and "parameter" in VERDICTS  # ... as a parameter it is not
