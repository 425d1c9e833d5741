"""What the filter forms of the figure pages share (the coverage report, the spread map, the forecast pages;
reading one ambition's filters from the query string: tracker.reports.filters.read_scope).

Each is a GET form read from the query string, changing nothing: an ambition, a day the figures
are as of (written YYYY-MM-DD, calendar.iso_day) and the stage from which an organisation counts
(the public parameter `min_stage`). Each page words its messages: `DAY` names the date
("the date the map shows"), `COUNTS_AS` the threshold ("adopted").
"""

from __future__ import annotations

from datetime import date

from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from .calendar import PROGRAMME_START, iso_day, people_date, today
from .core.stages import DEFAULT_THRESHOLD, LADDER, Stage, threshold_named
from .forms import Form, choices, lower, upper


class AsOfField(DateField):
    """A date written YYYY-MM-DD, with NHS-style messages for an empty box and for something that is not a date."""

    def __init__(self, label: str, blank_message: str, **kwargs):
        super().__init__(label, **kwargs)
        self.blank_message = blank_message

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = "".join(valuelist).strip()
        self.data = None
        if not text:
            raise ValueError(self.blank_message)
        try:
            self.data = iso_day(text)
        except ValueError:
            raise ValueError(self.invalid_value_message) from None


def as_of_field(label: str, day: str, example: str, default) -> AsOfField:
    """The day the figures are as of; `day` names it in the messages, `example` shows how to write it."""
    return AsOfField(
        label,
        blank_message=f"Enter {day}, {example}",
        default=default,
        invalid_value_message=f"{day.capitalize()} must be a real date, {example}",
    )


def threshold_field(counts_as: str) -> SelectField:
    """The stage from which an organisation counts, by its name (validate_min_stage says what is wrong)."""
    return SelectField(
        f"Counts as {counts_as} from",
        choices=[SelectChoice(stage.value, stage.label) for stage in LADDER],
        default=DEFAULT_THRESHOLD.value,
        filters=[lower],
        validate_choice=False,
    )


class FigureFilters(Form):
    """The base of the figure pages' filters: the ambition (the first by default), the day, the threshold.

    Unknown ambition codes are checked by the view: they are wrong addresses (404), not form errors.
    """

    class Meta:
        csrf = False  # a GET form that changes nothing

    DAY = "the date the figures are as of"
    COUNTS_AS = "adopting"

    ambition = SelectField("Ambition", filters=[upper], validate_choice=False)

    def __init__(self, *args, ambitions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.ambition.choices = choices(ambitions)
        if not self.ambition.data and ambitions:
            self.ambition.data = ambitions[0][0]
        # Every field has a default, so none is marked "(optional)".
        for field in self:
            field.flags.required = True

    def validate_as_of(self, field):
        if field.data is None:
            return
        if field.data > today():
            raise ValidationError(f"{self.DAY.capitalize()} must be today or in the past")
        if field.data < PROGRAMME_START:
            raise ValidationError(
                f"{self.DAY.capitalize()} must be on or after {people_date(PROGRAMME_START)}, when the programme started"
            )

    def validate_min_stage(self, field):
        try:
            threshold_named(field.data or "-")  # an empty choice is no stage, not the default
        except ValueError:
            raise ValidationError(f"Choose the stage from which an organisation counts as {self.COUNTS_AS}") from None

    @property
    def threshold(self) -> Stage:
        return threshold_named(self.min_stage.data)

    @property
    def day(self) -> date:
        return self.as_of.data
