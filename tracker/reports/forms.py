"""The coverage report's filters: a GET form read from the query string, changing nothing."""

from __future__ import annotations

from datetime import date

from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import ValidationError

from ..calendar import PROGRAMME_START, people_date, today
from ..core.stages import DEFAULT_THRESHOLD, LADDER, Stage, threshold_named
from ..forms import Form, lower, upper

DATE_EXAMPLE = "for example 2025-06-30"


class AsOfField(DateField):
    """A date, with NHS-style messages for an empty box and for something that is not a date."""

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            raise ValueError(f"Enter the date the figures are as of, {DATE_EXAMPLE}")
        if valuelist:
            valuelist = ["".join(valuelist).strip()]
        super().process_formdata(valuelist)


class CoverageForm(Form):
    """Which ambition, as of which day, from which stage on, for which network.

    The ambition and network codes are checked by the view: an unknown one is a 404, as a
    wrong address is, not a form error.
    """

    class Meta:
        csrf = False  # a GET form that changes nothing

    ambition = SelectField("Ambition", filters=[upper], validate_choice=False)
    as_of = AsOfField(
        "Figures as of",
        default=lambda: today(),  # looked up when the form is made, so a test can fix the day
        invalid_value_message=f"The date the figures are as of must be a real date, {DATE_EXAMPLE}",
    )
    min_stage = SelectField(
        "Counts as adopting from",
        choices=[SelectChoice(stage.value, stage.label) for stage in LADDER],
        default=DEFAULT_THRESHOLD.value,
        filters=[lower],
        validate_choice=False,  # validate_min_stage says what is wrong, in words
    )
    network = SelectField("Network", filters=[upper], validate_choice=False)

    def __init__(self, *args, ambitions: list[tuple[str, str]], networks: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.ambition.choices = [SelectChoice(value, label) for value, label in ambitions]
        self.network.choices = [SelectChoice(value, label) for value, label in (("", "All networks"), *networks)]
        if not self.ambition.data and ambitions:
            self.ambition.data = ambitions[0][0]
        # Every field has a default, so none is marked "(optional)".
        for field in (self.ambition, self.as_of, self.min_stage, self.network):
            field.flags.required = True

    def validate_as_of(self, field):
        if field.data is None:
            return
        if field.data > today():
            raise ValidationError("The date the figures are as of must be today or in the past")
        if field.data < PROGRAMME_START:
            raise ValidationError(
                f"The date the figures are as of must be on or after {people_date(PROGRAMME_START)}, "
                "when the programme started"
            )

    def validate_min_stage(self, field):
        # An empty choice is no choice here (the parser would read it as the default).
        try:
            if not field.data:
                raise ValueError
            threshold_named(field.data)
        except ValueError:
            raise ValidationError("Choose the stage from which an organisation counts as adopting") from None

    @property
    def threshold(self) -> Stage:
        return threshold_named(self.min_stage.data)

    @property
    def day(self) -> date:
        return self.as_of.data
