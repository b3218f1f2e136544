"""Forms for moderation rounds: create, draw, redraw, pick by hand."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from audit_app.forms import (
    BaseForm,
    FormTokenField,
    GovDateField,
    GovIntegerField,
    VersionField,
    choices,
)
from audit_app.models.moderation import MODES, ROUND_KINDS, SAMPLING_METHODS
from audit_app.moderation.sampling import MAX_SEED

MAX_QUOTA = 500
MODE_HINTS = {
    "blind": "The moderator grades the case on the same template without seeing the "
             "auditor's grades. The two are shown side by side once the moderator submits.",
    "open": "The moderator reads the audit and records, for each grade, whether they agree "
            "and what the grade should be.",
}
METHOD_HINTS = {
    "simple_random": "Every audit in the frame is equally likely to be drawn.",
    "stratified_team": "Each team gets a share of the quota in proportion to its audits, "
                       "and at least one when the quota allows.",
    "stratified_auditor": "Every auditor is sampled once before anyone is sampled twice.",
    "targeted": "Every audit judged the best or worst grade of its template's scale (on the "
                "Ofsted scale, Outstanding or Inadequate). You can add others by case "
                "reference after the draw.",
    "targeted_then_random": "Every audit judged the best or worst grade of its template's "
                            "scale, then random audits until the quota is reached.",
}
SEED_HINT = ("Leave blank for a new random seed. To repeat an earlier draw, enter its seed: "
             "the same seed, method and frame give the same audits.")


def _seed_field():
    message = f"The seed must be a whole number from 0 to {MAX_SEED}"
    return GovIntegerField("Seed (optional)", description=SEED_HINT, invalid_message=message,
                           validators=[Optional(),
                                       NumberRange(min=0, max=MAX_SEED, message=message)])


class RoundForm(BaseForm):
    name = StringField(
        "Round name", widget=GovTextInput(),
        description="For example, Q2 2026-27 quality assurance moderation.",
        validators=[InputRequired(message="Enter a name for the round"),
                    Length(max=200, message="Round name must be 200 characters or fewer")])
    period_start = GovDateField(
        "Period start", description="The first day of submissions to sample. For example, "
        "1 7 2026.", required_message="Enter the start of the period")
    period_end = GovDateField(
        "Period end", description="The last day of submissions to sample. For example, "
        "30 9 2026.", required_message="Enter the end of the period")
    kind = RadioField("Kind of round", widget=GovRadioInput(),
                      choices=choices(ROUND_KINDS.items()),
                      validators=[InputRequired(message="Select the kind of round")])
    mode = RadioField("Mode", widget=GovRadioInput(), choices=choices(MODES.items()),
                      default="blind", validators=[InputRequired(message="Select the mode")])
    quota = GovIntegerField(
        "Quota", default=9, description="How many audits to moderate. The reference plan's "
        "target is 9 a quarter.",
        invalid_message=f"Quota must be a whole number from 1 to {MAX_QUOTA}",
        validators=[InputRequired(message="Enter the quota"),
                    NumberRange(min=1, max=MAX_QUOTA,
                                message=f"Quota must be a whole number from 1 to {MAX_QUOTA}")])
    method = RadioField("Sampling method", widget=GovRadioInput(),
                        choices=choices(SAMPLING_METHODS.items()),
                        validators=[InputRequired(message="Select the sampling method")])
    moderator_ids = SelectMultipleField(
        "Moderators", widget=GovCheckboxesInput(),
        description="Audits are shared between them. Nobody moderates an audit they wrote.",
        validators=[InputRequired(message="Select at least one moderator")])
    template_id = SelectField("Template", widget=GovSelect(), validators=[Optional()])
    team_ids = SelectMultipleField(
        "Teams", widget=GovCheckboxesInput(),
        description="Leave all unticked to sample every team.")
    auditor_ids = SelectMultipleField(
        "Auditors", widget=GovCheckboxesInput(),
        description="Leave all unticked to sample every auditor.")
    include_moderated = BooleanField(
        "Include audits already sampled in another round", widget=GovCheckboxInput())
    form_token = FormTokenField()
    submit = SubmitField("Create round", widget=GovSubmitInput())

    def __init__(self, moderators, templates, teams, auditors, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.moderator_ids.choices = choices((u.id, u.name) for u in moderators)
        self.template_id.choices = choices(((t.id, t.name) for t in templates),
                                           blank="Any template")
        self.team_ids.choices = choices((t.id, t.name) for t in teams)
        self.auditor_ids.choices = choices((u.id, u.name) for u in auditors)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        start, end = self.period_start.data, self.period_end.data
        if start and end and end < start:
            self.period_end.errors.append("Period end must be the same as or after the start")
            valid = False
        return valid


class DrawForm(BaseForm):
    seed = _seed_field()
    version = VersionField()
    submit = SubmitField("Draw the sample", widget=GovSubmitInput())


class RedrawForm(BaseForm):
    reason = TextAreaField(
        "Why are you redrawing the sample?", widget=GovTextArea(),
        description="Kept in the event log with the audits drawn before and after.",
        validators=[InputRequired(message="Enter the reason for redrawing the sample"),
                    Length(max=2000, message="Reason must be 2000 characters or fewer")])
    seed = _seed_field()
    version = VersionField()
    submit = SubmitField("Redraw the sample", widget=GovSubmitInput())


class PickForm(BaseForm):
    reference = StringField(
        "Case reference", widget=GovTextInput(),
        description="As in the case-record system. The case's audit must be in this round's "
                    "frame.",
        validators=[InputRequired(message="Enter the case reference"),
                    Length(max=60, message="Case reference must be 60 characters or fewer")])
    version = VersionField()
    submit = SubmitField("Add to the sample", widget=GovSubmitInput())
