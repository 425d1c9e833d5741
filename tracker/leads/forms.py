"""The forms that name leads and link Life QI projects."""

from __future__ import annotations

from wtforms import BooleanField, StringField
from wtforms.validators import Length

from ..editing import VersionedForm
from .rules import URL_MAX
from .services import LeadChoice


class LeadForm(VersionedForm):
    lead_email = StringField(
        "Lead's email address",
        validators=[Length(max=254, message="The email address must be 254 characters or fewer")],
    )
    lead_agreed = BooleanField("They have agreed to be named as the contact for this")
    keep_hidden = BooleanField("Keep the lead who is named but not shown")

    def prefill(self, row, shown_email: str | None) -> None:
        """The form for the row as it is: its version, and its lead's address only if they may be shown."""
        self.row_version.data = str(row.row_version if row else 0)
        self.lead_email.data = shown_email or ""
        self.keep_hidden.data = row is not None and row.lead_id is not None and shown_email is None

    def choice(self) -> LeadChoice:
        return LeadChoice(self.lead_email.data or "", bool(self.lead_agreed.data), bool(self.keep_hidden.data))


class RecordLeadForm(LeadForm):
    lifeqi_url = StringField(
        "Life QI project link",
        validators=[Length(max=URL_MAX, message=f"The link must be {URL_MAX} characters or fewer")],
    )

    def prefill_record(self, row, shown_email: str | None) -> None:
        self.prefill(row, shown_email)
        self.lifeqi_url.data = row.lifeqi_url if row else ""
