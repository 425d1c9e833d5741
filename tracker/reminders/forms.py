"""The account page's email setting."""

from __future__ import annotations

from wtforms import RadioField
from wtforms.validators import InputRequired

from ..forms import Form, choices

EMAIL_CHOICES = choices([("on", "Yes, email me the weekly digest"), ("off", "No, do not email me")])


class EmailRemindersForm(Form):
    email_reminders = RadioField(
        "Do you want the weekly email digest?",
        choices=EMAIL_CHOICES,
        validators=[InputRequired("Choose whether to get the weekly email digest")],
    )
