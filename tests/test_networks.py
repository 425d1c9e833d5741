"""Networks: browsing (everyone signed in) and maintenance (project managers and admins)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tracker.editing import CONFLICT_MESSAGE
from tracker.models import Network, Organisation, OrganisationKind

VALID = {
    "code": "nhc",
    "name": "Health Innovation North Hampshire Coast",
    "former_name": "North Hampshire Coast AHSN",
    "region": "Hampshire coast",
    "website": "https://example.org/nhc",
    "source_url": "https://example.org/nhc/about",
}


def networks_table(session) -> dict[str, dict]:
    """Every network's columns, by code; ends the transaction so the app's writes need not wait."""
    session.rollback()
    rows = {r["code"]: dict(r) for r in session.execute(select(Network.__table__)).mappings()}
    session.rollback()
    return rows


def edit_data(session, code: str = "WSX", **changes) -> dict:
    """The edit form of a network as loaded now, with changes."""
    current = networks_table(session)[code]
    data = {name: current[name] for name in ("name", "former_name", "region", "website", "source_url")}
    data["row_version"] = str(current["row_version"])
    data.update(changes)
    return data


def add_organisations(session, count: int) -> None:
    """More organisations across the networks, every third one closed into the next."""
    session.rollback()
    networks = list(session.scalars(select(Network).order_by(Network.code)))
    previous = None
    for i in range(count):
        organisation = Organisation(
            ods_code=f"ZY{i:03d}",
            name=f"Extra trust {i}",
            kind=OrganisationKind.OTHER_PROVIDER,
            network=networks[i % len(networks)],
        )
        if previous is not None and i % 3 == 0:
            previous.closed_on, previous.successor = date(2023, 1, 1), organisation
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


def test_the_networks_page_lists_the_five_networks_with_their_organisations(signed_in):
    html = page(signed_in("trust").get("/networks"))
    for code, name, former in (
        (
            "OXF",
            "Health Innovation Oxford and Thames Valley",
            "Oxford Academic Health Science Network (Oxford AHSN)",
        ),
        ("WSX", "Health Innovation Wessex", "Wessex Academic Health Science Network (Wessex AHSN)"),
        (
            "KSS",
            "Health Innovation Kent Surrey Sussex",
            "Kent Surrey Sussex Academic Health Science Network (KSS AHSN)",
        ),
        (
            "SW",
            "Health Innovation South West",
            "South West Academic Health Science Network (SW AHSN)",
        ),
        (
            "WOE",
            "Health Innovation West of England",
            "West of England Academic Health Science Network (WEAHSN)",
        ),
    ):
        assert f'<a class="nhsuk-card__link" href="/networks/{code}">{name}</a>' in html
        assert former in html
    assert "Cornwall and Isles of Scilly, Devon, Somerset" in html
    assert html.count('class="nhsuk-card"') == 5
    # Organisations sit under their network, closed ones labelled.
    wessex = html[html.index("/networks/WSX") : html.index("/networks/WOE")]
    assert '<a href="/organisations/R1C">Solent NHS Trust</a> (R1C): Closed on 1 October 2024' in wessex
    assert "Isle of Wight NHS Trust" in wessex and "Oxford Health" not in wessex


def test_the_network_page_shows_its_details_and_organisations(signed_in):
    html = page(signed_in("faculty").get("/networks/WSX"))
    for fact in (
        "<h1>Health Innovation Wessex</h1>",
        "Wessex Academic Health Science Network (Wessex AHSN)",
        "Hampshire, Isle of Wight, Dorset, south Wiltshire",
        "https://thecollaborative.org.uk/bringing-together-mental-health-teams-to-improve-patient-safety/",
        "Organisations in Health Innovation Wessex",
        '<a href="/organisations/RDY">Dorset HealthCare University NHS Foundation Trust</a>',
        '<td class="nhsuk-table__cell">R1F</td>',
        "Acute trust",
        "Newport, Isle of Wight",
        "Closed on 1 October 2024",
        'Succeeded by <a href="/organisations/RW1">',
        ">Open<",
    ):
        assert fact in html, fact
    assert "Devon Partnership" not in html
    assert 'Website</dt>\n  <dd class="nhsuk-summary-list__value">Not recorded' in html


def test_a_lower_case_network_code_redirects(signed_in):
    response = signed_in("trust").get("/networks/wsx")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/networks/WSX")


@pytest.mark.parametrize("url", ["/networks/NOPE", "/networks/NOPE/edit", "/networks/%3Cb%3E"])
def test_unknown_networks_are_not_found(signed_in, url):
    assert signed_in("manager").get(url, follow_redirects=True).status_code == 404


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_readers_see_no_editing_controls(signed_in, role):
    client = signed_in(role)
    assert "/networks/new" not in page(client.get("/networks"))
    assert "/networks/WSX/edit" not in page(client.get("/networks/WSX"))


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_editors_see_editing_controls(signed_in, role):
    client = signed_in(role)
    assert "/networks/new" in page(client.get("/networks"))
    assert "/networks/WSX/edit" in page(client.get("/networks/WSX"))


def test_network_pages_run_a_fixed_number_of_statements(signed_in, session, statement_counter):
    client = signed_in("trust")
    urls = ["/networks", "/networks/WSX"]

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


# Adding and changing ---------------------------------------------------------------------------


def test_a_manager_adds_a_network(signed_in, session):
    client = signed_in("manager")
    response = client.submit("/networks/new", VALID)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/networks/NHC")
    added = networks_table(session)["NHC"]
    assert added["name"] == "Health Innovation North Hampshire Coast"
    assert added["former_name"] == "North Hampshire Coast AHSN"
    assert added["region"] == "Hampshire coast"
    assert added["website"] == "https://example.org/nhc"
    html = page(client.get("/networks/NHC"))
    assert "has been added" in html
    assert "No organisations are recorded in this network." in html
    # The new network can be chosen for an organisation.
    assert '<option value="NHC">' in page(client.get("/organisations/new"))


def test_a_network_needs_only_a_code_and_a_name(signed_in, session):
    assert (
        signed_in("admin").submit("/networks/new", {"code": "NE", "name": "Health Innovation North East"}).status_code
        == 302
    )
    assert networks_table(session)["NE"]["former_name"] == ""


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"code": ""}, "Enter the network code"),
        ({"code": "WSX"}, "A network with code WSX already exists"),
        ({"code": "wsx"}, "A network with code WSX already exists"),
        ({"code": "W"}, "Enter a network code of 2 to 8 letters, like WSX"),
        ({"code": "W1"}, "Enter a network code of 2 to 8 letters, like WSX"),
        ({"code": "TOOLONGCODE"}, "Enter a network code of 2 to 8 letters, like WSX"),
        ({"name": ""}, "Enter the current name of the network"),
        (
            {"website": "javascript:alert(1)"},
            "Enter a web address that starts with https:// or http://",
        ),
        (
            {"source_url": "data:text/html,hi"},
            "Enter a web address that starts with https:// or http://",
        ),
        ({"region": "x" * 301}, "The region must be 300 characters or fewer"),
    ],
)
def test_bad_input_adds_no_network(signed_in, session, changes, message):
    before = networks_table(session)
    assert_refused(signed_in("manager").submit("/networks/new", {**VALID, **changes}), message)
    assert networks_table(session) == before


def test_a_manager_changes_a_network_but_not_its_code(signed_in, session):
    client = signed_in("manager")
    html = page(client.get("/networks/WSX/edit"))
    assert 'value="Health Innovation Wessex"' in html and 'name="code"' not in html
    data = {
        **edit_data(
            session,
            name="Health Innovation Wessex (renamed)",
            website="https://healthinnovationwessex.org.uk/",
        ),
        "code": "ZZ",
    }
    assert client.submit("/networks/WSX/edit", data).status_code == 302
    rows = networks_table(session)
    assert rows["WSX"]["name"] == "Health Innovation Wessex (renamed)"
    assert rows["WSX"]["website"] == "https://healthinnovationwessex.org.uk/"
    assert "ZZ" not in rows
    assert "Health Innovation Wessex (renamed)" in page(client.get("/networks/WSX"))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "Enter the current name of the network"),
        (
            {"website": "javascript:alert(1)"},
            "Enter a web address that starts with https:// or http://",
        ),
    ],
)
def test_bad_changes_change_no_network(signed_in, session, changes, message):
    before = networks_table(session)
    assert_refused(signed_in("manager").submit("/networks/WSX/edit", edit_data(session, **changes)), message)
    assert networks_table(session) == before


def test_html_in_a_network_name_shows_as_text(signed_in):
    client = signed_in("manager")
    assert client.submit("/networks/new", {**VALID, "name": "<img src=x onerror=alert(1)>"}).status_code == 302
    for url in ("/networks", "/networks/NHC", "/organisations/new"):
        html = page(client.get(url))
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, url
        assert "<img src=x" not in html, url


def test_two_editors_changing_the_same_network_do_not_overwrite_each_other(app, client, signed_in, session):
    first = signed_in("manager")
    second = type(client)(app.test_client())
    second.sign_in_as("admin")
    loaded = edit_data(session)
    assert second.submit("/networks/WSX/edit", {**loaded, "region": "Hampshire and Dorset"}).status_code == 302

    response = first.submit("/networks/WSX/edit", {**loaded, "region": "Wessex"})
    assert_refused(response, CONFLICT_MESSAGE)
    assert 'value="Hampshire and Dorset"' in page(response)
    assert networks_table(session)["WSX"]["region"] == "Hampshire and Dorset"


# Access ----------------------------------------------------------------------------------------

EDIT_ENDPOINTS = [
    ("GET", "/networks/new"),
    ("POST", "/networks/new"),
    ("GET", "/networks/WSX/edit"),
    ("POST", "/networks/WSX/edit"),
]


@pytest.mark.parametrize("role", ["trust", "faculty"])
@pytest.mark.parametrize("method, url", EDIT_ENDPOINTS)
def test_readers_may_not_edit_networks(signed_in, session, role, method, url):
    client = signed_in(role)
    before = networks_table(session)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.submit(url, {**VALID, "row_version": "1"}, page="/networks")
    assert response.status_code == 403
    assert networks_table(session) == before
