"""Coverage figures are computed once per state of the data, and never served stale."""

from datetime import date

from sqlalchemy import select

from tests.conftest import FormClient
from tracker.adoption.rules import EventInput
from tracker.adoption.services import append_event
from tracker.models import ChangeIdea, Organisation

URL = "/api/v1/coverage?ambition=RP&as_of=2025-06-30&min_stage=testing"


def test_a_repeat_request_is_served_from_the_cache_and_a_new_event_refreshes_it(make_app, seeded, statement_counter):
    app = make_app(COVERAGE_CACHE_SIZE=16)
    client = FormClient(app.test_client())
    client.sign_in_as("manager")
    first = client.get(URL).json
    assert first["organisations_reached"] == 0
    from tests.conftest import count_statements

    with count_statements(app) as cold:
        client.get("/api/v1/coverage?ambition=RP&as_of=2025-06-29&min_stage=testing")
    with count_statements(app) as warm:
        again = client.get(URL).json
    assert again == first
    assert len(warm) < len(cold)

    organisation = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    idea = seeded.scalar(select(ChangeIdea).filter_by(code="RP-01"))
    append_event(seeded, None, organisation, idea, EventInput("testing", date(2024, 1, 1)))
    seeded.commit()
    assert client.get(URL).json["organisations_reached"] == 1  # the new event is seen at once


def test_an_organisation_edit_refreshes_the_figures(make_app, seeded):
    app = make_app(COVERAGE_CACHE_SIZE=16)
    client = FormClient(app.test_client())
    client.sign_in_as("manager")
    before = client.get(URL).json["organisations_total"]
    organisation = seeded.scalar(select(Organisation).filter_by(ods_code="RNU"))
    organisation.closed_on = date(2025, 1, 1)
    seeded.commit()
    assert client.get(URL).json["organisations_total"] == before - 1
