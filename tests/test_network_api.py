"""The network API and its GraphML and CSV files, against the seeded South of England.

Seeded: 14 trusts in 5 networks, R1C closed on 1 October 2024 (into RW1), so 13 are open on
1 January 2025 and 14 on 30 September 2024. Links and adoptions are made by hand in each test.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import networkx as nx
import pytest
from sqlalchemy import delete, select

from tests.helpers import FormClient, forget_pages
from tracker.adoption import services
from tracker.adoption.rules import EventInput
from tracker.cache import CACHE_KEY
from tracker.calendar import today
from tracker.core import graph as measures
from tracker.maps import assemble, export
from tracker.models import (
    ChangeIdea,
    ChangePackage,
    LearningLink,
    LinkKind,
    LinkStatus,
    Network,
    Organisation,
    OrganisationKind,
    PackageStatus,
    Stage,
)
from tracker.tabular import to_csv

NETWORKS = ["KSS", "OXF", "SW", "WOE", "WSX"]
OPEN_2025 = ["R1F", "RDY", "RH5", "RJ8", "RNU", "RTQ", "RVN", "RW1", "RWV", "RWX", "RX2", "RXX", "RXY"]
DAY = date(2025, 1, 1)
URL = "/api/v1/network"


def one(session, model, **key):
    return session.scalar(select(model).filter_by(**key))


def link(session, a, b, kind="buddy_pair", weight=3, status="confirmed", start=None, end=None):
    """A learning link between two organisations (stored with the lower id first)."""
    first, second = sorted(
        (one(session, Organisation, ods_code=a), one(session, Organisation, ods_code=b)), key=lambda o: o.id
    )
    row = LearningLink(
        source=first,
        target=second,
        kind=LinkKind(kind),
        weight=weight,
        status=LinkStatus(status),
        start_date=start,
        end_date=end,
    )
    session.add(row)
    session.flush()
    return row


def adopt(session, ods, code, stage, day):
    reason = "staffing" if stage == "discontinued" else None
    return services.append_event(
        session,
        None,
        one(session, Organisation, ods_code=ods),
        one(session, ChangeIdea, code=code),
        EventInput(stage=stage, effective_date=day, discontinued_reason=reason),
    )


def network(client, status=200, **params):
    params.setdefault("as_of", DAY.isoformat())
    response = client.get(URL, query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def organisations(body):
    return {n["id"]: n for n in body["nodes"] if n["kind"] == "organisation"}


def learning_edges(body):
    return [e for e in body["edges"] if e["kind"] != "membership"]


def status(edge):
    """A learning link's status: the API writes it only when proposed (README, API)."""
    return edge.get("status", "confirmed")


def membership(body):
    """The membership edges the API leaves out, from each node's network as the README says: the
    collaborative to each network, each network to its organisations, the collaborative to the rest."""
    edges = [("collaborative", n["id"]) for n in body["nodes"] if n["kind"] == "network"]
    edges += [
        (f"network:{n['network']}" if n["network"] else "collaborative", n["id"])
        for n in body["nodes"]
        if n["kind"] == "organisation"
    ]
    return sorted(edges)


@pytest.fixture
def reader(signed_in, seeded):
    """A signed-in client, on the seeded data without the seed's own links: each test makes its own."""
    client = signed_in("trust")
    seeded.execute(delete(LearningLink))
    seeded.commit()
    return client


def test_the_seeds_links_are_drawn(signed_in, seeded):
    """Whatever links the seed made (proposed neighbours, demo links) come through as they are."""
    client = signed_in("faculty")
    expected = sorted(
        (
            min(row.source.ods_code, row.target.ods_code),
            max(row.source.ods_code, row.target.ods_code),
            row.kind.value,
            row.weight,
            row.status.value,
        )
        for row in seeded.scalars(select(LearningLink))
        if row.source.is_open_on(DAY)
        and row.target.is_open_on(DAY)
        and (row.start_date is None or row.start_date <= DAY)
        and (row.end_date is None or row.end_date >= DAY)
    )
    seeded.commit()
    body = network(client, ambition="RP")
    drawn = [(e["source"], e["target"], e["kind"], e["weight"], status(e)) for e in learning_edges(body)]
    assert drawn == expected
    confirmed = {frozenset((e[0], e[1])) for e in expected if e[4] == "confirmed"}
    linked = {ods for pair in confirmed for ods in pair}
    assert set(body["insights"]["isolated"]) == set(OPEN_2025) - linked


# The nodes and edges ---------------------------------------------------------------------------


def test_one_node_per_open_organisation_under_its_network(reader):
    body = network(reader, ambition="RP")
    assert (body["ambition"], body["intervention"], body["as_of"], body["min_stage"]) == (
        "RP",
        None,
        "2025-01-01",
        "implementing",
    )
    ids = [n["id"] for n in body["nodes"]]
    assert ids == ["collaborative"] + [f"network:{code}" for code in NETWORKS] + OPEN_2025
    assert "R1C" not in ids  # closed on 1 October 2024
    # Membership edges are left out of the answer (a megabyte at 2,500 organisations): each node's
    # network says them, and the GraphML and CSV files list them.
    assert body["edges"] == []
    implied = membership(body)
    assert implied[:5] == [("collaborative", f"network:{code}") for code in NETWORKS]
    assert len(implied) == 5 + 13
    assert ("network:OXF", "RNU") in implied and ("network:WSX", "RW1") in implied

    before = network(reader, ambition="RP", as_of="2024-09-30")
    assert len(organisations(before)) == 14
    assert ("network:WSX", "R1C") in membership(before)


def test_node_fields(reader):
    body = network(reader, ambition="RP")
    collaborative, oxford = body["nodes"][0], body["nodes"][2]
    fields = {
        "id",
        "kind",
        "name",
        "ods",
        "network",
        "lat",
        "lon",
        "stage",
        "adopted",
        "adopted_on",
        "exposure",
        "frontier",
        "betweenness",
        "community",
        "adopter_category",
    }
    assert all(set(n) == fields for n in body["nodes"])
    assert collaborative["kind"] == "collaborative" and collaborative["network"] is None
    assert (oxford["id"], oxford["kind"], oxford["network"], oxford["ods"]) == ("network:OXF", "network", "OXF", None)
    for node in (collaborative, oxford):
        assert all(
            node[k] is None
            for k in (
                "stage",
                "adopted",
                "exposure",
                "frontier",
                "betweenness",
                "community",
                "adopter_category",
                "lat",
                "lon",
            )
        )
    rnu = organisations(body)["RNU"]
    assert (rnu["ods"], rnu["network"], rnu["stage"], rnu["adopted"], rnu["adopted_on"]) == (
        "RNU",
        "OXF",
        None,
        False,
        None,
    )
    assert 51 < rnu["lat"] < 52 and -2 < rnu["lon"] < 0
    assert set(body["insights"]) == {
        "frontier",
        "brokers",
        "communities",
        "isolated",
        "attributable",
        "adopter_categories",
    }


def test_a_graph_with_no_links_still_renders(reader):
    body = network(reader, ambition="RP")
    nodes = organisations(body)
    assert learning_edges(body) == []
    assert all(n["exposure"] == 0 and n["betweenness"] == 0 and n["frontier"] is False for n in nodes.values())
    insights = body["insights"]
    assert insights["frontier"] == [] and insights["brokers"] == [] and insights["attributable"] == []
    assert insights["isolated"] == OPEN_2025
    # Every organisation is a community of its own.
    assert [c["total"] for c in insights["communities"]] == [1] * 13
    assert sorted(c["organisations"][0] for c in insights["communities"]) == OPEN_2025
    assert insights["adopter_categories"] == {
        "early_adopter": [],
        "early_majority": [],
        "late_majority": [],
        "laggard": [],
        "not_yet": OPEN_2025,
    }


def test_exposure_frontier_brokers_and_communities(reader, seeded):
    # RWX —3— RNU —1— RW1 — RDY, and RX2 — RXX apart. RWX and RX2 have adopted RP-01.
    link(seeded, "RNU", "RWX", weight=3)
    link(seeded, "RNU", "RW1", weight=1)
    link(seeded, "RW1", "RDY", kind="geographic_neighbour", weight=2)
    link(seeded, "RX2", "RXX")
    adopt(seeded, "RWX", "RP-01", "implementing", date(2023, 3, 1))
    adopt(seeded, "RX2", "RP-01", "sustained", date(2023, 6, 1))
    adopt(seeded, "RNU", "RP-01", "testing", date(2023, 1, 1))
    seeded.commit()

    body = network(reader, intervention="RP-01")
    assert (body["ambition"], body["intervention"]) == ("RP", "RP-01")
    nodes = organisations(body)
    assert nodes["RNU"]["exposure"] == 0.75  # 3 of its 4 units of weight lead to an adopter
    assert nodes["RXX"]["exposure"] == 1.0
    assert nodes["RW1"]["exposure"] == 0.0 and nodes["RWX"]["exposure"] == 0.0
    assert (nodes["RNU"]["stage"], nodes["RNU"]["adopted"], nodes["RNU"]["frontier"]) == ("testing", False, True)
    assert (nodes["RWX"]["stage"], nodes["RWX"]["adopted"], nodes["RWX"]["frontier"]) == ("implementing", True, False)
    insights = body["insights"]
    assert insights["frontier"] == [
        {"ods": "RXX", "name": nodes["RXX"]["name"], "exposure": 1.0},
        {"ods": "RNU", "name": nodes["RNU"]["name"], "exposure": 0.75},
    ]
    # On the path RWX–RNU–RW1–RDY, RNU and RW1 each lie on 2 of the 66 pairs' shortest paths
    # among the other 12 organisations; every other organisation on none.
    assert [b["ods"] for b in insights["brokers"]] == ["RNU", "RW1"]
    assert insights["brokers"][0]["betweenness"] == pytest.approx(2 / 66)
    assert insights["isolated"] == sorted(set(OPEN_2025) - {"RNU", "RWX", "RW1", "RDY", "RX2", "RXX"})
    path = next(c for c in insights["communities"] if "RNU" in c["organisations"])
    pair = next(c for c in insights["communities"] if "RX2" in c["organisations"])
    assert pair == {
        "community": pair["community"],
        "organisations": ["RX2", "RXX"],
        "reached": 1,
        "total": 2,
        "coverage": 0.5,
    }
    assert path["reached"] == 1 and set(path["organisations"]) <= {"RNU", "RWX", "RW1", "RDY"}
    assert sum(c["total"] for c in insights["communities"]) == 13
    assert nodes["RNU"]["community"] == path["community"]
    # The learning links, lower ODS code first, sorted.
    assert learning_edges(body) == [
        {"source": "RDY", "target": "RW1", "kind": "geographic_neighbour", "weight": 2},
        {"source": "RNU", "target": "RW1", "kind": "buddy_pair", "weight": 1},
        {"source": "RNU", "target": "RWX", "kind": "buddy_pair", "weight": 3},
        {"source": "RX2", "target": "RXX", "kind": "buddy_pair", "weight": 3},
    ]


def test_proposed_links_are_returned_but_not_counted(reader, seeded):
    link(seeded, "RNU", "RWX", status="proposed")
    link(seeded, "RNU", "RWX", kind="shared_faculty", weight=1, status="proposed")
    adopt(seeded, "RWX", "RP-01", "implementing", date(2023, 3, 1))
    seeded.commit()
    body = network(reader, ambition="RP")
    assert [(e["kind"], e["status"]) for e in learning_edges(body)] == [
        ("buddy_pair", "proposed"),
        ("shared_faculty", "proposed"),
    ]
    nodes = organisations(body)
    assert nodes["RNU"]["exposure"] == 0 and nodes["RNU"]["frontier"] is False
    assert body["insights"]["frontier"] == [] and "RNU" in body["insights"]["isolated"]
    assert nodes["RNU"]["community"] != nodes["RWX"]["community"]


def test_links_count_only_while_active_and_between_open_organisations(reader, seeded):
    link(seeded, "RNU", "RWX", start=date(2024, 6, 1), end=date(2024, 12, 31))
    link(seeded, "R1C", "RW1")  # R1C closed on 1 October 2024
    adopt(seeded, "RWX", "RP-01", "implementing", date(2023, 3, 1))
    adopt(seeded, "RW1", "RP-01", "implementing", date(2023, 3, 1))
    seeded.commit()

    def pairs(day):
        return [(e["source"], e["target"]) for e in learning_edges(network(reader, ambition="RP", as_of=day))]

    assert pairs("2024-05-31") == [("R1C", "RW1")]
    assert pairs("2024-06-01") == [("R1C", "RW1"), ("RNU", "RWX")]
    assert pairs("2024-09-30") == [("R1C", "RW1"), ("RNU", "RWX")]
    assert pairs("2024-12-31") == [("RNU", "RWX")]  # start and end days are inclusive
    assert pairs("2025-01-01") == []
    assert organisations(network(reader, ambition="RP", as_of="2024-09-30"))["R1C"]["exposure"] == 1.0


def test_adoption_of_an_intervention_and_of_an_ambition(reader, seeded):
    adopt(seeded, "RNU", "RP-01", "implementing", date(2022, 5, 1))
    adopt(seeded, "RNU", "RP-02", "testing", date(2022, 6, 1))
    adopt(seeded, "RWX", "RP-02", "spreading", date(2022, 7, 1))
    adopt(seeded, "RWX", "RP-02", "discontinued", date(2023, 1, 1))
    adopt(seeded, "RTQ", "RP-03", "considering", date(2022, 1, 1))
    adopt(seeded, "RVN", "SS-01", "sustained", date(2022, 1, 1))  # another ambition's idea
    seeded.commit()

    def states(**params):
        return {
            ods: (n["stage"], n["adopted"], n["adopted_on"])
            for ods, n in organisations(network(reader, **params)).items()
            if n["stage"]
        }

    assert states(intervention="RP-02") == {
        "RNU": ("testing", False, None),
        # Stopped, so not adopted now; it did reach the threshold once, on 1 July 2022.
        "RWX": ("discontinued", False, "2022-07-01"),
    }
    assert states(intervention="RP-02", min_stage="testing")["RNU"] == ("testing", True, "2022-06-01")
    assert states(ambition="RP") == {
        "RNU": ("implementing", True, "2022-05-01"),  # the highest of RP-01 and RP-02
        "RWX": ("discontinued", False, "2022-07-01"),
        "RTQ": ("considering", False, None),
    }
    assert states(ambition="RP", as_of="2022-06-15") == {
        "RNU": ("implementing", True, "2022-05-01"),
        "RTQ": ("considering", False, None),
    }
    assert states(ambition="RP", as_of="2021-12-31") == {}
    assert states(ambition="SS") == {"RVN": ("sustained", True, "2022-01-01")}
    assert states(ambition="RP", min_stage="considering")["RTQ"] == ("considering", True, "2022-01-01")


def test_adopter_categories_and_attributable_adoptions(reader, seeded):
    # Adoption days 0, 10, 20, 30, 40 after 1 January 2022 (mean 20, SD ≈ 14.1), as in Valente's rule.
    for ods, days in (("RNU", 0), ("RWX", 10), ("RW1", 20), ("RDY", 30), ("R1F", 40)):
        adopt(seeded, ods, "RP-01", "implementing", date.fromordinal(date(2022, 1, 1).toordinal() + days))
    link(seeded, "RNU", "RWX")
    link(seeded, "RW1", "RDY")
    link(seeded, "RDY", "R1F")
    link(seeded, "RNU", "RTQ")
    seeded.commit()
    body = network(reader, ambition="RP")
    categories = body["insights"]["adopter_categories"]
    assert categories["early_adopter"] == ["RNU"]
    assert categories["early_majority"] == ["RW1", "RWX"]
    assert categories["late_majority"] == ["RDY"]
    assert categories["laggard"] == ["R1F"]
    assert categories["not_yet"] == sorted(set(OPEN_2025) - {"RNU", "RWX", "RW1", "RDY", "R1F"})
    assert organisations(body)["RNU"]["adopter_category"] == "early_adopter"
    assert body["insights"]["attributable"] == [
        {"ods": "RWX", "adopted_on": "2022-01-11", "after": ["RNU"]},
        {"ods": "RDY", "adopted_on": "2022-01-31", "after": ["RW1"]},
        {"ods": "R1F", "adopted_on": "2022-02-10", "after": ["RDY"]},
    ]
    # As of an earlier day, later adoptions have not happened yet (and R1C was still open).
    early = network(reader, ambition="RP", as_of="2022-01-15")["insights"]
    assert early["adopter_categories"]["not_yet"] == sorted(set(OPEN_2025) - {"RNU", "RWX"} | {"R1C"})
    assert early["attributable"] == [{"ods": "RWX", "adopted_on": "2022-01-11", "after": ["RNU"]}]


def test_as_of_defaults_to_today_in_england(reader):
    body = reader.get(URL, query_string={"ambition": "RP"}).get_json()
    assert body["as_of"] == today().isoformat()


# Parameters and access -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({}, "ambition"),
        ({"as_of": "2025-01-01"}, "ambition"),
        ({"ambition": ""}, "ambition"),
        ({"ambition": "RP", "intervention": " "}, "intervention"),
        ({"ambition": "RP", "as_of": "2025-13-01"}, "as_of"),
        ({"ambition": "RP", "as_of": "1/1/2025"}, "as_of"),
        ({"ambition": "RP", "as_of": ""}, "as_of"),
        ({"ambition": "RP", "min_stage": "discontinued"}, "min_stage"),
        ({"ambition": "RP", "min_stage": "adopted"}, "min_stage"),
        ({"ambition": "XX", "as_of": "soon"}, "as_of"),  # 400 comes before 404
    ],
)
@pytest.mark.parametrize("path", [URL, URL + ".graphml", URL + "/nodes.csv", URL + "/edges.csv"])
def test_malformed_parameters_are_400_naming_them(reader, path, query, parameter):
    response = reader.get(path, query_string=query)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"ambition": "XX"}, "No ambition has the code XX"),
        ({"intervention": "RP-99"}, "No intervention has the code RP-99"),
        ({"ambition": "SS", "intervention": "RP-01"}, "The intervention RP-01 is not one of the ambition SS's"),
    ],
)
def test_codes_that_name_nothing_are_404(reader, query, message):
    for path in (URL, URL + ".graphml", URL + "/nodes.csv"):
        response = reader.get(path, query_string=query)
        assert response.status_code == 404
        assert response.get_json()["error"]["message"] == message


def test_draft_ideas_are_for_editors_only(app, signed_in, seeded):
    one(seeded, ChangePackage, code="RRP").status = PackageStatus.DRAFT
    adopt(seeded, "RNU", "RP-01", "implementing", date(2022, 5, 1))
    seeded.commit()
    faculty = signed_in("faculty")
    assert faculty.get(URL, query_string={"intervention": "RP-01"}).status_code == 404
    # The ambition counts published ideas only, and RRP holds all of RP's.
    assert organisations(network(faculty, ambition="RP"))["RNU"]["adopted"] is False
    manager = FormClient(app.test_client())
    manager.sign_in_as("manager")
    assert organisations(network(manager, intervention="RP-01"))["RNU"]["adopted"] is True
    assert organisations(network(manager, ambition="RP"))["RNU"]["adopted"] is False


@pytest.mark.parametrize("role", ["trust", "faculty", "manager", "admin"])
def test_every_role_may_read_the_network(signed_in, seeded, role):
    client = signed_in(role)
    seeded.commit()
    for path in (URL, URL + ".graphml", URL + "/nodes.csv", URL + "/edges.csv"):
        assert client.get(path, query_string={"ambition": "RP"}).status_code == 200, path


@pytest.mark.parametrize("path", [URL, URL + ".graphml", URL + "/nodes.csv", URL + "/edges.csv"])
def test_anonymous_callers_get_401(client, seeded, path):
    seeded.commit()
    response = client.get(path, query_string={"ambition": "RP"})
    assert response.status_code == 401 and response.is_json


def test_a_bearer_token_works(app, seeded):
    from tracker.auth.tokens import issue_token
    from tracker.models import User

    token = issue_token(seeded, one(seeded, User, email="trust@demo.invalid"))
    response = app.test_client().get(URL, query_string={"ambition": "RP"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


# The files -------------------------------------------------------------------------------------


@pytest.fixture
def linked(reader, seeded):
    link(seeded, "RNU", "RWX", weight=3)
    link(seeded, "RNU", "RWX", kind="shared_faculty", weight=1)
    link(seeded, "RNU", "RW1", status="proposed")
    adopt(seeded, "RWX", "RP-01", "implementing", date(2023, 3, 1))
    seeded.commit()
    return reader


def test_graphml_reads_back_with_the_same_nodes_and_edges(linked):
    body = network(linked, ambition="RP")
    response = linked.get(URL + ".graphml", query_string={"ambition": "RP", "as_of": "2025-01-01"})
    assert response.status_code == 200
    assert response.mimetype == "application/graphml+xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="network-RP-2025-01-01.graphml"'
    graph = nx.read_graphml(io.BytesIO(response.data))
    assert sorted(graph.nodes) == sorted(n["id"] for n in body["nodes"])
    assert graph.number_of_edges() == len(body["edges"]) + len(membership(body))
    assert graph.graph["ambition"] == "RP" and graph.graph["as_of"] == "2025-01-01"
    rnu = graph.nodes["RNU"]
    # Both confirmed links lead to RWX, an adopter; the proposed one to RW1 does not count.
    assert (rnu["kind"], rnu["network"], rnu["adopted"], rnu["exposure"], rnu["frontier"]) == (
        "organisation",
        "OXF",
        False,
        1.0,
        True,
    )
    assert rnu["adopter_category"] == "not_yet" and isinstance(rnu["community"], int) and isinstance(rnu["lat"], float)
    assert graph.nodes["RWX"]["stage"] == "implementing" and graph.nodes["RWX"]["adopted_on"] == "2023-03-01"
    assert "stage" not in graph.nodes["network:OXF"]  # GraphML has no empty value: left out
    kinds = sorted(
        (d["kind"], d.get("weight"), d.get("status"))
        for _u, _v, d in graph.edges(data=True)
        if d["kind"] != "membership"
    )
    assert kinds == [("buddy_pair", 3, "confirmed"), ("buddy_pair", 3, "proposed"), ("shared_faculty", 1, "confirmed")]


def test_csv_files_read_back(linked):
    body = network(linked, intervention="RP-01")
    response = linked.get(URL + "/nodes.csv", query_string={"intervention": "RP-01", "as_of": "2025-01-01"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="network-RP-01-2025-01-01-nodes.csv"'
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == [n["id"] for n in body["nodes"]]
    rnu = next(r for r in rows if r["id"] == "RNU")
    assert (rnu["adopted"], rnu["frontier"], float(rnu["exposure"]), rnu["stage"]) == ("false", "true", 1.0, "")
    assert rows[0]["adopted"] == "" and rows[0]["kind"] == "collaborative"

    response = linked.get(URL + "/edges.csv", query_string={"intervention": "RP-01", "as_of": "2025-01-01"})
    assert response.headers["Content-Disposition"] == 'attachment; filename="network-RP-01-2025-01-01-edges.csv"'
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [(r["source"], r["target"], r["kind"], r["weight"], r["status"]) for r in rows] == [
        (source, target, "membership", "", "") for source, target in membership(body)
    ] + [(e["source"], e["target"], e["kind"], str(e["weight"]), status(e)) for e in body["edges"]]


def test_csv_cells_that_look_like_formulas_are_neutralised(reader, seeded):
    one(seeded, Organisation, ods_code="RNU").name = '=HYPERLINK("http://x")'
    one(seeded, Network, code="OXF").name = "+Oxford"
    seeded.commit()
    text = reader.get(URL + "/nodes.csv", query_string={"ambition": "RP"}).data.decode("utf-8-sig")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["RNU"]["name"] == '\'=HYPERLINK("http://x")'
    assert rows["network:OXF"]["name"] == "'+Oxford"
    assert float(rows["RNU"]["lon"]) < 0  # numbers are numbers, not text


# Speed: statements and the cache ---------------------------------------------------------------


def cache(app):
    return app.extensions[CACHE_KEY]


def test_the_statement_count_does_not_grow_with_the_data(app, reader, seeded, statement_counter):
    with statement_counter() as small:
        network(reader, ambition="RP")
    # More of everything: organisations, links of every kind and status, events on several ideas.
    oxford = one(seeded, Network, code="OXF")
    for n in range(20):
        seeded.add(
            Organisation(
                ods_code=f"ZZ{n:03d}", name=f"Test trust {n}", kind=OrganisationKind.MENTAL_HEALTH_TRUST, network=oxford
            )
        )
    seeded.flush()
    codes = OPEN_2025 + [f"ZZ{n:03d}" for n in range(20)]
    for i, ods in enumerate(codes):
        link(seeded, ods, codes[(i + 1) % len(codes)], weight=1 + i % 5)
        link(seeded, ods, codes[(i + 7) % len(codes)], kind="learning_set", status="proposed" if i % 2 else "confirmed")
        for code in ("RP-01", "RP-02", "RP-03"):
            adopt(seeded, ods, code, "testing", date(2022, 1, 1 + i % 28))
            adopt(seeded, ods, code, "implementing", date(2023, 1, 1 + i % 28))
    seeded.commit()
    cache(app).clear()
    with statement_counter() as large:
        body = network(reader, ambition="RP")
    assert len(organisations(body)) == 33 and len(learning_edges(body)) == 66
    assert len(large) == len(small)
    # Seven of the network's own (scope, data version, organisations, networks, links, adoption,
    # the data version again before keeping the figures), two for the kept answer's data version
    # (before and after: tracker.page_cache) and those that load the signed-in user.
    assert len(large) <= 12, large
    for path in (".graphml", "/nodes.csv", "/edges.csv"):
        with statement_counter() as download:
            reader.get(URL + path, query_string={"ambition": "RP", "as_of": "2025-01-01"})
        # The adoption figures came from the cache; the file is kept like an answer (its version read twice).
        assert len(download) == len(large) - 2
        with statement_counter() as again:
            kept = reader.get(URL + path, query_string={"ambition": "RP", "as_of": "2025-01-01"})
        assert kept.status_code == 200 and "attachment" in kept.headers["Content-Disposition"]
        assert len(again) < len(download)  # the kept file: the user and the data version, nothing computed


def test_a_repeated_request_reuses_the_costly_measures(app, reader, seeded, statement_counter, monkeypatch):
    link(seeded, "RNU", "RWX")
    seeded.commit()
    calls = []
    real = measures.betweenness
    monkeypatch.setattr(measures, "betweenness", lambda graph: calls.append(1) or real(graph))
    with statement_counter() as first:
        body = network(reader, ambition="RP")
    forget_pages(app)  # the measures kept, not the answer
    with statement_counter() as second:
        assert network(reader, ambition="RP") == body
    assert len(second) == len(first) - 2 and len(calls) == 1  # no adoption query, no second version read
    # Another idea or threshold on the same day shares the graph's measures.
    network(reader, intervention="RP-02")
    network(reader, ambition="RP", min_stage="testing")
    assert len(calls) == 1
    network(reader, ambition="RP", as_of="2024-09-30")  # another graph: R1C was open
    assert len(calls) == 2


def test_a_new_link_is_seen_at_once(reader, seeded):
    adopt(seeded, "RWX", "RP-01", "implementing", date(2023, 3, 1))
    seeded.commit()
    assert organisations(network(reader, ambition="RP"))["RNU"]["exposure"] == 0
    row = link(seeded, "RNU", "RWX")
    seeded.commit()
    assert organisations(network(reader, ambition="RP"))["RNU"]["exposure"] == 1.0
    # A change of weight or status, or an end date, is seen too.
    other = link(seeded, "RNU", "RW1", weight=1)
    seeded.commit()
    assert organisations(network(reader, ambition="RP"))["RNU"]["exposure"] == 0.75
    other.weight = 3
    seeded.commit()
    assert organisations(network(reader, ambition="RP"))["RNU"]["exposure"] == 0.5
    other.status = LinkStatus.PROPOSED
    seeded.commit()
    assert organisations(network(reader, ambition="RP"))["RNU"]["exposure"] == 1.0
    row.end_date = date(2024, 12, 31)
    seeded.commit()
    body = network(reader, ambition="RP")
    assert organisations(body)["RNU"]["exposure"] == 0 and "RNU" in body["insights"]["isolated"]


def test_a_new_adoption_event_is_seen_at_once(reader, seeded):
    link(seeded, "RNU", "RWX")
    seeded.commit()
    assert network(reader, ambition="RP")["insights"]["frontier"] == []
    adopt(seeded, "RWX", "RP-01", "implementing", date(2023, 3, 1))
    seeded.commit()
    body = network(reader, ambition="RP")
    assert [f["ods"] for f in body["insights"]["frontier"]] == ["RNU"]
    # A backdated event, dated before the latest, changes the adoption date.
    adopt(seeded, "RWX", "RP-01", "spreading", date(2022, 3, 1))
    seeded.commit()
    assert organisations(network(reader, ambition="RP"))["RWX"]["adopted_on"] == "2022-03-01"
    adopt(seeded, "RWX", "RP-01", "discontinued", date(2024, 1, 1))
    seeded.commit()
    assert network(reader, ambition="RP")["insights"]["frontier"] == []


def test_an_organisation_closing_is_seen_at_once(reader, seeded):
    link(seeded, "RNU", "RWX")
    seeded.commit()
    assert len(organisations(network(reader, ambition="RP"))) == 13
    one(seeded, Organisation, ods_code="RWX").closed_on = date(2024, 12, 1)
    seeded.commit()
    body = network(reader, ambition="RP")
    assert "RWX" not in organisations(body) and learning_edges(body) == []


def test_the_cache_can_be_turned_off(make_app, seeded):
    app = make_app(NETWORK_CACHE_SIZE=0, PAGE_CACHE_MB=0)
    client = FormClient(app.test_client())
    client.sign_in_as("trust")
    seeded.commit()
    first = network(client, ambition="RP")
    assert network(client, ambition="RP") == first
    assert len(cache(app)) == 0 and cache(app).hits == 0  # computed each time, nothing kept


# The pure part ---------------------------------------------------------------------------------


def test_compose_alone():
    records = [measures.OrganisationRecord("A", "Trust A", "N1"), measures.OrganisationRecord("B", "Trust B", None)]
    links = [measures.LinkRecord("A", "B", "buddy_pair", 2)]
    graph = measures.learning_graph(records, links)
    view = assemble.compose(
        assemble.Scope("RP", None, (1,)),
        DAY,
        Stage.IMPLEMENTING,
        [("N1", "Network one")],
        records,
        links,
        {"A": assemble.AdoptionState(3, date(2022, 1, 1))},
        graph,
        assemble.graph_metrics(graph),
    )
    assert [n.id for n in view.nodes] == ["collaborative", "network:N1", "A", "B"]
    assert [(e.source, e.target, e.kind) for e in view.edges] == [
        ("collaborative", "B", "membership"),
        ("collaborative", "network:N1", "membership"),
        ("network:N1", "A", "membership"),
        ("A", "B", "buddy_pair"),
    ]
    assert [(r.ods, r.value) for r in view.insights.frontier] == [("B", 1.0)]


def test_the_csv_files_bytes_are_as_they_always_were():
    """Flags true/false, days ISO, floats as Python writes them, formulas neutralised, a BOM, CRLF."""
    records = [
        measures.OrganisationRecord("A", "=Trust A", "N1", 51.5, -1.25),
        measures.OrganisationRecord("B", 'Trust, B "x"', None),
    ]
    links = [measures.LinkRecord("A", "B", "buddy_pair", 2), measures.LinkRecord("A", "B", "other", 1, False)]
    graph = measures.learning_graph(records, links)
    view = assemble.compose(
        assemble.Scope("RP", None, (1,)),
        DAY,
        Stage.IMPLEMENTING,
        [("N1", "+Network one")],
        records,
        links,
        {"A": assemble.AdoptionState(3, date(2022, 1, 1)), "B": assemble.AdoptionState(2, None)},
        graph,
        assemble.graph_metrics(graph),
    )
    assert (
        to_csv(export.NODE_COLUMNS, export.node_rows(view))
        == (
            "\ufeffid,kind,name,ods,network,lat,lon,stage,adopted,adopted_on,exposure,frontier,betweenness,community,"
            "adopter_category\r\n"
            f"collaborative,collaborative,{assemble.COLLABORATIVE_NAME},,,,,,,,,,,,\r\n"
            "network:N1,network,'+Network one,,N1,,,,,,,,,,\r\n"
            "A,organisation,'=Trust A,A,N1,51.5,-1.25,implementing,true,2022-01-01,0.0,false,0.0,1,early_majority\r\n"
            'B,organisation,"Trust, B ""x""",B,,,,testing,false,,1.0,true,0.0,1,not_yet\r\n'
        ).encode()
    )
    assert (
        to_csv(export.EDGE_COLUMNS, export.edge_rows(view))
        == (
            "\ufeffsource,target,kind,weight,status\r\n"
            "collaborative,B,membership,,\r\n"
            "collaborative,network:N1,membership,,\r\n"
            "network:N1,A,membership,,\r\n"
            "A,B,buddy_pair,2,confirmed\r\n"
            "A,B,other,1,proposed\r\n"
        ).encode()
    )


def test_the_answer_and_the_page_say_how_betweenness_was_found(app, reader, seeded, monkeypatch):
    # RWX —3— RNU —1— RW1 — RDY: a path of 4 among the 13 open organisations.
    link(seeded, "RNU", "RWX", weight=3)
    link(seeded, "RNU", "RW1", weight=1)
    link(seeded, "RW1", "RDY", weight=2)
    seeded.commit()
    body = network(reader, ambition="RP")
    assert body["betweenness_method"] == {"exact": True, "pivots": None, "seed": None, "error": 0.0}
    assert [(b["ods"], b["standard_error"]) for b in body["insights"]["brokers"]] == [("RNU", None), ("RW1", None)]
    page = reader.get("/spread-map?ambition=RP&as_of=2025-01-01").get_data(as_text=True)
    assert "Betweenness is exact: from every organisation" in page

    # Above the size at which it is estimated (lowered here from 1,000 so that 13 organisations are
    # above it): from the seeded pivots, with the error on the page and in the answer.
    monkeypatch.setattr(measures, "EXACT_BETWEENNESS_UP_TO", 10)
    monkeypatch.setattr(measures, "PIVOTS", 6)
    app.extensions[CACHE_KEY].clear()
    forget_pages(app)
    body = network(reader, ambition="RP")
    method = body["betweenness_method"]
    assert (method["exact"], method["pivots"], method["seed"]) == (False, 6, measures.PIVOT_SEED)
    assert method["error"] > 0
    found = measures.brokerage(
        measures.learning_graph(
            [measures.OrganisationRecord(n["id"], n["name"]) for n in organisations(body).values()],
            [measures.LinkRecord(e["source"], e["target"], e["kind"], e["weight"]) for e in body["edges"]],
        )
    )
    assert {n["id"]: n["betweenness"] for n in organisations(body).values()} == found.values  # the same draw
    assert method["error"] == found.largest_error
    brokers = body["insights"]["brokers"]
    assert brokers and all(b["standard_error"] == found.standard_error[b["ods"]] for b in brokers)
    forget_pages(app)
    page = reader.get("/spread-map?ambition=RP&as_of=2025-01-01").get_data(as_text=True)
    assert "betweenness is estimated from the shortest paths of 6 organisations drawn at random" in page
    assert f"within about ±{method['error']:.3f} of the exact one" in page
    top = brokers[0]
    assert f"betweenness {top['betweenness']:.3f} (±{top['standard_error']:.3f})" in page
