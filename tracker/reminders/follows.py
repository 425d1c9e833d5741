"""Following a change idea or an organisation: its news comes in the person's weekly digest.

Pure (no Flask). A follow is a row like any other, so the audit trail records it (tracker.audit_trail
audits every write): who follows what decides who is told about which organisation, worth a trail, as
the project keeps one for every other personal setting (passwords, MFA, API tokens).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ..models import ChangeIdea, Follow, Organisation, User


def is_following(
    session: Session, user_id: int, *, idea_id: int | None = None, organisation_id: int | None = None
) -> bool:
    """Whether the person follows the change idea (or the organisation), in one statement."""
    column, value = (
        (Follow.change_idea_id, idea_id) if idea_id is not None else (Follow.organisation_id, organisation_id)
    )
    return session.scalar(select(Follow.id).where(Follow.user_id == user_id, column == value)) is not None


def follow(
    session: Session, user: User, *, idea: ChangeIdea | None = None, organisation: Organisation | None = None
) -> bool:
    """Follow the idea or organisation; commits. False if already followed (nothing changes)."""
    if is_following(
        session, user.id, idea_id=idea.id if idea else None, organisation_id=organisation.id if organisation else None
    ):
        return False
    session.add(Follow(user_id=user.id, change_idea=idea, organisation=organisation))
    try:
        session.commit()
    except IntegrityError:  # followed meanwhile in another tab: the unique constraint kept one
        session.rollback()
        return False
    return True


def unfollow(
    session: Session, user: User, *, idea: ChangeIdea | None = None, organisation: Organisation | None = None
) -> bool:
    """Stop following; commits. False if it was not followed. Deleted through the ORM so it is audited."""
    column, value = (Follow.change_idea_id, idea.id) if idea is not None else (Follow.organisation_id, organisation.id)
    row = session.scalar(select(Follow).where(Follow.user_id == user.id, column == value))
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True


@dataclass(frozen=True)
class Followed:
    ideas: list[ChangeIdea]
    organisations: list[Organisation]

    def __bool__(self) -> bool:
        return bool(self.ideas or self.organisations)


def followed_by(session: Session, user_id: int) -> Followed:
    """What a person follows, ideas by code and organisations by name, in one statement."""
    rows = session.scalars(
        select(Follow)
        .where(Follow.user_id == user_id)
        .options(joinedload(Follow.change_idea), joinedload(Follow.organisation))
    ).all()
    return Followed(
        ideas=sorted((r.change_idea for r in rows if r.change_idea), key=lambda i: i.code),
        organisations=sorted((r.organisation for r in rows if r.organisation), key=lambda o: o.name),
    )
