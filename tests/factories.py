"""Rows for tests to start from: events, packages, ambitions and organisations.

Each factory writes through the app's own services or models and commits (unless it says otherwise),
so a test's HTTP requests see what it made.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.adoption import services as adoption_services
from tracker.adoption.rules import EventInput
from tracker.calendar import LONDON, today
from tracker.catalogue import services as catalogue_services
from tracker.catalogue.services import DriverDetails, IdeaDetails
from tracker.core.measures import months_from
from tracker.models import (
    Adoption,
    Ambition,
    ChangeIdea,
    ChangePackage,
    Direction,
    Driver,
    LearningLink,
    LinkKind,
    LinkStatus,
    Measure,
    MeasureKind,
    MeasureValue,
    Network,
    Organisation,
    OrganisationKind,
    PackageStatus,
    User,
    Ward,
    WardService,
)


def add_events(session, rows, *, channel: str = "import") -> list[int]:
    """Append events (ods, idea code, stage, day[, wards using, wards in scope]) in order; commits.

    Goes through the ledger's own append (so the current records stay in step) but not its rules,
    which belong to test_adoption_*; a discontinued event gives "staffing" as its reason. Returns
    the events' ids, in the order logged.
    """
    organisations = {o.ods_code: o for o in session.scalars(select(Organisation))}
    ideas = {i.code: i for i in session.scalars(select(ChangeIdea))}
    new_events = []
    for ods, code, stage, day, *wards in rows:
        using, in_scope = wards or (None, None)
        data = EventInput(
            stage=stage,
            effective_date=day,
            wards_using=using,
            wards_in_scope=in_scope,
            discontinued_reason="staffing" if stage == "discontinued" else None,
        )
        new_events.append(adoption_services.NewEvent(organisations[ods], ideas[code], data))
    results = adoption_services.append_events(session, None, new_events, channel=channel)
    ids = [r.event.id for r in results]
    session.commit()
    return ids


# RNU's events: RP-01 implementing, then spreading; RP-02 testing twice (a second ward); RP-03 considering.
EVENTS = [
    ("RP-03", "considering", date(2022, 1, 10)),
    ("RP-01", "implementing", date(2023, 5, 1)),
    ("RP-01", "spreading", date(2024, 8, 1)),
    ("RP-02", "testing", date(2024, 9, 1)),
    ("RP-02", "testing", date(2024, 10, 1)),
]


def log_events(session, ods: str = "RNU", events=EVENTS) -> None:
    """Log (idea code, stage, day) events for one organisation as the demo manager, through the ledger's rules."""
    manager = session.scalar(select(User).filter_by(email="manager@demo.invalid"))
    organisation = session.scalar(select(Organisation).filter_by(ods_code=ods))
    wards = {}
    for code, stage, day in events:
        idea = session.scalar(select(ChangeIdea).filter_by(code=code))
        wards[code] = wards.get(code, 0) + 1  # each entry says something new, so none is a mere repeat
        adoption_services.log_adoption(
            session,
            manager,
            organisation,
            idea,
            EventInput(stage=stage, effective_date=day, wards_using=wards[code], wards_in_scope=4),
            expected_version=record_version(session, organisation, idea),
            on_day=date(2025, 6, 30),
        )
    session.rollback()


def _package(session, code: str) -> ChangePackage:
    return session.scalar(select(ChangePackage).where(ChangePackage.code == code))


def add_driver(session, package_code: str, title: str, parent_id: int | None = None) -> int:
    """A driver of the package (secondary under parent_id) through the catalogue's service; returns its id."""
    driver = catalogue_services.create_driver(
        session,
        _package(session, package_code),
        DriverDetails(title, parent_id=parent_id),
    )
    driver_id = driver.id
    session.rollback()
    return driver_id


def add_idea(
    session,
    package_code: str,
    code: str,
    title: str,
    driver_id: int | None = None,
    description: str = "",
) -> None:
    """A change idea of the package (under driver_id, or not yet placed) through the catalogue's service.

    Like add_driver, ends its transaction: an open one would hold SQLite's write lock against the app."""
    catalogue_services.create_idea(
        session,
        _package(session, package_code),
        IdeaDetails(code, title, description, driver_id=driver_id),
    )
    session.rollback()


def add_draft_package(session, ambition_code: str = "RP") -> ChangePackage:
    """A draft package on an ambition, with one driver and two ideas (one without a driver)."""
    ambition = session.scalar(select(Ambition).filter_by(code=ambition_code))
    package = ChangePackage(
        code="DRAFT",
        title="Draft package",
        publisher="Demo publisher",
        status=PackageStatus.DRAFT,
        ambition=ambition,
        position=99,
    )
    driver = Driver(title="Draft driver", position=0)
    package.drivers.append(driver)
    session.add_all(
        [
            package,
            ChangeIdea(code="DR-01", title="Draft idea", package=package, driver=driver, position=0),
            ChangeIdea(code="DR-02", title="Loose draft idea", package=package, position=1),
        ]
    )
    session.commit()
    return package


def add_ambition(session, code: str, ideas: list[str], draft_ideas: list[str] = ()) -> None:
    """An ambition with a published package of `ideas` and, if any, a draft package of `draft_ideas`
    (each idea titled "Idea CODE"); does not commit."""
    ambition = Ambition(code=code, title=f"Ambition {code}")
    published = ChangePackage(
        code=f"{code}-PUB", title="Published", publisher="Test", status=PackageStatus.PUBLISHED, ambition=ambition
    )
    session.add_all([ambition, published])
    session.add_all(ChangeIdea(code=c, title=f"Idea {c}", package=published, position=k) for k, c in enumerate(ideas))
    if draft_ideas:
        draft = ChangePackage(
            code=f"{code}-DRAFT", title="Draft", publisher="Test", status=PackageStatus.DRAFT, ambition=ambition
        )
        session.add(draft)
        session.add_all(
            ChangeIdea(code=c, title=f"Idea {c}", package=draft, position=len(ideas) + k)
            for k, c in enumerate(draft_ideas)
        )


def add_organisation(
    session, ods: str, network: str | None = None, opened_on: date | None = None, closed_on: date | None = None
) -> Organisation:
    """A provider organisation named "Trust ODS" in the network with that code (if any); does not commit."""
    organisation = Organisation(
        ods_code=ods,
        name=f"Trust {ods}",
        kind=OrganisationKind.OTHER_PROVIDER,
        network=session.scalar(select(Network).filter_by(code=network)) if network else None,
        opened_on=opened_on,
        closed_on=closed_on,
    )
    session.add(organisation)
    return organisation


def record_version(session: Session, organisation, idea) -> int:
    """The version of an organisation's record of an idea that a log must send (0 before its first event)."""
    version = session.scalar(
        select(Adoption.row_version).where(
            Adoption.organisation_id == organisation.id, Adoption.change_idea_id == idea.id
        )
    )
    return version or 0


# --- measure values for SPC charts (tests of tracker.measures.series and the chart pages) --------


def add_spc_values(
    session,
    code: str,
    ods: str,
    start: date,
    numerators,
    denominator: float | None = 1000.0,
    ward_id: int | None = None,
    is_demo: bool = False,
) -> None:
    """Monthly values of measure `code` for an organisation as a whole (or one of its wards), one a month
    from start; a numerator None leaves that month out. Commits."""
    from tracker.core.measures import months_from
    from tracker.models import Measure, MeasureValue

    measure = session.scalar(select(Measure).filter_by(code=code))
    organisation = session.scalar(select(Organisation).filter_by(ods_code=ods))
    numerators = list(numerators)
    end = date(
        start.year + (start.month - 1 + len(numerators) - 1) // 12, (start.month - 1 + len(numerators) - 1) % 12 + 1, 1
    )
    for month, numerator in zip(months_from(start, end), numerators, strict=True):
        if numerator is not None:
            session.add(
                MeasureValue(
                    measure=measure,
                    organisation=organisation,
                    ward_id=ward_id,
                    month=month,
                    numerator=numerator,
                    denominator=denominator,
                    is_demo=is_demo,
                )
            )
    session.commit()


def add_ward(session, ods: str, name: str, opened_on: date | None = None, closed_on: date | None = None) -> Ward:
    """An adult acute ward of the organisation with that ODS code; commits."""
    ward = Ward(
        organisation=session.scalar(select(Organisation).filter_by(ods_code=ods)),
        name=name,
        service=WardService.ADULT_ACUTE,
        opened_on=opened_on,
        closed_on=closed_on,
    )
    session.add(ward)
    session.commit()
    return ward


def add_count_measure(session, code: str = "RP-COUNT") -> Measure:
    """A count measure of ambition RP (a numerator and no denominator); commits."""
    measure = Measure(
        code=code,
        ambition=session.scalar(select(Ambition).filter_by(code="RP")),
        name="Incidents of self-harm",
        kind=MeasureKind.OUTCOME,
        unit="incidents",
        numerator="Incidents of self-harm",
        denominator="",
        scale=1,
        direction=Direction.DECREASE,
        position=99,
    )
    session.add(measure)
    session.commit()
    return measure


def log(session, rows, logged_at: datetime | None = None, corrects: int | None = None) -> list[int]:
    """Append (ods, idea, stage, effective date) events logged at a given time (default now); commits."""
    session.commit()  # end the session's read, if any: a request may have written since (SQLite)
    organisations = {o.ods_code: o for o in session.scalars(select(Organisation))}
    ideas = {i.code: i for i in session.scalars(select(ChangeIdea))}
    new = [
        adoption_services.NewEvent(
            organisations[ods],
            ideas[code],
            EventInput(stage, day, discontinued_reason="staffing" if stage == "discontinued" else None),
        )
        for ods, code, stage, day in rows
    ]
    results = adoption_services.append_events(
        session, None, new, channel="import", logged_at=logged_at, corrects_event_id=corrects
    )
    session.commit()
    return [r.event.id for r in results]


def at(day: date, hour: int = 12) -> datetime:
    """A time on a day in England, as stored (UTC)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON).astimezone(UTC)


# Measures' monthly values (the summary's and its paging's tests) ----------------------------------------

START = date(2023, 1, 1)
STEADY = [30, 32, 29, 31, 30, 28, 33, 30, 31, 29, 32, 30]  # rates per 1,000 occupied bed days
SHIFTED = [*STEADY, 20, 21, 19, 22, 20, 18, 21, 20, 19, 21, 20, 22]  # a shift down: 12 months below the mean


def add_values(session, code: str, ods: str, rates, start: date = START, ward: Ward | None = None) -> None:
    """Monthly values whose rate per 1,000 is each of rates (10,000 bed days a month); None skips a month."""
    measure = session.scalar(select(Measure).filter_by(code=code))
    organisation = session.scalar(select(Organisation).filter_by(ods_code=ods))
    months = months_from(start, date(start.year + 10, 1, 1))
    for month, rate in zip(months, rates, strict=False):
        if rate is not None:
            session.add(
                MeasureValue(
                    measure=measure,
                    organisation=organisation,
                    ward=ward,
                    month=month,
                    numerator=rate * 10,
                    denominator=10_000,
                )
            )
    session.commit()


# Many organisations (the paged lists' tests) ----------------------------------------------------------

EXTRA = 130  # new organisations: more than two pages of them, in two networks


def add_many(seeded) -> list[str]:
    """EXTRA open organisations in OXF and WSX (alternately), each with a stale RP-01 record at a stage along
    the ladder, and a buddy-pair link between each and the next. Returns their ODS codes."""
    networks = {n.code: n for n in seeded.scalars(select(Network).where(Network.code.in_(["OXF", "WSX"])))}
    codes = [f"Q{n:04d}" for n in range(EXTRA)]
    organisations = [
        Organisation(
            ods_code=code,
            name=f"Test trust {code}",
            kind=OrganisationKind.MENTAL_HEALTH_TRUST,
            network=networks["OXF" if n % 2 else "WSX"],
        )
        for n, code in enumerate(codes)
    ]
    seeded.add_all(organisations)
    seeded.flush()
    seeded.add_all(
        LearningLink(
            source_id=min(a.id, b.id),
            target_id=max(a.id, b.id),
            kind=LinkKind.BUDDY_PAIR,
            weight=3,
            status=LinkStatus.CONFIRMED,
        )
        for a, b in zip(organisations, organisations[1:], strict=False)
    )
    seeded.commit()
    stages = ["considering", "testing", "implementing", "spreading", "sustained"]
    day = today() - timedelta(days=200)
    add_events(seeded, [(code, "RP-01", stages[n % len(stages)], day) for n, code in enumerate(codes)])
    return codes
