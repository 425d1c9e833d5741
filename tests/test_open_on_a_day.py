"""Open on a day: every page that asks whether an organisation is open answers as coverage counts it.

One rule (Organisation.is_open_on): opened on or before the day (or no opening date known), and not
yet closed. The organisations pages, the idea page's "Log adoption of ... at" list and the coverage
report agree on it, for an organisation that opens later as for one that has closed.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tracker.calendar import people_date
from tracker.calendar import today as london_today
from tracker.models import AdoptionEvent, Organisation
from tracker.seed.demo_history import load_demo_history

NOT_REACHED_CSV = "/coverage/not-reached.csv?ambition=RP"


def next_month(day: date) -> date:
    """The first day of the month after day's."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def arrange(session, ods: str, **values) -> None:
    """Change an organisation directly, as an import of planned dates might have."""
    session.rollback()
    organisation = session.scalar(select(Organisation).where(Organisation.ods_code == ods))
    for name, value in values.items():
        setattr(organisation, name, value)
    session.commit()


def page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def listed_status(html: str) -> dict[str, str]:
    """The organisations page's Status column (its last), by ODS code (its first cell)."""
    body = html[html.find('<tbody class="nhsuk-table__body">') :]
    statuses = {}
    for row in body.split('<tr class="nhsuk-table__row">')[1:]:
        cells = re.findall(r'<td class="nhsuk-table__cell">(.*?)</td>', row, re.S)
        statuses[cells[0]] = re.sub(r"<br>.*", "", cells[-1], flags=re.S).strip()
    return statuses


def loggable(html: str) -> set[str]:
    """The organisations an idea page offers in its "Log adoption of ... at" list."""
    start = html.find('id="log-organisation"')
    assert start != -1, "the idea page offers no organisation to log for"
    return set(re.findall(r'<option value="([A-Z0-9]+)">', html[start : html.find("</select>", start)]))


def counted_by_coverage(client) -> set[str]:
    """The organisations the coverage report counts today: with nothing logged, every one it counts is not yet reached."""
    response = client.get(NOT_REACHED_CSV)
    assert response.status_code == 200
    return {row["ods_code"] for row in csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))}


def open_by_the_list(client) -> set[str]:
    statuses = listed_status(page(client.get("/organisations?closed=y")))
    return {ods for ods, status in statuses.items() if status == "Open" or status.startswith("Closes on")}


def test_an_organisation_that_opens_next_month_is_listed_as_opening_and_is_neither_counted_nor_loggable(
    signed_in, session
):
    opens = next_month(london_today())
    arrange(session, "RNU", opened_on=opens)
    client = signed_in("manager")

    listed = listed_status(page(client.get("/organisations")))
    assert listed["RNU"] == f"Opens on {people_date(opens)}"  # listed, not hidden as if closed
    assert listed["RWX"] == "Open"
    assert "Oxford Health NHS Foundation Trust</a> (RNU): Opens on" in page(client.get("/networks"))
    assert f"This organisation opens on {people_date(opens)}." in page(client.get("/organisations/RNU"))

    offered = loggable(page(client.get("/ideas/RP-01")))
    assert "RNU" not in offered
    assert "RWX" in offered
    assert "RNU" not in counted_by_coverage(client)


@pytest.mark.parametrize(
    ("values", "status"),
    [
        pytest.param({"opened_on": "next month"}, "Opens on", id="opens-next-month"),
        # Both dates ahead: it is not open yet, whatever its closure says.
        pytest.param({"opened_on": "next month", "closed_on": "in two months"}, "Opens on", id="opens-then-closes"),
        pytest.param({"closed_on": "next month"}, "Closes on", id="closes-next-month"),
        pytest.param({"closed_on": "today"}, "Closed on", id="closed-today"),
        pytest.param({"opened_on": "today"}, "Open", id="opened-today"),
    ],
)
def test_the_list_the_log_list_and_the_coverage_report_agree_on_who_is_open_today(signed_in, session, values, status):
    day = london_today()
    days = {"today": day, "next month": next_month(day), "in two months": next_month(next_month(day))}
    arrange(session, "RNU", **{name: days[when] for name, when in values.items()})
    client = signed_in("manager")

    assert listed_status(page(client.get("/organisations?closed=y")))["RNU"].startswith(status)
    counted = counted_by_coverage(client)
    assert open_by_the_list(client) == counted
    assert loggable(page(client.get("/ideas/RP-01"))) == counted
    assert ("RNU" in counted) == (status in ("Open", "Closes on"))


def test_only_closed_organisations_are_hidden_from_the_list(signed_in, session):
    day = london_today()
    arrange(session, "RNU", opened_on=next_month(day))
    arrange(session, "RWX", closed_on=day)
    html = page(signed_in("trust").get("/organisations"))
    statuses = listed_status(html)
    assert "RNU" in statuses
    assert "RWX" not in statuses
    assert "2 closed organisations are not shown" in html  # Solent (closed in 2024) and RWX


def test_the_demo_history_dates_events_only_while_an_organisation_is_open(seeded):
    session = seeded
    opened, closed = date(2023, 6, 1), date(2024, 10, 1)
    arrange(session, "RNU", opened_on=opened)
    session.rollback()
    assert load_demo_history(session, date(2025, 6, 30)) > 0

    def days(ods):
        return session.execute(
            select(func.count(), func.min(AdoptionEvent.effective_date), func.max(AdoptionEvent.effective_date))
            .join(Organisation)
            .where(Organisation.ods_code == ods)
        ).one()

    count, first, _ = days("RNU")
    assert count > 0
    assert first >= opened
    count, _, last = days("R1C")  # Solent, closed on 1 October 2024
    assert count == 0 or last < closed
