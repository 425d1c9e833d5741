"""A believable, clearly labelled demo adoption history (2021 to today), made the same way each time.

Every event is marked is_demo and its note says it is demo data. The organisations and change ideas
are the real reference ones; only the adoption records are made up.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..adoption.rules import EventInput
from ..adoption.services import append_event
from ..calendar import PROGRAMME_START
from ..models import (
    AdoptionEvent,
    ChangeIdea,
    ChangePackage,
    DiscontinuedReason,
    Organisation,
    PackageStatus,
    Stage,
    User,
)

LADDER = [Stage.CONSIDERING, Stage.TESTING, Stage.IMPLEMENTING, Stage.SPREADING, Stage.SUSTAINED]
NOTES = {
    Stage.CONSIDERING: "Demo: project team formed; senior sponsor agreed.",
    Stage.TESTING: "Demo: PDSA cycles on one acute ward.",
    Stage.IMPLEMENTING: "Demo: in routine use on the pilot ward.",
    Stage.SPREADING: "Demo: rolling out to the other adult acute wards.",
    Stage.SUSTAINED: "Demo: re-audited six months on; still in routine use.",
    Stage.DISCONTINUED: "Demo: paused; see reason.",
}


def _logged_at(day: date, rng: random.Random, today: date) -> datetime:
    logged = min(day + timedelta(days=rng.randint(0, 20)), today)
    return datetime.combine(logged, time(9 + rng.randint(0, 8), rng.randint(0, 59)), tzinfo=UTC)


def load_demo_history(session: Session, today: date, seed: int = 2021) -> int:
    """Add the demo history unless it is already there; returns how many events were added. Commits."""
    if session.scalar(select(exists().where(AdoptionEvent.is_demo.is_(True)))):
        return 0
    rng = random.Random(seed)
    loggers = list(
        session.scalars(
            select(User).where(User.is_demo.is_(True), User.role.in_(["faculty", "manager"])).order_by(User.email)
        )
    )
    organisations = list(session.scalars(select(Organisation).order_by(Organisation.ods_code)))
    ideas = list(
        session.scalars(
            select(ChangeIdea)
            .join(ChangePackage)
            .where(ChangePackage.status == PackageStatus.PUBLISHED)
            .order_by(ChangeIdea.code)
        )
    )
    added = 0
    for organisation in organisations:
        engagement = rng.random()  # some trusts move early and far, others late or not at all
        for idea in ideas:
            if rng.random() > 0.25 + 0.5 * engagement:
                continue
            moves, in_scope = _moves(rng, engagement, organisation, today)
            for data, logged_at in _entries(rng, moves, in_scope, today):
                append_event(
                    session,
                    rng.choice(loggers) if loggers else None,
                    organisation,
                    idea,
                    data,
                    channel="demo",
                    is_demo=True,
                    logged_at=logged_at,
                )
                added += 1
    session.commit()
    return added


Move = tuple[Stage, date, DiscontinuedReason | None]


def _loggable(organisation: Organisation, day: date, today: date) -> bool:
    """An event may be dated day: not in the future, and the organisation open then."""
    return day <= today and organisation.is_open_on(day)


def _moves(rng: random.Random, engagement: float, organisation: Organisation, today: date) -> tuple[list[Move], int]:
    """One pair's stage moves up the ladder while the organisation is open and until today (perhaps
    then stopping), and its wards in scope."""
    day = PROGRAMME_START + timedelta(days=rng.randint(0, 900) + int(500 * (1 - engagement)))
    day = max(day, organisation.opened_on or day)  # one that opened later starts then
    height = rng.choices(range(1, 6), weights=[2, 3, 4, 3, 2])[0]
    in_scope = rng.randint(4, 14)
    moves: list[Move] = []
    for stage in LADDER[:height]:
        if not _loggable(organisation, day, today):
            break
        moves.append((stage, day, None))
        day += timedelta(days=rng.randint(60, 320))
    if moves and rng.random() < 0.12 and _loggable(organisation, day, today):
        moves.append((Stage.DISCONTINUED, day, rng.choice(list(DiscontinuedReason)[:-1])))
    return moves, in_scope


def _entries(
    rng: random.Random, moves: list[Move], in_scope: int, today: date
) -> Iterator[tuple[EventInput, datetime]]:
    """The moves as entries with the time each was logged, in the order they were logged.

    A generator: the caller draws each entry's logger between entries, from the same random
    stream, so the draws stay in the order that makes the same demo history every time.
    """
    logged_order = list(range(len(moves)))
    if len(moves) >= 3 and rng.random() < 0.2:
        # Backdated: the second-last move was only logged after the last one.
        logged_order[-1], logged_order[-2] = logged_order[-2], logged_order[-1]
    last_logged = datetime.combine(PROGRAMME_START, time(), tzinfo=UTC)
    using = 0
    for index in logged_order:
        stage, effective, reason = moves[index]
        if stage in (Stage.IMPLEMENTING, Stage.SPREADING, Stage.SUSTAINED):
            using = min(in_scope, max(using + rng.randint(1, 4), 1))
        data = EventInput(
            stage=stage.value,
            effective_date=effective,
            wards_using=using if stage is not Stage.CONSIDERING else None,
            wards_in_scope=in_scope if stage is not Stage.CONSIDERING else None,
            note=NOTES[stage],
            discontinued_reason=reason.value if reason else None,
        )
        # Entries are logged in order, each some days after its effective date.
        logged_at = max(_logged_at(effective, rng, today), last_logged + timedelta(hours=1))
        last_logged = logged_at
        yield data, logged_at
