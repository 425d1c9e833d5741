"""Organisations: browsing (everyone signed in) and maintenance (project managers and admins)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.helpers import TOMORROW, on_the_day
from tracker.calendar import today as london_today
from tracker.editing import CONFLICT_MESSAGE, VERSION_MISSING
from tracker.models import Membership, Network, Organisation, OrganisationKind

VALID = {
    "ods_code": "rzz1",
    "name": "Thames Valley Mental Health NHS Trust",
    "kind": "mental_health_trust",
    "network": "OXF",
    "town": "Reading",
    "latitude": "51.455",
    "longitude": "-0.969",
    "opened_on": "2020-04-01",
    "membership": "member",
    "notes": "Confirmed by the programme lead",
    "source_url": "https://odsportal.digital.nhs.uk/",
}


# Helpers: read and arrange rows through the test's own session. Each ends its transaction, because
# that session writes (BEGIN IMMEDIATE) and the app's own writes must not wait for it.


def organisations_table(session) -> dict[str, dict]:
    """Every organisation's columns, by ODS code."""
    session.rollback()
    rows = {r["ods_code"]: dict(r) for r in session.execute(select(Organisation.__table__)).mappings()}
    session.rollback()
    return rows


def row(session, ods: str) -> dict | None:
    return organisations_table(session).get(ods)


def version(session, ods: str) -> str:
    """The row version an editor's form would carry now."""
    return str(row(session, ods)["row_version"])


def ods_of(session, organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    return next(ods for ods, r in organisations_table(session).items() if r["id"] == organisation_id)


def arrange(session, ods: str, successor: str | None = None, **values) -> None:
    """Change an organisation directly, as if someone had done so earlier."""
    session.rollback()
    organisation = session.scalar(select(Organisation).where(Organisation.ods_code == ods))
    for name, value in values.items():
        setattr(organisation, name, value)
    if successor is not None:
        organisation.successor = session.scalar(select(Organisation).where(Organisation.ods_code == successor))
    session.commit()


def add_organisations(session, count: int) -> None:
    """More organisations across the networks, some closed into others."""
    session.rollback()
    networks = list(session.scalars(select(Network)))
    previous = None
    for i in range(count):
        organisation = Organisation(
            ods_code=f"ZZ{i:03d}",
            name=f"Extra trust {i}",
            kind=OrganisationKind.ACUTE_TRUST,
            network=networks[i % len(networks)],
            town="Somewhere",
        )
        if previous is not None and i % 3 == 0:
            previous.closed_on, previous.successor = date(2023, 4, 1), organisation
        session.add(organisation)
        previous = organisation
    session.commit()


def page(response) -> str:
    return response.get_data(as_text=True)


def assert_refused(response, message: str) -> None:
    html = page(response)
    assert response.status_code == 200, html
    assert 'class="nhsuk-error-summary"' in html
    assert message in html, html[html.find("nhsuk-error-summary") :][:2000]


# Browsing --------------------------------------------------------------------------------------


def test_the_list_shows_open_organisations_with_their_facts(signed_in):
    html = page(signed_in("trust").get("/organisations"))
    assert "Oxford Health NHS Foundation Trust" in html
    assert "RNU" in html
    assert "Health Innovation Oxford and Thames Valley" in html
    assert "Mental health trust" in html
    assert "Mixed trust (acute, community and mental health)" in html  # Somerset, RH5
    assert "Bracknell" in html
    # Solent closed in 2024: hidden unless asked for, and the page says so.
    assert "Solent NHS Trust" not in html
    assert "1 closed organisation is not shown" in html


def test_the_list_shows_closed_organisations_with_their_successor_when_asked(signed_in):
    html = page(signed_in("faculty").get("/organisations?closed=y"))
    assert "Solent NHS Trust" in html
    assert "Closed on 1 October 2024" in html
    assert 'Succeeded by <a href="/organisations/RW1">Hampshire and Isle of Wight Healthcare' in html
    assert "not shown" not in html


def test_the_list_filters_by_network(signed_in):
    client = signed_in("trust")
    html = page(client.get("/organisations?network=OXF"))
    assert "Oxford Health NHS Foundation Trust" in html
    assert "Berkshire Healthcare NHS Foundation Trust" in html
    assert "Devon Partnership NHS Trust" not in html
    assert "Health Innovation Oxford and Thames Valley: 2 organisations" in html
    assert '<option value="OXF" selected>' in html
    wessex = page(client.get("/organisations?network=wsx&closed=y"))  # lower case is fine
    assert "Solent NHS Trust" in wessex and "Isle of Wight NHS Trust" in wessex
    assert "Oxford Health" not in wessex


def test_an_unknown_network_in_the_filter_is_not_found(signed_in):
    assert signed_in("trust").get("/organisations?network=NOPE").status_code == 404


def test_the_organisation_page_shows_every_fact(signed_in):
    html = page(signed_in("trust").get("/organisations/R1C"))
    for fact in (
        "R1C",
        "Solent NHS Trust",
        "Mental health trust",
        '<a href="/networks/WSX">Health Innovation Wessex</a>',
        "Formerly Wessex Academic Health Science Network (Wessex AHSN)",
        "Southampton",
        "50.91, -1.404",
        "1 October 2024",
        '<a href="/organisations/RW1">Hampshire and Isle of Wight Healthcare NHS Foundation Trust',
        "Not confirmed",
        "https://github.com/rcpch/rcpch-nhs-organisations/",
    ):
        assert fact in html, fact
    assert "This organisation closed on 1 October 2024." in html


def test_the_successor_lists_its_predecessors(signed_in):
    html = page(signed_in("trust").get("/organisations/RW1"))
    assert '<a href="/organisations/R1C">Solent NHS Trust (R1C)</a>, closed on 1 October 2024' in html
    assert "took over Solent NHS Trust" in html  # the notes


def test_a_demo_organisation_is_labelled(signed_in, session):
    arrange(session, "RDY", is_demo=True)
    client = signed_in("trust")
    assert ">Demo</strong>" in page(client.get("/organisations/RDY"))
    assert ">Demo</strong>" not in page(client.get("/organisations/RNU"))


def test_a_lower_case_ods_code_redirects_to_the_upper_case_page(signed_in):
    response = signed_in("trust").get("/organisations/rw1")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/organisations/RW1")


@pytest.mark.parametrize(
    "url",
    [
        "/organisations/ZZZ9",
        "/organisations/zzz9",
        "/organisations/%3Cscript%3E",
        "/organisations/ZZZ9/edit",
    ],
)
def test_unknown_organisations_are_not_found(signed_in, url):
    response = signed_in("manager").get(url, follow_redirects=True)
    assert response.status_code == 404
    assert "Page not found" in page(response)


def test_browsing_needs_sign_in(client, seeded):
    response = client.get("/organisations")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_readers_see_no_editing_controls(signed_in, role):
    client = signed_in(role)
    assert "Add an organisation" not in page(client.get("/organisations"))
    html = page(client.get("/organisations/R1C"))
    assert "/organisations/R1C/edit" not in html
    assert "/organisations/R1C/close" not in html
    assert "/organisations/R1C/reopen" not in html


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_editors_see_editing_controls(signed_in, role):
    client = signed_in(role)
    assert "/organisations/new" in page(client.get("/organisations"))
    html = page(client.get("/organisations/R1C"))
    assert "/organisations/R1C/edit" in html
    assert "/organisations/R1C/close" in html
    assert "/organisations/R1C/reopen" in html
    assert "Reopening clears the closure date (1 October 2024)" in html


def test_the_list_runs_a_fixed_number_of_statements(signed_in, session, statement_counter):
    client = signed_in("trust")
    urls = [
        "/organisations",
        "/organisations?closed=y",
        "/organisations?network=WSX&closed=y",
        "/organisations/RW1",
    ]

    def counts():
        result = {}
        for url in urls:
            with statement_counter() as statements:
                assert client.get(url).status_code == 200
            result[url] = len(statements)
        return result

    before = counts()
    add_organisations(session, 15)
    assert counts() == before


# Adding ----------------------------------------------------------------------------------------


def test_a_manager_adds_an_organisation(signed_in, session):
    client = signed_in("manager")
    response = client.submit("/organisations/new", VALID)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organisations/RZZ1")
    added = row(session, "RZZ1")
    assert added["name"] == "Thames Valley Mental Health NHS Trust"
    assert added["kind"] == OrganisationKind.MENTAL_HEALTH_TRUST
    assert added["town"] == "Reading"
    assert (added["latitude"], added["longitude"]) == (51.455, -0.969)
    assert added["opened_on"] == date(2020, 4, 1)
    assert added["membership"] == Membership.MEMBER
    assert added["source_url"] == "https://odsportal.digital.nhs.uk/"
    assert added["closed_on"] is None and added["is_demo"] is False
    html = page(client.get("/organisations/RZZ1"))
    assert "has been added" in html
    assert "Health Innovation Oxford and Thames Valley" in html
    assert "1 April 2020" in html


def test_an_organisation_needs_only_a_code_a_name_and_a_kind(signed_in, session):
    data = {
        "ods_code": "RZZ2",
        "name": "Minimal Trust",
        "kind": "other_provider",
        "network": "",
        "membership": "unverified",
    }
    assert signed_in("admin").submit("/organisations/new", data).status_code == 302
    added = row(session, "RZZ2")
    assert added["network_id"] is None and added["latitude"] is None and added["opened_on"] is None


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "Enter the name of the organisation"),
        ({"name": "   "}, "Enter the name of the organisation"),
        ({"ods_code": ""}, "Enter the ODS code"),
        ({"ods_code": "RNU"}, "An organisation with ODS code RNU already exists"),
        ({"ods_code": "rnu"}, "An organisation with ODS code RNU already exists"),
        (
            {"ods_code": "12"},
            "Enter an ODS code of 3 to 6 letters and numbers that starts with a letter",
        ),
        (
            {"ods_code": "R!X"},
            "Enter an ODS code of 3 to 6 letters and numbers that starts with a letter",
        ),
        (
            {"ods_code": "1AB"},
            "Enter an ODS code of 3 to 6 letters and numbers that starts with a letter",
        ),
        (
            {"ods_code": "RABCDEF"},
            "Enter an ODS code of 3 to 6 letters and numbers that starts with a letter",
        ),
        ({"kind": ""}, "Choose the kind of organisation"),
        ({"kind": "hospice"}, "Choose the kind of organisation"),
        ({"network": "NOPE"}, "Choose a network from the list"),
        ({"latitude": "95"}, "Enter a latitude between -90 and 90"),
        ({"longitude": "-181"}, "Enter a longitude between -180 and 180"),
        ({"latitude": "north"}, "Enter the latitude as a number, like 51.752"),
        ({"latitude": "nan"}, "Enter the latitude as a number, like 51.752"),
        ({"longitude": "inf"}, "Enter the longitude as a number, like -1.258"),
        ({"longitude": ""}, "Enter both the latitude and the longitude, or neither"),
        ({"latitude": ""}, "Enter both the latitude and the longitude, or neither"),
        ({"opened_on": "2024-02-30"}, "The date it opened must be a real date"),
        (
            {"source_url": "javascript:alert(1)"},
            "Enter a web address that starts with https:// or http://",
        ),
        (
            {"source_url": "ftp://example.org/file"},
            "Enter a web address that starts with https:// or http://",
        ),
        ({"source_url": "https://"}, "Enter a web address that starts with https:// or http://"),
        (
            {"membership": "maybe"},
            "Choose whether the organisation is a member of the collaborative",
        ),
        ({"name": "x" * 201}, "The name must be 200 characters or fewer"),
    ],
)
def test_bad_input_adds_nothing(signed_in, session, changes, message):
    before = organisations_table(session)
    response = signed_in("manager").submit("/organisations/new", {**VALID, **changes})
    assert_refused(response, message)
    assert organisations_table(session) == before


def test_html_in_a_name_shows_as_text(signed_in):
    client = signed_in("manager")
    data = {**VALID, "name": '<script>alert("x")</script> & Co', "notes": "<b>bold</b>"}
    assert client.submit("/organisations/new", data).status_code == 302
    for url in ("/organisations/RZZ1", "/organisations", "/networks", "/networks/OXF"):
        html = page(client.get(url))
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html, url
        assert '<script>alert("x")' not in html, url
    assert "&lt;b&gt;bold&lt;/b&gt;" in page(client.get("/organisations/RZZ1"))


# Changing --------------------------------------------------------------------------------------


def edit_data(**changes) -> dict:
    """A complete edit form (RNU's name, as first loaded), with changes."""
    data = {k: v for k, v in VALID.items() if k != "ods_code"}
    data.update(name="Oxford Health NHS Foundation Trust", town="Oxford", row_version="1")
    data.update(changes)
    return data


def test_the_edit_form_shows_the_current_values(signed_in, session):
    html = page(signed_in("manager").get("/organisations/R1C/edit"))
    assert f'name="row_version" type="hidden" value="{version(session, "R1C")}"' in html
    assert 'value="Solent NHS Trust"' in html
    assert '<option value="WSX" selected>' in html
    assert 'value="mental_health_trust" checked' in html
    assert 'value="unverified" checked' in html
    assert 'name="ods_code"' not in html


def test_a_manager_changes_an_organisation_but_not_its_code(signed_in, session):
    client = signed_in("manager")
    response = client.submit(
        "/organisations/RNU/edit",
        edit_data(
            ods_code="RAA",
            name="Oxford Health (renamed)",
            network="WSX",
            membership="not_member",
            latitude="",
            longitude="",
        ),
    )
    assert response.status_code == 302
    changed = row(session, "RNU")
    assert changed["name"] == "Oxford Health (renamed)"
    assert changed["membership"] == Membership.NOT_MEMBER
    assert changed["latitude"] is None and changed["longitude"] is None
    assert changed["row_version"] == 2
    assert row(session, "RAA") is None
    wessex = page(client.get("/organisations/RNU"))
    assert "Health Innovation Wessex" in wessex and "Not a member" in wessex


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "Enter the name of the organisation"),
        ({"latitude": "95"}, "Enter a latitude between -90 and 90"),
        ({"longitude": ""}, "Enter both the latitude and the longitude, or neither"),
        (
            {"source_url": "javascript:alert(1)"},
            "Enter a web address that starts with https:// or http://",
        ),
        ({"network": "NOPE"}, "Choose a network from the list"),
    ],
)
def test_bad_changes_change_nothing(signed_in, session, changes, message):
    before = organisations_table(session)
    assert_refused(signed_in("manager").submit("/organisations/RNU/edit", edit_data(**changes)), message)
    assert organisations_table(session) == before


def test_an_organisation_cannot_open_after_it_closed_or_after_a_predecessor_closed_into_it(signed_in, session):
    client = signed_in("manager")
    before = organisations_table(session)
    closed = edit_data(name="Solent NHS Trust", opened_on="2025-01-01", row_version=version(session, "R1C"))
    assert_refused(
        client.submit("/organisations/R1C/edit", closed),
        "The open from date must be on or before the date it closed, 1 October 2024",
    )
    successor = edit_data(
        name="Hampshire and Isle of Wight Healthcare",
        opened_on="2024-10-02",
        row_version=version(session, "RW1"),
    )
    assert_refused(
        client.submit("/organisations/RW1/edit", successor),
        "The open from date must be on or before 1 October 2024, when Solent NHS Trust (R1C) closed into it",
    )
    assert organisations_table(session) == before
    # Opening on the very day the predecessor closed into it is fine.
    assert client.submit("/organisations/RW1/edit", {**successor, "opened_on": "2024-10-01"}).status_code == 302


def test_two_editors_changing_the_same_organisation_do_not_overwrite_each_other(app, client, signed_in, session):
    first = signed_in("manager")
    second = type(client)(app.test_client())
    second.sign_in_as("admin")
    assert 'name="row_version" type="hidden" value="1"' in page(first.get("/organisations/RNU/edit"))
    assert second.submit("/organisations/RNU/edit", edit_data(town="Littlemore")).status_code == 302

    response = first.submit("/organisations/RNU/edit", edit_data(town="Warneford"), page="/networks")
    assert_refused(response, CONFLICT_MESSAGE)
    html = page(response)
    assert 'value="Littlemore"' in html  # the form now shows the other editor's version
    assert 'name="row_version" type="hidden" value="2"' in html
    assert row(session, "RNU")["town"] == "Littlemore"


# Closing and reopening -------------------------------------------------------------------------


def test_a_manager_records_a_closure_and_its_successor(signed_in, session):
    client = signed_in("manager")
    form = page(client.get("/organisations/RWX/close"))
    assert '<option value="RNU">Oxford Health NHS Foundation Trust (RNU)</option>' in form
    assert "Solent NHS Trust (R1C), closed 1 October 2024" in form
    assert 'value="RWX"' not in form  # not its own successor
    response = client.submit(
        "/organisations/RWX/close",
        {"closed_on": "2025-04-01", "successor": "rnu", "row_version": "1"},
    )
    assert response.status_code == 302
    closed = row(session, "RWX")
    assert closed["closed_on"] == date(2025, 4, 1)
    assert ods_of(session, closed["successor_id"]) == "RNU"
    html = page(client.get("/organisations/RWX"))
    assert "is recorded as closed" in html
    assert "This organisation closed on 1 April 2025." in html
    assert "Berkshire Healthcare NHS Foundation Trust (RWX)</a>, closed on 1 April 2025" in page(
        client.get("/organisations/RNU")
    )


def test_a_closure_needs_no_successor_and_can_be_today(signed_in, session):
    today = london_today()
    response = signed_in("admin").submit(
        "/organisations/RDY/close",
        {"closed_on": today.isoformat(), "successor": "", "row_version": "1"},
    )
    assert response.status_code == 302
    closed = row(session, "RDY")
    assert closed["closed_on"] == today and closed["successor_id"] is None


def test_the_close_form_of_a_closed_organisation_shows_its_closure(signed_in):
    html = page(signed_in("manager").get("/organisations/R1C/close"))
    assert 'value="2024-10-01"' in html and 'type="date"' in html
    assert '<option value="RW1" selected>' in html
    assert "Change the closure" in html


CLOSE_CASES = {
    "no date": ({}, "RNU", {"closed_on": ""}, "Enter the date the organisation closed"),
    "not a date": (
        {},
        "RNU",
        {"closed_on": "2024-02-30"},
        "The date the organisation closed must be a real date",
    ),
    "future": (
        {},
        "RNU",
        {"closed_on": TOMORROW},
        "The date the organisation closed must be today or in the past",
    ),
    "before opening": (
        {"RNU": {"opened_on": date(2020, 1, 1)}},
        "RNU",
        {"closed_on": "2019-12-31"},
        "The date the organisation closed must be on or after the date it opened, 1 January 2020",
    ),
    "before a predecessor closed into it": (
        {},
        "RW1",
        {"closed_on": "2024-10-01"},
        "The date the organisation closed must be after 1 October 2024, when Solent NHS Trust (R1C) closed into it",
    ),
    "unknown successor": (
        {},
        "RNU",
        {"successor": "ZZZ9"},
        "No organisation has the ODS code ZZZ9",
    ),
    "itself": ({}, "RNU", {"successor": "RNU"}, "An organisation cannot be its own successor"),
    "successor closed by then": (
        {},
        "RNU",
        {"successor": "R1C"},
        "Solent NHS Trust (R1C) was not open on 1 January 2025",
    ),
    "successor not yet open": (
        {"RWX": {"opened_on": date(2025, 6, 1)}},
        "RNU",
        {"successor": "RWX"},
        "Berkshire Healthcare NHS Foundation Trust (RWX) was not open on 1 January 2025",
    ),
    "loop of two": (
        {"RWX": {"closed_on": date(2025, 3, 1), "successor": "RNU"}},
        "RNU",
        {"successor": "RWX"},
        "That successor would make a loop: RWX → RNU → RWX",
    ),
    "loop of three": (
        {
            "RDY": {"closed_on": date(2025, 4, 1), "successor": "RNU"},
            "RWX": {"closed_on": date(2025, 3, 1), "successor": "RDY"},
        },
        "RNU",
        {"successor": "RWX"},
        "That successor would make a loop: RWX → RDY → RNU → RWX",
    ),
}


@pytest.mark.parametrize("arrangement, ods, changes, message", CLOSE_CASES.values(), ids=CLOSE_CASES.keys())
def test_bad_closures_change_nothing(signed_in, session, arrangement, ods, changes, message):
    for other, values in arrangement.items():
        arrange(session, other, **values)
    client = signed_in("manager")
    before = organisations_table(session)
    data = {
        "closed_on": "2025-01-01",
        "successor": "",
        "row_version": str(before[ods]["row_version"]),
        **on_the_day(changes),
    }
    assert_refused(client.submit(f"/organisations/{ods}/close", data), message)
    assert organisations_table(session) == before


def test_a_manager_reopens_an_organisation(signed_in, session):
    client = signed_in("manager")
    response = client.submit(
        "/organisations/R1C/reopen",
        {"row_version": version(session, "R1C")},
        page="/organisations/R1C",
    )
    assert response.status_code == 302
    reopened = row(session, "R1C")
    assert reopened["closed_on"] is None and reopened["successor_id"] is None
    html = page(client.get("/organisations/R1C"))
    assert "is recorded as open" in html
    assert "Reopen R1C" not in html
    assert "Solent NHS Trust" in page(client.get("/organisations"))  # no longer hidden as closed


def test_reopening_after_someone_else_changed_the_organisation_changes_nothing(signed_in, session):
    client = signed_in("manager")
    loaded = version(session, "R1C")
    arrange(session, "R1C", town="Portsmouth")
    before = organisations_table(session)
    response = client.submit(
        "/organisations/R1C/reopen",
        {"row_version": loaded},
        page="/organisations/R1C",
        follow_redirects=True,
    )
    assert "Nothing was changed: someone else changed this organisation" in page(response)
    assert organisations_table(session) == before


def test_a_stale_closure_changes_nothing(signed_in, session):
    client = signed_in("manager")
    arrange(session, "RNU", town="Littlemore")
    before = organisations_table(session)
    response = client.submit(
        "/organisations/RNU/close", {"closed_on": "2025-01-01", "successor": "", "row_version": "1"}
    )
    assert_refused(response, CONFLICT_MESSAGE)
    assert 'name="row_version" type="hidden" value="2"' in page(response)
    assert organisations_table(session) == before


def test_a_form_without_its_row_version_is_refused(signed_in, session):
    before = organisations_table(session)
    response = signed_in("manager").submit("/organisations/RNU/close", {"closed_on": "2025-01-01", "successor": ""})
    assert response.status_code == 200
    assert VERSION_MISSING in response.get_data(as_text=True)
    assert organisations_table(session) == before


def test_reopen_only_accepts_post(signed_in):
    assert signed_in("manager").get("/organisations/R1C/reopen").status_code == 405


# Access ----------------------------------------------------------------------------------------

EDIT_ENDPOINTS = [
    ("GET", "/organisations/new"),
    ("POST", "/organisations/new"),
    ("GET", "/organisations/RNU/edit"),
    ("POST", "/organisations/RNU/edit"),
    ("GET", "/organisations/RNU/close"),
    ("POST", "/organisations/RNU/close"),
    ("POST", "/organisations/R1C/reopen"),
]


@pytest.mark.parametrize("role", ["trust", "faculty"])
@pytest.mark.parametrize("method, url", EDIT_ENDPOINTS)
def test_readers_may_not_edit(signed_in, session, role, method, url):
    client = signed_in(role)
    before = organisations_table(session)
    if method == "GET":
        response = client.get(url)
    else:
        data = {**VALID, "closed_on": "2025-01-01", "successor": "", "row_version": "1"}
        response = client.submit(url, data, page="/networks")
    assert response.status_code == 403
    assert organisations_table(session) == before


@pytest.mark.parametrize("method, url", EDIT_ENDPOINTS)
def test_editing_needs_sign_in(client, seeded, method, url):
    response = client.get(url) if method == "GET" else client.submit(url, VALID, page="/sign-in")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
