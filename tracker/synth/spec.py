"""What a synthetic data set is made of: the spec people give, its limits, and the fixed choices.

Every random choice comes from a stream of its own per part (stream()), seeded by the spec's seed, so
the same spec always gives the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..calendar import PROGRAMME_START
from ..models import DiscontinuedReason, OrganisationKind, Stage

PROGRAMME_END = date(2026, 6, 30)
# Closures fall late enough that a closed organisation still has a year of history.
CLOSURES_FROM = date(2022, 4, 1)
CLOSED_SHARE = 0.03
BACKDATED_SHARE = 0.05
DISCONTINUED_CHANCE = 0.03
EVENTS_PER_PAIR = 3  # the mean when there are enough pairs; more events make longer histories

AMBITIONS = (
    ("RP", "Reduce restrictive practice"),
    ("SSH", "Reduce suicide and deliberate self-harm"),
    ("SS", "Improve sexual safety"),
)
NETWORK_LETTERS = "ABCDEFGHIJKLMNO"
PRIMARY_DRIVERS = 2  # per package, each with SECONDARY_DRIVERS secondary drivers under it
SECONDARY_DRIVERS = 2
KINDS = (
    OrganisationKind.MENTAL_HEALTH_TRUST,
    OrganisationKind.MIXED_TRUST,
    OrganisationKind.ACUTE_TRUST,
    OrganisationKind.OTHER_PROVIDER,
)
KIND_WEIGHTS = (85, 8, 5, 2)
KIND_NAMES = {
    OrganisationKind.MENTAL_HEALTH_TRUST: "Mental Health NHS Trust",
    OrganisationKind.MIXED_TRUST: "Health and Care NHS Trust",
    OrganisationKind.ACUTE_TRUST: "Hospitals NHS Trust",
    OrganisationKind.OTHER_PROVIDER: "Care Provider",
}

# The code formats the app enforces allow these many: ODS "Z" + 4 digits, idea codes XX-001 … XX-999.
MAX_ORGANISATIONS = 9_999
MAX_INTERVENTIONS = 999 * len(AMBITIONS)
MAX_EVENTS = 10_000_000  # about 60 bytes each while they are generated

NOTE = "Synthetic benchmark data."
STAGES = (Stage.CONSIDERING, Stage.TESTING, Stage.IMPLEMENTING, Stage.SPREADING, Stage.SUSTAINED, Stage.DISCONTINUED)
DISCONTINUED = 5  # index in STAGES; the others' index is their ladder rank - 1
REASONS = tuple(DiscontinuedReason)
STAGE_NOTES = {
    Stage.CONSIDERING: "Synthetic: team forming.",
    Stage.TESTING: "Synthetic: PDSA tests.",
    Stage.IMPLEMENTING: "Synthetic: in routine use.",
    Stage.SPREADING: "Synthetic: spreading to more wards.",
    Stage.SUSTAINED: "Synthetic: re-checked, still in use.",
    Stage.DISCONTINUED: "Synthetic: stopped.",
}
EPOCH = datetime(PROGRAMME_START.year, PROGRAMME_START.month, PROGRAMME_START.day, tzinfo=UTC)
DAYS = (PROGRAMME_END - PROGRAMME_START).days


@dataclass(frozen=True)
class SynthSpec:
    organisations: int
    interventions: int
    events: int
    seed: int = 1


def spec_problems(spec: SynthSpec) -> list[str]:
    """What is wrong with the spec (empty when it can be generated)."""
    problems = []
    if not 1 <= spec.organisations <= MAX_ORGANISATIONS:
        problems.append(f"--organisations must be from 1 to {MAX_ORGANISATIONS:,} (got {spec.organisations:,})")
    if not 0 <= spec.interventions <= MAX_INTERVENTIONS:
        problems.append(f"--interventions must be from 0 to {MAX_INTERVENTIONS:,} (got {spec.interventions:,})")
    if not 0 <= spec.events <= MAX_EVENTS:
        problems.append(f"--events must be from 0 to {MAX_EVENTS:,} (got {spec.events:,})")
    if spec.events > 0 and spec.interventions == 0:
        problems.append("--events needs at least one intervention (--interventions) to adopt")
    return problems


def stream(spec: SynthSpec, part: str) -> random.Random:
    # One stream per part, seeded by a string (hashed with SHA-512: the same on every run and
    # machine), so a change to one part leaves the others' rows as they were.
    return random.Random(f"synth:{spec.seed}:{part}")
