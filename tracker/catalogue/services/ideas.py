"""Change ideas: add, edit, place under a driver, move; and the code the form suggests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...editing import check_version, commit_edit
from ...models import ChangeIdea, ChangePackage, Driver
from .common import (
    DRIVER_ELSEWHERE,
    IDEA_CODE,
    IDEA_CODE_FORMAT,
    IDEA_CODE_TAKEN,
    Direction,
    check_lengths,
    code_problem,
    commit_coded,
    move,
    next_position,
    refuse,
    web_address_problem,
)


@dataclass
class IdeaDetails:
    code: str
    title: str
    description: str = ""
    driver_id: int | None = None
    source_url: str = ""
    provenance_note: str = ""


def _check_idea(
    session: Session,
    package: ChangePackage,
    details: IdeaDetails,
    idea: ChangeIdea | None,
) -> None:
    errors: dict[str, str] = {}
    if problem := code_problem(
        session, ChangeIdea.code, details.code, IDEA_CODE, IDEA_CODE_FORMAT, IDEA_CODE_TAKEN, idea
    ):
        errors["code"] = problem
    if not details.title.strip():
        errors["title"] = "Enter a title"
    if details.driver_id is not None:
        driver = session.get(Driver, details.driver_id)
        if driver is None or driver.package_id != package.id:
            errors["driver_id"] = DRIVER_ELSEWHERE
    if problem := web_address_problem(details.source_url):
        errors["source_url"] = problem
    check_lengths(
        errors,
        details,
        ChangeIdea,
        {"code": "Code", "title": "Title", "source_url": "Source web address"},
    )
    refuse(errors)


def _sibling_ideas(package_id: int, driver_id: int | None):
    return ChangeIdea.package_id == package_id, ChangeIdea.driver_id == driver_id


def _apply_idea(idea: ChangeIdea, details: IdeaDetails) -> None:
    for name in ("code", "description", "source_url", "provenance_note"):
        setattr(idea, name, getattr(details, name))
    idea.title = details.title.strip()


def create_idea(session: Session, package: ChangePackage, details: IdeaDetails) -> ChangeIdea:
    """Add a change idea under a driver of the package (or not yet placed), last among its siblings."""
    _check_idea(session, package, details, None)
    idea = ChangeIdea(
        package=package,
        driver_id=details.driver_id,
        position=next_position(session, ChangeIdea.position, *_sibling_ideas(package.id, details.driver_id)),
    )
    _apply_idea(idea, details)
    commit_coded(session, idea, IDEA_CODE_TAKEN, new=True)
    return idea


def update_idea(
    session: Session,
    idea: ChangeIdea,
    details: IdeaDetails,
    expected_version: int | None,
) -> ChangeIdea:
    check_version(idea, expected_version)
    _check_idea(session, idea.package, details, idea)
    if details.driver_id != idea.driver_id:
        idea.position = next_position(
            session,
            ChangeIdea.position,
            *_sibling_ideas(idea.package_id, details.driver_id),
        )
        idea.driver_id = details.driver_id
    _apply_idea(idea, details)
    commit_coded(session, idea, IDEA_CODE_TAKEN)
    return idea


def move_idea(session: Session, idea: ChangeIdea, direction: Direction) -> bool:
    """Move an idea up or down among the ideas under the same driver; False if it cannot."""
    return move(session, idea, direction, *_sibling_ideas(idea.package_id, idea.driver_id))


def suggest_idea_code(session: Session, package: ChangePackage) -> str:
    """The next free code in the style of the package's ideas (e.g. RP-05), for the form's hint."""
    codes = list(session.scalars(select(ChangeIdea.code).where(ChangeIdea.package_id == package.id)))
    prefixes = [c.split("-")[0] for c in codes if IDEA_CODE.match(c)]
    prefix = max(sorted(set(prefixes)), key=prefixes.count) if prefixes else package.ambition.code
    used = set(session.scalars(select(ChangeIdea.code).where(ChangeIdea.code.startswith(prefix + "-"))))
    number = 1
    while f"{prefix}-{number:02d}" in used:
        number += 1
    return f"{prefix}-{number:02d}"


def set_idea_retired(session: Session, idea: ChangeIdea, retired: bool) -> bool:
    """Retire an idea from its package (or bring it back); False when it already was. A retired idea keeps
    its code and its adoption records; the package's next published version leaves it out."""
    if idea.retired == retired:
        return False
    idea.retired = retired
    commit_edit(session, idea)
    return True
