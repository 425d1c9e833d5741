"""Sign-in and password forms, and the email and password fields the administrators' forms share."""

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..forms import Form
from .passwords import MAX_LENGTH, SAME_PASSWORD, password_problem


def email_field(required: str) -> EmailField:
    """An email address box; `required` is the message when it is left empty."""
    return EmailField(
        "Email address",
        validators=[DataRequired(required), Length(max=254, message="Email address must be 254 characters or fewer")],
    )


def password_twice(
    label: str, required: str, again: str, name: str = "password"
) -> tuple[PasswordField, PasswordField]:
    """A new password and the box that confirms it ("Confirm <label>"); `name` is the first one's field name."""
    confirm = f"Confirm {label[0].lower()}{label[1:]}"
    return (
        PasswordField(label, validators=[DataRequired(required)]),
        PasswordField(confirm, validators=[DataRequired(again), EqualTo(name, "The passwords do not match")]),
    )


def refuse_weak(password: str | None, email: str, name: str) -> None:
    """The password policy, on a form: ValidationError naming what is wrong with the password."""
    if problem := password_problem(password or "", email=email, name=name):
        raise ValidationError(problem)


class AccountPasswordForm(Form):
    """A form that sets the password of a known account: the policy refuses one built from its email
    address or name."""

    def __init__(self, *args, email: str = "", name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._email, self._name = email, name


class SignInForm(Form):
    email = email_field("Enter your email address")
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(
                max=MAX_LENGTH,
                message=f"Password must be {MAX_LENGTH} characters or fewer",
            ),
        ],
    )


class ChangePasswordForm(AccountPasswordForm):
    """Your current password, and a new one typed twice; the policy refuses one built from
    your email address or name."""

    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password")])
    new_password, confirm_password = password_twice(
        "New password", "Enter a new password", "Enter the new password again", name="new_password"
    )

    def validate_new_password(self, field) -> None:
        if field.data == self.current_password.data:
            raise ValidationError(SAME_PASSWORD)
        refuse_weak(field.data, self._email, self._name)


def code_field(label: str = "Security code") -> StringField:
    """A 6-digit authenticator code or a recovery code (the services say what is wrong with it)."""
    return StringField(
        label,
        validators=[
            DataRequired("Enter the 6-digit code from your authenticator app, or a recovery code"),
            Length(max=40, message="Enter the 6-digit code from your authenticator app, or a recovery code"),
        ],
    )


class CodeForm(Form):
    """The second step of signing in, and confirming a new authenticator app."""

    code = code_field()


class ConfirmItIsYouForm(Form):
    """Re-authentication before a sensitive change: the password, and a code when MFA is set up."""

    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password"), Length(max=MAX_LENGTH, message="Password is too long")],
    )
    code = StringField("Security code", validators=[Length(max=40, message="Enter the 6-digit code")])


class ConfirmForm(Form):
    """A button that posts (turn MFA off, reset someone's MFA): the CSRF token is all it carries."""
