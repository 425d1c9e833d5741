"""The adoption events a change of an organisation's dates would leave out of every figure.

Coverage counts an organisation's events only while it is open, so opening it later or closing it
earlier than events it already has drops them without a word. Every path that changes the dates asks
this module first; the editor must see the events and confirm before they are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..calendar import people_date
from ..models import AdoptionEvent, ChangeIdea, Organisation


@dataclass(frozen=True)
class LeftOutIdea:
    """The events of one change idea that the new dates leave out."""

    code: str
    title: str
    events: int
    first: date
    last: date


@dataclass(frozen=True)
class LeftOut:
    """What the new dates leave out that the old ones counted; falsy when nothing."""

    ods_code: str
    opened_on: date | None  # the new opening date, when it moved later
    closed_on: date | None  # the new closure date, when it moved earlier
    ideas: tuple[LeftOutIdea, ...]

    @property
    def events(self) -> int:
        return sum(i.events for i in self.ideas)

    def __bool__(self) -> bool:
        return bool(self.ideas)

    @property
    def field(self) -> str:
        """The form field whose new date leaves them out."""
        return "closed_on" if self.closed_on is not None else "opened_on"

    def counted(self) -> str:
        return f"{self.events} adoption event{'s' if self.events != 1 else ''}"

    def dated(self) -> str:
        bounds = []
        if self.opened_on is not None:
            bounds.append(f"before {people_date(self.opened_on)}")
        if self.closed_on is not None:
            bounds.append(f"on or after {people_date(self.closed_on)}")
        return "dated " + " or ".join(bounds)

    def refusal(self) -> str:
        them, are = ("them", "are") if self.events != 1 else ("it", "is")
        return (
            f"{self.counted()} {are} {self.dated()} and would no longer count in any figure: "
            f"check {them} below, or tick the box to leave {them} out"
        )

    def confirmation(self) -> str:
        """The audit note of an edit saved with the editor's confirmation."""
        return f"Confirmed by the editor: {self.counted()} {self.dated()} left out of every figure."


def _moved_opening(old: date | None, new: date | None) -> date | None:
    return new if new is not None and (old is None or new > old) else None


def _moved_closure(old: date | None, new: date | None) -> date | None:
    return new if new is not None and (old is None or new < old) else None


def events_left_out(
    session: Session, organisation: Organisation, opened_on: date | None, closed_on: date | None
) -> LeftOut:
    """The organisation's events that its dates as stored count and the new dates would not.

    One grouped statement, and none when neither date moves inwards.
    """
    moved_opening = _moved_opening(organisation.opened_on, opened_on)
    moved_closure = _moved_closure(organisation.closed_on, closed_on)
    left_out = LeftOut(organisation.ods_code, moved_opening, moved_closure, ())
    if moved_opening is None and moved_closure is None:
        return left_out
    day = AdoptionEvent.effective_date
    counted_now = [AdoptionEvent.organisation_id == organisation.id]
    if organisation.opened_on is not None:
        counted_now.append(day >= organisation.opened_on)
    if organisation.closed_on is not None:
        counted_now.append(day < organisation.closed_on)
    outside_new = []
    if moved_opening is not None:
        outside_new.append(day < moved_opening)
    if moved_closure is not None:
        outside_new.append(day >= moved_closure)
    rows = session.execute(
        select(ChangeIdea.code, ChangeIdea.title, func.count(), func.min(day), func.max(day))
        .join(ChangeIdea, ChangeIdea.id == AdoptionEvent.change_idea_id)
        .where(and_(*counted_now), or_(*outside_new))
        .group_by(ChangeIdea.id, ChangeIdea.code, ChangeIdea.title)
        .order_by(ChangeIdea.code)
    )
    return LeftOut(organisation.ods_code, moved_opening, moved_closure, tuple(LeftOutIdea(*row) for row in rows))
