"""A prune (`flask prune`) in words: what it removed, from the counts its audit row keeps."""

from __future__ import annotations

from datetime import datetime

from ...calendar import people_date
from .people import subject
from .rows import AuditRow

# The counts tracker.retention.prune stores, in the order the sentence names them.
REMOVED = (
    ("audit_entries", "audit entry of a refused request or sign-in", "audit entries of refused requests and sign-ins"),
    ("sign_in_attempts", "sign-in count per email address", "sign-in counts per email address"),
    ("sign_in_throttles", "sign-in count per client address", "sign-in counts per client address"),
    ("anonymous_denials", "hourly count of anonymous refusals", "hourly counts of anonymous refusals"),
)


UPLOADS = ("checked import file nobody could confirm any more", "checked import files nobody could confirm any more")


def _uploads(after: dict) -> str | None:
    """The expired import files a prune removed; None for a prune from before it removed them."""
    if "checked_uploads" not in after:
        return None
    number = after["checked_uploads"]
    return f"{number:,} {UPLOADS[number != 1]}"


def pruned(row: AuditRow) -> str:
    """ "Someone at the command line removed what was older than 30 days (before 1 May 2026): 3 audit entries …" """
    after = row.after or {}
    uploads = _uploads(after)
    if after.get("days", "?") is None:
        return f"{subject(row)} removed {uploads}; no retention is set, so every record was kept"
    parts = []
    for key, one, many in REMOVED:
        number = after.get(key, 0)
        parts.append(f"{number:,} {one if number == 1 else many}")
    before = after.get("before")
    since = f" (before {people_date(datetime.fromisoformat(before))})" if before else ""
    days = after.get("days", "?")
    text = f"{subject(row)} removed what was older than {days} days{since}: " + ", ".join(parts)
    return text + (f"; and {uploads}" if uploads else "")
