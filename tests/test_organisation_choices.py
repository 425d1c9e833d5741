"""Every select of organisations offers the same list, labelled alike (tracker.organisations.queries).

The account form, the learning link forms and filter, and the successor of a closure each list every
organisation by name as "Name (ODS)", and say when one is not open today, as the organisations page does.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker.calendar import people_date
from tracker.calendar import today as london_today
from tracker.models import Organisation

SELECTS = {
    "account": ("/admin/users/new", "organisation"),
    "new link": ("/links/new", "source"),
    "links filter": ("/links", "organisation"),
    "successor": ("/organisations/RWX/close", "successor"),
}


def options(html: str, name: str) -> list[tuple[str, str]]:
    """The (value, label) of each option of the select named name, the blank first choice left out."""
    start = html.index(f'name="{name}"')
    select_html = html[start : html.index("</select>", start)]
    found = re.findall(r'<option(?: selected)? value="([^"]*)"(?: selected)?>([^<]*)</option>', select_html)
    return [(value, label) for value, label in found if value]


@pytest.fixture
def opens_next_month(seeded):
    day = (london_today().replace(day=1) + timedelta(days=32)).replace(day=1)
    organisation = seeded.scalar(select(Organisation).where(Organisation.ods_code == "RNU"))
    organisation.opened_on = day
    seeded.commit()
    return day


def test_every_organisation_select_offers_the_same_labelled_list(signed_in, opens_next_month):
    client = signed_in("admin")
    offered = {name: options(client.get(url).get_data(as_text=True), field) for name, (url, field) in SELECTS.items()}
    everyone = offered["account"]
    assert ("R1C", "Solent NHS Trust (R1C), closed 1 October 2024") in everyone
    assert ("RNU", f"Oxford Health NHS Foundation Trust (RNU), opens {people_date(opens_next_month)}") in everyone
    assert ("RWX", "Berkshire Healthcare NHS Foundation Trust (RWX)") in everyone
    assert [label for _, label in everyone] == sorted((label for _, label in everyone), key=lambda s: s.split(" (")[0])
    assert offered["new link"] == everyone
    assert offered["links filter"] == everyone
    assert offered["successor"] == [o for o in everyone if o[0] != "RWX"]  # never its own successor
