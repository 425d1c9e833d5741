"""The form faculty use to log a stage move, and what it does with what it is given."""

from __future__ import annotations

from datetime import date

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..calendar import people_date
from ..editing import CONFLICT_MESSAGE, InvalidInput, VersionedForm, apply_form_errors
from ..limits import database_int
from ..models import STAGE_MEANINGS, DiscontinuedReason, Stage
from .rules import NOTE_MAX, WARD_FIELDS, EventInput, OrganisationDates, event_problems, with_kept_wards

STAGE_CHOICES = [SelectChoice(s.value, f"{s.label} – {STAGE_MEANINGS[s]}") for s in Stage]
REASON_CHOICES = [SelectChoice("", "Not discontinued")] + [SelectChoice(r.value, r.label) for r in DiscontinuedReason]


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return database_int(value)


class LogAdoptionForm(VersionedForm):
    stage = RadioField("Stage", choices=STAGE_CHOICES, validators=[InputRequired("Choose the stage")])
    effective_date = DateField(
        "Date it took effect", validators=[DataRequired("Enter the date the stage took effect, like 2024-03-31")]
    )
    wards_using = IntegerField(
        "Wards using it",
        validators=[Optional(), NumberRange(0, 10_000, "Enter a whole number of wards from 0 to 10,000")],
    )
    wards_in_scope = IntegerField(
        "Wards in scope",
        validators=[Optional(), NumberRange(0, 10_000, "Enter a whole number of wards from 0 to 10,000")],
    )
    # An empty ward field keeps the record's number; clearing them (not known) is said here.
    clear_wards = BooleanField("Clear the ward numbers: they are not known")
    note = TextAreaField(
        "Fidelity or adaptation note",
        validators=[Length(max=NOTE_MAX, message=f"The note must be {NOTE_MAX:,} characters or fewer")],
    )
    evidence_url = StringField(
        "Evidence link", validators=[Length(max=500, message="The link must be 500 characters or fewer")]
    )
    # The service checks the reason against the stage; an absent value means "not discontinued".
    discontinued_reason = SelectField("If discontinued, why", choices=REASON_CHOICES, validate_choice=False)
    corrects_event_id = SelectField(
        "Does this correct an earlier entry?",
        coerce=_int_or_none,
        validate_choice=False,
        invalid_value_message="Choose an earlier entry of this record",
    )

    def set_corrections(self, events) -> None:
        self.corrects_event_id.choices = [SelectChoice("", "No, it is a new stage move")] + [
            SelectChoice(str(e.id), f"Entry {e.id}: {e.stage.label} from {people_date(e.effective_date)}")
            for e in events
        ]
        if self.corrects_event_id.data is not None and self.corrects_event_id.data not in {e.id for e in events}:
            self.corrects_event_id.errors = ["Choose an earlier entry of this record"]

    def prefill(self, record, day: date) -> None:
        """A new form: dated `day`, at the record's version, showing its ward numbers so a stage move
        keeps them unless the person changes them."""
        self.row_version.data = str(record.row_version if record else 0)
        self.effective_date.data = day
        if record is not None:
            self.wards_using.data = record.wards_using
            self.wards_in_scope.data = record.wards_in_scope

    def checks_out(self) -> bool:
        """Submitted, valid, and correcting (if anything) an entry of this record."""
        return self.validate_on_submit() and not self.corrects_event_id.errors

    def show_conflict(self, record, events) -> None:
        """Someone logged meanwhile: offer the record's entries as they are now, at its new version."""
        self.set_corrections(events)
        self.form_errors.append(
            CONFLICT_MESSAGE.replace("the form now shows their version", "the current record is shown above")
        )
        self.row_version.data = str(record.row_version if record else 0)

    def event_input(self) -> EventInput:
        """What the form says, as the ledger's rules take it."""
        return EventInput(
            stage=self.stage.data or "",
            effective_date=self.effective_date.data,
            wards_using=self.wards_using.data,
            wards_in_scope=self.wards_in_scope.data,
            note=self.note.data or "",
            evidence_url=(self.evidence_url.data or "").strip(),
            discontinued_reason=self.discontinued_reason.data or None,
        )

    def add_rule_problems(self, organisation, record, day: date) -> None:
        """Add the ledger's rules' problems to fields the form found nothing wrong with, so one
        submission names every mistake (a missing stage does not hide a date in the future)."""
        data = self.event_input()
        if record is not None:
            data = with_kept_wards(data, (record.wards_using, record.wards_in_scope), self.kept_wards())
        problems = event_problems(data, OrganisationDates(organisation.opened_on, organisation.closed_on), day)
        apply_form_errors(
            self, InvalidInput({name: m for name, m in problems.items() if not getattr(self, name).errors})
        )

    def kept_wards(self) -> frozenset[str]:
        """The ward fields left empty, which keep the record's numbers (none when clearing them)."""
        if self.clear_wards.data:
            return frozenset()
        return frozenset(name for name in WARD_FIELDS if getattr(self, name).data is None)

    def validate_clear_wards(self, field) -> None:
        if field.data and (self.wards_using.data is not None or self.wards_in_scope.data is not None):
            raise ValidationError("Either clear the ward numbers or enter them, not both")
