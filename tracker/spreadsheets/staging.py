"""Uploaded import files, kept between the check and the confirmation (no Flask here).

A checked file cannot travel back in a hidden form field: Flask refuses any non-file form field over
MAX_FORM_MEMORY_SIZE (500 kB by default) while the CSRF check reads the form, before a view could
raise the limit, and an import may be 2 MB. So the checked bytes wait in the instance folder under
a random name, and the confirmation form carries only a signed ticket: that name, the SHA-256 of
the bytes, the account that uploaded them and the digest of the plan the person was shown. The
ticket expires after an hour; so do the files, removed whenever another file is staged.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

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
    def __init__(self, folder: Path, secret_key: str, max_age: int = MAX_AGE_SECONDS, salt: str = TICKET_SALT):
        """salt: one per kind of import, so that one import's ticket is no good to another."""
        self.folder = Path(folder)
        self.max_age = max_age
        self._serializer = URLSafeTimedSerializer(secret_key, salt=salt)

    def _path(self, upload: str) -> Path | None:
        if not _UPLOAD_ID.fullmatch(upload):
            return None
        return self.folder / f"{upload}.csv"

    def save(self, content: bytes) -> str:
        """Keep the bytes under a new random name (readable by this account only); returns the name."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.purge()
        upload = secrets.token_urlsafe(24)
        descriptor = os.open(self._path(upload), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as f:
            f.write(content)
        return upload

    def load(self, upload: str) -> bytes | None:
        path = self._path(upload)
        if path is None or not path.is_file():
            return None
        return path.read_bytes()

    def discard(self, upload: str) -> None:
        path = self._path(upload)
        if path is not None:
            path.unlink(missing_ok=True)

    def purge(self) -> None:
        """Remove files older than the time allowed to confirm."""
        cutoff = time.time() - self.max_age
        for path in self.folder.glob("*.csv"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass  # another process removed it first

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
