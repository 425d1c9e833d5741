"""Searching change ideas: every word must match, any case, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tracker.catalogue import queries, services
from tracker.catalogue.services import IdeaDetails, PackageDetails
from tracker.models import Ambition

RESULT = re.compile(r'<a href="/ideas/([A-Z]+-\d+)">')


def found(client, q: str) -> list[str]:
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    return RESULT.findall(response.get_data(as_text=True))


@pytest.fixture
def reader(signed_in):
    return signed_in("trust")


def test_all_words_must_match(reader):
    assert found(reader, "care planning") == ["RP-01", "SSH-02"]
    assert found(reader, "care discharge") == ["SSH-02"]  # the title of SSH-02 only
    assert found(reader, "planning care") == [
        "RP-01",
        "SSH-02",
    ]  # order does not matter


def test_search_ignores_case_and_matches_codes_and_descriptions(reader):
    assert found(reader, "COLLABORATIVE") == ["RP-01", "SS-03"]
    assert found(reader, "rp-03") == ["RP-03"]
    assert found(reader, "own WORDS") == ["RP-01"]  # from the description only


def test_results_show_count_package_and_ambition(reader):
    html = reader.get("/search?q=care+planning").get_data(as_text=True)
    assert "2 change ideas found for ‘care planning’" in html
    assert "Reduce restrictive practice › " in html
    assert 'href="/packages/NCISH"' in html and 'href="/packages/RRP"' in html
    assert "Care plan written with the patient" in html
    assert 'value="care planning"' in html  # the box keeps the query
    one = reader.get("/search?q=mural").get_data(as_text=True)
    assert "1 change idea found for ‘mural’" in one


def test_no_results_explain_what_to_try(reader):
    html = reader.get("/search?q=zebra+crossing").get_data(as_text=True)
    assert "No change ideas found for ‘zebra crossing’" in html
    assert "using fewer words" in html
    assert 'href="/ambitions"' in html
    assert RESULT.findall(html) == []


@pytest.mark.parametrize("url", ["/search", "/search?q=", "/search?q=+++"])
def test_no_query_invites_a_search(reader, url):
    html = reader.get(url).get_data(as_text=True)
    assert "Enter one or more words" in html
    assert RESULT.findall(html) == []
    assert "found for" not in html


@pytest.mark.parametrize("q", ["%", "_", "%%care", "\\"])
def test_like_wildcards_are_taken_literally(reader, q):
    assert found(reader, q) == []


def test_the_query_is_shown_as_text(reader):
    html = reader.get("/search", query_string={"q": '<script>alert("x")</script>'}).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_very_long_queries_are_cut_short(reader):
    response = reader.get("/search", query_string={"q": "care " * 500})
    assert response.status_code == 200
    assert len(queries.search_words("a b c d e f g h i j k l m")) == queries.MAX_SEARCH_WORDS


def test_search_words_are_distinct_and_case_folded():
    assert queries.search_words("  Care care CARE planning ") == ["care", "planning"]
    assert queries.search_words(None) == []
    assert queries.search_words("") == []


def _add_draft_idea(session) -> None:
    ambition_id = session.scalar(select(Ambition.id).where(Ambition.code == "SS"))
    package = services.create_package(
        session,
        PackageDetails(ambition_id, "SSDRAFT", "Draft sexual safety package", "Demo"),
    )
    services.create_idea(
        session,
        package,
        IdeaDetails("SS-90", "Draft privacy screens", "Curtained bays"),
    )
    session.rollback()  # release the test session's write lock before the app writes


@pytest.mark.parametrize(
    "role, sees_draft",
    [("trust", False), ("faculty", False), ("manager", True), ("admin", True)],
)
def test_draft_ideas_are_found_only_by_editors(seeded, signed_in, role, sees_draft):
    _add_draft_idea(seeded)
    assert (found(signed_in(role), "privacy screens") == ["SS-90"]) is sees_draft


def test_search_runs_one_query_whatever_the_results(seeded, signed_in, statement_counter):
    client = signed_in("manager")
    with statement_counter() as few:
        client.get("/search?q=mural")
    with statement_counter() as many:
        client.get("/search?q=a")
    assert len(found(client, "a")) > 10
    assert len(few) == len(many)
