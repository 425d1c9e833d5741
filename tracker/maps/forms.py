"""The spread map's filters: a GET form read from the query string, changing nothing."""

from __future__ import annotations

from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..calendar import today
from ..figure_filters import FigureFilters, as_of_field, threshold_field
from ..forms import choices, lower, upper
from .drawing import BY_LINKS, GEOGRAPHIC

LAYOUT_CHOICES = [
    SelectChoice(GEOGRAPHIC, "On the map of the south of England"),
    SelectChoice(BY_LINKS, "Grouped by network, drawn by their links"),
]
DATE_EXAMPLE = "for example 2025-01-31"
ALL_IDEAS = ""


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

    def __init__(self, *args, ambitions: list[tuple[str, str]], ideas: list[tuple[str, str]], **kwargs):
        super().__init__(*args, ambitions=ambitions, **kwargs)
        self.intervention.choices = choices(
            ideas, none="All change ideas of the ambition"
        )  # the empty choice is ALL_IDEAS
        self.intervention.data = self.intervention.data or ALL_IDEAS

    def validate_intervention(self, field):
        if field.data and field.data not in {choice.value for choice in self.intervention.choices}:
            raise ValidationError("Choose one of the ambition's change ideas, or all of them")

    def validate_layout(self, field):
        if field.data not in {choice.value for choice in LAYOUT_CHOICES}:
            raise ValidationError("Choose how to lay out the map")

    @property
    def idea(self) -> str | None:
        """The change idea chosen (the field keeps the public parameter's name), or None for all."""
        return self.intervention.data or None
