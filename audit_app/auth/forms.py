from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, PasswordField, RadioField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from audit_app.feed.tokens import LIFETIMES, NAME_LENGTH
from audit_app.forms import BaseForm, FormTokenField, choices

MIN_PASSWORD_LENGTH = 12


class SignInForm(BaseForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your current password")],
    )
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=f"At least {MIN_PASSWORD_LENGTH} characters",
        validators=[
            InputRequired(message="Enter a new password"),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=f"New password must be {MIN_PASSWORD_LENGTH} characters or more",
            ),
        ],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Confirm your new password"),
            EqualTo("new_password", message="The passwords do not match"),
        ],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field):
        if not self.user.check_password(field.data):
            raise ValidationError("Your current password is not right")

    def validate_new_password(self, field):
        if self.current_password.data and field.data == self.current_password.data:
            raise ValidationError("New password must be different from your current password")


class ApiTokenForm(BaseForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="What the token is for, so you can tell your tokens apart, for example "
                    "\"Power BI headline report\"",
        validators=[InputRequired(message="Enter a name for the token"),
                    Length(max=NAME_LENGTH)],
    )
    lifetime = RadioField(
        "Expires after",
        widget=GovRadioInput(),
        choices=choices((str(days), words) for days, words in LIFETIMES.items()),
        validators=[InputRequired(message="Select when the token expires")],
    )
    form_token = FormTokenField()
    submit = SubmitField("Create token", widget=GovSubmitInput())

    def days(self):
        return int(self.lifetime.data)
