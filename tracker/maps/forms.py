"""The spread map's filters: a GET form read from the query string, changing nothing."""

from __future__ import annotations

from datetime import date

from wtforms import DateField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..calendar import PROGRAMME_START, iso_day, people_date, today
from ..core.stages import DEFAULT_THRESHOLD, LADDER, Stage, threshold_named
from ..forms import Form, lower, upper
from .drawing import BY_LINKS, GEOGRAPHIC

THRESHOLD_CHOICES = [SelectChoice(stage.value, stage.label) for stage in LADDER]
LAYOUT_CHOICES = [
    SelectChoice(GEOGRAPHIC, "On the map of the south of England"),
    SelectChoice(BY_LINKS, "Grouped by network, drawn by their links"),
]
DATE_EXAMPLE = "for example 2025-01-31"
ALL_IDEAS = ""


class AsOfField(DateField):
    """A date written YYYY-MM-DD (calendar.iso_day), with NHS-style messages for an empty box and for
    something that is not a date."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = "".join(valuelist).strip()
        self.data = None
        if not text:
            raise ValueError(f"Enter the date the map shows, {DATE_EXAMPLE}")
        try:
            self.data = iso_day(text)
        except ValueError:
            raise ValueError(self.invalid_value_message) from None


class SpreadMapForm(Form):
    """Which ambition (and change idea), on which day, from which stage on, drawn how.

    Unknown ambition and change idea codes are checked by the view: they are wrong addresses
    (404), not form errors. A known idea of another ambition is a form error.
    """

    class Meta:
        csrf = False  # a GET form that changes nothing

    ambition = SelectField("Ambition", filters=[upper], validate_choice=False)
    intervention = SelectField("Change idea", filters=[upper], validate_choice=False)
    as_of = AsOfField(
        "Show the map as of",
        default=today,
        invalid_value_message=f"The date the map shows must be a real date, {DATE_EXAMPLE}",
    )
    min_stage = SelectField(
        "Counts as adopted from",
        choices=THRESHOLD_CHOICES,
        default=DEFAULT_THRESHOLD.value,
        filters=[lower],
        validate_choice=False,  # validate_min_stage says what is wrong, in words
    )
    layout = RadioField("Layout", choices=LAYOUT_CHOICES, default=GEOGRAPHIC, filters=[lower], validate_choice=False)

    def __init__(self, *args, ambitions: list[tuple[str, str]], ideas: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.ambition.choices = [SelectChoice(value, label) for value, label in ambitions]
        self.intervention.choices = [
            SelectChoice(value, label) for value, label in [(ALL_IDEAS, "All change ideas of the ambition"), *ideas]
        ]
        if not self.ambition.data and ambitions:
            self.ambition.data = ambitions[0][0]
        self.intervention.data = self.intervention.data or ALL_IDEAS
        # Every field has a default, so none is marked "(optional)".
        for field in (self.ambition, self.intervention, self.as_of, self.min_stage, self.layout):
            field.flags.required = True

    def validate_intervention(self, field):
        if field.data and field.data not in {choice.value for choice in self.intervention.choices}:
            raise ValidationError("Choose one of the ambition's change ideas, or all of them")

    def validate_as_of(self, field):
        if field.data is None:
            return
        if field.data > today():
            raise ValidationError("The date the map shows must be today or in the past")
        if field.data < PROGRAMME_START:
            raise ValidationError(
                f"The date the map shows must be on or after {people_date(PROGRAMME_START)}, when the programme started"
            )

    def validate_min_stage(self, field):
        try:
            threshold_named(field.data or "-")  # an empty choice is no stage, not the default
        except ValueError:
            raise ValidationError("Choose the stage from which an organisation counts as adopted") from None

    def validate_layout(self, field):
        if field.data not in {choice.value for choice in LAYOUT_CHOICES}:
            raise ValidationError("Choose how to lay out the map")

    @property
    def idea(self) -> str | None:
        """The change idea chosen (the field keeps the public parameter's name), or None for all."""
        return self.intervention.data or None

    @property
    def threshold(self) -> Stage:
        return threshold_named(self.min_stage.data)

    @property
    def day(self) -> date:
        return self.as_of.data
