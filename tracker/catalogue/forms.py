"""Forms for maintaining the catalogue: one per screen.

Format rules are declared here so the editor sees them at once; rules that need the database
(codes in use, drivers of another package) are the services' and come back as InvalidInput.
"""

from __future__ import annotations

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from ..editing import VersionedForm
from ..forms import choices, strip, upper
from ..limits import database_int
from ..models import PackageStatus
from . import queries, services


def optional_int(value) -> int | None:
    """A choice's id, or None for the empty choice ("none" or "not yet placed")."""
    if value is None or value == "":
        return None
    return database_int(value)


def web_address(_form, field) -> None:
    problem = services.web_address_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _max(label: str, limit: int) -> Length:
    return Length(max=limit, message=f"{label} must be {limit} characters or fewer")


def _code(pattern, message: str) -> StringField:
    """A package's or an idea's code: stripped, in capitals, in its format."""
    return StringField(
        "Code", filters=[strip, upper], validators=[DataRequired("Enter a code"), Regexp(pattern, message=message)]
    )


def _required(label: str, message: str, limit: int) -> StringField:
    """A line of text that must be given, stripped, of at most `limit` characters."""
    return StringField(label, filters=[strip], validators=[DataRequired(message), _max(label, limit)])


def _id_choice(label: str, invalid: str) -> SelectField:
    """A choice of a row of the package by id, or none; not checked against the choices here: the
    service is the judge of what is allowed. `invalid` answers an id that is not a number."""
    return SelectField(label, coerce=optional_int, validate_choice=False, invalid_value_message=invalid)


SOURCE_URL = {
    "filters": [strip],
    "validators": [_max("Source web address", 500), web_address],
}


class PackageForm(VersionedForm):
    ambition_id = RadioField(
        "Ambition",
        coerce=optional_int,
        invalid_choice_message=services.CHOOSE_AMBITION,
        invalid_value_message=services.CHOOSE_AMBITION,
    )
    code = _code(services.PACKAGE_CODE, services.PACKAGE_CODE_FORMAT)
    title = _required("Title", "Enter a title", 200)
    publisher = _required("Publisher", "Enter the publisher", 200)
    version = StringField("Version", filters=[strip], validators=[_max("Version", 40)])
    status = RadioField(
        "Status",
        choices=[
            SelectChoice(
                PackageStatus.DRAFT.value,
                "Draft: only project managers and administrators can see it",
            ),
            SelectChoice(
                PackageStatus.PUBLISHED.value,
                "Published: everyone who signs in can see it",
            ),
        ],
        default=PackageStatus.DRAFT.value,
        invalid_choice_message=services.CHOOSE_STATUS,
    )
    source_url = StringField("Source web address", **SOURCE_URL)
    summary = TextAreaField("Aim", filters=[strip])
    provenance_note = TextAreaField("Provenance note", filters=[strip])

    def details(self) -> services.PackageDetails:
        return services.PackageDetails(
            ambition_id=self.ambition_id.data,
            code=self.code.data,
            title=self.title.data,
            publisher=self.publisher.data,
            version=self.version.data or "",
            status=PackageStatus(self.status.data),
            source_url=self.source_url.data or "",
            summary=self.summary.data or "",
            provenance_note=self.provenance_note.data or "",
        )

    def offer_ambitions(self, ambitions: list[tuple[int, str]]) -> PackageForm:
        """Offer the ambitions (id, title) to choose from; returns the form."""
        self.ambition_id.choices = choices(ambitions)
        return self


class DriverForm(VersionedForm):
    title = _required("Title", "Enter a title", 300)
    description = TextAreaField("Description", filters=[strip])
    parent_id = _id_choice("Where it sits", services.PARENT_NOT_PRIMARY)  # the package's primary drivers

    def details(self) -> services.DriverDetails:
        return services.DriverDetails(
            title=self.title.data,
            description=self.description.data or "",
            parent_id=self.parent_id.data,
        )

    def offer_parents(self, package, driver=None) -> DriverForm:
        """Offer none (a primary driver) or a primary driver of the package other than `driver`; returns the form."""
        choices = [SelectChoice("", "None: this is a primary driver")]
        for d in queries.driver_diagram(package.drivers, []).primary:
            if driver is None or d.driver.id != driver.id:
                choices.append(SelectChoice(d.driver.id, f"A secondary driver under: {d.driver.title}"))
        self.parent_id.choices = choices
        return self


class DeleteDriverForm(VersionedForm):
    pass


class IdeaForm(VersionedForm):
    code = _code(services.IDEA_CODE, services.IDEA_CODE_FORMAT)
    title = _required("Title", "Enter a title", 300)
    description = TextAreaField("Description", filters=[strip])
    driver_id = _id_choice("Driver", services.DRIVER_ELSEWHERE)
    source_url = StringField("Source web address", **SOURCE_URL)
    provenance_note = TextAreaField("Provenance note", filters=[strip])

    def details(self) -> services.IdeaDetails:
        return services.IdeaDetails(
            code=self.code.data,
            title=self.title.data,
            description=self.description.data or "",
            driver_id=self.driver_id.data,
            source_url=self.source_url.data or "",
            provenance_note=self.provenance_note.data or "",
        )

    def offer_drivers(self, package) -> IdeaForm:
        """Offer not yet placed or any driver of the package; returns the form."""
        self.driver_id.choices = choices(queries.driver_choices(package.drivers), none="Not yet placed under a driver")
        return self
