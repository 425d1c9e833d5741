"""The what-if page's form: a GET form read from the query string, changing nothing.

One form class reads the page's three GET forms, which share the filters (ambition, network, threshold stage):
- the scenario: the organisations to engage now, ticked (`engage`, one value per box) or typed (`codes`),
  shown when `scenario` is "show" (the button "Show the scenario") or "recommend" ("Use the recommendation");
- the simulation: the process (`model`: a field named `process` would hide WTForms' Form.process), the adopters
  to start from (typed; empty: those adopting today), p, runs and seed, run when `cascade` is "run".
Each part's button sends the other part's inputs too (hidden), so both results stay on the page.
Codes are checked for form here; whether they name organisations one may engage is for the service.
"""

from __future__ import annotations

import math
import re

from wtforms import RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..figure_filters import FigureFilters, threshold_field
from ..forms import choices, lower, strip, upper
from ..organisations.services import ODS_CODE
from . import whatif
from .scenario import MAX_ENGAGED

SEPARATORS = re.compile(r"[\s,;]+")
MAX_RUNS = 2_000  # the page's runs: a second or so at national scale; the API allows more
DEFAULT_RUNS = 500
CODES_RULE = "Enter ODS codes of 3 to 6 letters and numbers that start with a letter, separated by spaces or commas"
PROCESS_LABELS = {
    "independent_cascade": "Independent cascade",
    "linear_threshold": "Weighted linear threshold",
}


def split_codes(text: str | None) -> list[str]:
    """The codes in a box, separated by spaces, commas or semicolons, in capitals, each once, in order."""
    seen: dict[str, None] = {}
    for part in SEPARATORS.split((text or "").upper()):
        if part:
            seen.setdefault(part, None)
    return list(seen)


def not_codes(codes: list[str]) -> list[str]:
    """The entries that cannot be ODS codes."""
    return [code for code in codes if not ODS_CODE.match(code)]


def _whole(text: str | None, low: int, high: int) -> int | None:
    text = (text or "").strip().replace(",", "")
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    value = int(text)
    return value if low <= value <= high else None


class WhatIfForm(FigureFilters):
    COUNTS_AS = "adopting"

    min_stage = threshold_field(COUNTS_AS)
    network = SelectField("Network", filters=[upper], validate_choice=False)

    engage = SelectMultipleField("Organisations to engage now", validate_choice=False)
    codes = StringField("ODS codes of organisations to engage", filters=[strip])
    scenario = StringField(filters=[lower])

    model = RadioField(
        "Process",
        choices=[SelectChoice(value, label) for value, label in PROCESS_LABELS.items()],
        default="independent_cascade",
        filters=[lower],
        validate_choice=False,
    )
    adopters = StringField("ODS codes of the organisations adopting at the start", filters=[strip])
    p = StringField("Chance a strongest link passes adoption on (p)", default="0.1", filters=[strip])
    runs = StringField("Runs", default=str(DEFAULT_RUNS), filters=[strip])
    seed = StringField("Seed", default="0", filters=[strip])
    cascade = StringField(filters=[lower])

    def __init__(self, *args, ambitions: list[tuple[str, str]], networks: list[tuple[str, str]], **kwargs):
        super().__init__(*args, ambitions=ambitions, **kwargs)
        self.network.choices = choices(networks, none="All networks")
        for name in ("engage", "codes", "adopters", "scenario", "cascade"):
            self[name].flags.required = False  # none of these needs filling in

    # --- the scenario -------------------------------------------------------------------------

    @property
    def shows_scenario(self) -> bool:
        return self.scenario.data in ("show", "recommend")

    @property
    def wants_recommendation(self) -> bool:
        return self.scenario.data == "recommend"

    @property
    def picks(self) -> list[str]:
        """The organisations to engage: those ticked, then those typed, each once."""
        return split_codes(" ".join([*(self.engage.data or []), self.codes.data or ""]))

    def validate_codes(self, field):
        if not self.shows_scenario:
            return
        bad = not_codes(self.picks)
        if bad:
            raise ValidationError(f"{CODES_RULE}. Not ODS codes: {whatif.named(bad)}")
        if len(self.picks) > MAX_ENGAGED:
            raise ValidationError(f"Choose at most {MAX_ENGAGED} organisations to engage at once")

    # --- the simulation -----------------------------------------------------------------------

    @property
    def runs_cascade(self) -> bool:
        return self.cascade.data == "run"

    @property
    def starting(self) -> list[str] | None:
        """The adopters typed, or None for those adopting today."""
        codes = split_codes(self.adopters.data)
        return codes or None

    def validate_model(self, field):
        if not self.runs_cascade:
            return
        if field.data not in whatif.PROCESSES:
            raise ValidationError("Choose the process: independent cascade or weighted linear threshold")

    def validate_adopters(self, field):
        if not self.runs_cascade:
            return
        codes = split_codes(field.data)
        bad = not_codes(codes)
        if bad:
            raise ValidationError(f"{CODES_RULE}. Not ODS codes: {whatif.named(bad)}")
        if len(codes) > whatif.MAX_ADOPTERS:
            raise ValidationError(f"Enter at most {whatif.MAX_ADOPTERS:,} organisations to start from")

    def validate_p(self, field):
        if not self.runs_cascade or self.model.data != "independent_cascade":
            return  # the linear threshold has no p
        if self.chance is None:
            raise ValidationError(f"Enter p as a number {whatif.P_RULE}, for example 0.1")

    def validate_runs(self, field):
        if not self.runs_cascade:
            return
        if self.run_count is None:
            raise ValidationError(f"Enter the runs as a whole number from 1 to {MAX_RUNS:,}")

    def validate_seed(self, field):
        if not self.runs_cascade:
            return
        if self.seed_value is None:
            raise ValidationError(f"Enter the seed as a whole number from 0 to {whatif.MAX_SEED:,}")

    @property
    def chance(self) -> float | None:
        try:
            value = float(self.p.data or "")
        except ValueError:
            return None
        return value if math.isfinite(value) and whatif.valid_p(value) else None

    @property
    def run_count(self) -> int | None:
        return _whole(self.runs.data, 1, MAX_RUNS)

    @property
    def seed_value(self) -> int | None:
        return _whole(self.seed.data, 0, whatif.MAX_SEED)
