"""The base of every form: input no field can hold is a field error, never a crash.

A browser only sends a file from a file input, but any client can send one under any name.
WTForms would hand the text fields a FileStorage, which their filters and validators cannot read.
The base keeps files away from the fields that are not file fields, and says so on the field.
Whole numbers beyond what the database holds (a 400-digit ward count) are refused the same way.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms.fields import FileField, IntegerField, SelectChoice
from wtforms.validators import NumberRange

from .limits import LARGEST_INT


def strip(value):
    """A field filter: text without the spaces around it; anything else as it is."""
    return value.strip() if isinstance(value, str) else value


def upper(value):
    """A field filter for codes: text stripped and in capitals."""
    return value.strip().upper() if isinstance(value, str) else value


def lower(value):
    """A field filter for choices named in small letters: text stripped and in small letters."""
    return value.strip().lower() if isinstance(value, str) else value


def choices(pairs, none: str | None = None) -> list[SelectChoice]:
    """The choices of a select field from (value, label) pairs, after the empty choice labelled `none` if given."""
    return [SelectChoice(value, label) for value, label in ((("", none), *pairs) if none is not None else pairs)]


class Form(FlaskForm):
    class Meta:
        def wrap_formdata(self, form, formdata):
            formdata = super().wrap_formdata(form, formdata)
            if formdata is None or not hasattr(formdata, "getlist"):
                return formdata
            sent = [
                field
                for field in form._fields.values()
                if not isinstance(field, FileField)
                and any(isinstance(value, FileStorage) for value in formdata.getlist(field.name))
            ]
            form.files_in_text_fields = sent
            if not sent:
                return formdata
            cleaned = MultiDict(formdata.items(multi=True))
            for field in sent:
                cleaned.setlist(field.name, [v for v in cleaned.getlist(field.name) if not isinstance(v, FileStorage)])
            return cleaned

    files_in_text_fields: list = []

    def process(self, *args, **kwargs) -> None:
        super().process(*args, **kwargs)
        for field in self:
            if isinstance(field, IntegerField) and isinstance(field.data, int) and abs(field.data) > LARGEST_INT:
                field.data = None  # the field's NumberRange (if any) then gives its own message
                if not any(isinstance(v, NumberRange) for v in field.validators):
                    field.process_errors.append(f"{field.label.text} must be a smaller number")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self.files_in_text_fields:
            field.errors = [f"{field.label.text} must be text: a file cannot be sent in this field"]
        return valid and not self.files_in_text_fields
