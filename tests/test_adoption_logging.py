"""Logging a stage move, by the form and by the API: ward numbers kept, repeats refused, every
error at once, stale forms refused, who may log where, and the first write of a record under a race.
"""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.factories import record_version
from tests.helpers import ON_POSTGRES, FormClient
from tracker import db as tracker_db
from tracker.adoption import queries, rules, services
from tracker.adoption.rules import EventInput
from tracker.core import ledger
from tracker.editing import InvalidInput
from tracker.models import Adoption, AdoptionEvent, ChangeIdea, Network, Organisation, Stage, User

LOG = "/organisations/RNU/adoption/RP-01/log"


def one(session, model, **key):
    return session.scalar(select(model).filter_by(**key))


def event_count(session) -> int:
    session.rollback()
    n = session.scalar(select(func.count()).select_from(AdoptionEvent))
    session.rollback()
    return n


def log(session, ods, code, stage, day, email="manager@demo.invalid", **fields):
    """Log through the service as a manager (commits)."""
    organisation, idea = one(session, Organisation, ods_code=ods), one(session, ChangeIdea, code=code)
    services.log_adoption(
        session,
        one(session, User, email=email),
        organisation,
        idea,
        EventInput(stage=stage, effective_date=day, **fields),
        expected_version=record_version(session, organisation, idea),
        on_day=date(2026, 1, 1),
    )
    session.commit()


def record(session, ods="RNU", code="RP-01") -> Adoption:
    session.rollback()
    found = session.scalar(
        select(Adoption)
        .join(Organisation, Adoption.organisation_id == Organisation.id)
        .join(ChangeIdea, Adoption.change_idea_id == ChangeIdea.id)
        .where(Organisation.ods_code == ods, ChangeIdea.code == code)
    )
    session.rollback()
    return found


INPUT = re.compile(r"<input\b([^>]*)>")
ATTRIBUTE = re.compile(r'(\w[\w-]*)(?:="([^"]*)")?')


def form_values(html: str) -> dict[str, str]:
    """What a browser would send for the form as the page shows it: text inputs' values, checked boxes."""
    values = {}
    for match in INPUT.finditer(html):
        attributes = dict(ATTRIBUTE.findall(match.group(1)))
        name, kind = attributes.get("name"), attributes.get("type", "text")
        if not name or name == "csrf_token":
            continue
        if kind in ("radio", "checkbox"):
            if "checked" in attributes:
                values[name] = attributes.get("value", "on")
        else:
            values[name] = attributes.get("value", "")
    return values


def ward_coverage(client) -> float | None:
    response = client.get("/api/v1/coverage?ambition=RP&min_stage=testing")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["ward_coverage"]


@pytest.fixture
def implementing(seeded):
    """RNU × RP-01 implementing since 3 March 2025 on 3 of 8 wards; RXY × RP-01 testing on 2 of 4."""
    log(seeded, "RNU", "RP-01", "implementing", date(2025, 3, 3), wards_using=3, wards_in_scope=8, note="Ward 1")
    log(seeded, "RXY", "RP-01", "testing", date(2025, 1, 1), wards_using=2, wards_in_scope=4)
    return seeded


def api_log(client, raw: str, **body):
    """POST a stage move; without expected_version, first read the record's version as a client does."""
    headers = {"Authorization": f"Bearer {raw}"}
    move = {
        "organisation": "RNU",
        "intervention": "RP-01",
        "stage": "spreading",
        "effective_date": "2025-06-01",
        **body,
    }
    if "expected_version" not in move:
        pair = {"organisation": move["organisation"], "intervention": move["intervention"]}
        records = client.get("/api/v1/adoptions", query_string=pair, headers=headers).get_json().get("adoptions", [])
        move["expected_version"] = records[0]["version"] if records else 0
    return client.post("/api/v1/adoptions", headers=headers, json=move)


# --- item 7: ward numbers are kept unless cleared -------------------------------------------------


def test_a_stage_move_sent_as_the_form_shows_it_keeps_the_trusts_ward_coverage(signed_in, implementing):
    client = signed_in("faculty")
    before = ward_coverage(client)
    assert before == pytest.approx((3 + 2) / (8 + 4))
    shown = form_values(client.get(LOG).get_data(as_text=True))
    response = client.submit(LOG, {**shown, "stage": "spreading", "effective_date": "2025-06-01"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert ward_coverage(client) == before
    assert (shown.get("wards_using"), shown.get("wards_in_scope")) == ("3", "8")  # they were pre-filled
    assert (record(implementing).stage, record(implementing).wards_using) == (Stage.SPREADING, 3)


def test_empty_ward_fields_mean_unchanged_and_clearing_is_a_choice(signed_in, implementing):
    client = signed_in("faculty")
    move = {"row_version": "1", "wards_using": "", "wards_in_scope": ""}
    response = client.submit(LOG, {**move, "stage": "spreading", "effective_date": "2025-06-01"})
    assert response.status_code == 302
    assert (record(implementing).wards_using, record(implementing).wards_in_scope) == (3, 8)
    # One field changed, the other left empty: the empty one keeps its number.
    response = client.submit(LOG, {**move, "row_version": "2", "stage": "spreading", "wards_using": "5",
                                   "effective_date": "2025-07-01"})  # fmt: skip
    assert response.status_code == 302
    assert (record(implementing).wards_using, record(implementing).wards_in_scope) == (5, 8)
    # Clearing with numbers typed is contradictory: refused, nothing written.
    before = event_count(implementing)
    both = {**move, "row_version": "3", "stage": "sustained", "effective_date": "2025-08-01", "clear_wards": "y"}
    body = client.submit(LOG, {**both, "wards_using": "4"}).get_data(as_text=True)
    assert "Either clear the ward numbers or enter them, not both" in body
    assert event_count(implementing) == before
    assert client.submit(LOG, both).status_code == 302
    assert (record(implementing).wards_using, record(implementing).wards_in_scope) == (None, None)
    assert ward_coverage(client) == pytest.approx(2 / 4)


def test_the_api_keeps_the_numbers_a_body_leaves_out_and_clears_those_sent_as_null(client, token, implementing):
    response = api_log(client, token["manager"], expected_version=1)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert (response.get_json()["event"]["wards_using"], response.get_json()["event"]["wards_in_scope"]) == (3, 8)
    response = api_log(client, token["manager"], stage="sustained", wards_using=None, wards_in_scope=None)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert (record(implementing).wards_using, record(implementing).wards_in_scope) == (None, None)


def test_kept_numbers_are_checked_with_the_new_one(client, token, implementing):
    response = api_log(client, token["manager"], wards_using=9)  # 9 of the kept 8
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "wards_using": "Wards using it cannot be more than wards in scope"
    }


# --- item 8: repeats are refused; "since" is when the stage was reached ---------------------------


REPEATED = "This record is already at implementing since 3 March 2025"


def test_the_form_refuses_a_repeat_of_the_record(signed_in, implementing):
    client = signed_in("faculty")
    before = event_count(implementing)
    shown = form_values(client.get(LOG).get_data(as_text=True))
    response = client.submit(LOG, {**shown, "stage": "implementing", "effective_date": "2025-06-01"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert REPEATED in body
    assert event_count(implementing) == before


def test_the_api_refuses_a_repeat_with_422(client, token, implementing):
    before = event_count(implementing)
    response = api_log(client, token["manager"], stage="implementing", wards_using=3, wards_in_scope=8)
    assert response.status_code == 422
    assert REPEATED in response.get_json()["error"]["fields"]["stage"]
    assert event_count(implementing) == before


@pytest.mark.parametrize(
    "change", [{"wards_using": 4}, {"note": "Now on Ward 2 too"}, {"evidence_url": "https://example.nhs.uk/audit"}]
)
def test_an_update_at_the_same_stage_is_logged_and_since_stays(client, token, signed_in, implementing, change):
    response = api_log(client, token["manager"], stage="implementing", **change)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["record"]["since"] == "2025-03-03"
    assert response.get_json()["record"]["effective_date"] == "2025-06-01"
    records = client.get("/api/v1/adoptions?organisation=RNU", headers={"Authorization": f"Bearer {token['trust']}"})
    assert records.get_json()["adoptions"][0]["since"] == "2025-03-03"
    pages = signed_in("faculty")
    assert "Implementing</strong> since 3 March 2025" in pages.get("/organisations/RNU/adoption/RP-01").get_data(
        as_text=True
    )
    matrix = pages.get("/organisations/RNU/adoption").get_data(as_text=True)
    row = matrix.split("RP-01 ")[1].split("</tr>")[0]
    assert "3 March 2025" in row and "1 June 2025" not in row.split("Last confirmed")[0]
    assert "on 1 June 2025" in row.split("Last confirmed")[1]  # the update confirmed the record
    idea = pages.get("/ideas/RP-01").get_data(as_text=True).split('id="adopters"')[1]
    assert "3 March 2025" in idea


def test_since_as_of_a_past_day_is_that_days_run(client, token, implementing):
    assert api_log(client, token["manager"], stage="implementing", note="More wards").status_code == 201
    auth = {"Authorization": f"Bearer {token['trust']}"}
    past = client.get("/api/v1/adoptions?organisation=RNU&as_of=2025-04-01", headers=auth).get_json()["adoptions"]
    assert (past[0]["effective_date"], past[0]["since"]) == ("2025-03-03", "2025-03-03")


CURRENT = rules.CurrentState(Stage.IMPLEMENTING, date(2025, 3, 3), 3, 8, "Ward 1", "", None)


@pytest.mark.parametrize(
    "changes, repeats",
    [
        ({}, True),
        ({"note": "Ward 1"}, True),  # the same note again says nothing new
        ({"effective_date": date(2025, 3, 3)}, True),
        ({"effective_date": date(2025, 3, 1)}, False),  # backdated: history, not a repeat
        ({"note": "Ward 2"}, False),
        ({"evidence_url": "https://example.nhs.uk/audit"}, False),
        ({"wards_using": 4}, False),
        ({"wards_in_scope": None}, False),
        ({"stage": "spreading"}, False),
    ],
)
def test_what_counts_as_a_repeat_of_the_record(changes, repeats):
    data = EventInput(**{"stage": "implementing", "effective_date": date(2025, 6, 1), "wards_using": 3,
                         "wards_in_scope": 8, **changes})  # fmt: skip
    assert rules.repeats_record(data, CURRENT) is repeats


def test_since_is_where_the_run_of_the_current_stage_began_corrected_events_left_out(seeded):
    organisation, idea = one(seeded, Organisation, ods_code="RNU"), one(seeded, ChangeIdea, code="RP-02")
    manager = one(seeded, User, email="manager@demo.invalid")

    def move(stage, day, corrects=None):
        result = services.log_adoption(
            seeded,
            manager,
            organisation,
            idea,
            EventInput(stage, date(2025, 1, day), note=f"{stage} on day {day}"),
            expected_version=record_version(seeded, organisation, idea),
            corrects_event_id=corrects,
            on_day=date(2026, 1, 1),
        )
        return result.event.id

    def since(as_of=None):
        filters = queries.EventFilters(organisation="RNU", idea="RP-02", as_of=as_of)
        (held,) = queries.records_as_of(seeded, filters)
        if as_of is None:  # today's: the record's own
            assert queries.record(seeded, organisation, idea).stage_since == held.since
        return held.since

    move("testing", 1)
    for day in (2, 5, 9):
        move("implementing", day)
    assert since() == date(2025, 1, 2)
    assert since(as_of=date(2025, 1, 5)) == date(2025, 1, 2)
    move("considering", 1)  # backdated before the run: the run stands
    assert since() == date(2025, 1, 2)
    wrong = move("spreading", 7)  # backdated into the run: it splits it
    assert since() == date(2025, 1, 9)
    move("implementing", 7, corrects=wrong)  # the correction replaces it: the run is whole again
    assert since() == date(2025, 1, 2)
    assert since(as_of=date(2025, 1, 8)) == date(2025, 1, 2)
    move("testing", 9)
    move("implementing", 9)  # logged later the same day: testing held no day, so the run stands
    assert since() == date(2025, 1, 2)
    assert since(as_of=date(2025, 1, 8)) == date(2025, 1, 2)


def test_each_spell_knows_where_its_run_began():
    """derive() gives each counting spell the first day of its run of consecutive spells at its stage,
    the record the last spell's; void events are left out, and an entry replaced on its own date (it
    was never the state) splits no run."""

    def day(d):
        return date(2025, 1, d)

    events = [
        ledger.LedgerEvent(1, Stage.TESTING, day(1)),
        ledger.LedgerEvent(2, Stage.IMPLEMENTING, day(2)),
        ledger.LedgerEvent(3, Stage.IMPLEMENTING, day(5), wards_using=3),
        ledger.LedgerEvent(4, Stage.SPREADING, day(4)),  # void: corrected by 5
        ledger.LedgerEvent(5, Stage.IMPLEMENTING, day(4), corrects=4),
        ledger.LedgerEvent(6, Stage.TESTING, day(9)),  # replaced on its own date by 7
        ledger.LedgerEvent(7, Stage.IMPLEMENTING, day(9)),
        ledger.LedgerEvent(8, Stage.IMPLEMENTING, day(12), wards_using=4),
    ]
    state = ledger.derive(events)
    assert [(s.event.id, s.since) for s in state.spells] == [
        (1, day(1)),
        (2, day(2)),
        (5, day(2)),
        (3, day(2)),
        (6, day(9)),  # held no day: its own date, read by nothing
        (7, day(2)),
        (8, day(2)),
    ]
    assert state.since == day(2)


# --- item 9: every error at once; the summary's radio link reaches the first option -----------------


def test_without_a_stage_every_other_error_is_shown_too(signed_in, seeded):
    client = signed_in("faculty")
    response = client.submit(
        LOG,
        {
            "effective_date": "2099-01-01",
            "wards_using": "9",
            "wards_in_scope": "5",
            "evidence_url": "javascript:alert(1)",
            "discontinued_reason": "staffing",
            "row_version": "0",
        },
    )
    body = response.get_data(as_text=True)
    summary = body.split('class="nhsuk-error-summary"')[1].split("</ul>")[0]
    links = {message: href for href, message in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)}
    assert links == {
        "Choose the stage": "stage-1",
        "The date cannot be in the future": "effective_date",
        "Wards using it cannot be more than wards in scope": "wards_using",
        "Enter a web address starting with http:// or https://": "evidence_url",
    }
    assert 'id="stage-1" name="stage" type="radio"' in body  # the link's target is the first option
    assert event_count(seeded) == 0


# --- item 22 (issue 10: one contract): a form without a readable version is refused ---------------


@pytest.mark.parametrize("version", [None, "", "one", "1.0", "-1", "9" * 30])
def test_a_form_with_a_missing_or_garbled_version_is_refused(signed_in, implementing, version):
    client = signed_in("faculty")
    before = event_count(implementing)
    move = {"stage": "spreading", "effective_date": "2025-06-01"}
    if version is not None:
        move["row_version"] = version
    response = client.submit(LOG, move)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "did not say which version you opened, so nothing was saved" in body
    assert "changed by someone else since you opened it" not in body  # refused, not a conflict
    assert event_count(implementing) == before


# --- item 24: faculty log only for the networks assigned ----------------------------------------


def set_networks(session, codes):
    user = one(session, User, email="faculty@demo.invalid")
    user.networks = list(session.scalars(select(Network).where(Network.code.in_(codes))))
    session.commit()


def test_the_demo_faculty_member_has_networks(seeded):
    assert sorted(n.code for n in one(seeded, User, email="faculty@demo.invalid").networks) == ["OXF", "WSX"]


@pytest.mark.parametrize(
    "role, networks, may",
    [
        ("faculty", [], set()),
        ("faculty", ["OXF"], {"RNU"}),
        ("faculty", ["KSS", "OXF", "SW", "WOE", "WSX"], {"RNU", "RXY"}),
        ("trust", [], set()),
        ("manager", [], {"RNU", "RXY"}),
        ("admin", [], {"RNU", "RXY"}),
    ],
)
def test_who_may_log_where_by_form_api_and_pages(client, seeded, token, role, networks, may):
    set_networks(seeded, networks)
    client.sign_in_as(role)
    idea_page = client.get("/ideas/RP-01").get_data(as_text=True)
    for ods in ("RNU", "RXY"):
        allowed = ods in may
        page = f"/organisations/{ods}/adoption/RP-01/log"
        assert client.get(page).status_code == (200 if allowed else 403)
        assert (f'href="{page}"' in client.get(f"/organisations/{ods}/adoption").get_data(as_text=True)) is allowed
        assert (f"({ods})</option>" in idea_page) is allowed
        response = api_log(client, token[role], organisation=ods)
        assert response.status_code == (201 if allowed else 403), response.get_data(as_text=True)


def test_an_administrator_ticks_every_network_to_let_faculty_log_everywhere(signed_in, seeded):
    set_networks(seeded, [])
    admin = signed_in("admin")
    user = one(seeded, User, email="faculty@demo.invalid")
    seeded.rollback()
    page = f"/admin/users/{user.id}/edit"
    form = admin.get(page).get_data(as_text=True)
    assert "With none ticked they log nowhere" in form
    codes = [n.code for n in seeded.scalars(select(Network))]
    seeded.rollback()
    response = admin.submit(page, {**form_values(form), "networks": codes})
    assert response.status_code == 302, response.get_data(as_text=True)
    faculty = FormClient(admin.application.test_client())
    faculty.sign_in_as("faculty")
    assert faculty.get("/organisations/RXY/adoption/RP-01/log").status_code == 200


# --- item 17: the first write of a record, raced ------------------------------------------------


def race(app, raw: str, ods: str, code: str, writers: int) -> list[int]:
    """The answers to `writers` clients posting expected_version 0 for one pair at the same moment."""
    start = threading.Barrier(writers)
    answers: list[int] = []
    failures: list[str] = []

    def post():
        client = app.test_client()
        try:
            start.wait(timeout=30)
            answers.append(api_log(client, raw, organisation=ods, intervention=code, expected_version=0).status_code)
        except Exception as error:  # noqa: BLE001 - the test reports whatever went wrong
            failures.append(repr(error))

    threads = [threading.Thread(target=post) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    return sorted(answers)


def test_simultaneous_first_writes_of_a_record_let_exactly_one_win(app, seeded, token):
    """Eight clients post expected_version 0 at once for a pair with no record: one 201 and seven
    409s, and one event written (three pairs, one after another)."""
    # The token's first use is recorded once, in a write of its own: done here, not in the race.
    assert (
        app.test_client().get("/api/v1/adoptions", headers={"Authorization": f"Bearer {token['manager']}"}).status_code
        == 200
    )
    for n, (ods, code) in enumerate([("RNU", "RP-02"), ("RXY", "RP-03"), ("RW1", "SS-01")], start=1):
        assert race(app, token["manager"], ods, code, writers=8) == [201] + [409] * 7, (ods, code)
        assert event_count(seeded) == n


@pytest.mark.skipif(
    not ON_POSTGRES, reason="SQLite's BEGIN IMMEDIATE lets one writer in at a time: nothing interleaves"
)
def test_an_event_logged_while_a_closure_is_being_saved_waits_for_it_and_is_then_refused(app, seeded):
    """The closure's transaction has locked the organisation and moved its date, not yet committed;
    an event dated after the new closure must not slip in between its count of events left out and its commit."""
    engine = tracker_db.get_engine(app)
    organisation_id = one(seeded, Organisation, ods_code="RNU").id
    seeded.rollback()
    outcome: dict[str, object] = {}

    def log_after_the_closure_date():
        with Session(engine) as writer:
            outcome["pid"] = writer.scalar(text("SELECT pg_backend_pid()"))
            try:
                log(writer, "RNU", "RP-01", "testing", date(2024, 6, 1))
                outcome["logged"] = True
            except InvalidInput as refused:
                outcome["refused"] = refused.errors

    with Session(engine) as closer, engine.connect() as watcher:
        row = closer.scalar(select(Organisation).where(Organisation.id == organisation_id).with_for_update())
        row.closed_on = date(2024, 1, 1)
        closer.flush()
        logger = threading.Thread(target=log_after_the_closure_date)
        logger.start()
        # Only the logger's own backend counts: other workers of the suite share the database.
        waiting = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid = :pid")
        for _ in range(500):  # until the logger waits on the organisation's row (bounded: 10 s)
            pid = outcome.get("pid")
            if (pid and watcher.execute(waiting, {"pid": pid}).scalar()) or not logger.is_alive():
                break
            logger.join(0.02)
        assert logger.is_alive(), outcome  # it waited for the closure instead of reading the old dates
        closer.commit()
    logger.join(30)
    assert "closed on 1 January 2024" in outcome["refused"]["effective_date"]
    assert event_count(seeded) == 0
