"""Drivers: add, edit, delete (their ideas are kept, not yet placed) and move, two levels deep."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ...editing import check_version, commit_edit
from ...models import ChangeIdea, ChangePackage, Driver
from .common import (
    PARENT_HAS_CHILDREN,
    PARENT_NOT_PRIMARY,
    Direction,
    check_lengths,
    in_order,
    move,
    next_position,
    refuse,
)


@dataclass
class DriverDetails:
    title: str
    description: str = ""
    parent_id: int | None = None


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
    check_lengths(errors, details, Driver, {"title": "Title"})
    refuse(errors)
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
        position=next_position(session, Driver.position, *_sibling_drivers(package.id, parent_id)),
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
        driver.position = next_position(session, Driver.position, *_sibling_drivers(driver.package_id, parent_id))
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
    children = sorted(driver.children, key=in_order)
    # In diagram order: the driver's own ideas, then each secondary driver's.
    ideas = [idea for d in (driver, *children) for idea in sorted(d.ideas, key=in_order)]
    position = next_position(
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


def move_driver(session: Session, driver: Driver, direction: Direction) -> bool:
    """Move a driver up or down among the drivers with the same parent; False if it cannot."""
    return move(session, driver, direction, *_sibling_drivers(driver.package_id, driver.parent_id))
