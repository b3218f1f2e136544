import re

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
    Field,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from audit_app.auth.forms import MIN_PASSWORD_LENGTH
from audit_app.cases.services import reference_problem
from audit_app.forms import BaseForm, FormTokenField, GovDateField, VersionField, choices
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
    form_token = FormTokenField()


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
    form_token = FormTokenField()  # on the new form; ignored when editing
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
    form_token = FormTokenField()  # on the new form; ignored when editing
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


_PERCENT = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,2})?)\s*%?\s*$", re.ASCII)


class PercentField(Field):
    """A percentage typed as 90, 92.5 or 90%: `data` is the fraction (0.9), or None. Not a
    StringField: its own parsing trims, and "required" means nothing typed (InputRequired),
    so "ninety" gets the message about percentages."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, subject="Target", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.subject = subject  # how its message names it

    def process_formdata(self, valuelist):
        text = ((valuelist[0] if valuelist else "") or "").strip()
        self.raw_data = [text]  # spaces only is nothing typed, for InputRequired
        self.data = None
        if not text:
            return
        match = _PERCENT.match(text)
        if not match:
            raise ValueError(f"{self.subject} must be a percentage, like 90 or 92.5")
        self.data = float(match.group(1)) / 100

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data * 100:g}"


class TargetForm(BaseForm):
    measure = SelectField(
        "Figure", widget=GovSelect(), validate_choice=False,
        validators=[InputRequired(message="Select a figure")],
    )
    applies_to = SelectField(
        "Applies to", widget=GovSelect(), validate_choice=False,
        description="A team's own target is used for the team's figures instead of the whole "
                    "council's.",
        validators=[InputRequired(message="Select what the target applies to")],
    )
    rate = PercentField(
        "Target (%)", description="For example, 90 for 90%. More than 0 and less than 100.",
        validators=[InputRequired(message="Enter the target, like 90 for 90%")],
    )
    applies_from = GovDateField(
        "Applies from", subject="The date it applies from",
        required_message="Enter the date the target applies from",
        description="A figure is judged against the target in force on the last day of its "
                    "period. For example, 1 9 2022.",
    )
    source = StringField(
        "Source", widget=GovTextInput(),
        description="Where the target comes from, for example ILACS action plan, "
                    "recommendation 2.",
        validators=[InputRequired(message="Enter where the target comes from"),
                    Length(max=300, message="Source must be 300 characters or fewer")],
    )
    version = VersionField()
    form_token = FormTokenField()
    submit = SubmitField("Save target", widget=GovSubmitInput())

    def __init__(self, measures, scopes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure.choices = choices(measures, blank="Select a figure")
        self.applies_to.choices = choices(scopes, blank="Select what it applies to")


class SignInSettingsForm(BaseForm):
    """Single sign-on and password settings; each setting carries the version shown."""

    keys = ("sso_unknown_people", "local_passwords", "break_glass_admin")
    subjects = {"sso_unknown_people": "The choice for someone without an account",
                "local_passwords": "Passwords", "break_glass_admin": "Break-glass administrator"}

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


class RetentionSettingsForm(BaseForm):
    keys = ("retention_years",)
    subjects = {"retention_years": "Years"}

    retention_years = StringField(
        "Years to keep the free text of a closed case's audits",
        widget=GovTextInput(),
        description="Counted from the day the case closed. Check your council's retention "
                    "schedule; 6 years is common for children's social care audits.",
        validators=[InputRequired(message="Enter how many years to keep it"), _whole_years],
    )
    retention_years_version = VersionField()
    submit = SubmitField("Save retention period", widget=GovSubmitInput())


def _working_days(form, field):
    text = (field.data or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= 260):
        raise ValidationError(f"{field.label.text} must be a whole number of working days "
                              "from 1 to 260")
    field.data = str(int(text))


def _due_days_field(priority):
    return StringField(
        f"{priority}-priority actions", widget=GovTextInput(),
        validators=[InputRequired(message=f"Enter the working days for {priority.lower()}-"
                                          "priority actions"), _working_days])


class ActionSettingsForm(BaseForm):
    keys = ("due_days_high", "due_days_medium", "due_days_low")
    subjects = {"due_days_high": "High-priority actions",
                "due_days_medium": "Medium-priority actions",
                "due_days_low": "Low-priority actions"}

    due_days_high = _due_days_field("High")
    due_days_high_version = VersionField()
    due_days_medium = _due_days_field("Medium")
    due_days_medium_version = VersionField()
    due_days_low = _due_days_field("Low")
    due_days_low_version = VersionField()
    submit = SubmitField("Save due dates", widget=GovSubmitInput())


class SubjectAccessForm(BaseForm):
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
        problem = reference_problem(field.data)  # control characters: BaseForm refuses them
        if problem:
            raise ValidationError(problem)
