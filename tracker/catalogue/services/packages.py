"""Change packages: add, edit, publish or return to draft."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ...editing import check_version, commit_edit
from ...models import Ambition, ChangePackage, PackageStatus
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


def set_package_status(session: Session, package: ChangePackage, status: PackageStatus) -> bool:
    """Publish a package or return it to draft; False when it already had that status."""
    status = PackageStatus(status)
    if package.status == status:
        return False
    package.status = status
    commit_edit(session, package)
    return True
