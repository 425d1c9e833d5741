"""Forms for the learning links pages, one per screen. The services check every rule again."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..editing import VersionedForm
from ..forms import Form, choices, strip, upper
from ..models import LinkKind, LinkStatus
from .services import (
    CHOOSE_KIND,
    CHOOSE_SOURCE,
    CHOOSE_TARGET,
    DEFAULT_WEIGHT,
    NOTE_MAX,
    NOTE_TOO_LONG,
    WEIGHT_RANGE,
    WEIGHTS,
)

WEIGHT_LABELS = {1: "1 (weakest)", 3: "3", 5: "5 (strongest)"}
STATUS_LABELS = {LinkStatus.PROPOSED: "Proposed", LinkStatus.CONFIRMED: "Confirmed"}


class LinkForm(Form):
    """Record a learning link."""

    # The service names the problem (unknown, the same organisation twice, a duplicate), so the
    # choices are not checked against the list here.
    source = SelectField(
        "First organisation",
        filters=[upper],
        validate_choice=False,
        validators=[DataRequired(CHOOSE_SOURCE)],
    )
    target = SelectField(
        "Second organisation",
        filters=[upper],
        validate_choice=False,
        validators=[DataRequired(CHOOSE_TARGET)],
    )
    kind = RadioField(
        "Kind of link",
        choices=[SelectChoice(kind.value, kind.label) for kind in LinkKind],
        validators=[DataRequired(CHOOSE_KIND)],
        invalid_choice_message=CHOOSE_KIND,
    )
    weight = SelectField(
        "Weight",
        choices=[SelectChoice(str(w), WEIGHT_LABELS.get(w, str(w))) for w in WEIGHTS],
        default=str(DEFAULT_WEIGHT),
        validators=[InputRequired(WEIGHT_RANGE)],
        invalid_choice_message=WEIGHT_RANGE,
    )
    note = TextAreaField(
        "Note",
        filters=[strip],
        validators=[Optional(), Length(max=NOTE_MAX, message=NOTE_TOO_LONG)],
    )
    start_date = DateField(
        "Start date",
        invalid_value_message="The start date must be a real date",
        validators=[Optional()],
    )
    end_date = DateField(
        "End date",
        invalid_value_message="The end date must be a real date",
        validators=[Optional()],
    )

    def __init__(self, *args, organisations: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.source.choices = choices(organisations, none="Choose an organisation")
        self.target.choices = choices(organisations, none="Choose an organisation")

    def details(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        return {
            "source_ods": self.source.data,
            "target_ods": self.target.data,
            "kind": self.kind.data,
            "weight": int(self.weight.data),
            "note": self.note.data or "",
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
        }


class EditLinkForm(VersionedForm, LinkForm):
    """Change a learning link."""

    @classmethod
    def from_link(cls, link, organisations: list[tuple[str, str]]) -> EditLinkForm:
        """The form filled from the link as it is now, ignoring anything posted."""
        data = {
            "source": link.source.ods_code,
            "target": link.target.ods_code,
            "kind": link.kind.value,
            "weight": str(link.weight),
            "note": link.note,
            "start_date": link.start_date,
            "end_date": link.end_date,
            "row_version": link.row_version,
        }
        return cls(formdata=None, data=data, organisations=organisations)


class LinkVersionForm(VersionedForm):
    """The delete and confirm buttons: their CSRF token and the row version the editor saw."""


class LinkFilterForm(Form):
    """The filters of the links list, read from the query string."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    network = SelectField("Network", filters=[upper], validate_choice=False)
    organisation = SelectField("Organisation", filters=[upper], validate_choice=False)
    kind = SelectField(
        "Kind",
        choices=[SelectChoice("", "Every kind")] + [SelectChoice(k.value, k.label) for k in LinkKind],
        filters=[strip],
        validate_choice=False,
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Proposed and confirmed")]
        + [SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
        filters=[strip],
        validate_choice=False,
    )

    def __init__(self, *args, organisations: list[tuple[str, str]], networks: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = choices(organisations, none="All organisations")
        self.network.choices = choices(networks, none="All networks")
        # Every choice, the "all" ones included, is an answer: the labels need no "(optional)".
        for field in (self.network, self.organisation, self.kind, self.status):
            field.flags.required = True
