"""All tables, in one package because they join each other."""

from ..core.stages import STAGE_MEANINGS, DiscontinuedReason, Stage
from .accounts import (
    ROLE_LABELS,
    ApiToken,
    IdempotentRequest,
    RecoveryCode,
    Role,
    SignInAttempts,
    TokenScope,
    User,
    user_networks,
)
from .adoption import Adoption, AdoptionEvent, AdoptionSpell
from .audit import AuditEvent
from .base import Base, utcnow
from .catalogue import (
    Ambition,
    AmbitionTarget,
    ChangeIdea,
    ChangePackage,
    Driver,
    PackageResource,
    PackageStatus,
    PackageVersion,
    TargetMeasure,
)
from .contacts import AdoptionLead, ContactConsent, OrganisationLead
from .links import LearningLink, LinkKind, LinkStatus
from .measures import WARD_SERVICE_LABELS, Direction, Measure, MeasureKind, MeasureValue, Rebase, Ward, WardService
from .organisations import KIND_LABELS, Membership, Network, Organisation, OrganisationKind
from .reminders import DigestSent, Follow
from .throttle import AnonymousDenial, SignInThrottle
from .uploads import CheckedUpload
from .versions import DataVersion, data_version

__all__ = [
    "STAGE_MEANINGS",
    "Adoption",
    "AdoptionEvent",
    "AdoptionSpell",
    "AdoptionLead",
    "ContactConsent",
    "OrganisationLead",
    "ApiToken",
    "AnonymousDenial",
    "IdempotentRequest",
    "TokenScope",
    "RecoveryCode",
    "AuditEvent",
    "LearningLink",
    "LinkKind",
    "LinkStatus",
    "DiscontinuedReason",
    "Direction",
    "Stage",
    "ROLE_LABELS",
    "KIND_LABELS",
    "Ambition",
    "AmbitionTarget",
    "Base",
    "ChangeIdea",
    "CheckedUpload",
    "ChangePackage",
    "DataVersion",
    "DigestSent",
    "Follow",
    "Driver",
    "Measure",
    "MeasureKind",
    "MeasureValue",
    "Membership",
    "Network",
    "Organisation",
    "OrganisationKind",
    "PackageResource",
    "PackageStatus",
    "TargetMeasure",
    "PackageVersion",
    "Rebase",
    "Role",
    "SignInAttempts",
    "SignInThrottle",
    "User",
    "WARD_SERVICE_LABELS",
    "Ward",
    "WardService",
    "user_networks",
    "data_version",
    "utcnow",
]
