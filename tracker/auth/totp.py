"""TOTP codes (RFC 6238, through pyotp), their QR code, and recovery codes: pure functions, no Flask, no database.

A code is accepted from the time step before to the step after now (±30 s of clock drift), and only
for a step later than the last one accepted, so a code seen over someone's shoulder cannot be used again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno

DIGITS = 6
WINDOW = 1  # time steps either side of now
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_RECOVERY_LENGTH = 16  # 16 of 32 symbols: 80 random bits
_SPACES = re.compile(r"[\s-]+")


def new_secret() -> str:
    """A random base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str, label: str) -> str:
    """The URI as an inline SVG QR code with an accessible name (no style attribute, no script)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", omitsize=False)
    # The name a screen reader announces; role="img" makes the drawing one image rather than shapes.
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attribute(label)}" focusable="false" ', 1)


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def step_of(moment: datetime) -> int:
    return pyotp.TOTP("A" * 32).timecode(moment)  # the step depends on the time alone


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def normalise(code: str) -> str:
    """What was typed, without spaces or hyphens, upper-case."""
    return _SPACES.sub("", code or "").upper()


def looks_like_totp(code: str) -> bool:
    return len(code) == DIGITS and code.isdigit()


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to if it is valid now and not a replay, else None."""
    code = normalise(code)
    if not looks_like_totp(code):
        return None
    current = step_of(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(code_at_step(secret, step), code):
            return step if last_step is None or step > last_step else None
    return None


def is_replay(secret: str, code: str, now: datetime, last_step: int | None) -> bool:
    """Whether the code was valid in the window but its step was already used (for a clearer message)."""
    code = normalise(code)
    if last_step is None or not looks_like_totp(code):
        return False
    current = step_of(now)
    return any(
        hmac.compare_digest(code_at_step(secret, step), code)
        for step in range(current - WINDOW, min(current + WINDOW, last_step) + 1)
    )


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Codes like "K7QX-M2PA-9RTD-HW4N": 80 random bits each."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
    return codes


def looks_like_recovery_code(code: str) -> bool:
    code = normalise(code)
    return len(code) == _RECOVERY_LENGTH and all(ch in _RECOVERY_ALPHABET for ch in code)


def recovery_hash(code: str) -> str:
    """The SHA-256 of the normalised code: 80 random bits need no slow hash (as API tokens)."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()
