"""The summary matrix (/measures/summary): every open organisation × every measure, each cell the
"Making Data Count" icons of that organisation's chart, linked to it; its filters and download."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import delete, select

from tests.factories import SHIFTED, STEADY, add_values
from tests.helpers import page_text, rows_of
from tracker.core import spc as core
from tracker.models import Ambition, Measure, MeasureValue, Organisation, Rebase, Ward, WardService

URL = "/measures/summary"


def set_target(session, code: str, target: float | None) -> None:
    session.scalar(select(Measure).filter_by(code=code)).target = target
    session.commit()


def cell(markup: str, measure: str, ods: str) -> str:
    """The text of one cell: the row of the organisation (by its ODS code), the column of the measure (by name)."""
    table = markup[markup.index("<table") : markup.index("</table>")]
    headings = [page_text(h) for h in re.findall(r'<th class="nhsuk-table__header" scope="col">(.*?)</th>', table)]
    for row in rows_of(table):
        if f"({ods})" in row[0]:
            return row[next(i for i, h in enumerate(headings) if h == measure or h.startswith(f"{measure} ("))]
    raise AssertionError(f"no row for {ods}")


def test_a_shift_down_in_a_measure_where_lower_is_better_shows_improvement(signed_in, seeded):
    add_values(seeded, "RP-RESTRAINT", "RNU", SHIFTED)
    add_values(seeded, "RP-RESTRAINT", "RWX", STEADY * 2)
    expected = core.spc([float(r) for r in SHIFTED], improvement="decrease")
    assert expected.variation_icon == "improvement_low"  # the reference's reading of this series
    markup = signed_in("trust").get(URL).get_data(as_text=True)
    assert cell(markup, "Restraint", "RNU") == (
        "Chart of restraint at Oxford Health NHS Foundation Trust: Improvement (lower), No target, 24 months to December 2024"
    )
    assert "Common cause" in cell(markup, "Restraint", "RWX")
    assert 'href="/measures/RP-RESTRAINT/chart?organisation=RNU"' in markup
    assert (
        cell(markup, "Prone restraint", "RNU") == "No values of prone restraint at Oxford Health NHS Foundation Trust"
    )


@pytest.mark.parametrize(
    ("target", "assurance"),
    [
        (45.0, "Target: pass"),  # above the upper limit, and lower is better: every month passes
        (15.0, "Target: fail"),  # below the lower limit: every month fails
        (30.5, "Target: hit and miss"),  # between the limits
    ],
)
def test_a_target_beyond_the_limits_passes_or_fails(signed_in, seeded, target, assurance):
    add_values(seeded, "RP-SECLUSION", "RNU", STEADY * 2)
    set_target(seeded, "RP-SECLUSION", target)
    result = core.spc([float(r) for r in STEADY * 2], improvement="decrease", target=target)
    last = result.points[-1]
    assert last.lpl < 30.5 < last.upl and last.lpl > 15 and last.upl < 45  # the limits the cases rely on
    markup = signed_in("faculty").get(URL).get_data(as_text=True)
    assert f"Common cause, {assurance}, 24 months" in cell(markup, "Seclusion", "RNU")


def test_a_rebase_on_the_organisations_chart_starts_its_limits_afresh(signed_in, seeded):
    add_values(seeded, "RP-RESTRAINT", "RNU", SHIFTED)
    add_values(seeded, "RP-RESTRAINT", "RWX", SHIFTED)
    measure = seeded.scalar(select(Measure).filter_by(code="RP-RESTRAINT"))
    rnu, rwx = (seeded.scalar(select(Organisation).filter_by(ods_code=ods)) for ods in ("RNU", "RWX"))
    shift = date(2024, 1, 1)  # the first month of SHIFTED's second year
    seeded.add_all(
        [
            Rebase(measure=measure, organisation=rnu, month=shift, reason="Implemented RP-01"),
            Rebase(measure=measure, month=shift, reason="The collaborative's chart only"),
            Rebase(measure=measure, network=rwx.network, month=shift, reason="The network's chart only"),
        ]
    )
    seeded.commit()
    markup = signed_in("manager").get(URL).get_data(as_text=True)
    assert "Common cause" in cell(markup, "Restraint", "RNU")  # the second year judged on its own limits
    assert "Improvement (lower)" in cell(markup, "Restraint", "RWX")  # other charts' rebases are not its own


def test_an_organisation_recording_per_ward_shows_the_sum_of_its_wards(signed_in, seeded):
    rnu = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    wards = [Ward(organisation=rnu, name=name, service=WardService.ADULT_ACUTE) for name in ("Ash", "Elm")]
    seeded.add_all(wards)
    seeded.commit()
    for ward in wards:  # each ward half the bed days and half the incidents: the same rates when summed
        add_values(seeded, "RP-RT", "RNU", [r / 2 for r in SHIFTED], ward=ward)
    markup = signed_in("trust").get(URL).get_data(as_text=True)
    assert "Improvement (lower), No target, 24 months to December 2024" in cell(markup, "Rapid tranquillisation", "RNU")


def test_the_filters_narrow_the_organisations_and_the_measures(signed_in, seeded):
    ambition = seeded.scalar(select(Ambition).filter_by(code="SS"))
    seeded.add(
        Measure(
            code="SS-STAFF",
            ambition=ambition,
            name="Safe staffing incidents",
            kind="balancing",
            unit="incidents",
            numerator="Safe staffing incidents",
            direction="decrease",
        )
    )
    seeded.commit()
    client = signed_in("manager")
    markup = client.get(URL).get_data(as_text=True)
    everyone = {row[0] for row in rows_of(markup[markup.index("<table") :])}
    assert len(everyone) == 13 and not any("(R1C)" in name for name in everyone)  # Solent closed in 2024
    assert "Safe staffing incidents" in markup
    markup = client.get(f"{URL}?network=oxf&ambition=RP").get_data(as_text=True)
    assert [row[0] for row in rows_of(markup[markup.index("<table") :])] == [
        "Berkshire Healthcare NHS Foundation Trust (RWX)",
        "Oxford Health NHS Foundation Trust (RNU)",
    ]
    assert "Safe staffing incidents" not in markup and "Restraint" in markup
    assert '<option value="OXF" selected>' in markup and '<option value="RP" selected>' in markup
    assert (
        "Variation and assurance of each chart, Health Innovation Oxford and Thames Valley, reduce restrictive practice"
        in page_text(markup)
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("network=ZZZ", "No network has the code ZZZ: choose a network from the list"),
        ("ambition=nope", "No ambition has the code NOPE: choose an ambition from the list"),
    ],
)
def test_an_unknown_code_is_named_and_nothing_is_shown(signed_in, seeded, query, message):
    client = signed_in("trust")
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    markup = response.get_data(as_text=True)
    assert "There is a problem" in markup and message in markup and "<table" not in markup
    download = client.get(f"/measures/summary.csv?{query}")
    assert download.status_code == 400 and message in download.get_data(as_text=True)


@pytest.mark.parametrize("role", ["trust", "faculty", "manager", "admin"])
def test_every_role_sees_the_same_matrix(signed_in, seeded, role):
    add_values(seeded, "RP-RESTRAINT", "RXY", SHIFTED)
    response = signed_in(role).get(f"{URL}?network=KSS")
    assert response.status_code == 200
    assert "Improvement (lower)" in cell(response.get_data(as_text=True), "Restraint", "RXY")


def test_the_download_holds_a_row_per_organisation_and_measure(signed_in, seeded):
    add_values(seeded, "RP-RESTRAINT", "RNU", SHIFTED)
    set_target(seeded, "RP-RESTRAINT", 45.0)
    client = signed_in("trust")
    response = client.get("/measures/summary.csv?network=OXF&ambition=RP")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="measures-summary-OXF-RP-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == [
        "ods_code",
        "organisation",
        "network_code",
        "measure_code",
        "measure",
        "variation_icon",
        "assurance_icon",
        "months_with_values",
        "last_month",
    ]
    assert len(rows) == 1 + 2 * 5
    assert rows[-5][:5] == ["RNU", "Oxford Health NHS Foundation Trust", "OXF", "RP-RESTRAINT", "Restraint"]
    assert rows[-5][5:] == ["improvement_low", "pass", "24", "2024-12-01"]
    assert rows[-4][5:] == ["", "", "0", ""]  # no values of prone restraint
    xlsx = client.get("/measures/summary.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def _fill(session, organisations: list[str], months: int) -> None:
    """Values of three measures for each organisation over the months, a ward's values and a rebase (afresh)."""
    session.execute(delete(MeasureValue))
    rnu = session.scalar(select(Organisation).filter_by(ods_code="RNU"))
    ward = session.scalar(select(Ward).filter_by(name="Ward 1")) or Ward(
        organisation=rnu, name="Ward 1", service=WardService.PICU
    )
    session.add(ward)
    session.commit()
    for k, ods in enumerate(organisations):
        for code in ("RP-RESTRAINT", "RP-PRONE", "RP-RT"):
            add_values(session, code, ods, [20 + (i * 7 + k) % 9 for i in range(months)])
    add_values(session, "RP-SECLUSION", "RNU", [5 + i % 3 for i in range(months)], ward=ward)


def test_statements_do_not_grow_with_organisations_or_months(seeded, signed_in, statement_counter):
    measure = seeded.scalar(select(Measure).filter_by(code="RP-RESTRAINT"))
    rnu = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    seeded.add(Rebase(measure=measure, organisation=rnu, month=date(2023, 7, 1), reason="A rebase to read"))
    seeded.commit()
    client = signed_in("manager")
    counts = {}
    for organisations, months in ((2, 12), (6, 12), (2, 36), (6, 36)):
        _fill(seeded, ["RNU", "RWX", "RW1", "RDY", "RX2", "RXX"][:organisations], months)
        with statement_counter() as statements:
            markup = client.get(URL).get_data(as_text=True)
        assert markup.count("app-summary-link") == 3 * organisations + 1
        counts[organisations, months] = len(statements)
    assert len(set(counts.values())) == 1, counts
