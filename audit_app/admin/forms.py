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
from wtforms.validators import Email, InputRequired, Length, Optional

from audit_app.auth.forms import MIN_PASSWORD_LENGTH
from audit_app.forms import BaseForm, VersionField, choices
from audit_app.models import ROLES


class UserForm(BaseForm):
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


class TeamForm(BaseForm):
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


class ServiceForm(BaseForm):
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


class EventFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    entity_type = StringField("Entity", widget=GovTextInput(), validators=[Optional()])
    action = StringField("Action", widget=GovTextInput(), validators=[Optional()])
    actor = StringField("Changed by (email)", widget=GovTextInput(), validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())


class SettingsForm(BaseForm):
    subjects = {"conflict_of_interest": "The conflict of interest setting"}

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
