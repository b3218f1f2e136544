from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from audit_app.auth.forms import MIN_PASSWORD_LENGTH
from audit_app.cases.services import reference_problem
from audit_app.forms import VersionField, choices
from audit_app.models import ROLES


class UserForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter an email address"),
            Email(
                check_deliverability=False,
                message="Enter an email address in the correct format, like name@council.gov.uk",
            ),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a name"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
    )
    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        choices=choices(ROLES.items()),
        validators=[InputRequired(message="Select at least one role")],
    )
    team_id = SelectField("Team", widget=GovSelect(), validators=[Optional()])
    active = BooleanField("Account is active", widget=GovCheckboxInput(), default=True)
    version = VersionField()
    submit = SubmitField("Save user", widget=GovSubmitInput())

    def __init__(self, teams, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team_id.choices = choices(((t.id, t.name) for t in teams), blank="No team")


class NewUserForm(UserForm):
    password = PasswordField(
        "Initial password",
        widget=GovPasswordInput(),
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Tell the user to change it.",
        validators=[
            InputRequired(message="Enter an initial password"),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=f"Password must be {MIN_PASSWORD_LENGTH} characters or more",
            ),
        ],
    )


class TeamForm(FlaskForm):
    name = StringField(
        "Team name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a team name"),
            Length(max=120, message="Team name must be 120 characters or fewer"),
        ],
    )
    service_id = SelectField(
        "Service", widget=GovSelect(), validators=[InputRequired(message="Select a service")]
    )
    manager_id = SelectField("Team manager", widget=GovSelect(), validators=[Optional()])
    active = BooleanField("Team is active", widget=GovCheckboxInput(), default=True)
    version = VersionField()
    submit = SubmitField("Save team", widget=GovSubmitInput())

    def __init__(self, services, managers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_id.choices = choices(
            ((s.id, s.name) for s in services), blank="Select a service"
        )
        self.manager_id.choices = choices(
            ((u.id, f"{u.name} ({u.email})") for u in managers), blank="No manager"
        )


class ServiceForm(FlaskForm):
    name = StringField(
        "Service name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a service name"),
            Length(max=120, message="Service name must be 120 characters or fewer"),
        ],
    )
    head_id = SelectField("Head of service", widget=GovSelect(), validators=[Optional()])
    version = VersionField()
    submit = SubmitField("Save service", widget=GovSubmitInput())

    def __init__(self, people, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.head_id.choices = choices(
            ((u.id, f"{u.name} ({u.email})") for u in people), blank="No head of service"
        )


class EventFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    entity_type = StringField("Entity", widget=GovTextInput(), validators=[Optional()])
    action = StringField("Action", widget=GovTextInput(), validators=[Optional()])
    actor = StringField("Changed by (email)", widget=GovTextInput(), validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())


class SettingsForm(FlaskForm):
    conflict_of_interest = RadioField(
        "When an auditor is allocated a case from a team they manage",
        widget=GovRadioInput(),
        choices=choices([
            ("warn", "Warn: allocate the case and flag it as a conflict of interest"),
            ("block", "Block: refuse the allocation"),
        ]),
        validators=[InputRequired(message="Select what happens when an auditor is allocated "
                                          "a case from a team they manage")],
        invalid_choice_message="Select what happens when an auditor is allocated a case from "
                               "a team they manage",
    )
    version = VersionField()
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class SignInSettingsForm(FlaskForm):
    """Single sign-on and password settings; each setting carries the version shown."""

    keys = ("sso_unknown_people", "local_passwords", "break_glass_admin")

    sso_unknown_people = RadioField(
        "When someone without an account signs in with single sign-on",
        widget=GovRadioInput(),
        choices=choices([
            ("refuse", "Refuse them: they are told to ask an administrator to add them"),
            ("create", "Make them an account with no role, for an administrator to give "
                       "them one"),
        ]),
        validators=[InputRequired(message="Select what happens when someone without an "
                                          "account signs in")],
        invalid_choice_message="Select what happens when someone without an account signs in",
    )
    local_passwords = RadioField(
        "Passwords",
        widget=GovRadioInput(),
        choices=choices([
            ("on", "On: anyone with a password may sign in with it"),
            ("off", "Off: everyone signs in with single sign-on, except the break-glass "
                    "administrator"),
        ]),
        validators=[InputRequired(message="Select whether passwords are on or off")],
        invalid_choice_message="Select whether passwords are on or off",
    )
    break_glass_admin = SelectField(
        "Break-glass administrator",
        widget=GovSelect(),
        description="The administrator who can still sign in with a password if single "
                    "sign-on stops working. Only active administrators with a password are "
                    "listed.",
        validators=[Optional()],
        invalid_choice_message="Select an active administrator with a password, or no one",
    )
    sso_unknown_people_version = VersionField()
    local_passwords_version = VersionField()
    break_glass_admin_version = VersionField()
    submit = SubmitField("Save sign-in settings", widget=GovSubmitInput())

    def __init__(self, admins, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.break_glass_admin.choices = choices(
            ((str(u.id), f"{u.name} ({u.email})") for u in admins), blank="No one")


def _whole_years(form, field):
    text = (field.data or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= 100):
        raise ValidationError("Years must be a whole number from 1 to 100")
    field.data = str(int(text))


class RetentionSettingsForm(FlaskForm):
    keys = ("retention_years",)

    retention_years = StringField(
        "Years to keep the free text of a closed case's audits",
        widget=GovTextInput(),
        description="Counted from the day the case closed. Check your council's retention "
                    "schedule; 6 years is common for children's social care audits.",
        validators=[InputRequired(message="Enter how many years to keep it"), _whole_years],
    )
    retention_years_version = VersionField()
    submit = SubmitField("Save retention period", widget=GovSubmitInput())


class SubjectAccessForm(FlaskForm):
    reference = StringField(
        "Case reference",
        widget=GovTextInput(),
        description="As it is in the case-record system, for example LCS-100200.",
        validators=[
            InputRequired(message="Enter the case reference"),
            Length(max=60, message="Case reference must be 60 characters or fewer"),
        ],
    )
    submit = SubmitField("Download everything held about this case", widget=GovSubmitInput())

    def validate_reference(self, field):
        text = (field.data or "").strip()
        if any(ord(character) < 32 or character == "\x7f" for character in text):
            raise ValidationError("Case reference must only include letters, numbers, spaces "
                                  "and punctuation")
        problem = reference_problem(text)
        if problem:
            raise ValidationError(problem)
