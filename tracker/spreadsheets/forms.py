"""Forms of the import: choosing the file, and confirming what the check showed."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from ..forms import Form


class UploadForm(Form):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import")])


class ConfirmForm(Form):
    # A signed ticket (see staging.py): which checked upload, and the plan the person was shown.
    ticket = HiddenField(validators=[DataRequired()])
