"""One run of the weekly digest: each person's digest at most once per ISO week. Pure (no Flask): the
session, the time, how to write a digest as an email, and the mailer (None: a dry run) come in.

Each digest is claimed (a digests_sent row, committed) before its mail goes, so two runs at once cannot
both send it, and a second run in the week finds it sent; if the mail server refuses it, the claim is
removed again, so the next run tries once more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from smtplib import SMTPException

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import DigestSent
from .digest import Digest, already_sent, digest_for, iso_week, recipients
from .mail import Mailer


@dataclass
class RunReport:
    week: str
    sent: list[Digest] = field(default_factory=list)  # or, in a dry run, would be sent
    already_sent: int = 0
    nothing_to_tell: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (email, why)


def send_digests(
    session: Session,
    now: datetime,
    day: date,
    stale_after_days: int,
    compose: Callable[[Digest], EmailMessage],
    mailer: Mailer | None,
) -> RunReport:
    """Send (mailer None: only work out) this week's digests not sent yet."""
    report = RunReport(iso_week(day))
    done = already_sent(session, report.week)
    for user in recipients(session):
        if user.id in done:
            report.already_sent += 1
            continue
        digest = digest_for(session, user, now, day, stale_after_days)
        if digest.empty:
            report.nothing_to_tell += 1
            continue
        if mailer is None:
            report.sent.append(digest)
            continue
        if not _claim(session, digest, now):
            report.already_sent += 1  # another run sent it meanwhile
            continue
        try:
            mailer.send(compose(digest))
        except (OSError, SMTPException) as error:
            session.execute(delete(DigestSent).where(DigestSent.user_id == user.id, DigestSent.week == report.week))
            session.commit()
            report.failed.append((user.email, str(error)))
            continue
        report.sent.append(digest)
    return report


def _claim(session: Session, digest: Digest, now: datetime) -> bool:
    session.add(
        DigestSent(
            user_id=digest.user.id,
            week=digest.week,
            sent_at=now,
            stale_records=len(digest.stale),
            recent_changes=len(digest.changes),
            followed_news=len(digest.news),
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True
