"""Forms of the values pages: choosing what to list, and entering a month's value. The service
(tracker.measures.values) checks every rule again; the forms only carry the text typed."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField, TextAreaField

from ..editing import VersionedForm
from ..forms import Form, choices, strip, upper
from ..models import MeasureValue

WHOLE_ORGANISATION = "The organisation as a whole"


class ValueChoiceForm(Form):
    """Which measure (and ward) the values page lists, read from the query string."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    measure = SelectField("Measure", filters=[upper], validate_choice=False)
    ward = SelectField("Ward", filters=[strip], validate_choice=False)

    def __init__(self, *args, measures: list[tuple[str, str]], wards: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.measure.choices = choices(measures)
        self.ward.choices = choices(wards, none="The organisation as a whole and every ward")
        self.measure.flags.required = True  # every choice is an answer: no "(optional)"
        self.ward.flags.required = True


class ValueForm(VersionedForm):
    """A month's value: the numbers as typed, so the service can say what is wrong with them."""

    month = StringField("Month", filters=[strip])
    ward = SelectField("Ward", filters=[strip], validate_choice=False)
    numerator = StringField("Numerator", filters=[strip])
    denominator = StringField("Denominator", filters=[strip])
    note = TextAreaField("Note", filters=[strip])
    action = HiddenField()  # "remove" on the edit page's remove button

    def __init__(self, *args, wards: list[tuple[str, str]], names: tuple[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.ward.choices = choices(wards, none=WHOLE_ORGANISATION)
        self.ward.flags.required = True
        self.month.flags.required = True
        self.numerator.label.text = names[0]
        self.numerator.flags.required = True
        if names[1]:
            self.denominator.label.text = names[1]
            self.denominator.flags.required = True

    def ward_id(self) -> int | None:
        """The ward chosen (None: the organisation as a whole); -1 for a value that names no ward."""
        text = self.ward.data or ""
        if not text:
            return None
        return int(text) if text.isdigit() and len(text) < 10 else -1

    @classmethod
    def from_value(cls, value: MeasureValue, **kwargs) -> ValueForm:
        """The form filled from the value as it is now, ignoring anything posted."""
        data = {
            "month": f"{value.month:%Y-%m}",
            "ward": str(value.ward_id) if value.ward_id else "",
            "numerator": _number(value.numerator),
            "denominator": _number(value.denominator),
            "note": value.note,
            "row_version": value.row_version,
        }
        return cls(formdata=None, data=data, **kwargs)


def _number(value: float | None) -> str:
    """A stored number as a person types it: 12, not 12.0."""
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else repr(value)
