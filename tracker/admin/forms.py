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
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..auth import tokens
from ..auth.forms import AccountPasswordForm, email_field, password_twice, refuse_weak
from ..db import get_session
from ..editing import VersionedForm
from ..forms import Form, choices, strip
from ..models import Role, TokenScope
from . import services


class RequiredForTrust:
    """The organisation must be chosen when the role is trust staff (the field shows as required)."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form, field) -> None:
        if form.role.data == Role.TRUST.value and not field.data:
            raise ValidationError(services.CHOOSE_ORGANISATION)


CHOOSE_USER = "Choose the account the token is for"
ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class NewAccountForm(Form):
    """A new account: who, which role, what the role covers, and a first password."""

    email = email_field("Enter an email address")
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
    password, confirm_password = password_twice(
        "Initial password", "Enter an initial password", "Enter the password again"
    )

    def set_choices(self, organisations: list[tuple[str, str]], networks: list[tuple[str, str]]) -> None:
        self.organisation.choices = choices(organisations, none="Choose an organisation")
        self.networks.choices = choices(networks)

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
        refuse_weak(field.data, self.email.data or "", self.name.data or "")

    def details(self, email: str = "", active: bool = True) -> services.AccountDetails:
        return services.AccountDetails(
            email=email or self.email.data or "",
            role=self.role.data or "",
            name=self.name.data or "",
            organisation=self.organisation.data or None,
            networks=list(self.networks.data or []),
            active=active,
        )


class InviteOrPasswordForm(NewAccountForm):
    """Sign-in with work accounts on, passwords too: a password only for someone who will use one."""

    password = PasswordField("Initial password (optional)", validators=[Optional()])
    confirm_password = PasswordField(
        "Confirm initial password", validators=[EqualTo("password", "The passwords do not match")]
    )


class InviteForm(NewAccountForm):
    """Passwords switched off: the account is an invitation to sign in with a work account."""

    password = None
    confirm_password = None


class EditAccountForm(VersionedForm, NewAccountForm):
    """An existing account: the email address and the password are not changed here."""

    email = None
    password = None
    confirm_password = None
    active = BooleanField("This account can sign in")


class SetPasswordForm(AccountPasswordForm):
    password, confirm_password = password_twice("New password", "Enter a new password", "Enter the password again")

    def validate_password(self, field) -> None:
        refuse_weak(field.data, self._email, self._name)


class DaysField(IntegerField):
    """A whole number of days; anything else is refused in words people use."""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the number of days as a whole number, such as 90") from None


SCOPE_CHOICES = [SelectChoice(scope.value, scope.label) for scope in TokenScope]


class NewTokenForm(Form):
    """A new API token: whose, what it is for, what it may do, and how long it lasts.

    The account's choices are filled in by the view; tokens.check_request checks it all again
    (including the longest expiry), because the command line issues tokens without a form.
    """

    user = SelectField(
        "Account", choices=[], default="", validate_choice=False, validators=[InputRequired(CHOOSE_USER)]
    )
    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            InputRequired("Enter a name that says what the token is for, such as the program that uses it"),
            Length(max=tokens.NAME_LENGTH, message=f"The name must be {tokens.NAME_LENGTH} characters or fewer"),
        ],
    )
    scope = RadioField(
        "What the token may do",
        choices=SCOPE_CHOICES,
        validate_choice=False,
        validators=[InputRequired("Choose read only, or read and write")],
    )
    expires = DaysField(
        "Days until it expires",
        default=90,
        validators=[InputRequired("Enter how many days the token lasts, as a whole number")],
    )

    def set_choices(self, users: list[tuple[str, str]]) -> None:
        self.user.choices = choices(users, none="Choose an account")
