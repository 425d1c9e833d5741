"""Draft packages in the spreadsheets: the same rule as every page and the API (editors only)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.adoption.rules import EventInput
from tracker.adoption.services import append_event
from tracker.models import ChangeIdea, Organisation, PackageStatus

DRAFT_IDEA, PUBLISHED_IDEA = "RP-01", "SS-01"
SEES_DRAFTS = {"trust": False, "faculty": False, "manager": True, "admin": True}


@pytest.fixture
def drafted(seeded):
    """An event for an idea of a draft package and one for a published idea."""
    organisation = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    for code, day in ((DRAFT_IDEA, date(2024, 3, 1)), (PUBLISHED_IDEA, date(2024, 4, 1))):
        idea = seeded.scalar(select(ChangeIdea).filter_by(code=code))
        append_event(seeded, None, organisation, idea, EventInput(stage="testing", effective_date=day, note=code))
    draft = seeded.scalar(select(ChangeIdea).filter_by(code=DRAFT_IDEA)).package
    draft.status = PackageStatus.DRAFT
    seeded.commit()
    return {"package": draft.code, "title": seeded.scalar(select(ChangeIdea.title).filter_by(code=DRAFT_IDEA))}


def _codes(response) -> set[str]:
    assert response.status_code == 200
    if response.mimetype.startswith("text/csv"):
        rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    else:
        sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    return {row["intervention_code"] for row in rows}


@pytest.mark.parametrize("role", SEES_DRAFTS)
@pytest.mark.parametrize("name", ["adoption-events", "adoption-records"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_spreadsheets_show_draft_ideas_only_to_those_who_may_see_drafts(signed_in, drafted, role, name, fmt):
    client = signed_in(role)
    response = client.get(f"/spreadsheets/{name}.{fmt}")
    codes = _codes(response)
    assert PUBLISHED_IDEA in codes
    assert (DRAFT_IDEA in codes) is SEES_DRAFTS[role]
    if not SEES_DRAFTS[role]:
        body = response.get_data()
        assert drafted["title"].encode() not in body and f",{drafted['package']},".encode() not in body


@pytest.mark.parametrize("role", SEES_DRAFTS)
def test_the_spreadsheets_and_the_api_agree_on_what_exists(signed_in, drafted, role):
    client = signed_in(role)
    api_events = {e["intervention"] for e in client.get("/api/v1/adoptions/history").get_json()["events"]}
    assert _codes(client.get("/spreadsheets/adoption-events.csv")) == api_events
    idea_page = client.get(f"/ideas/{DRAFT_IDEA}").status_code
    assert idea_page == (200 if SEES_DRAFTS[role] else 404)
