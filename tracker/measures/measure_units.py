"""A measure's unit in words, from its numerator, denominator and scale: plain text in, plain text out.

The stored unit (Measure.unit) is what follows the number on a chart's axis, "per 1,000 occupied bed
days"; the full unit, as the catalogue shows it, starts with what is counted: "Restraint incidents
per 1,000 occupied bed days". A count has no denominator and no scale: its unit is what it counts.
"""

from __future__ import annotations

COUNT = "count"


def _lowered(text: str) -> str:
    """The text with a capital first letter lowered, unless the first word is an abbreviation (PRN)."""
    first = text.split(" ", 1)[0]
    return text if len(first) > 1 and first.isupper() else text[:1].lower() + text[1:]


def stored_unit(denominator: str, scale: int) -> str:
    """Measure.unit: "per 1,000 occupied bed days" for a rate, "count" for a count."""
    denominator = denominator.strip()
    if not denominator:
        return COUNT
    return f"per {scale:,} {_lowered(denominator)}" if scale != 1 else f"per {_lowered(denominator)}"


def full_unit(numerator: str, denominator: str, scale: int) -> str:
    """The unit as the catalogue states it: "Restraint incidents per 1,000 occupied bed days", or for a
    count "Restraint incidents (a count each month)"."""
    if not denominator.strip():
        return f"{numerator.strip()} (a count each month)"
    return f"{numerator.strip()} {stored_unit(denominator, scale)}"


def number(value: float) -> str:
    """A target or value as people write it: 5.0 → "5", 1234.5 → "1,234.5"."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,}"
