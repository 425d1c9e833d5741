"""The read API (/api/v1): facts of the real reference data, filters, errors, drafts, query counts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import add_draft_package
from tests.helpers import assert_error, get_json
from tracker.models import (
    ChangeIdea,
    ChangePackage,
    Driver,
    Network,
    Organisation,
    OrganisationKind,
)

ENDPOINTS = [
    "/api/v1/ambitions",
    "/api/v1/ambitions/RP",
    "/api/v1/interventions",
    "/api/v1/interventions/RP-01",
    "/api/v1/networks",
    "/api/v1/organisations",
    "/api/v1/organisations/RNU",
]

ALL_IDEAS = (
    [f"RP-0{n}" for n in range(1, 5)] + [f"SS-0{n}" for n in range(1, 5)] + [f"SSH-{n:02d}" for n in range(1, 11)]
)
ALL_ODS = sorted(["RNU", "RWX", "RW1", "R1C", "R1F", "RDY", "RX2", "RXX", "RXY", "RVN", "RTQ", "RJ8", "RWV", "RH5"])


# --- access, errors and headers -----------------------------------------------------------------


@pytest.mark.parametrize("url", ENDPOINTS + ["/api/v1/interventions/NOPE"])
def test_anonymous_callers_get_401_json(seeded, client, url):
    body = get_json(client, url, 401)
    assert_error(body, 401)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/ambitions/XX",
        "/api/v1/ambitions/rp",  # codes are exact
        "/api/v1/interventions/RP-99",
        "/api/v1/interventions?ambition=XX",
        "/api/v1/organisations/ZZZ",
        "/api/v1/organisations?network=NOPE",
        "/api/v1/nothing-here",
    ],
)
def test_unknown_codes_are_404_json(signed_in, url):
    client = signed_in("trust")
    assert_error(get_json(client, url, 404), 404)


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/api/v1/organisations?open_on=2024-13-01", "open_on"),
        ("/api/v1/organisations?open_on=2024-02-30", "open_on"),
        ("/api/v1/organisations?open_on=yesterday", "open_on"),
        ("/api/v1/organisations?open_on=20241001", "open_on"),  # ISO basic form: not accepted
        ("/api/v1/organisations?open_on=2024-10-01T00:00", "open_on"),
        ("/api/v1/organisations?open_on=", "open_on"),
        ("/api/v1/organisations?network=", "network"),
        ("/api/v1/organisations?network=%20", "network"),
        ("/api/v1/interventions?ambition=", "ambition"),
        # A malformed parameter is reported even when another names something unknown.
        ("/api/v1/organisations?network=NOPE&open_on=soon", "open_on"),
    ],
)
def test_malformed_filters_are_400_json_naming_the_parameter(signed_in, url, parameter):
    client = signed_in("trust")
    body = get_json(client, url, 400)
    assert_error(body, 400, parameter)


def test_open_on_error_says_which_form_it_wants(signed_in):
    body = get_json(signed_in("trust"), "/api/v1/organisations?open_on=yesterday", 400)
    assert body["error"]["message"] == "open_on must be a date in the form YYYY-MM-DD"


def test_unknown_query_parameters_are_ignored(signed_in):
    client = signed_in("trust")
    plain = get_json(client, "/api/v1/organisations")
    assert get_json(client, "/api/v1/organisations?colour=blue&page=2") == plain


@pytest.mark.parametrize("url", ["/api/v1/networks", "/api/v1/ambitions/XX"])
def test_json_responses_carry_the_security_headers(signed_in, url):
    response = signed_in("faculty").get(url)
    assert response.mimetype == "application/json"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_401_carries_the_security_headers(seeded, client):
    response = client.get("/api/v1/ambitions")
    assert response.status_code == 401
    assert response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_reads_only(signed_in):
    assert signed_in("admin").post("/api/v1/ambitions").status_code in (400, 405)


# --- ambitions ----------------------------------------------------------------------------------


def test_ambitions_list_the_three_ambitions_by_position(signed_in):
    body = get_json(signed_in("trust"), "/api/v1/ambitions")
    ambitions = body["ambitions"]
    assert [a["code"] for a in ambitions] == ["RP", "SSH", "SS"]
    rp = ambitions[0]
    assert set(rp) >= {"code", "title", "summary", "targets", "packages"}
    assert rp["title"] == "Reduce restrictive practice"
    assert [t["label"] for t in rp["targets"]] == ["Original", "Revised", "Pilot (2018–20)"]
    assert [t["target_date"] for t in rp["targets"]] == ["2024-03-31", "2023-09-30", None]
    assert rp["targets"][0]["source_url"].startswith("https://")
    assert set(rp["targets"][0]) == {
        "label",
        "text",
        "target_date",
        "source_url",
        "measure",
        "value",
        "network",
        "published",
    }
    assert [(t["measure"], t["value"], t["network"], t["published"]) for t in rp["targets"]] == [
        ("reach", None, None, True)
    ] * 3
    assert [(p["code"], p["status"]) for p in rp["packages"]] == [("RRP", "published")]
    assert rp["packages"][0]["title"].startswith("Reducing Restrictive Practice")
    assert [p["code"] for a in ambitions for p in a["packages"]] == ["RRP", "NCISH", "SSC"]


def test_ambition_detail_has_packages_with_their_ideas(signed_in):
    body = get_json(signed_in("faculty"), "/api/v1/ambitions/SSH")
    assert body["code"] == "SSH"
    assert body["targets"][0]["target_date"] is None
    [package] = body["packages"]
    assert package["code"] == "NCISH"
    assert package["version"] == "2017"
    assert package["status"] == "published"
    assert package["publisher"].startswith("National Confidential Inquiry")
    assert package["source_url"].startswith("https://")
    assert {"summary", "provenance_note"} <= set(package)
    # The real data has no drivers yet: every idea is unassigned, in package order.
    assert package["drivers"] == []
    ideas = package["unassigned_interventions"]
    assert [i["code"] for i in ideas] == [f"SSH-{n:02d}" for n in range(1, 11)]
    assert ideas[0]["title"] == "Safer wards (including removing ligature points)"
    assert set(ideas[0]) == {"code", "title", "description", "source_url", "provenance_note", "driver"}
    assert ideas[0]["driver"] is None


def test_ambition_detail_nests_ideas_under_drivers(signed_in, seeded):
    package = seeded.scalar(select(ChangePackage).filter_by(code="RRP"))
    primary = Driver(title="Shared understanding", position=0)
    secondary = Driver(title="Patients shape their care", parent=primary, position=0)
    package.drivers.extend([primary, secondary])
    ideas = {i.code: i for i in package.ideas}
    ideas["RP-01"].driver = secondary
    ideas["RP-02"].driver = primary
    seeded.commit()

    body = get_json(signed_in("trust"), "/api/v1/ambitions/RP")
    [rrp] = body["packages"]
    [driver] = rrp["drivers"]
    assert driver["title"] == "Shared understanding"
    assert [i["code"] for i in driver["interventions"]] == ["RP-02"]
    [sub] = driver["secondary_drivers"]
    assert sub["title"] == "Patients shape their care"
    assert [i["code"] for i in sub["interventions"]] == ["RP-01"]
    assert sub["interventions"][0]["driver"] == sub["id"] == secondary.id
    assert [i["code"] for i in rrp["unassigned_interventions"]] == ["RP-03", "RP-04"]


# --- interventions ------------------------------------------------------------------------------


def test_interventions_list_every_idea_in_package_then_idea_order(signed_in):
    body = get_json(signed_in("trust"), "/api/v1/interventions")
    ideas = body["interventions"]
    assert [i["code"] for i in ideas] == ALL_IDEAS
    first = ideas[0]
    assert first == {
        "code": "RP-01",
        "title": "Collaborative care planning",
        "description": "Care plan written with the patient, in their own words",
        "ambition": "RP",
        "package": "RRP",
        "status": "published",
        "primary_driver": None,
        "secondary_driver": None,
        "source_url": first["source_url"],
        "provenance_note": first["provenance_note"],
        "is_demo": False,
    }
    assert first["source_url"].startswith("https://www.rcpsych.ac.uk/")


@pytest.mark.parametrize(
    "ambition, codes",
    [
        ("RP", ALL_IDEAS[:4]),
        ("SS", ALL_IDEAS[4:8]),
        ("SSH", ALL_IDEAS[8:]),
    ],
)
def test_interventions_filter_by_ambition(signed_in, ambition, codes):
    body = get_json(signed_in("trust"), f"/api/v1/interventions?ambition={ambition}")
    assert [i["code"] for i in body["interventions"]] == codes
    assert {i["ambition"] for i in body["interventions"]} == {ambition}


def test_intervention_detail_names_its_drivers(signed_in, seeded):
    package = seeded.scalar(select(ChangePackage).filter_by(code="SSC"))
    primary = Driver(title="Safe culture", position=0)
    secondary = Driver(title="Staff confidence", parent=primary, position=0)
    package.drivers.extend([primary, secondary])
    ideas = {i.code: i for i in package.ideas}
    ideas["SS-02"].driver = secondary
    ideas["SS-03"].driver = primary
    seeded.commit()
    client = signed_in("trust")

    body = get_json(client, "/api/v1/interventions/SS-02")
    assert body["code"] == "SS-02"
    assert (body["ambition"], body["package"]) == ("SS", "SSC")
    assert body["primary_driver"] == {"id": primary.id, "title": "Safe culture"}
    assert body["secondary_driver"] == {"id": secondary.id, "title": "Staff confidence"}

    body = get_json(client, "/api/v1/interventions/SS-03")
    assert body["primary_driver"] == {"id": primary.id, "title": "Safe culture"}
    assert body["secondary_driver"] is None


# --- drafts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["trust", "faculty"])
def test_drafts_are_hidden_from_trust_and_faculty(signed_in, seeded, role):
    add_draft_package(seeded)
    client = signed_in(role)

    ambitions = get_json(client, "/api/v1/ambitions")["ambitions"]
    assert [p["code"] for p in ambitions[0]["packages"]] == ["RRP"]
    rp = get_json(client, "/api/v1/ambitions/RP")
    assert [p["code"] for p in rp["packages"]] == ["RRP"]
    codes = [i["code"] for i in get_json(client, "/api/v1/interventions")["interventions"]]
    assert codes == ALL_IDEAS
    codes = [i["code"] for i in get_json(client, "/api/v1/interventions?ambition=RP")["interventions"]]
    assert codes == ALL_IDEAS[:4]
    assert_error(get_json(client, "/api/v1/interventions/DR-01", 404), 404)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_drafts_are_shown_to_managers_and_admins_marked_draft(signed_in, seeded, role):
    add_draft_package(seeded)
    client = signed_in(role)

    ambitions = get_json(client, "/api/v1/ambitions")["ambitions"]
    assert [(p["code"], p["status"]) for p in ambitions[0]["packages"]] == [
        ("RRP", "published"),
        ("DRAFT", "draft"),
    ]
    rp = get_json(client, "/api/v1/ambitions/RP")
    draft = rp["packages"][1]
    assert (draft["code"], draft["status"]) == ("DRAFT", "draft")
    [driver] = draft["drivers"]
    assert [i["code"] for i in driver["interventions"]] == ["DR-01"]
    assert driver["secondary_drivers"] == []
    assert [i["code"] for i in draft["unassigned_interventions"]] == ["DR-02"]

    codes = [i["code"] for i in get_json(client, "/api/v1/interventions")["interventions"]]
    assert codes == ALL_IDEAS[:8] + ALL_IDEAS[8:] + ["DR-01", "DR-02"]  # package position 99: last
    body = get_json(client, "/api/v1/interventions/DR-01")
    assert (body["status"], body["package"]) == ("draft", "DRAFT")
    assert body["primary_driver"]["title"] == "Draft driver"


# --- networks and organisations -----------------------------------------------------------------


def test_networks_with_their_organisation_counts(signed_in):
    body = get_json(signed_in("trust"), "/api/v1/networks")
    networks = {n["code"]: n for n in body["networks"]}
    assert [n["code"] for n in body["networks"]] == sorted(networks) == ["KSS", "OXF", "SW", "WOE", "WSX"]
    assert {code: n["organisations"] for code, n in networks.items()} == {
        "OXF": 2,
        "WSX": 4,
        "KSS": 3,
        "SW": 3,
        "WOE": 2,
    }
    wsx = networks["WSX"]
    assert wsx["name"] == "Health Innovation Wessex"
    assert wsx["former_name"] == "Wessex Academic Health Science Network (Wessex AHSN)"
    assert wsx["region"].startswith("Hampshire")
    assert wsx["website"] == ""
    assert networks["KSS"]["website"].startswith("https://")


def test_organisations_list_by_ods_code(signed_in):
    body = get_json(signed_in("trust"), "/api/v1/organisations")
    organisations = body["organisations"]
    assert [o["ods"] for o in organisations] == ALL_ODS
    solent = next(o for o in organisations if o["ods"] == "R1C")
    assert solent == {
        "ods": "R1C",
        "name": "Solent NHS Trust",
        "kind": "mental_health_trust",
        "network": "WSX",
        "town": "Southampton",
        "lat": 50.91,
        "lon": -1.404,
        "opened_on": None,
        "closed_on": "2024-10-01",
        "successor": "RW1",
        "membership": "unverified",
        "is_demo": False,
    }
    somerset = next(o for o in organisations if o["ods"] == "RH5")
    assert (somerset["kind"], somerset["network"]) == ("mixed_trust", "SW")


@pytest.mark.parametrize(
    "network, expected",
    [
        ("OXF", ["RNU", "RWX"]),
        ("WSX", ["R1C", "R1F", "RDY", "RW1"]),
        ("KSS", ["RX2", "RXX", "RXY"]),
    ],
)
def test_organisations_filter_by_network(signed_in, network, expected):
    body = get_json(signed_in("trust"), f"/api/v1/organisations?network={network}")
    assert [o["ods"] for o in body["organisations"]] == expected


@pytest.mark.parametrize(
    "day, solent_open",
    [
        ("2024-09-30", True),  # its last day
        ("2024-10-01", False),  # closed_on is the first day it is closed
        ("2030-01-01", False),
        ("1990-01-01", True),  # no opening date: open as far back as we know
    ],
)
def test_organisations_open_on_a_day(signed_in, day, solent_open):
    body = get_json(signed_in("trust"), f"/api/v1/organisations?open_on={day}")
    codes = [o["ods"] for o in body["organisations"]]
    assert ("R1C" in codes) is solent_open
    assert codes == [c for c in ALL_ODS if c != "R1C" or solent_open]


def test_organisations_open_on_respects_opening_dates(signed_in, seeded):
    network = seeded.scalar(select(Network).filter_by(code="WSX"))
    seeded.add(
        Organisation(
            ods_code="RNEW",
            name="New trust",
            kind=OrganisationKind.MENTAL_HEALTH_TRUST,
            network=network,
            opened_on=date(2024, 10, 1),
            is_demo=True,
        )
    )
    seeded.commit()
    client = signed_in("trust")

    def wessex_on(day: str) -> list[str]:
        body = get_json(client, f"/api/v1/organisations?network=WSX&open_on={day}")
        return [o["ods"] for o in body["organisations"]]

    assert wessex_on("2024-09-30") == ["R1C", "R1F", "RDY", "RW1"]
    assert wessex_on("2024-10-01") == ["R1F", "RDY", "RNEW", "RW1"]


def test_organisation_detail_lists_predecessors(signed_in):
    client = signed_in("trust")
    body = get_json(client, "/api/v1/organisations/RW1")
    assert body["ods"] == "RW1"
    assert body["network"] == "WSX"
    assert body["closed_on"] is None and body["successor"] is None
    assert body["predecessors"] == ["R1C"]

    body = get_json(client, "/api/v1/organisations/R1C")
    assert (body["successor"], body["closed_on"], body["predecessors"]) == ("RW1", "2024-10-01", [])


# --- statement counts ---------------------------------------------------------------------------


def grow_data(session, n: int = 20) -> None:
    """n more organisations (each succeeding the last) and n more ideas under new drivers."""
    networks = list(session.scalars(select(Network).order_by(Network.code)))
    previous = None
    for k in range(n):
        organisation = Organisation(
            ods_code=f"Z{k:02d}",
            name=f"Demo trust {k}",
            kind=OrganisationKind.ACUTE_TRUST,
            network=networks[k % len(networks)],
            is_demo=True,
        )
        if previous is not None:
            previous.closed_on = date(2024, 1, 1)
            previous.successor = organisation
        session.add(organisation)
        previous = organisation
    packages = list(session.scalars(select(ChangePackage).order_by(ChangePackage.position)))
    for k in range(n):
        package = packages[k % len(packages)]
        primary = Driver(title=f"Primary {k}", position=k)
        secondary = Driver(title=f"Secondary {k}", parent=primary, position=k)
        package.drivers.extend([primary, secondary])
        session.add(
            ChangeIdea(
                code=f"ZZ-{k:02d}",
                title=f"Demo idea {k}",
                package=package,
                driver=secondary if k % 2 else primary,
                position=100 + k,
                is_demo=True,
            )
        )
    add_draft_package(session)
    session.commit()


COUNTED = ENDPOINTS + [
    "/api/v1/interventions?ambition=SS",
    "/api/v1/organisations?network=WSX",  # successors in other networks: not in the identity map
    "/api/v1/organisations?network=WSX&open_on=2024-06-01",
    "/api/v1/organisations/RW1",
]


def test_statement_counts_do_not_grow_with_the_data(signed_in, seeded, statement_counter):
    client = signed_in("admin")  # sees drafts too: the widest loading
    client.get("/api/v1/networks")  # first request after sign-in out of the way

    def counts() -> dict[str, int]:
        result = {}
        for url in COUNTED:
            with statement_counter() as statements:
                assert client.get(url).status_code == 200
            result[url] = len(statements)
        return result

    before = counts()
    grow_data(seeded)
    after = counts()
    assert after == before
    assert max(before.values()) <= 8, before
    # The new rows really were answered.
    assert len(get_json(client, "/api/v1/organisations")["organisations"]) == len(ALL_ODS) + 20
    assert len(get_json(client, "/api/v1/interventions")["interventions"]) == len(ALL_IDEAS) + 22
