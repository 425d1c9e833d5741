"""The data dictionary of the flat feeds (GET /api/v1/feeds/<name>.csv|.json): every feed, filter and
column said once, here. The feeds write exactly these columns in this order, the data-dictionary page
lists them, and tests/test_feeds_dictionary.py checks each feed's CSV header and JSON keys and every
value's type against them.

Within API v1 a column is never renamed, retyped, reordered or removed: analysts' Power BI models and
Excel queries name them. New columns may only be added at the end of a feed. Plain data, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass

# The types a value may have, and how each is written: in CSV an empty cell is null.
TEXT, INTEGER, DECIMAL, DATE, DATETIME, BOOLEAN = "text", "integer", "decimal", "date", "datetime", "boolean"
TYPES = {
    TEXT: "Text. In CSV, text starting with =, +, -, @ or a tab has a single quote put in front so that "
    "a spreadsheet never runs it as a formula; JSON gives it as stored.",
    INTEGER: "A whole number.",
    DECIMAL: "A number with a fractional part, unrounded (a share is a decimal from 0 to 1).",
    DATE: "A day, written YYYY-MM-DD (ISO 8601).",
    DATETIME: "A moment in UTC, written YYYY-MM-DDThh:mm:ss+00:00 (ISO 8601).",
    BOOLEAN: "true or false.",
}
STAGES = "considering, testing, implementing, spreading, sustained or discontinued"
STAGE_RANK = "The stage's place on the ladder: considering 1 to sustained 5; discontinued 0."


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: str
    optional: bool = False  # may be empty (CSV) or null (JSON)


@dataclass(frozen=True)
class Filter:
    name: str
    meaning: str


@dataclass(frozen=True)
class Feed:
    name: str  # its address: /api/v1/feeds/<name>.csv or .json
    title: str
    row: str  # what one row is: "One row per {row}."
    description: str
    filters: tuple[Filter, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _c(name: str, type_: str, meaning: str, optional: bool = False) -> Column:
    return Column(name, type_, meaning, optional)


ORGANISATION_FILTER = Filter("organisation", "An organisation's ODS code: only its rows.")
INTERVENTION_FILTER = Filter("intervention", "A change idea's code: only its rows.")
AMBITION_FILTER = Filter("ambition", "An ambition's code (e.g. RP): only the rows of its change ideas.")
NETWORK_FILTER = Filter("network", "A network's code: only the rows of its organisations.")

EVENTS = Feed(
    name="events",
    title="Adoption events",
    row="stage move, as logged",
    description=(
        "The whole adoption ledger, in the order the moves took effect (then the order they were logged). "
        "Nothing in it is ever edited or deleted: a correction is a later event naming the one it corrects "
        "(corrects_event_id), and a corrected event (corrected_by_event_id is set) counts for no date. "
        "For a nightly refresh of a large ledger, ask only for what is new with logged_since."
    ),
    filters=(
        Filter("since", "YYYY-MM-DD: only events that took effect on or after this day."),
        Filter("until", "YYYY-MM-DD: only events that took effect on or before this day."),
        Filter("logged_since", "YYYY-MM-DD: only events logged on or after this day (UTC)."),
        ORGANISATION_FILTER,
        INTERVENTION_FILTER,
        AMBITION_FILTER,
        NETWORK_FILTER,
    ),
    columns=(
        _c("event_id", INTEGER, "The event's number: unique, and never reused."),
        _c("effective_date", DATE, "The day the move took effect."),
        _c("ods_code", TEXT, "The organisation's ODS code."),
        _c("organisation_name", TEXT, "The organisation's name today."),
        _c("network_code", TEXT, "The code of the organisation's network today; empty when it has none.", True),
        _c("ambition_code", TEXT, "The code of the ambition the change idea serves."),
        _c("package_code", TEXT, "The code of the change package holding the change idea."),
        _c("intervention_code", TEXT, "The change idea's code (stable across package versions)."),
        _c("stage", TEXT, f"The stage moved to: {STAGES}."),
        _c("stage_rank", INTEGER, STAGE_RANK),
        _c("wards_using", INTEGER, "Wards using the change idea, when given.", True),
        _c("wards_in_scope", INTEGER, "Wards it could be used on, when given.", True),
        _c(
            "discontinued_reason",
            TEXT,
            "Why it was discontinued (only then): leadership_support, staffing, resources, approvals, not_suitable, "
            "replaced or other.",
            True,
        ),
        _c("note", TEXT, "The note logged with the move (may be empty)."),
        _c("evidence_url", TEXT, "A link to evidence of the move (may be empty)."),
        _c("corrects_event_id", INTEGER, "The event this one corrects, if it is a correction.", True),
        _c(
            "corrected_by_event_id",
            INTEGER,
            "The latest event correcting this one, if any: a corrected event counts for no date.",
            True,
        ),
        _c("logged_at", DATETIME, "When the event was logged (UTC)."),
        _c("logged_by", TEXT, "The name of the account that logged it; empty for imports with no account.", True),
        _c("channel", TEXT, "How it arrived: form, api, import or demo."),
        _c("is_demo", BOOLEAN, "true for the demonstration data that the seed adds."),
    ),
)

RECORDS = Feed(
    name="records",
    title="Current records",
    row="organisation and change idea: where it stands now",
    description=(
        "Each organisation's current stage with each change idea it has a record for: its latest event by "
        "effective date that no other event corrects. Pairs with no event have no row."
    ),
    filters=(ORGANISATION_FILTER, INTERVENTION_FILTER, AMBITION_FILTER, NETWORK_FILTER),
    columns=(
        _c("ods_code", TEXT, "The organisation's ODS code."),
        _c("organisation_name", TEXT, "The organisation's name today."),
        _c("network_code", TEXT, "The code of the organisation's network; empty when it has none.", True),
        _c("ambition_code", TEXT, "The code of the ambition the change idea serves."),
        _c("package_code", TEXT, "The code of the change package holding the change idea."),
        _c("intervention_code", TEXT, "The change idea's code."),
        _c("stage", TEXT, f"The current stage: {STAGES}."),
        _c("stage_rank", INTEGER, STAGE_RANK),
        _c("effective_date", DATE, "The day the current event took effect."),
        _c("stage_since", DATE, "The day the current stage was first reached in its current run."),
        _c("wards_using", INTEGER, "Wards using the change idea, when given.", True),
        _c("wards_in_scope", INTEGER, "Wards it could be used on, when given.", True),
        _c("first_considered_on", DATE, "The first day it was at considering or beyond, if ever.", True),
        _c("first_implemented_on", DATE, "The first day it was at implementing or beyond, if ever.", True),
        _c("current_event_id", INTEGER, "The event that is the record now (event_id in the events feed)."),
        _c("version", INTEGER, "The record's version: one more with each event logged for it."),
        _c("last_logged_at", DATETIME, "When an event was last logged for the record (UTC)."),
        _c("is_demo", BOOLEAN, "true for the demonstration data that the seed adds."),
    ),
)

COVERAGE_MONTHLY = Feed(
    name="coverage-monthly",
    title="Monthly coverage",
    row="month of one ambition, in all networks or one",
    description=(
        "An ambition's reach and depth month by month, each as of the month's last day (the last month as of "
        "end), counted as the coverage report counts them: open organisations, the ambition's published change "
        "ideas, and records at min_stage or beyond."
    ),
    filters=(
        Filter("ambition", "Required: an ambition's code (e.g. RP)."),
        NETWORK_FILTER,
        Filter("min_stage", "The stage from which a record counts (default implementing)."),
        Filter("start", "YYYY-MM-DD: the first month (default the programme's start, 1 April 2021)."),
        Filter("end", "YYYY-MM-DD: the last day (default today). At most 600 months from start."),
    ),
    columns=(
        _c("month", TEXT, "The month, written YYYY-MM."),
        _c("as_of", DATE, "The day the figures are as of: the month's last day, or end in the last month."),
        _c("ambition_code", TEXT, "The ambition's code."),
        _c("network_code", TEXT, "The network's code; empty for all networks together.", True),
        _c("min_stage", TEXT, "The stage from which a record counts."),
        _c("organisations_total", INTEGER, "Organisations open on the day (in the network, if one)."),
        _c(
            "organisations_reached", INTEGER, "Of those, the ones with at least one change idea at min_stage or beyond."
        ),
        _c("reach", DECIMAL, "organisations_reached ÷ organisations_total, from 0 to 1."),
        _c("depth", DECIMAL, "Organisation × change idea pairs at min_stage or beyond ÷ all such pairs, from 0 to 1."),
    ),
)

ORGANISATIONS = Feed(
    name="organisations",
    title="Organisations",
    row="organisation",
    description="Every organisation in the programme, open or closed, by ODS code.",
    filters=(NETWORK_FILTER, Filter("open_on", "YYYY-MM-DD: only organisations open on this day.")),
    columns=(
        _c("ods_code", TEXT, "The organisation's ODS code."),
        _c("name", TEXT, "Its name."),
        _c("kind", TEXT, "What kind it is: mental_health_trust, acute_trust, mixed_trust or other_provider."),
        _c("network_code", TEXT, "The code of its network; empty when it has none.", True),
        _c("network_name", TEXT, "The name of its network; empty when it has none.", True),
        _c("town", TEXT, "The town of its headquarters (may be empty)."),
        _c("latitude", DECIMAL, "Latitude of its headquarters, when known.", True),
        _c("longitude", DECIMAL, "Longitude of its headquarters, when known.", True),
        _c("opened_on", DATE, "The day it opened, when known.", True),
        _c("closed_on", DATE, "The day it closed, if it has.", True),
        _c("successor_ods_code", TEXT, "The ODS code of the organisation that took over its services, if any.", True),
        _c(
            "membership",
            TEXT,
            "Its membership of the collaborative: member, not_member or unverified (not yet confirmed).",
        ),
        _c("is_demo", BOOLEAN, "true for the demonstration data that the seed adds."),
    ),
)

INTERVENTIONS = Feed(
    name="interventions",
    title="Change ideas",
    row="change idea",
    description=(
        "Every change idea of the published change packages (project managers and administrators also see "
        "those of drafts), in catalogue order, with where it sits in its package's driver diagram."
    ),
    filters=(AMBITION_FILTER,),
    columns=(
        _c("intervention_code", TEXT, "The change idea's code."),
        _c("title", TEXT, "Its title."),
        _c("ambition_code", TEXT, "The code of the ambition it serves."),
        _c("ambition_title", TEXT, "The ambition's title."),
        _c("package_code", TEXT, "The code of the change package holding it."),
        _c("package_title", TEXT, "The package's title."),
        _c("package_status", TEXT, "published or draft."),
        _c("primary_driver", TEXT, "The primary driver it sits under, if any.", True),
        _c("secondary_driver", TEXT, "The secondary driver it sits under, if any.", True),
        _c("source_url", TEXT, "Where it is published (may be empty)."),
        _c("is_demo", BOOLEAN, "true for the demonstration data that the seed adds."),
    ),
)

FEEDS: dict[str, Feed] = {f.name: f for f in (EVENTS, RECORDS, COVERAGE_MONTHLY, ORGANISATIONS, INTERVENTIONS)}
FORMATS = ("csv", "json")
