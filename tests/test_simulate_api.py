"""POST /api/v1/simulate: spread from chosen adopters over the learning graph, checked field by field."""

import pytest

from tests.helpers import auth
from tracker.calendar import today
from tracker.core import cascades
from tracker.forecast.whatif import graph_for
from tracker.reports.service import ambition_named

URL = "/api/v1/simulate"


def body(**changes):
    sent = {"ambition": "RP", "process": "independent_cascade", "adopters": ["RNU"], "runs": 200, "seed": 7}
    sent.update(changes)
    return {k: v for k, v in sent.items() if v is not ...}


def post(client, raw, sent, status=200):
    response = client.post(URL, json=sent, headers=auth(raw))
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize("process", ["independent_cascade", "linear_threshold"])
def test_the_answer_is_the_cores_on_the_learning_graph(seeded, client, token, process):
    answer = post(client, token["trust"], body(process=process, adopters=["RNU", "RNU", "RX2"], p=0.4))
    net = cascades.panel_network(graph_for(seeded, ambition_named(seeded, "RP"), today()))
    if process == "independent_cascade":
        core = cascades.independent_cascade(net, ["RNU", "RX2"], p=0.4, runs=200, seed=7)
    else:
        core = cascades.linear_threshold(net, ["RNU", "RX2"], runs=200, seed=7)
    assert answer["adopters"] == ["RNU", "RX2"] and answer["process"] == process
    assert answer["p"] == (0.4 if process == "independent_cascade" else None)
    assert answer["organisations"] == len(net.nodes)
    assert answer["expected_spread"] == pytest.approx(core.expected_spread)
    assert answer["low"] <= answer["expected_spread"] <= answer["high"]
    reached = {row["ods"]: row["probability"] for row in answer["reached"]}
    assert reached == pytest.approx({ods: core.probability(ods) for ods in net.nodes})
    assert reached["RNU"] == reached["RX2"] == 1.0
    shares = [row["probability"] for row in answer["reached"]]
    assert shares == sorted(shares, reverse=True)


def test_the_same_body_gives_the_same_answer_and_defaults_apply(seeded, client, token):
    assert post(client, token["manager"], body()) == post(client, token["manager"], body())
    answer = post(client, token["faculty"], body(runs=..., seed=...))
    assert (answer["runs"], answer["seed"], answer["p"]) == (1000, 0, 0.1)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"ambition": ...}, "ambition", "required"),
        ({"ambition": "NOPE"}, "ambition", "NOPE"),
        ({"process": "sir"}, "process", "independent_cascade or linear_threshold"),
        ({"process": 3}, "process", "string"),
        ({"adopters": []}, "adopters", "at least one"),
        ({"adopters": "RNU"}, "adopters", "list"),
        ({"adopters": ["RNU", 5]}, "adopters", "string"),
        ({"adopters": ["RNU", "ZZZ9", "YYY8"]}, "adopters", "YYY8, ZZZ9"),  # unknown codes, each named
        ({"runs": 0}, "runs", "1 to 5,000"),
        ({"runs": 5001}, "runs", "1 to 5,000"),
        ({"runs": True}, "runs", "whole number"),
        ({"runs": 2.5}, "runs", "whole number"),
        ({"seed": -1}, "seed", "whole number"),
        ({"p": 0}, "p", "over 0"),
        ({"p": 1.5}, "p", "up to 1"),
        ({"p": 10**400}, "p", "up to 1"),  # too large for a float: out of range, not an error of ours
        ({"colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_each_bad_field_is_422_naming_it(seeded, client, token, changes, field, words):
    error = post(client, token["trust"], body(**changes), 422)["error"]
    assert words in error["fields"][field]


def test_a_body_that_is_no_object_is_422(seeded, client, token):
    response = client.post(URL, data="[1, 2]", content_type="application/json", headers=auth(token["trust"]))
    assert response.status_code == 422 and "body" in response.get_json()["error"]["fields"]


def test_a_session_caller_must_send_the_csrf_token_and_anonymous_callers_are_refused(seeded, client, signed_in):
    assert client.post(URL, json=body()).status_code == 401
    assert signed_in("trust").post(URL, json=body()).status_code == 400  # no X-CSRFToken header
