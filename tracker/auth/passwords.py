"""Password hashing and the password policy (shared by the web forms and the CLI)."""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from .password_words import SERVICE_WORDS, built_from_words, words_of

# The demo accounts' password (`flask seed --demo`), printed for anyone to read: for them alone.
DEMO_PASSWORD = "spread-tracker-demo-2021"

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn scores 0-4; below 3 means a dictionary word, a common password or an easy pattern.
MIN_STRENGTH = 3

TOO_SHORT = f"Password must be at least {MIN_LENGTH} characters"
TOO_LONG = f"Password must be {MAX_LENGTH} characters or fewer"
TOO_EASY = "Password is too common or too easy to guess: use three or four unrelated words"
SAME_PASSWORD = "Your new password must be different from your current password"
DEMO_ONLY = "That is the demo accounts' password, which anyone can read: choose a password of your own"
SERVICE_WORDS_USED = (
    'Password must not be made of words such as "spread", "tracker" or "NHS", the name of this service '
    "or of an organisation, or your email address: use three or four unrelated words"
)


def hash_password(password: str, iterations: int) -> str:
    return generate_password_hash(password, method=f"pbkdf2:sha256:{iterations}")


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def password_problem(password: str, *, email: str = "", name: str = "", words: Iterable[str] = ()) -> str | None:
    """Why a new password is refused, or None if it is acceptable.

    words: more words a password must not be built from (the service's and the organisations' names).
    """
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if password == DEMO_PASSWORD:
        return DEMO_ONLY
    local_part = email.split("@")[0]
    own_words = {*words, *words_of(local_part)}
    if built_from_words(password, own_words):
        return SERVICE_WORDS_USED
    user_inputs = [part for part in (email, local_part, *name.split(), *SERVICE_WORDS, *sorted(own_words)) if part]
    # zxcvbn's cost grows with length; the first 100 characters decide the score well enough.
    if zxcvbn(password[:100], user_inputs=user_inputs)["score"] < MIN_STRENGTH:
        return TOO_EASY
    return None
