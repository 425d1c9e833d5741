"""What may be pruned after the retention period, and pruning it (`flask --app tracker prune`).

Pruned, when older than the retention:
- audit entries of the kinds that record noise, not acts (PRUNABLE_AUDIT_ACTIONS): requests refused to
  signed-in users, failed sign-ins and sign-ins refused by the throttles;
- sign-in counts per email (sign_in_attempts) and per address, subnet and service (sign_in_throttles),
  unless a lock is still running;
- the hourly counts of refused anonymous requests (anonymous_denials).
Also removed, whatever the retention: checked import files past their own expiry (checked_uploads, older
than IMPORT_CONFIRM_SECONDS): nobody can confirm them any more, and they are copies, not records.
Never pruned: the adoption ledger (adoption_events) and every other audit entry: the writes (create,
update, delete), sign-ins and sign-outs, password changes and the prunes themselves. The database
refuses deleting any other audit entry (migration e3a9c1f07b25), whatever runs the DELETE.
No retention set means keep everything else. Each prune is itself an audit entry with its counts (one
without a retention only when it removed an expired import file: a nightly run that did nothing is noise).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from . import audit_trail, denials
from .models import AuditEvent, CheckedUpload, SignInAttempts, SignInThrottle
from .spreadsheets.staging import MAX_AGE_SECONDS

PRUNABLE_AUDIT_ACTIONS = ("denied", "sign_in_failed", "sign_in_refused")
PRUNED = "pruned"


@dataclass(frozen=True)
class PruneCounts:
    audit_entries: int
    sign_in_attempts: int
    sign_in_throttles: int
    anonymous_denials: int
    checked_uploads: int = 0


# What each count is, in the CLI's report and the audit page's sentence.
COUNT_NAMES = {
    "audit_entries": "audit entries of refused requests and failed or refused sign-ins",
    "sign_in_attempts": "sign-in counts per email address",
    "sign_in_throttles": "sign-in counts per client address and subnet",
    "anonymous_denials": "hourly counts of requests refused to people not signed in",
    "checked_uploads": "checked import files past their time to be confirmed",
}


def retention_days(value) -> int | None:
    """The RETENTION_DAYS setting as a number of days (None: keep everything); ValueError if it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit() or int(value) < 1:
        raise ValueError(f"RETENTION_DAYS must be a whole number of days, 1 or more (it is {value!r})")
    return int(value)


def _count_or_delete(session: Session, table, where, dry_run: bool) -> int:
    if dry_run:
        return session.scalar(select(func.count()).select_from(table).where(where)) or 0
    return session.execute(delete(table).where(where)).rowcount


def prune(
    session: Session,
    days: int | None,
    now: datetime,
    dry_run: bool = False,
    upload_seconds: int = MAX_AGE_SECONDS,
) -> PruneCounts:
    """Remove (dry: only count) what is older than `days` and may be pruned, and the checked import files
    older than `upload_seconds` (IMPORT_CONFIRM_SECONDS); commits, auditing the prune. Without `days`
    (no retention set) only the expired import files go."""
    uploads = CheckedUpload.__table__
    expired_uploads = _count_or_delete(
        session, uploads, uploads.c.created_at < now - timedelta(seconds=upload_seconds), dry_run
    )
    if days is None:
        counts = PruneCounts(0, 0, 0, 0, checked_uploads=expired_uploads)
        cutoff = None
    else:
        cutoff = now - timedelta(days=days)
        counts = _prune_retained(session, cutoff, now, dry_run, expired_uploads)
    if dry_run:
        session.rollback()
        return counts
    if days is None and not expired_uploads:
        session.rollback()
        return counts
    audit_trail.record(
        session,
        PRUNED,
        detail=f"older than {days} days" if days is not None else "expired import files only: no retention set",
        after={"days": days, "before": cutoff.isoformat() if cutoff else None, **asdict(counts)},
    )
    session.commit()
    return counts


def _prune_retained(session: Session, cutoff: datetime, now: datetime, dry_run: bool, uploads: int) -> PruneCounts:
    audit = AuditEvent.__table__  # a Core DELETE: the ORM refuses to delete audit rows one by one
    attempts, throttles = SignInAttempts.__table__, SignInThrottle.__table__
    not_locked = or_(attempts.c.locked_until.is_(None), attempts.c.locked_until <= now)
    return PruneCounts(
        audit_entries=_count_or_delete(
            session, audit, audit.c.action.in_(PRUNABLE_AUDIT_ACTIONS) & (audit.c.at < cutoff), dry_run
        ),
        sign_in_attempts=_count_or_delete(
            session, attempts, (attempts.c.last_failure_at < cutoff) & not_locked, dry_run
        ),
        sign_in_throttles=_count_or_delete(
            session,
            throttles,
            (throttles.c.last_attempt_at < cutoff)
            & or_(throttles.c.locked_until.is_(None), throttles.c.locked_until <= now)
            & or_(throttles.c.last_success_at.is_(None), throttles.c.last_success_at < cutoff),
            dry_run,
        ),
        anonymous_denials=denials.prune_before(session, cutoff, dry_run),
        checked_uploads=uploads,
    )
