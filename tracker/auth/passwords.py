"""Password hashing and the password policy."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 12
# zxcvbn scores 0-4; below 3 means a dictionary word, a common password or an easy pattern.
MIN_STRENGTH = 3


def hash_password(password: str, iterations: int) -> str:
    return generate_password_hash(password, method=f"pbkdf2:sha256:{iterations}")


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a new password is refused, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    user_inputs = [part for part in (email, email.split("@")[0], name) if part]
    # zxcvbn's cost grows with length; the first 100 characters decide the score well enough.
    if zxcvbn(password[:100], user_inputs=user_inputs)["score"] < MIN_STRENGTH:
        return "Password is too common or too easy to guess: use three or four unrelated words"
    return None
