"""Forms of the import: choosing the file, and confirming what the check showed."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from ..forms import Form


class UploadForm(Form):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import")])


class WorkbookUploadForm(Form):
    """The adoption import's: it reads an Excel workbook as well as a CSV file."""

    file = FileField(
        "CSV file or Excel workbook",
        validators=[FileRequired("Choose a CSV file or an Excel workbook (.xlsx) to import")],
    )


class ConfirmForm(Form):
    # A signed ticket (see staging.py): which checked upload, and the plan the person was shown.
    ticket = HiddenField(validators=[DataRequired()])
