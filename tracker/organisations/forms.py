"""Forms for browsing and maintaining networks and organisations, one per screen."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..calendar import today
from ..editing import VersionedForm
from ..forms import Form, choices, strip, upper
from ..models import KIND_LABELS, Membership, OrganisationKind
from . import dates
from .left_out import LeftOut
from .services import (
    NETWORK_CODE,
    NETWORK_CODE_FORMAT,
    ODS_CODE,
    ODS_CODE_FORMAT,
    NetworkDetails,
    OrganisationDetails,
)

WEB_ADDRESS = "Enter a web address that starts with https:// or http://"


def _text(label: str, what: str, limit: int, required: str | None = None, web: bool = False, field=StringField):
    """A text box, stripped: at most `limit` characters ("The <what> must be ..."), optional unless
    `required` (its message); `web`: an http or https address."""
    validators = [
        DataRequired(required) if required else Optional(),
        Length(max=limit, message=f"The {what} must be {limit:,} characters or fewer"),
    ]
    return field(label, filters=[strip], validators=[*validators, WebAddress()] if web else validators)


class WebAddress:
    """An http or https address with a host: never javascript:, data: and the like."""

    def __call__(self, form, field):
        if not field.data:
            return
        parts = urlsplit(field.data)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in field.data):
            raise ValidationError(WEB_ADDRESS)


class CoordinateField(FloatField):
    """A decimal number typed as text; float() also accepts nan and inf, which are not places."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError(self.invalid_value_message)


class LeaveOutForm(VersionedForm):
    """An edit of an organisation's dates: the box that confirms leaving out the events they drop.

    It is shown only after a refusal that listed the events, and carries how many they were, so a
    confirmation never covers an event logged since.
    """

    leave_out = BooleanField("Yes, leave them out of every figure")
    leave_out_count = HiddenField()

    def confirmed_leave_out(self) -> int | None:
        """How many events the editor agreed to leave out, or None."""
        if not self.leave_out.data:
            return None
        try:
            return int(self.leave_out_count.data)
        except (TypeError, ValueError):
            return None

    def ask_to_leave_out(self, left_out: LeftOut) -> None:
        self.leave_out.data = False
        self.leave_out.label.text = (
            f"Yes, leave these {left_out.events} events out of every figure"
            if left_out.events != 1
            else "Yes, leave this event out of every figure"
        )
        self.leave_out_count.data = str(left_out.events)


class ReopenOrganisationForm(VersionedForm):
    """The reopen button: its CSRF token and the row version the editor saw."""


class OrganisationForm(Form):
    """Add an organisation."""

    ods_code = StringField(
        "ODS code",
        filters=[upper],
        validators=[DataRequired("Enter the ODS code"), Regexp(ODS_CODE, message=ODS_CODE_FORMAT)],
    )
    name = _text("Name", "name", 200, required="Enter the name of the organisation")
    kind = RadioField(
        "Kind of organisation",
        choices=[SelectChoice(kind.value, KIND_LABELS[kind]) for kind in OrganisationKind],
        validators=[DataRequired("Choose the kind of organisation")],
        invalid_choice_message="Choose the kind of organisation",
    )
    network = SelectField(
        "Network",
        default="",
        filters=[upper],
        validate_choice=True,
        invalid_choice_message="Choose a network from the list",
    )
    town = _text("Town", "town", 100)
    latitude = CoordinateField(
        "Latitude",
        invalid_value_message="Enter the latitude as a number, like 51.752",
        validators=[Optional(), NumberRange(-90, 90, "Enter a latitude between -90 and 90")],
    )
    longitude = CoordinateField(
        "Longitude",
        invalid_value_message="Enter the longitude as a number, like -1.258",
        validators=[Optional(), NumberRange(-180, 180, "Enter a longitude between -180 and 180")],
    )
    opened_on = DateField(
        "Open from",
        invalid_value_message="The date it opened must be a real date",
        validators=[Optional()],
    )
    membership = RadioField(
        "Member of the collaborative",
        choices=[SelectChoice(m.value, m.label) for m in Membership],
        default=Membership.UNVERIFIED.value,
        validators=[DataRequired("Choose whether the organisation is a member of the collaborative")],
        invalid_choice_message="Choose whether the organisation is a member of the collaborative",
    )
    notes = _text("Notes", "notes", 5000, field=TextAreaField)
    source_url = _text("Source", "source address", 500, web=True)

    def __init__(self, *args, networks: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.network.choices = choices(networks, none="Not in a network")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # A place needs both coordinates. Checked here: Optional() ends a blank field's checks.
        latitude, longitude = self.latitude, self.longitude
        if not latitude.errors and not longitude.errors and (latitude.data is None) != (longitude.data is None):
            missing = latitude if latitude.data is None else longitude
            missing.errors.append("Enter both the latitude and the longitude, or neither")
            return False
        return valid

    def validate_opened_on(self, field) -> None:
        if message := dates.opening_error(field.data, today()):
            raise ValidationError(message)

    def details(self) -> OrganisationDetails:
        return OrganisationDetails(
            name=self.name.data,
            kind=OrganisationKind(self.kind.data),
            network=self.network.data or None,
            town=self.town.data or "",
            latitude=self.latitude.data,
            longitude=self.longitude.data,
            opened_on=self.opened_on.data,
            membership=Membership(self.membership.data),
            notes=self.notes.data or "",
            source_url=self.source_url.data or "",
        )


class EditOrganisationForm(LeaveOutForm, OrganisationForm):
    """Change an organisation; its ODS code is its identity and stays as it is."""

    ods_code = None

    @classmethod
    def from_organisation(cls, organisation, networks: list[tuple[str, str]]) -> EditOrganisationForm:
        """The form filled from the row as it is now, ignoring anything posted."""
        data = {
            name: getattr(organisation, name)
            for name in (
                "name",
                "town",
                "latitude",
                "longitude",
                "opened_on",
                "notes",
                "source_url",
                "row_version",
            )
        }
        data.update(
            network=organisation.network.code if organisation.network else "",
            kind=organisation.kind.value,
            membership=organisation.membership.value,
        )
        return cls(formdata=None, data=data, networks=networks)


class CloseOrganisationForm(LeaveOutForm):
    """Record (or correct) the date an organisation closed and which organisation took over."""

    closed_on = DateField(
        "Date it closed",
        invalid_value_message="The date the organisation closed must be a real date",
        # InputRequired, not DataRequired: a date that is not real keeps its own message.
        validators=[InputRequired("Enter the date the organisation closed")],
    )
    # The service names the problem (unknown, itself, a loop, not open), so the choice is not
    # checked against the list here.
    successor = SelectField("Successor", filters=[upper], validate_choice=False)

    def __init__(self, *args, successors: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.successor.choices = choices(successors, none="No successor")

    def validate_closed_on(self, field) -> None:
        if message := dates.closing_error(field.data, today()):
            raise ValidationError(message)

    @classmethod
    def from_organisation(cls, organisation, successors: list[tuple[str, str]]) -> CloseOrganisationForm:
        data = {
            "closed_on": organisation.closed_on,
            "successor": organisation.successor.ods_code if organisation.successor else "",
            "row_version": organisation.row_version,
        }
        return cls(formdata=None, data=data, successors=successors)


class NetworkForm(Form):
    """Add a network."""

    code = StringField(
        "Code",
        filters=[upper],
        validators=[
            DataRequired("Enter the network code"),
            Regexp(NETWORK_CODE, message=NETWORK_CODE_FORMAT),
        ],
    )
    name = _text("Current name", "name", 200, required="Enter the current name of the network")
    former_name = _text("Former name", "former name", 200)
    region = _text("Region", "region", 300)
    website = _text("Website", "website address", 500, web=True)
    source_url = _text("Source", "source address", 500, web=True)

    def details(self) -> NetworkDetails:
        return NetworkDetails(
            name=self.name.data,
            former_name=self.former_name.data or "",
            region=self.region.data or "",
            website=self.website.data or "",
            source_url=self.source_url.data or "",
        )


class EditNetworkForm(VersionedForm, NetworkForm):
    """Change a network; its code stays as it is."""

    code = None

    @classmethod
    def from_network(cls, network) -> EditNetworkForm:
        # obj=, not data=: every field name is an attribute of the network.
        return cls(formdata=None, obj=network)


class OrganisationFilterForm(Form):
    """The filters of the organisations list, read from the query string."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    network = SelectField("Network", filters=[upper], validate_choice=False)
    closed = BooleanField("Show closed organisations")

    def __init__(self, *args, networks: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.network.choices = choices(networks, none="All networks")
        # Every choice, "All networks" included, is an answer: the label needs no "(optional)".
        self.network.flags.required = True
