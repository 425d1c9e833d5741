"""Sign-in and password forms."""

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..forms import Form
from .passwords import MAX_LENGTH, password_problem


class SignInForm(Form):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
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


class ChangePasswordForm(Form):
    """Your current password, and a new one typed twice; the policy refuses one built from
    your email address or name."""

    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password")])
    new_password = PasswordField("New password", validators=[DataRequired("Enter a new password")])
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Enter the new password again"),
            EqualTo("new_password", "The passwords do not match"),
        ],
    )

    def __init__(self, *args, email: str = "", name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email
        self._name = name

    def validate_new_password(self, field) -> None:
        problem = password_problem(field.data or "", email=self._email, name=self._name)
        if problem:
            raise ValidationError(problem)
