"""Forms of the administrators' account pages.

The choices of organisation and network come from the database: the view fills them in with
`set_choices`. The forms check what they can see (required fields, formats, the password policy,
a taken email address); the services check everything again, because the CLI calls them without
a form.
"""

from __future__ import annotations

from typing import ClassVar

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..auth.passwords import password_problem
from ..db import get_session
from ..editing import VersionedForm
from ..forms import Form
from ..models import Role
from . import services


class RequiredForTrust:
    """The organisation must be chosen when the role is trust staff (the field shows as required)."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form, field) -> None:
        if form.role.data == Role.TRUST.value and not field.data:
            raise ValidationError(services.CHOOSE_ORGANISATION)


ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class NewAccountForm(Form):
    """A new account: who, which role, what the role covers, and a first password."""

    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter an email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    name = StringField(
        "Full name",
        validators=[
            Optional(),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
    )
    role = RadioField(
        "Role",
        choices=ROLE_CHOICES,
        validate_choice=False,
        validators=[InputRequired(services.CHOOSE_ROLE)],
    )
    # Not checked against the choices here: the services name an unknown code more clearly.
    organisation = SelectField(
        "Organisation",
        choices=[],
        default="",
        validate_choice=False,
        validators=[RequiredForTrust()],
    )
    networks = SelectMultipleField("Networks", choices=[], default=[], validate_choice=False)
    password = PasswordField("Initial password", validators=[DataRequired("Enter an initial password")])
    confirm_password = PasswordField(
        "Confirm initial password",
        validators=[
            DataRequired("Enter the password again"),
            EqualTo("password", "The passwords do not match"),
        ],
    )

    def set_choices(self, organisations: list[tuple[str, str]], networks: list[tuple[str, str]]) -> None:
        self.organisation.choices = [
            SelectChoice("", "Choose an organisation"),
            *(SelectChoice(value, label) for value, label in organisations),
        ]
        self.networks.choices = [SelectChoice(value, label) for value, label in networks]

    def validate_email(self, field) -> None:
        if services.email_taken(get_session(), field.data):
            raise ValidationError(services.EMAIL_TAKEN)
        problem = services.email_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_role(self, field) -> None:
        if field.data not in {role.value for role in Role}:
            raise ValidationError(services.CHOOSE_ROLE)

    def validate_password(self, field) -> None:
        problem = password_problem(field.data or "", email=self.email.data or "", name=self.name.data or "")
        if problem:
            raise ValidationError(problem)

    def details(self, email: str = "", active: bool = True) -> services.AccountDetails:
        return services.AccountDetails(
            email=email or self.email.data or "",
            role=self.role.data or "",
            name=self.name.data or "",
            organisation=self.organisation.data or None,
            networks=list(self.networks.data or []),
            active=active,
        )


class EditAccountForm(VersionedForm, NewAccountForm):
    """An existing account: the email address and the password are not changed here."""

    email = None
    password = None
    confirm_password = None
    active = BooleanField("This account can sign in")


class SetPasswordForm(Form):
    password = PasswordField("New password", validators=[DataRequired("Enter a new password")])
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Enter the password again"),
            EqualTo("password", "The passwords do not match"),
        ],
    )

    def __init__(self, *args, email: str = "", name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._email, self._name = email, name

    def validate_password(self, field) -> None:
        problem = password_problem(field.data or "", email=self._email, name=self._name)
        if problem:
            raise ValidationError(problem)
