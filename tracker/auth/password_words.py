"""Passwords built from the service's own words: "spread", "tracker", "NHS", the service's and the
organisations' names, the person's email address. An attacker tries those first.

Pure: the words in, a verdict out. A password is refused when, once these words (and common letter
swaps: 0 for o, 3 for e, @ for a ...) are taken out, fewer than REMAINDER letters are left: so
"Spr3adTracker2026!" and "NHS-trust-spread" are refused, "amber kettle lantern orchard" is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SERVICE_WORDS = ("spread", "tracker", "nhs", "demo")
# A word shorter than this is too common to forbid inside a longer password ("the", "of", "nhs" is listed).
MIN_WORD = 4
REMAINDER = 6
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
WORD = re.compile(r"[a-z]+")


def words_of(*texts: str) -> set[str]:
    """The words of some names (an organisation's, the service's, an email's local part), lower case."""
    found = set()
    for text in texts:
        found.update(word for word in WORD.findall(text.lower()) if len(word) >= MIN_WORD)
    return found


def _letters(password: str) -> str:
    return "".join(WORD.findall(password.lower().translate(LEET)))


def built_from_words(password: str, words: Iterable[str]) -> bool:
    """Whether the password is little more than these words (and the service's own) run together."""
    letters = _letters(password)
    for word in sorted({*SERVICE_WORDS, *words}, key=len, reverse=True):
        letters = letters.replace(word, "")
    return len(letters) < REMAINDER
