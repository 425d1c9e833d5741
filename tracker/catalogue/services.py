"""Maintaining the catalogue: the only code that writes packages, drivers and change ideas.

Each public function is one unit of work and commits. Rules that need the database (codes in use,
a driver from another package, a third level of drivers) are checked here, so the web forms, the
CLI and the API share them; a refusal is InvalidInput keyed by form field. Edits carry the
row_version the editor saw (tracker.editing: a stale one is an EditConflict, a missing one InvalidInput).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..editing import InvalidInput, check_version, commit_edit
from ..models import Ambition, ChangeIdea, ChangePackage, Driver, PackageStatus

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


@dataclass
class PackageDetails:
    ambition_id: int | None
    code: str
    title: str
    publisher: str
    version: str = ""
    status: PackageStatus = PackageStatus.DRAFT
    source_url: str = ""
    summary: str = ""
    provenance_note: str = ""


@dataclass
class DriverDetails:
    title: str
    description: str = ""
    parent_id: int | None = None


@dataclass
class IdeaDetails:
    code: str
    title: str
    description: str = ""
    driver_id: int | None = None
    source_url: str = ""
    provenance_note: str = ""


def _taken(field: str, message: str):
    """A code another editor took between our check and the insert: the refusal they would have had."""
    return lambda: InvalidInput({field: message})


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput(errors)


def _check_lengths(errors: dict[str, str], details, model, labels: dict[str, str]) -> None:
    """Refuse text longer than its column, so no backend truncates or errors on it."""
    for name, label in labels.items():
        limit = getattr(model.__table__.c[name].type, "length", None)
        if limit and len(getattr(details, name) or "") > limit and name not in errors:
            errors[name] = f"{label} must be {limit} characters or fewer"


def _in_order(row) -> tuple[int, int]:
    return (row.position, row.id)


def _next_position(session: Session, column, *where) -> int:
    highest = session.scalar(select(func.max(column)).where(*where))
    return 0 if highest is None else highest + 1


# Packages


def _check_package(session: Session, details: PackageDetails, package: ChangePackage | None) -> Ambition:
    errors: dict[str, str] = {}
    ambition = session.get(Ambition, details.ambition_id) if details.ambition_id is not None else None
    if ambition is None:
        errors["ambition_id"] = CHOOSE_AMBITION
    if not PACKAGE_CODE.match(details.code):
        errors["code"] = PACKAGE_CODE_FORMAT
    else:
        taken = select(ChangePackage.id).where(ChangePackage.code == details.code)
        if package is not None:
            taken = taken.where(ChangePackage.id != package.id)
        if session.scalar(taken) is not None:
            errors["code"] = PACKAGE_CODE_TAKEN
    if not details.title.strip():
        errors["title"] = "Enter a title"
    if not details.publisher.strip():
        errors["publisher"] = "Enter the publisher"
    if details.status not in set(PackageStatus):
        errors["status"] = CHOOSE_STATUS
    if problem := web_address_problem(details.source_url):
        errors["source_url"] = problem
    _check_lengths(errors, details, ChangePackage, PACKAGE_LABELS)
    _refuse(errors)
    return ambition  # type: ignore[return-value]


def _apply_package(package: ChangePackage, details: PackageDetails, ambition: Ambition) -> None:
    package.ambition = ambition
    for name in ("code", "version", "source_url", "summary", "provenance_note"):
        setattr(package, name, getattr(details, name))
    package.title = details.title.strip()
    package.publisher = details.publisher.strip()
    package.status = PackageStatus(details.status)


def create_package(session: Session, details: PackageDetails) -> ChangePackage:
    """Add a package at the end of its ambition's list."""
    ambition = _check_package(session, details, None)
    package = ChangePackage(
        position=_next_position(session, ChangePackage.position, ChangePackage.ambition_id == ambition.id)
    )
    _apply_package(package, details, ambition)
    session.add(package)
    commit_edit(session, on_integrity=_taken("code", PACKAGE_CODE_TAKEN))
    return package


def update_package(
    session: Session,
    package: ChangePackage,
    details: PackageDetails,
    expected_version: int | None,
) -> ChangePackage:
    check_version(package, expected_version)
    ambition = _check_package(session, details, package)
    if ambition.id != package.ambition_id:
        package.position = _next_position(session, ChangePackage.position, ChangePackage.ambition_id == ambition.id)
    _apply_package(package, details, ambition)
    commit_edit(session, package, on_integrity=_taken("code", PACKAGE_CODE_TAKEN))
    return package


def set_package_status(session: Session, package: ChangePackage, status: PackageStatus) -> bool:
    """Publish a package or return it to draft; False when it already had that status."""
    status = PackageStatus(status)
    if package.status == status:
        return False
    package.status = status
    commit_edit(session, package)
    return True


# Drivers


def _check_driver(
    session: Session,
    package: ChangePackage,
    details: DriverDetails,
    driver: Driver | None,
) -> Driver | None:
    errors: dict[str, str] = {}
    if not details.title.strip():
        errors["title"] = "Enter a title"
    parent = None
    if details.parent_id is not None:
        parent = session.get(Driver, details.parent_id)
        # Two levels only: a parent is a primary driver of the same package, and not the driver itself.
        if (
            parent is None
            or parent.package_id != package.id
            or parent.parent_id is not None
            or (driver is not None and parent.id == driver.id)
        ):
            errors["parent_id"] = PARENT_NOT_PRIMARY
        elif driver is not None and driver.children:
            errors["parent_id"] = PARENT_HAS_CHILDREN
    _check_lengths(errors, details, Driver, {"title": "Title"})
    _refuse(errors)
    return parent


def _sibling_drivers(package_id: int, parent_id: int | None):
    return Driver.package_id == package_id, Driver.parent_id == parent_id


def create_driver(session: Session, package: ChangePackage, details: DriverDetails) -> Driver:
    """Add a primary driver (no parent) or a secondary driver, last among its siblings."""
    parent = _check_driver(session, package, details, None)
    parent_id = parent.id if parent else None
    driver = Driver(
        package=package,
        parent_id=parent_id,
        title=details.title.strip(),
        description=details.description,
        position=_next_position(session, Driver.position, *_sibling_drivers(package.id, parent_id)),
    )
    session.add(driver)
    commit_edit(session)
    return driver


def update_driver(
    session: Session,
    driver: Driver,
    details: DriverDetails,
    expected_version: int | None,
) -> Driver:
    check_version(driver, expected_version)
    parent = _check_driver(session, driver.package, details, driver)
    parent_id = parent.id if parent else None
    if parent_id != driver.parent_id:
        driver.position = _next_position(session, Driver.position, *_sibling_drivers(driver.package_id, parent_id))
        driver.parent_id = parent_id
    driver.title = details.title.strip()
    driver.description = details.description
    commit_edit(session, driver)
    return driver


@dataclass(frozen=True)
class DeletedDriver:
    title: str
    secondary_drivers: int
    ideas_unplaced: int


def delete_driver(session: Session, driver: Driver, expected_version: int | None) -> DeletedDriver:
    """Delete a driver and its secondary drivers; their ideas become not yet placed, not deleted."""
    check_version(driver, expected_version)
    children = sorted(driver.children, key=_in_order)
    # In diagram order: the driver's own ideas, then each secondary driver's.
    ideas = [idea for d in (driver, *children) for idea in sorted(d.ideas, key=_in_order)]
    position = _next_position(
        session,
        ChangeIdea.position,
        ChangeIdea.package_id == driver.package_id,
        ChangeIdea.driver_id.is_(None),
    )
    for offset, idea in enumerate(ideas):
        idea.driver = None
        idea.position = position + offset
    # Flush the moves first, so no idea still points at a driver being deleted.
    session.flush()
    for d in (*children, driver):
        session.delete(d)
    result = DeletedDriver(driver.title, len(children), len(ideas))
    commit_edit(session, driver)
    return result


def _swap(siblings: list, item, direction: Direction) -> bool:
    """Move item one place among its siblings and renumber them 0..n-1; False at either end."""
    ordered = sorted(siblings, key=_in_order)
    index = ordered.index(item)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, sibling in enumerate(ordered):
        if sibling.position != position:
            sibling.position = position
    return True


def move_driver(session: Session, driver: Driver, direction: Direction) -> bool:
    """Move a driver up or down among the drivers with the same parent; False if it cannot."""
    siblings = list(session.scalars(select(Driver).where(*_sibling_drivers(driver.package_id, driver.parent_id))))
    moved = _swap(siblings, driver, direction)
    if moved:
        commit_edit(session, driver)
    return moved


# Change ideas


def _check_idea(
    session: Session,
    package: ChangePackage,
    details: IdeaDetails,
    idea: ChangeIdea | None,
) -> None:
    errors: dict[str, str] = {}
    if not IDEA_CODE.match(details.code):
        errors["code"] = IDEA_CODE_FORMAT
    else:
        taken = select(ChangeIdea.id).where(ChangeIdea.code == details.code)
        if idea is not None:
            taken = taken.where(ChangeIdea.id != idea.id)
        if session.scalar(taken) is not None:
            errors["code"] = IDEA_CODE_TAKEN
    if not details.title.strip():
        errors["title"] = "Enter a title"
    if details.driver_id is not None:
        driver = session.get(Driver, details.driver_id)
        if driver is None or driver.package_id != package.id:
            errors["driver_id"] = DRIVER_ELSEWHERE
    if problem := web_address_problem(details.source_url):
        errors["source_url"] = problem
    _check_lengths(
        errors,
        details,
        ChangeIdea,
        {"code": "Code", "title": "Title", "source_url": "Source web address"},
    )
    _refuse(errors)


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
        position=_next_position(session, ChangeIdea.position, *_sibling_ideas(package.id, details.driver_id)),
    )
    _apply_idea(idea, details)
    session.add(idea)
    commit_edit(session, on_integrity=_taken("code", IDEA_CODE_TAKEN))
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
        idea.position = _next_position(
            session,
            ChangeIdea.position,
            *_sibling_ideas(idea.package_id, details.driver_id),
        )
        idea.driver_id = details.driver_id
    _apply_idea(idea, details)
    commit_edit(session, idea, on_integrity=_taken("code", IDEA_CODE_TAKEN))
    return idea


def move_idea(session: Session, idea: ChangeIdea, direction: Direction) -> bool:
    """Move an idea up or down among the ideas under the same driver; False if it cannot."""
    siblings = list(session.scalars(select(ChangeIdea).where(*_sibling_ideas(idea.package_id, idea.driver_id))))
    moved = _swap(siblings, idea, direction)
    if moved:
        commit_edit(session, idea)
    return moved


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
