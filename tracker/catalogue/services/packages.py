"""Change packages: add, edit, publish or return to draft."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core import package_versions
from ...editing import InvalidInput, check_version, commit_edit
from ...models import Ambition, ChangeIdea, ChangePackage, Driver, PackageStatus, PackageVersion, User
from .common import (
    CHOOSE_AMBITION,
    CHOOSE_STATUS,
    PACKAGE_CODE,
    PACKAGE_CODE_FORMAT,
    PACKAGE_CODE_TAKEN,
    PACKAGE_LABELS,
    check_lengths,
    code_problem,
    commit_coded,
    next_position,
    refuse,
    web_address_problem,
)


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


def _check_package(session: Session, details: PackageDetails, package: ChangePackage | None) -> Ambition:
    errors: dict[str, str] = {}
    ambition = session.get(Ambition, details.ambition_id) if details.ambition_id is not None else None
    if ambition is None:
        errors["ambition_id"] = CHOOSE_AMBITION
    if problem := code_problem(
        session, ChangePackage.code, details.code, PACKAGE_CODE, PACKAGE_CODE_FORMAT, PACKAGE_CODE_TAKEN, package
    ):
        errors["code"] = problem
    if not details.title.strip():
        errors["title"] = "Enter a title"
    if not details.publisher.strip():
        errors["publisher"] = "Enter the publisher"
    if details.status not in set(PackageStatus):
        errors["status"] = CHOOSE_STATUS
    if problem := web_address_problem(details.source_url):
        errors["source_url"] = problem
    check_lengths(errors, details, ChangePackage, PACKAGE_LABELS)
    refuse(errors)
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
        position=next_position(session, ChangePackage.position, ChangePackage.ambition_id == ambition.id)
    )
    _apply_package(package, details, ambition)
    commit_coded(session, package, PACKAGE_CODE_TAKEN, new=True)
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
        package.position = next_position(session, ChangePackage.position, ChangePackage.ambition_id == ambition.id)
    _apply_package(package, details, ambition)
    commit_coded(session, package, PACKAGE_CODE_TAKEN)
    return package


VERSION_TAKEN = "Someone else published a version of this package at the same moment. Check its versions and try again"


def set_package_status(session: Session, package: ChangePackage, status: PackageStatus, by: User | None = None) -> bool:
    """Publish a package (storing a new version if it changed since the last) or return it to draft;
    False when it already had that status."""
    status = PackageStatus(status)
    if package.status == status:
        return False
    package.status = status
    if status == PackageStatus.PUBLISHED:
        _add_version(session, package, by)
    commit_edit(session, package, on_integrity=lambda: InvalidInput({"version": VERSION_TAKEN}))
    return True


def publish_version(session: Session, package: ChangePackage, by: User | None) -> PackageVersion | None:
    """Store the published package as it now is as its next version; None when nothing changed since
    the last one. Drafts are published by set_package_status."""
    if package.status != PackageStatus.PUBLISHED:
        raise InvalidInput({"status": "Publish the package first: only published packages have versions"})
    version = _add_version(session, package, by)
    if version is not None:
        commit_edit(session, None, on_integrity=lambda: InvalidInput({"version": VERSION_TAKEN}))
    return version


def current_snapshot(session: Session, package: ChangePackage) -> dict:
    """What a version of the package would store now."""
    drivers = session.scalars(select(Driver).where(Driver.package_id == package.id)).all()
    ideas = session.scalars(select(ChangeIdea).where(ChangeIdea.package_id == package.id)).all()
    return package_versions.snapshot(package, list(drivers), list(ideas))


def latest_version(session: Session, package_id: int) -> PackageVersion | None:
    return session.scalar(
        select(PackageVersion).where(PackageVersion.package_id == package_id).order_by(PackageVersion.number.desc())
    )


def _add_version(session: Session, package: ChangePackage, by: User | None, by_name: str = "") -> PackageVersion | None:
    """Add (not commit) the package's next version, unless it says what the last one said."""
    session.flush()
    now = current_snapshot(session, package)
    last = latest_version(session, package.id)
    if last is not None and last.snapshot == now:
        return None
    number = last.number if last is not None else 0
    version = PackageVersion(
        package_id=package.id,
        number=number + 1,
        published_by_id=by.id if by is not None else None,
        published_by_name=by.display_name if by is not None else by_name,
        snapshot=now,
    )
    session.add(version)
    return version


def seed_first_versions(session: Session) -> int:
    """Give each published package without a version its first one (the seed's; not committed)."""
    session.flush()
    versioned = select(PackageVersion.package_id)
    packages = session.scalars(
        select(ChangePackage).where(ChangePackage.is_published, ChangePackage.id.not_in(versioned))
    ).all()
    added = [_add_version(session, package, None, "Reference data") for package in packages]
    return sum(1 for version in added if version is not None)
