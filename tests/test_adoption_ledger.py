"""The adoption ledger through the real database: logging, the current record, conflicts, pages."""

from datetime import date, timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.factories import record_version
from tracker import db as tracker_db
from tracker.adoption import queries, services
from tracker.adoption.rules import EventInput
from tracker.editing import EditConflict, InvalidInput
from tracker.models import (
    Adoption,
    AdoptionEvent,
    AdoptionSpell,
    ChangeIdea,
    Organisation,
    OrganisationKind,
    Stage,
    User,
)


def one(session, model, **key):
    return session.scalar(select(model).filter_by(**key))


def event_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(AdoptionEvent))


@pytest.fixture
def faculty(seeded):
    user = one(seeded, User, email="faculty@demo.invalid")
    seeded.commit()  # end the read: the test's requests may write next
    return user


@pytest.fixture
def manager(seeded):
    user = one(seeded, User, email="manager@demo.invalid")
    seeded.commit()
    return user


def log(session, user, ods, code, stage, day, expected_version=None, **fields):
    """Log through the service; without expected_version, at the record's current version."""
    organisation, idea = one(session, Organisation, ods_code=ods), one(session, ChangeIdea, code=code)
    return services.log_adoption(
        session,
        user,
        organisation,
        idea,
        EventInput(stage=stage, effective_date=day, **fields),
        expected_version=record_version(session, organisation, idea) if expected_version is None else expected_version,
        on_day=date(2025, 6, 30),
    )


def test_first_event_creates_the_current_record(seeded, faculty):
    result = log(
        seeded,
        faculty,
        "RNU",
        "RP-01",
        "testing",
        date(2022, 3, 1),
        expected_version=0,
        wards_using=2,
        wards_in_scope=5,
    )
    assert result.became_current
    record = one(
        seeded, Adoption, organisation_id=result.event.organisation_id, change_idea_id=result.event.change_idea_id
    )
    assert (record.stage, record.effective_date, record.row_version) == (Stage.TESTING, date(2022, 3, 1), 1)
    assert record.current_event.logged_by.email == "faculty@demo.invalid"


def first_days(session, ods, code):
    record = one(
        session,
        Adoption,
        organisation_id=one(session, Organisation, ods_code=ods).id,
        change_idea_id=one(session, ChangeIdea, code=code).id,
    )
    return record.first_considered_on, record.first_implemented_on


def test_the_current_record_keeps_the_first_days_at_considering_and_implementing(seeded, faculty):
    log(seeded, faculty, "RNU", "RP-01", "testing", date(2022, 3, 1))
    assert first_days(seeded, "RNU", "RP-01") == (None, None)
    log(seeded, faculty, "RNU", "RP-01", "spreading", date(2023, 4, 1))
    assert first_days(seeded, "RNU", "RP-01") == (None, date(2023, 4, 1))
    # Backdated events move the first days earlier, whichever order they arrive in.
    log(seeded, faculty, "RNU", "RP-01", "implementing", date(2022, 9, 1))
    log(seeded, faculty, "RNU", "RP-01", "considering", date(2022, 1, 5))
    log(seeded, faculty, "RNU", "RP-01", "considering", date(2024, 1, 5))
    log(seeded, faculty, "RNU", "RP-01", "sustained", date(2025, 1, 5))
    assert first_days(seeded, "RNU", "RP-01") == (date(2022, 1, 5), date(2022, 9, 1))


def test_discontinuing_is_not_implementing(seeded, faculty):
    log(seeded, faculty, "RNU", "RP-01", "discontinued", date(2022, 3, 1), discontinued_reason="staffing")
    assert first_days(seeded, "RNU", "RP-01") == (None, None)


def test_a_backdated_event_joins_the_history_without_changing_the_current_stage(seeded, faculty):
    log(seeded, faculty, "RNU", "RP-01", "implementing", date(2023, 1, 10))
    result = log(seeded, faculty, "RNU", "RP-01", "considering", date(2021, 5, 1))
    assert not result.became_current
    assert result.adoption.stage is Stage.IMPLEMENTING
    history = queries.history(seeded, result.event.organisation, result.event.change_idea)
    assert [e.stage for e in history] == [Stage.IMPLEMENTING, Stage.CONSIDERING]


def test_same_day_events_are_ordered_by_when_they_were_logged(seeded, faculty):
    log(seeded, faculty, "RNU", "RP-01", "testing", date(2023, 1, 10))
    result = log(seeded, faculty, "RNU", "RP-01", "implementing", date(2023, 1, 10))
    assert result.became_current and result.adoption.stage is Stage.IMPLEMENTING


def test_a_stale_version_is_refused_and_nothing_is_written(app, seeded, faculty):
    """Two people open the same record at version 1; the second to save gets a conflict."""
    log(seeded, faculty, "RNU", "RP-01", "testing", date(2022, 3, 1), expected_version=0)
    with tracker_db.write_session(app) as first, tracker_db.write_session(app) as second:

        def opened(session):
            version = session.scalar(select(Adoption.row_version))
            session.rollback()  # the page is rendered; its transaction is over
            return version

        seen_by_first, seen_by_second = opened(first), opened(second)
        log(
            first,
            one(first, User, email="faculty@demo.invalid"),
            "RNU",
            "RP-01",
            "implementing",
            date(2023, 1, 1),
            expected_version=seen_by_first,
        )
        before = event_count(second)
        second.rollback()
        with pytest.raises(EditConflict) as conflict:
            log(
                second,
                one(second, User, email="manager@demo.invalid"),
                "RNU",
                "RP-01",
                "spreading",
                date(2023, 6, 1),
                expected_version=seen_by_second,
            )
        assert conflict.value.current.stage is Stage.IMPLEMENTING
        second.rollback()
        assert event_count(second) == before


def test_bad_input_writes_nothing(seeded, faculty):
    with pytest.raises(InvalidInput) as error:
        log(seeded, faculty, "RNU", "RP-01", "discontinued", date(2022, 3, 1))
    assert "discontinued_reason" in error.value.errors
    assert event_count(seeded) == 0


def test_dates_outside_the_organisation_open_period_are_refused(seeded, manager):
    with pytest.raises(InvalidInput) as error:
        log(seeded, manager, "R1C", "RP-01", "testing", date(2024, 10, 1))
    assert "closed on 1 October 2024" in error.value.errors["effective_date"]
    log(seeded, manager, "R1C", "RP-01", "testing", date(2024, 9, 30))


def test_faculty_log_only_in_their_networks(seeded, faculty):
    # The demo faculty member covers OXF and WSX; Kent and Medway (RXY) is in KSS.
    with pytest.raises(services.NotPermitted):
        log(seeded, faculty, "RXY", "RP-01", "testing", date(2022, 3, 1))
    log(seeded, faculty, "RW1", "RP-01", "testing", date(2022, 3, 1))
    faculty.networks = []
    seeded.commit()
    for ods in ("RXY", "RW1"):  # no networks: nowhere (an administrator ticks every network for anywhere)
        with pytest.raises(services.NotPermitted):
            log(seeded, faculty, ods, "RP-01", "implementing", date(2022, 3, 1))


def test_a_correction_names_the_entry_it_corrects(seeded, faculty):
    wrong = log(seeded, faculty, "RNU", "RP-01", "implementing", date(2022, 3, 1)).event
    right = services.log_adoption(
        seeded,
        faculty,
        wrong.organisation,
        wrong.change_idea,
        EventInput("testing", date(2022, 3, 1)),
        expected_version=record_version(seeded, wrong.organisation, wrong.change_idea),
        corrects_event_id=wrong.id,
        on_day=date(2025, 6, 30),
    ).event
    assert right.corrects_event_id == wrong.id
    assert one(seeded, Adoption, id=1).stage is Stage.TESTING
    with pytest.raises(InvalidInput):
        log(seeded, faculty, "RNU", "RP-02", "testing", date(2022, 3, 1))  # fine
        services.log_adoption(
            seeded,
            faculty,
            wrong.organisation,
            one(seeded, ChangeIdea, code="RP-02"),
            EventInput("testing", date(2022, 3, 2)),
            expected_version=record_version(seeded, wrong.organisation, one(seeded, ChangeIdea, code="RP-02")),
            corrects_event_id=wrong.id,
            on_day=date(2025, 6, 30),
        )


def test_events_cannot_be_changed_or_deleted_in_the_database(seeded, faculty):
    log(seeded, faculty, "RNU", "RP-01", "testing", date(2022, 3, 1))
    for statement in ("UPDATE adoption_events SET stage = 'sustained'", "DELETE FROM adoption_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            seeded.execute(text(statement))
        seeded.rollback()
    assert event_count(seeded) == 1


def test_records_as_of_a_date(seeded, faculty):
    log(seeded, faculty, "RNU", "RP-01", "considering", date(2021, 6, 1))
    log(seeded, faculty, "RNU", "RP-01", "implementing", date(2022, 6, 1))
    log(seeded, faculty, "RWX", "RP-02", "testing", date(2022, 1, 1))

    def as_of(day):
        return [
            (e.organisation.ods_code, e.change_idea.code, e.stage)
            for e, _since in queries.records_as_of(seeded, queries.EventFilters(as_of=day))
        ]

    assert as_of(date(2021, 5, 31)) == []
    assert as_of(date(2021, 6, 1)) == [("RNU", "RP-01", Stage.CONSIDERING)]
    assert as_of(date(2022, 6, 1)) == [("RNU", "RP-01", Stage.IMPLEMENTING), ("RWX", "RP-02", Stage.TESTING)]


_codes = count(1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moves=st.lists(
        st.tuples(st.sampled_from([s for s in Stage if s is not Stage.DISCONTINUED]), st.integers(0, 60)),
        min_size=1,
        max_size=8,
    )
)
def test_the_current_record_and_the_spells_always_follow_the_events(seeded, manager, moves):
    """Whatever order events arrive in, the record equals the event with the latest (date, id) and
    keeps the first days the state was there; the spells run from each event to the next by (date, id),
    each with the day its run of consecutive events at that stage began (the record: the last one's)."""
    organisation = Organisation(
        ods_code=f"Z{next(_codes):04d}", name="Property test trust", kind=OrganisationKind.OTHER_PROVIDER
    )
    seeded.add(organisation)
    seeded.commit()
    idea = one(seeded, ChangeIdea, code="RP-01")
    for n, (stage, days) in enumerate(moves):
        services.log_adoption(
            seeded,
            manager,
            organisation,
            idea,
            EventInput(
                stage.value,
                date(2021, 4, 1) + timedelta(days=days),
                wards_using=days % 7,
                wards_in_scope=9,
                note=f"Move {n}",  # every move says something new (a bare repeat is refused)
            ),
            expected_version=record_version(seeded, organisation, idea),
            on_day=date(2025, 6, 30),
        )
    events = queries.history(seeded, organisation, idea)
    latest = max(events, key=lambda e: (e.effective_date, e.id))
    record = queries.record(seeded, organisation, idea)
    assert (record.current_event_id, record.stage, record.effective_date, record.wards_using) == (
        latest.id,
        latest.stage,
        latest.effective_date,
        latest.wards_using,
    )
    assert len(events) == len(moves)
    # An event that a later-logged one of the same date replaced was never the state.
    held = [e for e in events if not any(o.effective_date == e.effective_date and o.id > e.id for o in events)]
    assert (record.first_considered_on, record.first_implemented_on) == (
        min((e.effective_date for e in held if e.stage is Stage.CONSIDERING), default=None),
        min((e.effective_date for e in held if e.stage.at_least(Stage.IMPLEMENTING)), default=None),
    )
    ordered = sorted(events, key=lambda e: (e.effective_date, e.id))
    following = [*ordered[1:], None]
    # Since: where the run of consecutive held events (by date, id) at the event's stage began; an
    # event replaced on its own date splits no run and keeps its own date.
    since, last_held = [], None
    for e in ordered:
        if e in held and last_held is not None and last_held[0].stage is e.stage:
            since.append(last_held[1])
        else:
            since.append(e.effective_date)
        last_held = (e, since[-1]) if e in held else last_held
    spells = seeded.execute(
        select(
            AdoptionSpell.event_id, AdoptionSpell.stage, AdoptionSpell.starts, AdoptionSpell.ends, AdoptionSpell.since
        )
        .where(AdoptionSpell.organisation_id == organisation.id, AdoptionSpell.change_idea_id == idea.id)
        .order_by(AdoptionSpell.starts, AdoptionSpell.event_id)
    ).all()
    assert [tuple(spell) for spell in spells] == [
        (e.id, e.stage, e.effective_date, after.effective_date if after else None, day)
        for e, after, day in zip(ordered, following, since, strict=True)
    ]
    assert record.stage_since == since[-1]


# Pages ----------------------------------------------------------------------------------------


def test_faculty_log_from_the_form_and_see_it_in_the_matrix_and_history(signed_in):
    client = signed_in("faculty")
    response = client.submit(
        "/organisations/RNU/adoption/RP-01/log",
        {
            "stage": "testing",
            "effective_date": "2022-03-01",
            "wards_using": "2",
            "wards_in_scope": "5",
            "note": "<script>x</script> on Ward 3",
            "row_version": "0",
            "discontinued_reason": "",
        },
    )
    assert response.status_code == 302
    history = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Logged RP-01 at Oxford Health NHS Foundation Trust: testing from 1 March 2022." in history
    assert "&lt;script&gt;x&lt;/script&gt; on Ward 3" in history and "<script>x</script>" not in history
    assert "2 of 5 wards in scope" in history
    matrix = client.get("/organisations/RNU/adoption").get_data(as_text=True)
    assert "Testing</strong>" in matrix and "by Demo Faculty Member" in matrix


def test_the_form_shows_field_errors_and_writes_nothing(signed_in, seeded):
    client = signed_in("faculty")
    response = client.submit(
        "/organisations/RNU/adoption/RP-01/log",
        {
            "stage": "testing",
            "effective_date": "2099-01-01",
            "wards_using": "9",
            "wards_in_scope": "5",
            "evidence_url": "javascript:alert(1)",
            "row_version": "0",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "The date cannot be in the future" in body
    assert event_count(seeded) == 0


def test_second_editor_from_the_same_starting_point_gets_a_conflict(signed_in, seeded, app):
    from tests.helpers import FormClient

    first = signed_in("faculty")
    second = FormClient(app.test_client())
    second.sign_in_as("manager")
    form = {"effective_date": "2022-03-01", "row_version": "0", "discontinued_reason": ""}
    assert first.submit("/organisations/RNU/adoption/RP-01/log", {**form, "stage": "testing"}).status_code == 302
    response = second.submit("/organisations/RNU/adoption/RP-01/log", {**form, "stage": "sustained"})
    body = response.get_data(as_text=True)
    assert "changed by someone else since you opened it" in body
    assert "Testing</strong> since 1 March 2022" in body  # the new state is shown
    assert event_count(seeded) == 1


@pytest.mark.parametrize("role, status", [("trust", 403), ("faculty", 200), ("manager", 200), ("admin", 200)])
def test_who_may_open_the_log_form(signed_in, role, status):
    assert signed_in(role).get("/organisations/RNU/adoption/RP-01/log").status_code == status


def test_faculty_outside_their_networks_cannot_open_the_form(signed_in):
    assert signed_in("faculty").get("/organisations/RXY/adoption/RP-01/log").status_code == 403


@pytest.mark.parametrize("role", ["trust", "faculty", "manager", "admin"])
def test_everyone_signed_in_sees_matrix_and_history(signed_in, role):
    client = signed_in(role)
    assert client.get("/organisations/RNU/adoption").status_code == 200
    assert client.get("/organisations/RNU/adoption/RP-01").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/organisations/XXX/adoption", "/organisations/RNU/adoption/XX-99", "/organisations/RNU/adoption/XX-99/log"],
)
def test_unknown_organisation_or_idea_is_404(signed_in, path):
    assert signed_in("manager").get(path).status_code == 404


def test_matrix_statement_count_does_not_grow_with_records(signed_in, seeded, manager, statement_counter, app):
    client = signed_in("manager")
    with statement_counter() as few:
        client.get("/organisations/RNU/adoption")
    for code in ("RP-01", "RP-02", "RP-03", "SS-01", "SSH-04"):
        log(seeded, manager, "RNU", code, "testing", date(2022, 3, 1))
    with statement_counter() as many:
        assert "Testing</strong>" in client.get("/organisations/RNU/adoption").get_data(as_text=True)
    assert len(many) == len(few)


def test_idea_page_lists_the_peers_that_use_it_furthest_along_first(signed_in, seeded, manager):
    log(seeded, manager, "RWX", "RP-02", "testing", date(2022, 3, 1))
    log(seeded, manager, "RNU", "RP-02", "sustained", date(2023, 3, 1), wards_using=4, wards_in_scope=6)
    log(seeded, manager, "R1C", "RP-02", "implementing", date(2024, 1, 1))
    page = signed_in("trust").get("/ideas/RP-02").get_data(as_text=True)
    section = page.split('id="adopters"')[1]
    assert section.index("Oxford Health") < section.index("Solent") < section.index("Berkshire")
    assert "4 of 6" in section
    assert "(closed 1 October 2024)" in section
    assert "Log adoption of RP-02 at" not in page  # trust staff do not log


def test_idea_page_offers_faculty_only_the_organisations_they_may_log_for(signed_in):
    page = signed_in("faculty").get("/ideas/RP-02").get_data(as_text=True)
    form = page.split("Log adoption of RP-02 at")[1]
    assert "(RNU)" in form and "(RW1)" in form  # Oxford and Wessex networks
    assert "(RXY)" not in form  # Kent Surrey Sussex
    assert "(R1C)" not in form  # closed


def test_choosing_an_organisation_leads_to_its_log_form(signed_in):
    client = signed_in("faculty")
    response = client.get("/adoption/start?organisation=rnu&idea=RP-02")
    assert response.headers["Location"] == "/organisations/RNU/adoption/RP-02/log"
    assert client.get("/adoption/start?organisation=NOPE&idea=RP-02").status_code == 404
