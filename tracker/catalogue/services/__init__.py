"""Maintaining the catalogue: the only code that writes packages, drivers and change ideas.

Each public function is one unit of work and commits. Rules that need the database (codes in use,
a driver from another package, a third level of drivers) are checked here, so the web forms, the
CLI and the API share them; a refusal is InvalidInput keyed by form field. Edits carry the
row_version the editor saw: a stale one raises EditConflict and nothing is written.

By kind: packages, drivers, ideas and ambitions' targets, with what they share (formats, messages, the commit) in common.
"""

from .common import (
    CHOOSE_AMBITION,
    CHOOSE_STATUS,
    DRIVER_ELSEWHERE,
    IDEA_CODE,
    IDEA_CODE_FORMAT,
    IDEA_CODE_TAKEN,
    PACKAGE_CODE,
    PACKAGE_CODE_FORMAT,
    PACKAGE_CODE_TAKEN,
    PARENT_HAS_CHILDREN,
    PARENT_NOT_PRIMARY,
    WEB_ADDRESS,
    Direction,
    web_address_problem,
)
from .drivers import DeletedDriver, DriverDetails, create_driver, delete_driver, move_driver, update_driver
from .ideas import IdeaDetails, create_idea, move_idea, set_idea_retired, suggest_idea_code, update_idea
from .packages import (
    PackageDetails,
    create_package,
    current_snapshot,
    latest_version,
    publish_version,
    seed_first_versions,
    set_package_status,
    update_package,
)
from .targets import TargetDetails, create_target, update_target

__all__ = [
    "CHOOSE_AMBITION",
    "CHOOSE_STATUS",
    "DRIVER_ELSEWHERE",
    "IDEA_CODE",
    "IDEA_CODE_FORMAT",
    "IDEA_CODE_TAKEN",
    "PACKAGE_CODE",
    "PACKAGE_CODE_FORMAT",
    "PACKAGE_CODE_TAKEN",
    "PARENT_HAS_CHILDREN",
    "PARENT_NOT_PRIMARY",
    "WEB_ADDRESS",
    "DeletedDriver",
    "Direction",
    "DriverDetails",
    "IdeaDetails",
    "PackageDetails",
    "TargetDetails",
    "create_driver",
    "create_idea",
    "create_package",
    "create_target",
    "current_snapshot",
    "latest_version",
    "publish_version",
    "seed_first_versions",
    "set_idea_retired",
    "delete_driver",
    "move_driver",
    "move_idea",
    "set_package_status",
    "suggest_idea_code",
    "update_driver",
    "update_idea",
    "update_package",
    "update_target",
    "web_address_problem",
]
