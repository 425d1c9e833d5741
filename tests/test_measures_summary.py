"""The summary matrix (/measures/summary): every open organisation × every measure, each cell the
"Making Data Count" icons of that organisation's chart, linked to it; its filters and download."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from tests.helpers import page_text, rows_of
from tracker.core import spc as core
from tracker.core.measures import months_from
from tracker.models import Measure, MeasureValue, Organisation, Ward

URL = "/measures/summary"
START = date(2023, 1, 1)
STEADY = [30, 32, 29, 31, 30, 28, 33, 30, 31, 29, 32, 30]  # rates per 1,000 occupied bed days
SHIFTED = [*STEADY, 20, 21, 19, 22, 20, 18, 21, 20, 19, 21, 20, 22]  # a shift down: 12 months below the mean


def add_values(session, code: str, ods: str, rates, start: date = START, ward: Ward | None = None) -> None:
    """Monthly values whose rate per 1,000 is each of rates (10,000 bed days a month); None skips a month."""
    measure = session.scalar(select(Measure).filter_by(code=code))
    organisation = session.scalar(select(Organisation).filter_by(ods_code=ods))
    months = months_from(start, date(start.year + 10, 1, 1))
    for month, rate in zip(months, rates, strict=False):
        if rate is not None:
            session.add(
                MeasureValue(
                    measure=measure,
                    organisation=organisation,
                    ward=ward,
                    month=month,
                    numerator=rate * 10,
                    denominator=10_000,
                )
            )
    session.commit()


def set_target(session, code: str, target: float | None) -> None:
    session.scalar(select(Measure).filter_by(code=code)).target = target
    session.commit()


def cell(markup: str, measure: str, ods: str) -> str:
    """The text of one cell: the row of the organisation (by its ODS code), the column of the measure (by name)."""
    table = markup[markup.index("<table") : markup.index("</table>")]
    headings = [page_text(h) for h in re.findall(r'<th class="nhsuk-table__header" scope="col">(.*?)</th>', table)]
    for row in rows_of(table):
        if f"({ods})" in row[0]:
            return row[headings.index(measure)]
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
