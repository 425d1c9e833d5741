"""The spread map's filters: a GET form read from the query string, changing nothing."""

from __future__ import annotations

from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..calendar import today
from ..figure_filters import FigureFilters, as_of_field, threshold_field
from ..forecast.service import MAX_K
from ..forms import choices, lower, strip, upper
from .drawing import BY_LINKS, GEOGRAPHIC

LAYOUT_CHOICES = [
    SelectChoice(GEOGRAPHIC, "On the map of the south of England"),
    SelectChoice(BY_LINKS, "Grouped by network, drawn by their links"),
]
DATE_EXAMPLE = "for example 2025-01-31"
ALL_IDEAS = ""
NO_HIGHLIGHT = ""
ENGAGE_CHOICES = (3, 5, 10)  # offered; a link (the forecast page's) may ask for any k from 1 to MAX_K


class SpreadMapForm(FigureFilters):
    """Which ambition (and change idea), on which day, from which stage on, drawn how.

    Unknown ambition and change idea codes are checked by the view: they are wrong addresses
    (404), not form errors. A known idea of another ambition is a form error.
    """

    DAY = "the date the map shows"
    COUNTS_AS = "adopted"

    intervention = SelectField("Change idea", filters=[upper], validate_choice=False)
    as_of = as_of_field("Show the map as of", DAY, DATE_EXAMPLE, default=today)
    min_stage = threshold_field(COUNTS_AS)
    layout = RadioField("Layout", choices=LAYOUT_CHOICES, default=GEOGRAPHIC, filters=[lower], validate_choice=False)
    # For those who may see recommendations only: the view deletes it for everyone else.
    engage = SelectField("Highlight whom to engage next", filters=[strip], validate_choice=False)

    def __init__(self, *args, ambitions: list[tuple[str, str]], ideas: list[tuple[str, str]], **kwargs):
        super().__init__(*args, ambitions=ambitions, **kwargs)
        self.intervention.choices = choices(
            ideas, none="All change ideas of the ambition"
        )  # the empty choice is ALL_IDEAS
        self.intervention.data = self.intervention.data or ALL_IDEAS
        self.engage.data = self.engage.data or NO_HIGHLIGHT
        offered = [str(k) for k in ENGAGE_CHOICES]
        asked = self.engage.data
        if asked and asked not in offered and self._engage_count(asked) is not None:
            offered = sorted([*offered, asked], key=int)  # a k from a link is shown as chosen
        self.engage.choices = choices([(k, f"The best {k}") for k in offered], none="No highlight")

    def validate_intervention(self, field):
        if field.data and field.data not in {choice.value for choice in self.intervention.choices}:
            raise ValidationError("Choose one of the ambition's change ideas, or all of them")

    def validate_layout(self, field):
        if field.data not in {choice.value for choice in LAYOUT_CHOICES}:
            raise ValidationError("Choose how to lay out the map")

    def validate_engage(self, field):
        if field.data and self._engage_count(field.data) is None:
            raise ValidationError(f"Choose how many organisations to highlight: a whole number from 1 to {MAX_K}")

    @staticmethod
    def _engage_count(text: str) -> int | None:
        if text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= MAX_K:
            return int(text)
        return None

    @property
    def engage_k(self) -> int | None:
        """How many organisations to highlight, or None for no highlight (or no such field)."""
        field = getattr(self, "engage", None)
        return self._engage_count(field.data) if field is not None and field.data else None

    @property
    def idea(self) -> str | None:
        """The change idea chosen (the field keeps the public parameter's name), or None for all."""
        return self.intervention.data or None
