"""The form for an ambition's dated target: what it counts, the share it aims at, by when, for whom.

Formats are checked here so the editor sees them at once; the service checks the rest (a name the
ambition already uses, a network that is not there) and every rule again for any other caller.
"""

from __future__ import annotations

import math

from wtforms import DateField, FloatField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..editing import VersionedForm
from ..forms import strip
from ..models import TargetMeasure
from .forms import SOURCE_URL, optional_int
from .services import targets as rules

MEASURE_CHOICES = [
    SelectChoice(TargetMeasure.REACH.value, "Reach: the share of organisations adopting at least one change idea"),
    SelectChoice(
        TargetMeasure.WARD_COVERAGE.value, "Ward coverage: the share of wards in scope using the change ideas"
    ),
]


class PercentField(FloatField):
    """A percentage typed as text: "80", "72.5" or "80%"; not nan or inf."""

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].strip().removesuffix("%").strip()]
        super().process_formdata(valuelist)
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError(self.invalid_value_message)

    def _value(self) -> str:
        """As typed, or the stored share without a needless ".0" (80, 72.5)."""
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:g}" if self.data is not None else ""


class TargetForm(VersionedForm):
    label = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Enter a name for the target, like Board 2026"),
            Length(max=40, message="The name must be 40 characters or fewer"),
        ],
    )
    measure = RadioField(
        "What it counts",
        choices=MEASURE_CHOICES,
        default=TargetMeasure.REACH.value,
        invalid_choice_message=rules.CHOOSE_MEASURE,
    )
    value = PercentField(
        "Share it aims at (%)",
        invalid_value_message=rules.VALUE_RANGE,
        validators=[InputRequired(rules.ENTER_VALUE), NumberRange(0, 100, rules.VALUE_RANGE)],
    )
    target_date = DateField(
        "Due by",
        invalid_value_message="The date must be a real date, like 31 March 2027",
        validators=[InputRequired(rules.ENTER_DATE)],
    )
    network_id = SelectField(
        "For", coerce=optional_int, validate_choice=False, invalid_value_message=rules.CHOOSE_NETWORK
    )
    text = TextAreaField(
        "What the target says", filters=[strip], validators=[DataRequired("Enter what the target says")]
    )
    source_url = StringField("Source web address", **SOURCE_URL)

    def offer_networks(self, networks: list[tuple[int, str]]) -> TargetForm:
        """Offer the whole programme or one network (id, name); returns the form."""
        self.network_id.choices = [SelectChoice("", "The whole programme"), *(SelectChoice(i, n) for i, n in networks)]
        return self

    def details(self) -> rules.TargetDetails:
        return rules.TargetDetails(
            label=self.label.data or "",
            text=self.text.data or "",
            target_date=self.target_date.data,
            measure=self.measure.data or "",
            value=self.value.data,
            network_id=self.network_id.data,
            source_url=self.source_url.data or "",
        )
