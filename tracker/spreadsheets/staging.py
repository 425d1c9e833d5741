"""Uploaded import files, kept between the check and the confirmation (no Flask here).

A checked file cannot travel back in a hidden form field: Flask refuses any non-file form field over
MAX_FORM_MEMORY_SIZE (500 kB by default) while the CSRF check reads the form, before a view could
raise the limit, and an import may be 2 MB. So the checked bytes wait in the database (table
checked_uploads) under a random name, where every server process finds them: the confirmation may
reach another server than the check did. The confirmation form carries only a signed ticket: that
name, the SHA-256 of the bytes, the account that uploaded them and the digest of the plan the person
was shown. The ticket expires after an hour; so do the files, removed whenever another is checked
and by `flask prune` (tracker.retention).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import CheckedUpload, utcnow

TICKET_SALT = "adoption-import"
MAX_AGE_SECONDS = 60 * 60
_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{32}")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_upload(storage, limit: int) -> bytes | None:
    """The uploaded file's bytes (a werkzeug FileStorage, closed after), or None when it is over limit bytes."""
    try:
        raw = storage.stream.read(limit + 1)
    finally:
        storage.close()
    return None if len(raw) > limit else raw


@dataclass(frozen=True)
class Ticket:
    """What the confirmation form says was checked and shown."""

    upload: str
    sha256: str
    user_id: int
    plan: str
    filename: str


class TicketExpired(Exception):
    """The ticket is genuine but older than the time allowed to confirm."""


class TicketInvalid(Exception):
    """The ticket was not signed by this service (altered, or made up)."""


class UploadStore:
    def __init__(self, session: Session, secret_key: str, max_age: int = MAX_AGE_SECONDS, salt: str = TICKET_SALT):
        """salt: one per kind of import, so that one import's ticket is no good to another."""
        self.session = session
        self.kind = salt
        self.max_age = max_age
        self._serializer = URLSafeTimedSerializer(secret_key, salt=salt)

    def _cutoff(self) -> datetime:
        return utcnow() - timedelta(seconds=self.max_age)

    def save(self, content: bytes, user_id: int) -> str:
        """Keep the bytes under a new random name, removing the expired ones; returns the name."""
        self.purge()
        upload = secrets.token_urlsafe(24)
        self.session.add(
            CheckedUpload(id=upload, kind=self.kind, user_id=user_id, sha256=sha256(content), content=content)
        )
        self.session.commit()
        return upload

    def load(self, upload: str, user_id: int) -> bytes | None:
        """The bytes kept under that name for that account, unless confirmed already or expired."""
        if not _UPLOAD_ID.fullmatch(upload):
            return None
        return self.session.scalar(
            select(CheckedUpload.content).where(
                CheckedUpload.id == upload,
                CheckedUpload.kind == self.kind,
                CheckedUpload.user_id == user_id,
                CheckedUpload.created_at >= self._cutoff(),
            )
        )

    def discard(self, upload: str) -> None:
        self.session.execute(delete(CheckedUpload).where(CheckedUpload.id == upload))
        self.session.commit()

    def purge(self) -> None:
        """Remove files (of every import) older than the time allowed to confirm: nobody can confirm them now."""
        self.session.execute(delete(CheckedUpload).where(CheckedUpload.created_at < self._cutoff()))

    def sign(self, ticket: Ticket) -> str:
        return self._serializer.dumps(asdict(ticket))

    def verify(self, signed: str) -> Ticket:
        try:
            values = self._serializer.loads(signed, max_age=self.max_age)
        except SignatureExpired as error:
            raise TicketExpired() from error
        except BadSignature as error:
            raise TicketInvalid() from error
        try:
            return Ticket(**values)
        except TypeError as error:
            raise TicketInvalid() from error
