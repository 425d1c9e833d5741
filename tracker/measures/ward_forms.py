"""The forms that add and change a ward. They turn text into dates; the service checks every rule."""

from __future__ import annotations

from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..editing import VersionedForm
from ..forms import Form, strip
from ..models import WARD_SERVICE_LABELS
from .ward_services import CHOOSE_SERVICE, ENTER_NAME, NAME_MAX, NAME_TOO_LONG, WardDetails


class WardForm(Form):
    """Add a ward."""

    name = StringField(
        "Name", filters=[strip], validators=[DataRequired(ENTER_NAME), Length(max=NAME_MAX, message=NAME_TOO_LONG)]
    )
    service = SelectField(
        "Service",
        choices=[SelectChoice("", "Choose a service")]
        + [SelectChoice(service.value, label) for service, label in WARD_SERVICE_LABELS.items()],
        validators=[DataRequired(CHOOSE_SERVICE)],
        invalid_choice_message=CHOOSE_SERVICE,
    )
    opened_on = DateField(
        "Open from", invalid_value_message="The open from date must be a real date", validators=[Optional()]
    )
    closed_on = DateField(
        "Closed on", invalid_value_message="The date the ward closed must be a real date", validators=[Optional()]
    )

    def details(self) -> WardDetails:
        return WardDetails(
            name=self.name.data or "",
            service=self.service.data or "",
            opened_on=self.opened_on.data,
            closed_on=self.closed_on.data,
        )


class EditWardForm(VersionedForm, WardForm):
    """Change a ward."""

    @classmethod
    def from_ward(cls, ward) -> EditWardForm:
        """The form filled from the ward as it is now, ignoring anything posted."""
        data = {
            "name": ward.name,
            "service": ward.service.value,
            "opened_on": ward.opened_on,
            "closed_on": ward.closed_on,
            "row_version": ward.row_version,
        }
        return cls(formdata=None, data=data)
