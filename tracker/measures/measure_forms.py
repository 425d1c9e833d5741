"""The forms that add and change a measure. They turn text into numbers; the service checks every rule."""

from __future__ import annotations

import math

from wtforms import FloatField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..editing import VersionedForm
from ..forms import Form, choices, strip, upper
from ..models import Direction, MeasureKind
from .measure_services import (
    CHOOSE_AMBITION,
    CHOOSE_DIRECTION,
    CHOOSE_KIND,
    ENTER_NAME,
    ENTER_NUMERATOR,
    NAME_MAX,
    PART_MAX,
    SCALE_WHOLE,
    TARGET_NUMBER,
    TEXT_MAX,
    URL_MAX,
    MeasureDetails,
)

KIND_HINTS = {
    MeasureKind.OUTCOME: "Outcome – what the ambition is about, like restraint incidents",
    MeasureKind.PROCESS: "Process – whether the change ideas are being done, like care plans made with patients",
    MeasureKind.BALANCING: "Balancing – what could get worse as a result, like staff sickness",
}


class NumberField(FloatField):
    """A decimal number typed as text; float() also accepts nan and inf, which are not targets."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError(self.invalid_value_message)


def _text(label: str, what: str, limit: int, required: str | None = None, field=StringField):
    validators = [
        DataRequired(required) if required else Optional(),
        Length(max=limit, message=f"The {what} must be {limit:,} characters or fewer"),
    ]
    return field(label, filters=[strip], validators=validators)


class MeasureForm(Form):
    """Add a measure."""

    code = StringField("Code", filters=[upper], validators=[DataRequired("Enter the code of the measure")])
    # The service names an unknown ambition, so the choice is not checked against the list here.
    ambition = SelectField(
        "Ambition", filters=[upper], validate_choice=False, validators=[DataRequired(CHOOSE_AMBITION)]
    )
    name = _text("Name", "name", NAME_MAX, required=ENTER_NAME)
    kind = RadioField(
        "Kind of measure",
        choices=[SelectChoice(kind.value, KIND_HINTS[kind]) for kind in MeasureKind],
        validators=[DataRequired(CHOOSE_KIND)],
        invalid_choice_message=CHOOSE_KIND,
    )
    numerator = _text("Numerator", "numerator", PART_MAX, required=ENTER_NUMERATOR)
    denominator = _text("Denominator", "denominator", PART_MAX)
    scale = IntegerField(
        "Scale",
        default=1,
        invalid_value_message=SCALE_WHOLE,
        validators=[InputRequired(SCALE_WHOLE), NumberRange(min=1, message=SCALE_WHOLE)],
    )
    direction = RadioField(
        "Which way is an improvement",
        choices=[SelectChoice(d.value, d.label) for d in Direction],
        validators=[DataRequired(CHOOSE_DIRECTION)],
        invalid_choice_message=CHOOSE_DIRECTION,
    )
    target = NumberField("Target", invalid_value_message=TARGET_NUMBER, validators=[Optional()])
    definition = _text("Definition", "definition", TEXT_MAX, field=TextAreaField)
    source_note = _text("Source note", "source note", TEXT_MAX, field=TextAreaField)
    # The service checks that it is a web address.
    source_url = StringField(
        "Source link",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=URL_MAX, message=f"The source address must be {URL_MAX} characters or fewer"),
        ],
    )

    def __init__(self, *args, ambitions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.ambition.choices = choices(ambitions, none="Choose an ambition")

    def details(self) -> MeasureDetails:
        return MeasureDetails(
            ambition=self.ambition.data or "",
            name=self.name.data or "",
            kind=self.kind.data or "",
            numerator=self.numerator.data or "",
            denominator=self.denominator.data or "",
            scale=self.scale.data,
            direction=self.direction.data or "",
            target=self.target.data,
            definition=self.definition.data or "",
            source_note=self.source_note.data or "",
            source_url=self.source_url.data or "",
        )


class EditMeasureForm(VersionedForm, MeasureForm):
    """Change a measure; its code is its identity (in addresses, files and the API) and stays as it is."""

    code = None

    @classmethod
    def from_measure(cls, measure, ambitions: list[tuple[str, str]]) -> EditMeasureForm:
        """The form filled from the measure as it is now, ignoring anything posted."""
        data = {
            name: getattr(measure, name)
            for name in (
                "name",
                "numerator",
                "denominator",
                "scale",
                "target",
                "definition",
                "source_note",
                "source_url",
                "row_version",
            )
        }
        data.update(ambition=measure.ambition.code, kind=measure.kind.value, direction=measure.direction.value)
        return cls(formdata=None, data=data, ambitions=ambitions)
