from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from audit_app.forms import VersionField, choices
from audit_app.models import COHORTS
from audit_app.programmes.sampling import MAX_SEED
from audit_app.programmes.services import MAX_DRAW


class GovDateInputSafe(GovDateInput):
    """GovDateInput expects exactly three posted values (day, month, year); a form posted
    without them must still render, with its error, rather than fail."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None
        return super().map_gov_params(field, **kwargs)


class GovDateField(DateField):
    """A GOV.UK date input (day, month, year boxes) with messages that name the field."""

    widget = GovDateInputSafe()

    def __init__(self, label, name_in_errors, **kwargs):
        super().__init__(label, format="%d %m %Y", **kwargs)
        self.name_in_errors = name_in_errors

    def process_formdata(self, valuelist):
        self.data = None
        parts = [(v or "").strip() for v in valuelist]
        if not any(parts):
            return
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{self.name_in_errors} must include a day, month and year")
        try:
            day, month, year = (int(p) for p in parts)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            raise ValueError(f"{self.name_in_errors} must be a real date") from None


class DateRequired:
    """Stops with `message` when no date was entered (a badly typed date says so itself)."""

    def __init__(self, message):
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form, field):
        if field.data is None and not field.process_errors:
            raise StopValidation(self.message)


class WholeNumberField(IntegerField):
    """A whole number typed into a text box; blank is no value rather than an error."""

    def __init__(self, label, invalid_message, **kwargs):
        super().__init__(label, widget=GovTextInput(), **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if not text:
            return
        try:
            self.data = int(text)
        except ValueError:
            raise ValueError(self.invalid_message) from None


class ProgrammeForm(FlaskForm):
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
        validators=[InputRequired(message="Select a template")],
        validate_choice=False,  # the service says why a template cannot be used
    )
    period_start = GovDateField(
        "Start of the audit period", "The start of the audit period",
        description="For example, 1 7 2022",
        validators=[DateRequired("Enter the start of the audit period")],
    )
    period_end = GovDateField(
        "End of the audit period", "The end of the audit period",
        description="For example, 30 9 2022",
        validators=[DateRequired("Enter the end of the audit period")],
    )
    due_on = GovDateField(
        "Due date", "The due date",
        description="Audits allocated in this programme are due on this date. "
                    "Changing it applies to cases allocated from then on.",
        validators=[DateRequired("Enter the due date")],
    )
    version = VersionField()
    submit = SubmitField("Save programme", widget=GovSubmitInput())

    def __init__(self, templates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.template_id.choices = choices(
            ((t.id, t.name) for t in templates), blank="Select a template"
        )


def _auditor_label(user):
    return f"{user.name} ({user.team.name})" if user.team else user.name


class AllocateForm(FlaskForm):
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


class DrawForm(FlaskForm):
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
        "Open on this date", "The open on date",
        description="Only cases open on this date: opened on or before it and not closed "
                    "before it. Leave blank to ignore case dates. For example, 30 9 2022",
    )
    requested = WholeNumberField(
        "Number of cases to draw",
        "Number of cases must be a whole number, like 9",
        validators=[
            InputRequired(message="Enter the number of cases to draw"),
            NumberRange(min=1, max=MAX_DRAW,
                        message=f"Number of cases must be from 1 to {MAX_DRAW}"),
        ],
    )
    seed = WholeNumberField(
        "Seed (optional)",
        "Seed must be a whole number, like 20220701",
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
    submit = SubmitField("Draw cases", widget=GovSubmitInput())

    def __init__(self, teams, auditors, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team_ids.choices = choices((t.id, t.name) for t in teams)
        self.auditor_ids.choices = choices((u.id, _auditor_label(u)) for u in auditors)
