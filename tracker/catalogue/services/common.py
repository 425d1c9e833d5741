"""What the catalogue's services share: the codes' formats and the messages, the commit that turns a
lost race into a refusal, and the ordering of siblings."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...editing import InvalidInput, commit_edit

IDEA_CODE = re.compile(r"^[A-Z]{1,6}-\d{2,3}$")
PACKAGE_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")

IDEA_CODE_FORMAT = "Code must look like RP-05: 1 to 6 capital letters, a hyphen, then 2 or 3 digits"
PACKAGE_CODE_FORMAT = "Code must be 2 to 16 capital letters or digits, starting with a letter, like RRP"
IDEA_CODE_TAKEN = "Another change idea already uses this code. Choose a different code"
PACKAGE_CODE_TAKEN = "Another change package already uses this code. Choose a different code"
WEB_ADDRESS = "Enter a web address that starts with https:// or http://"
CHOOSE_AMBITION = "Choose the ambition this package serves"
CHOOSE_STATUS = "Choose draft or published"
PARENT_NOT_PRIMARY = "Choose a primary driver of this package, or none for a primary driver"
PARENT_HAS_CHILDREN = (
    "This driver has secondary drivers, so it must stay a primary driver. Move or delete its secondary drivers first"
)
DRIVER_ELSEWHERE = "Choose a driver of this package, or leave the idea not yet placed"

PACKAGE_LABELS = {
    "code": "Code",
    "title": "Title",
    "publisher": "Publisher",
    "version": "Version",
    "source_url": "Source web address",
}

Direction = Literal["up", "down"]


def web_address_problem(url: str) -> str | None:
    """Why a source link is refused, or None. Only http(s): no javascript:, data: or file: links."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return WEB_ADDRESS
    return None


def commit_coded(session: Session, row, taken: str, *, new: bool = False) -> None:
    """Commit a package or an idea, added (new) or edited. A code another editor took between our
    check and the write is refused as the check would have refused it (taken is that message)."""
    if new:
        session.add(row)
    commit_edit(session, None if new else row, on_integrity=lambda: InvalidInput({"code": taken}))


def code_problem(
    session: Session, column, code: str, pattern: re.Pattern, formats: str, taken: str, current
) -> str | None:
    """Why a code is refused (its format, or another row of the same kind has it), or None.
    current is the row being edited (None on a create): its own code is not taken."""
    if not pattern.match(code):
        return formats
    others = select(column.class_.id).where(column == code)
    if current is not None:
        others = others.where(column.class_.id != current.id)
    return taken if session.scalar(others) is not None else None


def refuse(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput(errors)


def check_lengths(errors: dict[str, str], details, model, labels: dict[str, str]) -> None:
    """Refuse text longer than its column, so no backend truncates or errors on it."""
    for name, label in labels.items():
        limit = getattr(model.__table__.c[name].type, "length", None)
        if limit and len(getattr(details, name) or "") > limit and name not in errors:
            errors[name] = f"{label} must be {limit} characters or fewer"


def in_order(row) -> tuple[int, int]:
    return (row.position, row.id)


def next_position(session: Session, column, *where) -> int:
    highest = session.scalar(select(func.max(column)).where(*where))
    return 0 if highest is None else highest + 1


def swap(siblings: list, item, direction: Direction) -> bool:
    """Move item one place among its siblings and renumber them 0..n-1; False at either end."""
    ordered = sorted(siblings, key=in_order)
    index = ordered.index(item)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, sibling in enumerate(ordered):
        if sibling.position != position:
            sibling.position = position
    return True


def move(session: Session, item, direction: Direction, *siblings_where) -> bool:
    """Move a driver or an idea one place among the rows siblings_where selects; False if it cannot."""
    siblings = list(session.scalars(select(type(item)).where(*siblings_where)))
    moved = swap(siblings, item, direction)
    if moved:
        commit_edit(session, item)
    return moved
