
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from audit_app.cases.services import REFERENCE_MAX, date_problems, reference_problem
from audit_app.forms import BaseForm, GovDateField, VersionField, choices
from audit_app.models import COHORTS

STATUSES = {"open": "Open", "closed": "Closed"}


class CaseForm(BaseForm):
    reference = StringField(
        "Case reference",
        widget=GovTextInput(),
        description="As shown in the case-record system. Do not enter the child's name.",
        validators=[
            InputRequired(message="Enter the case reference"),
            Length(max=REFERENCE_MAX,
                   message=f"Case reference must be {REFERENCE_MAX} characters or fewer"),
        ],
    )
    team_id = SelectField(
        "Team", widget=GovSelect(), validators=[InputRequired(message="Select the team")]
    )
    cohorts = SelectMultipleField(
        "Cohorts",
        widget=GovCheckboxesInput(),
        choices=choices(COHORTS.items()),
        validators=[InputRequired(message="Select at least one cohort")],
    )
    opened_on = GovDateField(
        "Date opened", subject="Date opened",
        required_message="Enter the date the case was opened",
        description="For example, 27 3 2024",
    )
    closed_on = GovDateField(
        "Date closed", subject="Date closed",
        description="Leave blank if the case is open. For example, 27 3 2024",
    )
    social_worker_id = SelectField(
        "Allocated social worker (optional)",
        widget=GovSelect(),
        description="Only if they have an account: they can then respond to audits of this case.",
        validators=[Optional()],
    )
    version = VersionField()
    submit = SubmitField("Save case", widget=GovSubmitInput())

    def __init__(self, teams, social_workers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team_id.choices = choices(((t.id, t.name) for t in teams), blank="Select a team")
        self.social_worker_id.choices = choices(
            ((u.id, f"{u.name} ({u.email})") for u in social_workers), blank="Not recorded"
        )

    def validate_reference(self, field):
        reason = reference_problem((field.data or "").strip())
        if reason:
            raise ValidationError(reason)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for name, message in date_problems(self.opened_on.data, self.closed_on.data).items():
            if not self[name].errors:
                self[name].errors.append(message)
                valid = False
        return valid


class CaseFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    reference = StringField("Reference contains", widget=GovTextInput(),
                            validators=[Optional()])
    team = SelectField("Team", widget=GovSelect(), validators=[Optional()])
    cohort = SelectField("Cohort", widget=GovSelect(), validators=[Optional()],
                         choices=choices(COHORTS.items(), blank="Any cohort"))
    status = SelectField("Open or closed", widget=GovSelect(), validators=[Optional()],
                         choices=choices(STATUSES.items(), blank="Open and closed"))
    submit = SubmitField("Filter", widget=GovSubmitInput())

    def __init__(self, teams, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team.choices = choices(((t.id, t.name) for t in teams), blank="Any team")

    def filters(self, teams):
        """The filters to apply: unknown values (an edited URL) are ignored, not errors."""
        team_ids = {str(t.id): t.id for t in teams}
        return {
            "team_id": team_ids.get(self.team.data),
            "cohort": self.cohort.data if self.cohort.data in COHORTS else None,
            "status": self.status.data if self.status.data in STATUSES else None,
            "reference": (self.reference.data or "").strip()[:REFERENCE_MAX] or None,
        }


class ImportForm(BaseForm):
    file = FileField(
        "Upload a CSV file",
        widget=GovFileInput(),
        validators=[
            FileRequired(message="Select a CSV file"),
            FileAllowed(["csv"], message="The selected file must be a CSV"),
        ],
    )
    submit = SubmitField("Import cases", widget=GovSubmitInput())
