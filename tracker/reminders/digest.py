"""What one person's weekly digest says, and who gets one. Pure queries over a session (no Flask).

Each faculty member gets the records in their networks that need an update and the changes logged there
in the last week; anyone who follows change ideas or organisations gets the changes logged on those. A
person who turned email off, or whose account is disabled, gets nothing; a digest with nothing in it is
not sent (an empty email each week teaches people to ignore the real ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, joinedload

from ..adoption.stale import StaleRecord, stale_records
from ..models import AdoptionEvent, DigestSent, Follow, Organisation, Role, User
from .follows import Followed, followed_by

RECENT_DAYS = 7
# The most changes listed in each section: the rest are counted, and the site shows them all.
MOST_LISTED = 30


def iso_week(day: date) -> str:
    """The ISO week of a day, as kept per digest sent: "2026-W48"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Digest:
    user: User
    week: str
    stale: list[StaleRecord]
    changes: list[AdoptionEvent]  # logged in the last week in the person's networks (faculty)
    news: list[AdoptionEvent]  # logged in the last week on what they follow, not already in changes
    followed: Followed

    @property
    def empty(self) -> bool:
        return not (self.stale or self.changes or self.news)


def recipients(session: Session) -> list[User]:
    """Active accounts with email on that are faculty with networks or follow something, by email address."""
    follows_something = exists().where(Follow.user_id == User.id)
    return list(
        session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.email_reminders.is_(True),
                or_(User.role == Role.FACULTY, follows_something),
            )
            .options(joinedload(User.networks))
            .order_by(User.email)
        ).unique()
    )


def already_sent(session: Session, week: str) -> set[int]:
    """The people whose digest of this week was sent already."""
    return set(session.scalars(select(DigestSent.user_id).where(DigestSent.week == week)))


def _recent_events(session: Session, since: datetime, until: datetime, *where) -> list[AdoptionEvent]:
    return list(
        session.scalars(
            select(AdoptionEvent)
            .join(Organisation, Organisation.id == AdoptionEvent.organisation_id)
            .where(AdoptionEvent.logged_at >= since, AdoptionEvent.logged_at < until, *where)
            .options(joinedload(AdoptionEvent.organisation), joinedload(AdoptionEvent.change_idea))
            .order_by(AdoptionEvent.logged_at.desc(), AdoptionEvent.id.desc())
        )
    )


def digest_for(session: Session, user: User, now: datetime, day: date, stale_after_days: int) -> Digest:
    """One person's digest as of `now` (changes logged in the RECENT_DAYS before it) and `day` (staleness)."""
    since = now - timedelta(days=RECENT_DAYS)
    network_ids = [n.id for n in user.networks] if user.role is Role.FACULTY else []
    stale = stale_records(session, day, stale_after_days, network_ids) if network_ids else []
    changes = _recent_events(session, since, now, Organisation.network_id.in_(network_ids)) if network_ids else []
    followed = followed_by(session, user.id)
    news: list[AdoptionEvent] = []
    if followed:
        seen = {event.id for event in changes}
        news = [
            event
            for event in _recent_events(
                session,
                since,
                now,
                or_(
                    AdoptionEvent.change_idea_id.in_([i.id for i in followed.ideas]),
                    AdoptionEvent.organisation_id.in_([o.id for o in followed.organisations]),
                ),
            )
            if event.id not in seen
        ]
    return Digest(user, iso_week(day), stale, changes, news, followed)
