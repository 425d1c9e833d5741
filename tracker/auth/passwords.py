"""Password hashing and the password policy (shared by the web forms and the CLI)."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn scores 0-4; below 3 means a dictionary word, a common password or an easy pattern.
MIN_STRENGTH = 3

TOO_SHORT = f"Password must be at least {MIN_LENGTH} characters"
TOO_LONG = f"Password must be {MAX_LENGTH} characters or fewer"
TOO_EASY = "Password is too common or too easy to guess: use three or four unrelated words"


def hash_password(password: str, iterations: int) -> str:
    return generate_password_hash(password, method=f"pbkdf2:sha256:{iterations}")


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a new password is refused, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    user_inputs = [part for part in (email, email.split("@")[0], *name.split()) if part]
    # zxcvbn's cost grows with length; the first 100 characters decide the score well enough.
    if zxcvbn(password[:100], user_inputs=user_inputs)["score"] < MIN_STRENGTH:
        return TOO_EASY
    return None
