"""The API's shared rules, each read the same way by every endpoint: dates, thresholds, bodies,
"open on a day" and "published", and the package's shape (no import cycle inside tracker.api)."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from sqlalchemy import select

from tracker.auth import tokens
from tracker.models import (
    Ambition,
    ChangeIdea,
    ChangePackage,
    Network,
    Organisation,
    OrganisationKind,
    PackageStatus,
    User,
)

ROOT = Path(__file__).resolve().parent.parent
DAY_MESSAGE = "{} must be a date in the form YYYY-MM-DD"
STAGE_MESSAGE = "min_stage must be one of considering, testing, implementing, spreading, sustained"

# Every date query parameter of the API, with the other parameters its endpoint needs.
DAY_PARAMETERS = [
    ("/api/v1/organisations", "", "open_on"),
    ("/api/v1/adoptions", "", "as_of"),
    ("/api/v1/adoptions/history", "", "as_of"),
    ("/api/v1/coverage", "ambition=RP&", "as_of"),
    ("/api/v1/coverage/series", "ambition=RP&", "start"),
    ("/api/v1/coverage/series", "ambition=RP&", "end"),
    ("/api/v1/network", "ambition=RP&", "as_of"),
]
GARBLED_DAYS = [
    "2024-W40-2",  # an ISO week date: ISO, but not the one form the API accepts
    "2024-02-30",
    "20241001",
    "1%20October%202024",
    "",
]
THRESHOLD_ENDPOINTS = [
    "/api/v1/coverage?ambition=RP",
    "/api/v1/coverage/series?ambition=RP",
    "/api/v1/network?ambition=RP",
]


def get_json(client, url: str, status: int = 200, headers: dict | None = None):
    response = client.get(url, headers=headers or {})
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


@pytest.fixture
def editor_token(seeded):
    """A bearer header of the demo manager (an editor, who may log adoption and record links)."""
    raw = tokens.issue_token(seeded, seeded.scalar(select(User).filter_by(email="manager@demo.invalid")))
    seeded.commit()
    return {"Authorization": f"Bearer {raw}"}


def add_organisation(session, ods: str, network: str, opened_on: date) -> None:
    session.add(
        Organisation(
            ods_code=ods,
            name=f"Trust {ods}",
            kind=OrganisationKind.MENTAL_HEALTH_TRUST,
            network=session.scalar(select(Network).filter_by(code=network)),
            opened_on=opened_on,
            is_demo=True,
        )
    )
    session.commit()


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", GARBLED_DAYS)
@pytest.mark.parametrize("url, others, name", DAY_PARAMETERS)
def test_a_garbled_date_in_any_parameter_is_the_same_400(signed_in, url, others, name, value):
    body = get_json(signed_in("trust"), f"{url}?{others}{name}={value}", 400)
    assert body["error"]["status"] == 400
    assert body["error"]["parameter"] == name
    assert body["error"]["message"] == DAY_MESSAGE.format(name)


@pytest.mark.parametrize("url, others, name", DAY_PARAMETERS)
def test_a_day_with_spaces_around_it_is_read_by_every_parameter(signed_in, url, others, name):
    client = signed_in("trust")
    assert get_json(client, f"{url}?{others}{name}=%202024-10-01%20") == get_json(
        client, f"{url}?{others}{name}=2024-10-01"
    )


@pytest.mark.parametrize(
    "url, body, field",
    [
        (
            "/api/v1/adoptions",
            {
                "organisation": "RNU",
                "intervention": "RP-01",
                "stage": "testing",
                "effective_date": "2024-W40-2",
                "expected_version": 0,
            },
            "effective_date",
        ),
        (
            "/api/v1/links",
            {"source": "RTQ", "target": "RXY", "kind": "other", "start_date": "2024-W40-2"},
            "start_date",
        ),
        ("/api/v1/links", {"source": "RTQ", "target": "RXY", "kind": "other", "end_date": "2024-02-30"}, "end_date"),
    ],
)
def test_a_garbled_date_in_a_body_gets_the_parameters_message(client, editor_token, url, body, field):
    response = client.post(url, json=body, headers=editor_token)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["fields"] == {field: DAY_MESSAGE.format(field)}


# --- the threshold stage ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "%20", "discontinued", "Implementing", "adopted"])
@pytest.mark.parametrize("url", THRESHOLD_ENDPOINTS)
def test_a_bad_threshold_is_the_same_400_everywhere(signed_in, url, value):
    body = get_json(signed_in("trust"), f"{url}&as_of=2024-10-01&end=2024-10-01&min_stage={value}", 400)
    assert (body["error"]["parameter"], body["error"]["message"]) == ("min_stage", STAGE_MESSAGE)


@pytest.mark.parametrize("url", THRESHOLD_ENDPOINTS)
def test_the_threshold_defaults_to_implementing_and_may_have_spaces(signed_in, url):
    client = signed_in("trust")
    query = f"{url}&as_of=2024-10-01&end=2024-10-01"
    default = get_json(client, query)
    assert default == get_json(client, f"{query}&min_stage=implementing")
    assert default == get_json(client, f"{query}&min_stage=%20implementing%20")
    assert default.get("min_stage", "implementing") == "implementing"  # coverage says which threshold it used


# --- bodies -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, fields",
    [
        (
            "/api/v1/adoptions",
            "organisation, intervention, stage, effective_date, note, evidence_url, discontinued_reason, "
            "wards_using, wards_in_scope, expected_version, corrects",
        ),
        ("/api/v1/links", "source, target, kind, weight, note, start_date, end_date"),
    ],
)
def test_every_write_checks_its_body_the_same_way(client, editor_token, url, fields):
    def errors(body) -> dict[str, str]:
        response = client.post(url, json=body, headers=editor_token)
        assert response.status_code == 422, response.get_data(as_text=True)
        return response.get_json()["error"]["fields"]

    assert errors([1, 2]) == {"body": f"Send a JSON object with the fields {fields}"}
    required = fields.split(", ")[:3]
    found = errors({"colour": "blue", required[0]: 7, required[1]: " "})
    assert found["colour"] == f"Unknown field: the fields are {fields}"
    assert found[required[0]] == f"{required[0]} must be a string"
    assert found[required[1]] == f"{required[1]} is required"
    assert found[required[2]] == f"{required[2]} is required"


# --- open on a day, and published ---------------------------------------------------------------


def test_an_organisation_not_yet_open_is_left_out_of_the_organisations_and_coverage_alike(signed_in, seeded):
    add_organisation(seeded, "RNEW", "WSX", opened_on=date(2024, 10, 1))
    client = signed_in("trust")

    def listed(day: str) -> bool:
        return "RNEW" in [o["ods"] for o in get_json(client, f"/api/v1/organisations?open_on={day}")["organisations"]]

    def counted(day: str) -> bool:
        body = get_json(client, f"/api/v1/coverage?ambition=RP&network=WSX&as_of={day}")
        return "RNEW" in body["not_reached"]

    assert (listed("2024-09-30"), counted("2024-09-30")) == (False, False)
    assert (listed("2024-10-01"), counted("2024-10-01")) == (True, True)


def test_an_ambitions_ideas_are_what_its_coverage_counts_for_those_who_see_no_drafts(
    seeded, client, editor_token, signed_in
):
    ambition = seeded.scalar(select(Ambition).filter_by(code="RP"))
    draft = ChangePackage(
        code="DRAFT", title="Draft", publisher="Demo", status=PackageStatus.DRAFT, ambition=ambition, position=99
    )
    seeded.add_all([draft, ChangeIdea(code="DR-01", title="Draft idea", package=draft, position=0)])
    seeded.commit()

    editors = get_json(client, "/api/v1/interventions?ambition=RP", headers=editor_token)["interventions"]
    assert [i["code"] for i in editors][-1] == "DR-01"
    trust = signed_in("trust")
    listed = get_json(trust, "/api/v1/interventions?ambition=RP")["interventions"]
    counted = get_json(trust, "/api/v1/coverage?ambition=RP")["by_intervention"]
    assert [i["code"] for i in listed] == [i["intervention"] for i in counted] == ["RP-01", "RP-02", "RP-03", "RP-04"]


# --- the package's shape ------------------------------------------------------------------------


def test_no_module_of_the_api_imports_another_that_imports_it_back():
    spec = importlib.util.spec_from_file_location("import_structure", ROOT / "scripts" / "import_structure.py")
    structure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(structure)
    graph = structure.import_graph()
    api = graph.subgraph(name for name in graph if name == "tracker.api" or name.startswith("tracker.api."))
    assert list(nx.simple_cycles(api)) == []
    assert "tracker.api.routes" not in {target for name in api for target in graph.successors(name)}
