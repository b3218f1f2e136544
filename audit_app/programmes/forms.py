
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from audit_app.forms import (
    BaseForm,
    FormTokenField,
    GovDateField,
    GovIntegerField,
    VersionField,
    an_id,
    choices,
)
from audit_app.models import COHORTS
from audit_app.programmes.sampling import MAX_SEED
from audit_app.programmes.services import MAX_DRAW


class ProgrammeForm(BaseForm):
    name = StringField(
        "Programme name",
        widget=GovTextInput(),
        description="For example, Q2 2022-23 whole case file audit",
        validators=[
            InputRequired(message="Enter a programme name"),
            Length(max=200, message="Programme name must be 200 characters or fewer"),
        ],
    )
    template_id = SelectField(
        "Audit template",
        widget=GovSelect(),
        description="Only templates with a published version can be used.",
        # The service says why a template cannot be used; anything not an id is no template.
        validators=[InputRequired(message="Select a template"), an_id("Select a template")],
        validate_choice=False,
    )
    period_start = GovDateField(
        "Start of the audit period", subject="The start of the audit period",
        required_message="Enter the start of the audit period",
        description="For example, 1 7 2022",
    )
    period_end = GovDateField(
        "End of the audit period", subject="The end of the audit period",
        required_message="Enter the end of the audit period",
        description="For example, 30 9 2022",
    )
    due_on = GovDateField(
        "Due date", subject="The due date",
        required_message="Enter the due date",
        description="Audits allocated in this programme are due on this date. "
                    "Changing it applies to cases allocated from then on.",
    )
    version = VersionField()
    form_token = FormTokenField()
    submit = SubmitField("Save programme", widget=GovSubmitInput())

    def __init__(self, templates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.template_id.choices = choices(
            ((t.id, t.name) for t in templates), blank="Select a template"
        )


def _auditor_label(user):
    return f"{user.name} ({user.team.name})" if user.team else user.name


class AllocateForm(BaseForm):
    case_reference = StringField(
        "Case reference",
        widget=GovTextInput(),
        description="As it appears in the case-record system, for example LCS-1001.",
        validators=[
            InputRequired(message="Enter a case reference"),
            Length(max=60, message="Case reference must be 60 characters or fewer"),
        ],
    )
    auditor_id = SelectField(
        "Auditor",
        widget=GovSelect(),
        validators=[InputRequired(message="Select an auditor")],
        invalid_choice_message="Select an auditor",
    )
    submit = SubmitField("Allocate case", widget=GovSubmitInput())

    def __init__(self, auditors, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auditor_id.choices = choices(
            ((u.id, _auditor_label(u)) for u in auditors), blank="Select an auditor"
        )


class DrawForm(BaseForm):
    team_ids = SelectMultipleField(
        "Teams",
        widget=GovCheckboxesInput(),
        description="Select none to draw from every team.",
        coerce=int,
        validators=[Optional()],
        invalid_choice_message="Select teams from the list",
    )
    cohorts = SelectMultipleField(
        "Cohorts",
        widget=GovCheckboxesInput(),
        description="A case in any selected cohort can be drawn. Select none for every cohort.",
        choices=choices(COHORTS.items()),
        validators=[Optional()],
        invalid_choice_message="Select cohorts from the list",
    )
    open_on = GovDateField(
        "Open on this date", subject="The open on date",
        description="Only cases open on this date: opened on or before it and not closed "
                    "before it. Leave blank to ignore case dates. For example, 30 9 2022",
    )
    requested = GovIntegerField(
        "Number of cases to draw",
        invalid_message="Number of cases must be a whole number, like 9",
        validators=[
            InputRequired(message="Enter the number of cases to draw"),
            NumberRange(min=1, max=MAX_DRAW,
                        message=f"Number of cases must be from 1 to {MAX_DRAW}"),
        ],
    )
    seed = GovIntegerField(
        "Seed (optional)",
        invalid_message="Seed must be a whole number, like 20220701",
        description="Leave blank for a new random draw. Enter the seed of an earlier draw, "
                    "with the same filter, to repeat it.",
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_SEED,
                        message=f"Seed must be a whole number from 0 to {MAX_SEED}"),
        ],
    )
    include_recent = BooleanField(
        "Include cases audited in the last 12 months",
        widget=GovCheckboxInput(),
    )
    auditor_ids = SelectMultipleField(
        "Allocate the drawn cases to",
        widget=GovCheckboxesInput(),
        description="Cases are shared out in turn, skipping an auditor who manages the "
                    "case's team where another auditor is free.",
        coerce=int,
        validators=[InputRequired(message="Select at least one auditor")],
        invalid_choice_message="Select auditors from the list",
    )
    form_token = FormTokenField()
    submit = SubmitField("Draw cases", widget=GovSubmitInput())

    def __init__(self, teams, auditors, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team_ids.choices = choices((t.id, t.name) for t in teams)
        self.auditor_ids.choices = choices((u.id, _auditor_label(u)) for u in auditors)
