"""A correction corrects, everywhere (issue 9, items 1 and 2), through the real database.

DOMAIN.md, "Product decision — corrections": a corrected event is void and counts for no date; the
correction counts from its own effective date; a correction of a correction works the same way; among
the events that count, the state on a day is the latest by effective date, then by the order logged.

The seeded reference data: Kent Surrey Sussex (KSS) has three trusts, RX2, RXX and RXY; the ambition
RP has four published ideas, RP-01 … RP-04.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import record_version
from tests.helpers import get_json
from tracker.adoption import services
from tracker.adoption.rules import EventInput
from tracker.editing import InvalidInput
from tracker.models import Adoption, AdoptionEvent, AdoptionSpell, ChangeIdea, Organisation, Stage, User

TODAY = date(2025, 6, 30)


def one(session, model, **key):
    return session.scalar(select(model).filter_by(**key))


@pytest.fixture
def manager(seeded):
    user = one(seeded, User, email="manager@demo.invalid")
    seeded.commit()
    return user


@pytest.fixture
def log(seeded, manager):
    """Log one event through the service, as the form and the API do; returns its id."""

    def log_one(ods, code, stage, day, corrects=None, **fields):
        organisation, idea = one(seeded, Organisation, ods_code=ods), one(seeded, ChangeIdea, code=code)
        result = services.log_adoption(
            seeded,
            manager,
            organisation,
            idea,
            EventInput(
                stage=stage,
                effective_date=day,
                discontinued_reason="staffing" if stage == "discontinued" else None,
                **fields,
            ),
            expected_version=record_version(seeded, organisation, idea),
            corrects_event_id=corrects,
            on_day=TODAY,
        )
        return result.event.id

    return log_one


@pytest.fixture
def issue_example(log):
    """The issue's example: RXX × RP-01 implementing on 1 May 2024, corrected to 1 August 2024;
    two other KSS trusts adopting one idea each since January."""
    log("RX2", "RP-01", "implementing", date(2024, 1, 10))
    log("RXY", "RP-02", "implementing", date(2024, 1, 10))
    wrong = log("RXX", "RP-01", "implementing", date(2024, 5, 1))
    right = log("RXX", "RP-01", "implementing", date(2024, 8, 1), corrects=wrong)
    return wrong, right


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


# Coverage --------------------------------------------------------------------------------------


def test_the_issues_example_a_corrected_event_no_longer_counts(signed_in, issue_example):
    client = signed_in("trust")
    body = get_json(client, "/api/v1/coverage?ambition=RP&network=KSS&as_of=2024-06-01")
    assert body["organisations_reached"] == 2
    assert body["depth"] == pytest.approx(2 / 12)  # was 0.25: RXX counted from the corrected event
    assert body["not_reached"] == ["RXX"]
    assert [i["adopters"] for i in body["by_intervention"]] == [1, 1, 0, 0]
    # The correction counts from its own date.
    body = get_json(client, "/api/v1/coverage?ambition=RP&network=KSS&as_of=2024-08-01")
    assert body["depth"] == pytest.approx(3 / 12) and body["not_reached"] == []
    # The day before it, as of a day before the correction was dated: not yet.
    body = get_json(client, "/api/v1/coverage?ambition=RP&network=KSS&as_of=2024-07-31")
    assert body["not_reached"] == ["RXX"]


def test_the_monthly_series_follows_the_correction(signed_in, issue_example):
    body = get_json(
        signed_in("trust"), "/api/v1/coverage/series?ambition=RP&network=KSS&start=2024-04-01&end=2024-08-31"
    )
    assert [(p["month"], p["reach"], p["depth"]) for p in body["points"]] == [
        ("2024-04", pytest.approx(2 / 3), pytest.approx(2 / 12)),
        ("2024-05", pytest.approx(2 / 3), pytest.approx(2 / 12)),
        ("2024-06", pytest.approx(2 / 3), pytest.approx(2 / 12)),
        ("2024-07", pytest.approx(2 / 3), pytest.approx(2 / 12)),
        ("2024-08", pytest.approx(1.0), pytest.approx(3 / 12)),
    ]


# The record, its spells and first days ------------------------------------------------------------


def pair_of(session, ods, code):
    return one(session, Organisation, ods_code=ods).id, one(session, ChangeIdea, code=code).id


def spells(session, ods, code) -> list[tuple]:
    organisation_id, idea_id = pair_of(session, ods, code)
    rows = session.execute(
        select(AdoptionSpell.event_id, AdoptionSpell.stage, AdoptionSpell.starts, AdoptionSpell.ends)
        .where(AdoptionSpell.organisation_id == organisation_id, AdoptionSpell.change_idea_id == idea_id)
        .order_by(AdoptionSpell.starts, AdoptionSpell.event_id)
    )
    return [tuple(row) for row in rows]


def record(session, ods, code) -> Adoption:
    session.expire_all()
    organisation_id, idea_id = pair_of(session, ods, code)
    return one(session, Adoption, organisation_id=organisation_id, change_idea_id=idea_id)


def test_a_backdated_correction_becomes_the_record_and_the_only_spell(seeded, log):
    wrong = log("RXX", "RP-01", "implementing", date(2024, 8, 1), wards_using=3, wards_in_scope=8)
    right = log("RXX", "RP-01", "testing", date(2024, 5, 1), corrects=wrong, wards_using=1, wards_in_scope=8)
    adoption = record(seeded, "RXX", "RP-01")
    assert (adoption.current_event_id, adoption.stage, adoption.effective_date, adoption.wards_using) == (
        right,
        Stage.TESTING,
        date(2024, 5, 1),
        1,
    )
    assert (adoption.first_considered_on, adoption.first_implemented_on) == (None, None)
    assert spells(seeded, "RXX", "RP-01") == [(right, Stage.TESTING, date(2024, 5, 1), None)]


def test_a_correction_of_a_correction(seeded, log, signed_in):
    first = log("RXX", "RP-01", "implementing", date(2024, 5, 1))
    second = log("RXX", "RP-01", "testing", date(2024, 6, 1), corrects=first)
    third = log("RXX", "RP-01", "sustained", date(2024, 4, 1), corrects=second)
    adoption = record(seeded, "RXX", "RP-01")
    assert (adoption.current_event_id, adoption.stage, adoption.first_implemented_on) == (
        third,
        Stage.SUSTAINED,
        date(2024, 4, 1),
    )
    assert spells(seeded, "RXX", "RP-01") == [(third, Stage.SUSTAINED, date(2024, 4, 1), None)]
    seeded.commit()
    client = signed_in("trust")
    for day in ("2024-04-01", "2024-05-15", "2024-06-15"):  # the second (testing) counts on no day
        body = get_json(client, f"/api/v1/coverage?ambition=RP&network=KSS&as_of={day}")
        assert "RXX" not in body["not_reached"], day
    assert "RXX" in get_json(client, "/api/v1/coverage?ambition=RP&network=KSS&as_of=2024-03-31")["not_reached"]


def event_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(AdoptionEvent))


def test_correcting_a_corrected_event_is_refused_naming_the_latest_correction(seeded, log):
    first = log("RXX", "RP-01", "implementing", date(2024, 5, 1))
    second = log("RXX", "RP-01", "testing", date(2024, 6, 1), corrects=first)
    third = log("RXX", "RP-01", "sustained", date(2024, 4, 1), corrects=second)
    before = event_count(seeded)
    with pytest.raises(InvalidInput) as refused:
        log("RXX", "RP-01", "spreading", date(2024, 7, 1), corrects=first)
    assert refused.value.errors == {
        "corrects_event_id": f"Entry {first} has already been corrected: correct the latest correction instead, "
        f"entry {third} (sustained from 1 April 2024)"
    }
    seeded.rollback()
    assert event_count(seeded) == before
    # An event of another pair cannot be corrected either.
    with pytest.raises(InvalidInput) as refused:
        log("RXY", "RP-01", "spreading", date(2024, 7, 1), corrects=third)
    assert refused.value.errors == {"corrects_event_id": "Choose an earlier event of this organisation and change idea"}
    seeded.rollback()
    assert event_count(seeded) == before


def test_the_log_form_refuses_correcting_a_corrected_event(signed_in, seeded, log):
    first = log("RXX", "RP-01", "implementing", date(2024, 5, 1))
    second = log("RXX", "RP-01", "testing", date(2024, 6, 1), corrects=first)
    seeded.commit()
    before = event_count(seeded)
    seeded.commit()
    client = signed_in("manager")
    response = client.submit(
        "/organisations/RXX/adoption/RP-01/log",
        {
            "stage": "spreading",
            "effective_date": "2024-07-01",
            "corrects_event_id": str(first),
            "row_version": str(record(seeded, "RXX", "RP-01").row_version),
            "discontinued_reason": "",
        },
    )
    seeded.commit()
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"Entry {first} has already been corrected: correct the latest correction instead, entry {second}" in html
    assert event_count(seeded) == before


# Item 2: the last logged of a date is the state on it --------------------------------------------


def test_same_day_replacement_the_median_days_ignore_a_replaced_event(signed_in, seeded, log):
    log("RXX", "RP-01", "considering", date(2024, 1, 1))
    log("RXX", "RP-01", "testing", date(2024, 1, 1))  # replaces considering on the same day
    log("RXX", "RP-01", "implementing", date(2024, 3, 1))
    log("RXY", "RP-01", "considering", date(2024, 1, 1))
    log("RXY", "RP-01", "implementing", date(2024, 1, 31))
    adoption = record(seeded, "RXX", "RP-01")
    assert (adoption.first_considered_on, adoption.first_implemented_on) == (None, date(2024, 3, 1))
    seeded.commit()
    rows = read_csv(signed_in("trust").get("/coverage/interventions.csv?ambition=RP&as_of=2024-06-30&network=KSS"))
    assert rows[0]["intervention_code"] == "RP-01"
    assert rows[0]["median_days_considering_to_implementing"] == "30"  # RXY only; RXX never was considering


# The network API and the spread map --------------------------------------------------------------


def nodes(body) -> dict:
    return {n["ods"]: n for n in body["nodes"] if n["kind"] == "organisation"}


def test_the_network_api_same_day_correction_is_not_an_adoption(signed_in, seeded, log):
    """Item 2's example: sustained then testing both on 1 May 2024, the second correcting the first."""
    sustained = log("RXX", "RP-01", "sustained", date(2024, 5, 1))
    log("RXX", "RP-01", "testing", date(2024, 5, 1), corrects=sustained)
    log("RX2", "RP-01", "sustained", date(2024, 5, 1))
    log("RX2", "RP-01", "testing", date(2024, 5, 1))  # no correction: logged later on the same day
    seeded.commit()
    body = get_json(signed_in("trust"), "/api/v1/network?ambition=RP&as_of=2024-06-01")
    for ods in ("RXX", "RX2"):
        node = nodes(body)[ods]
        assert (node["stage"], node["adopted"], node["adopted_on"], node["adopter_category"]) == (
            "testing",
            False,
            None,
            "not_yet",
        ), ods


def test_the_network_api_adoption_dates_and_categories_follow_corrections(signed_in, seeded, log):
    log("RX2", "RP-01", "implementing", date(2023, 1, 1))
    log("RXY", "RP-01", "implementing", date(2023, 6, 1))
    wrong = log("RNU", "RP-01", "implementing", date(2022, 1, 1))
    log("RNU", "RP-01", "implementing", date(2024, 6, 1), corrects=wrong)
    seeded.commit()
    client = signed_in("trust")
    found = nodes(get_json(client, "/api/v1/network?ambition=RP&as_of=2025-01-01"))
    assert {ods: (found[ods]["adopted_on"], found[ods]["adopter_category"]) for ods in ("RX2", "RXY", "RNU")} == {
        "RX2": ("2023-01-01", "early_adopter"),
        "RXY": ("2023-06-01", "early_majority"),
        "RNU": ("2024-06-01", "laggard"),
    }
    # Before the correction's date RNU has not adopted at all.
    found = nodes(get_json(client, "/api/v1/network?ambition=RP&as_of=2024-05-31"))
    assert (found["RNU"]["adopted"], found["RNU"]["adopted_on"], found["RNU"]["stage"]) == (False, None, None)


def test_the_spread_maps_timeline_follows_the_correction(signed_in, issue_example):
    html = signed_in("manager").get("/spread-map?ambition=RP&as_of=2024-06-01").get_data(as_text=True)
    rows = dict(re.findall(r'<tr class="nhsuk-table__row" data-ods="([A-Z0-9]+)" data-stage="([a-z]+)"', html))
    assert (rows["RXX"], rows["RX2"], rows["RXY"]) == ("none", "implementing", "implementing")
    assert "<strong>2 of 14</strong> open organisations have adopted" in html


# The lists and exports ---------------------------------------------------------------------------


def test_the_adoptions_api_as_of_a_day_and_its_history(signed_in, issue_example):
    wrong, right = issue_example
    client = signed_in("trust")
    body = get_json(client, "/api/v1/adoptions?organisation=RXX&intervention=RP-01&as_of=2024-06-01")
    assert body["adoptions"] == []
    body = get_json(client, "/api/v1/adoptions?organisation=RXX&intervention=RP-01&as_of=2024-08-01")
    assert [a["event_id"] for a in body["adoptions"]] == [right]
    body = get_json(client, "/api/v1/adoptions/history?organisation=RXX&intervention=RP-01")
    assert [(e["id"], e["corrects"], e["corrected_by"]) for e in body["events"]] == [
        (wrong, None, right),
        (right, wrong, None),
    ]


def test_the_exports_follow_the_correction(signed_in, seeded, log):
    wrong = log("RXX", "RP-01", "implementing", date(2024, 8, 1))
    right = log("RXX", "RP-01", "testing", date(2024, 5, 1), corrects=wrong)
    seeded.commit()
    client = signed_in("manager")
    records = read_csv(client.get("/spreadsheets/adoption-records.csv"))
    rxx = [r for r in records if (r["ods_code"], r["intervention_code"]) == ("RXX", "RP-01")]
    assert [(r["current_event_id"], r["stage"], r["effective_date"]) for r in rxx] == [
        (str(right), "testing", "2024-05-01")
    ]
    events = read_csv(client.get("/spreadsheets/adoption-events.csv"))
    assert {r["event_id"]: (r["corrects_event_id"], r["corrected_by_event_id"]) for r in events} == {
        str(right): (str(wrong), ""),
        str(wrong): ("", str(right)),
    }


def test_the_history_page_strikes_the_corrected_entry_through_and_links_its_correction(signed_in, issue_example):
    wrong, right = issue_example
    html = signed_in("trust").get("/organisations/RXX/adoption/RP-01").get_data(as_text=True)
    row = re.search(rf'<tr class="nhsuk-table__row" id="entry-{wrong}">(.*?)</tr>', html, re.S).group(1)
    assert "<s>1 May 2024</s>" in row
    assert (
        f'Corrected by <a href="#entry-{right}">entry {right} of 1 August 2024</a>: this entry counts for no date.'
        in row
    )
    row = re.search(rf'<tr class="nhsuk-table__row" id="entry-{right}">(.*?)</tr>', html, re.S).group(1)
    assert "<s>" not in row and f'Corrects <a href="#entry-{wrong}">entry {wrong}</a>' in row
