"""The action plan's forms. They read what was typed; what it may be is checked by
audit_app/plan/records.py, whose refusals the views put on these fields.

Each form's `params` are the GOV.UK macro parameters its fields are shown with
(templates/plan/edit.html renders the fields in order)."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField

from audit_app.admin.forms import PercentField
from audit_app.forms import (
    BaseForm,
    FormTokenField,
    GovDateField,
    GovIntegerField,
    VersionField,
    choices,
)
from audit_app.models.learning import KINDS
from audit_app.models.plan import ACTION_STATUSES
from audit_app.plan.progress import JUDGEMENTS

DATE_HINT = "For example, 1 9 2022"
_PERCENT = {"classes": "govuk-input--width-5", "inputmode": "decimal",
            "suffix": {"text": "%"}}
_NUMBER = {"classes": "govuk-input--width-5", "inputmode": "numeric"}


def _area(rows):
    return {"rows": rows}


def _legend(text):
    """A date field's label as its fieldset's legend (its description is the hint)."""
    return {"fieldset": {"legend": {"text": text, "classes": "govuk-fieldset__legend--s"}}}


class _PlanForm(BaseForm):
    params = {}
    version = VersionField()
    form_token = FormTokenField()


class RecommendationForm(_PlanForm):
    number = GovIntegerField("Number", description="As the plan numbers it, for example 2.",
                             invalid_message="Number must be a whole number from 1 to 999")
    title = TextAreaField("Recommendation", widget=GovTextArea(),
                          description="As the inspection report words it.")
    source = StringField("Source", widget=GovTextInput(),
                         description="The inspection it comes from, for example ILACS "
                                     "November 2019 or Focused visit November 2021.")
    findings = TextAreaField("What inspectors found", widget=GovTextArea())
    submit = SubmitField("Save recommendation", widget=GovSubmitInput())

    params = {"number": _NUMBER, "title": _area(3), "findings": _area(10)}


class MeasureForm(_PlanForm):
    subjects = {"figure": "Where the figure comes from", "applies_to": "What it is counted for"}

    description = TextAreaField(
        "Outcome measure", widget=GovTextArea(),
        description="What is measured, for example: assessments completed within 45 days.")
    figure = SelectField(
        "Where the figure comes from", widget=GovSelect(), validate_choice=False,
        description="A figure the tool computes from audits, or one entered by hand each "
                    "quarter from elsewhere (for example the case-record system).")
    applies_to = SelectField("What a computed figure is counted for", widget=GovSelect(),
                             validate_choice=False,
                             description="Leave this as it is for a figure entered by hand.")
    baseline_value = PercentField("Baseline (%)", subject="Baseline",
                                  description="For example, 45 for 45%. Leave blank for a "
                                              "baseline in words only.")
    baseline_text = TextAreaField("Baseline in words (optional)", widget=GovTextArea())
    baseline_on = GovDateField("Baseline date", subject="The baseline date",
                               description="When the baseline was measured. " + DATE_HINT)
    submit = SubmitField("Save outcome measure", widget=GovSubmitInput())

    params = {"description": _area(2), "baseline_value": _PERCENT,
              "baseline_text": _area(4), "baseline_on": _legend("Baseline date")}

    def __init__(self, figures, scopes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.figure.choices = choices(figures, blank="Select where the figure comes from")
        self.applies_to.choices = choices(scopes)


class TargetForm(_PlanForm):
    rate = PercentField("Target (%)", description="For example, 90 for 90%. More than 0 and "
                                                  "less than 100.")
    applies_from = GovDateField("Applies from", subject="The date it applies from",
                                description="A quarter is judged against the target in force "
                                            "on its last day. " + DATE_HINT)
    text = TextAreaField("What the target says", widget=GovTextArea(),
                         description="As the plan words it, for example: 90% of assessments "
                                     "will be completed within 45 days.")
    submit = SubmitField("Save target", widget=GovSubmitInput())

    params = {"rate": _PERCENT, "applies_from": _legend("Applies from"), "text": _area(2)}


class FigureForm(_PlanForm):
    subjects = {"quarter": "The quarter", "judgement": "Progress"}

    quarter = SelectField("Quarter", widget=GovSelect(), validate_choice=False,
                          description="Financial year quarters: Q1 is April to June.")
    value = PercentField("Figure (%)", subject="Figure",
                         description="For example, 56 for 56%. Leave blank to work it out "
                                     "from the numbers below, or for an outcome in words.")
    numerator = GovIntegerField("Number counted (optional)",
                                invalid_message="Number counted must be a whole number",
                                description="For example, the assessments completed within "
                                            "45 days.")
    denominator = GovIntegerField("Out of (optional)",
                                  invalid_message="Out of must be a whole number",
                                  description="For example, all the assessments completed. "
                                              "With both numbers the figure gets a 95% "
                                              "interval; without them it is judged on its "
                                              "value alone.")
    judgement = RadioField(
        "Progress, for an outcome in words only", widget=GovRadioInput(),
        choices=choices(JUDGEMENTS.items()), validate_choice=False,
        description="Only when there is no figure: the rule judges any figure itself.")
    source = StringField("Source", widget=GovTextInput(),
                         description="Where the figure comes from, for example the case-record "
                                     "system's performance report.")
    note = TextAreaField("Position in words (optional)", widget=GovTextArea())
    submit = SubmitField("Save figure", widget=GovSubmitInput())

    params = {"value": _PERCENT, "numerator": _NUMBER, "denominator": _NUMBER,
              "judgement": {"classes": "govuk-radios--small"}, "note": _area(4)}

    def __init__(self, quarters, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarter.choices = choices(((q.code, q.long_label) for q in quarters),
                                       blank="Select the quarter")


class ActionForm(_PlanForm):
    reference = StringField("Reference", widget=GovTextInput(),
                            description="The recommendation's number and a letter, like 1a.")
    text = TextAreaField("What we will do", widget=GovTextArea())
    lead = StringField("Lead person", widget=GovTextInput(),
                       description="Their name or role, for example Principal Social Worker.")
    timescale = StringField("Timescale", widget=GovTextInput(),
                            description="For example, March 2023, or Ongoing throughout the "
                                        "year.")
    submit = SubmitField("Save action", widget=GovSubmitInput())

    params = {"reference": {"classes": "govuk-input--width-5"}, "text": _area(4)}


class UpdateForm(_PlanForm):
    subjects = {"status": "The status"}

    written_on = GovDateField("Date of the update", subject="The date of the update",
                              description=DATE_HINT)
    text = TextAreaField("Progress to date", widget=GovTextArea())
    status = RadioField("Status of the action", widget=GovRadioInput(),
                        choices=choices(ACTION_STATUSES.items()), validate_choice=False)
    submit = SubmitField("Save progress update", widget=GovSubmitInput())

    params = {"written_on": _legend("Date of the update"), "text": _area(6),
              "status": {"classes": "govuk-radios--small"}}


class LearningForm(_PlanForm):
    subjects = {"quarter": "The quarter", "kind": "What kind of learning"}

    quarter = SelectField("Quarter", widget=GovSelect(), validate_choice=False,
                          description="The quarter whose headline report it belongs in. "
                                      "Financial year quarters: Q1 is April to June.")
    theme = StringField("Audit theme", widget=GovTextInput(),
                        description="The finding it responds to, for example: contingency "
                                    "planning in child in need plans.")
    kind = RadioField("What kind of learning", widget=GovRadioInput(),
                      choices=choices(KINDS.items()), validate_choice=False)
    title = StringField("What was given", widget=GovTextInput(),
                        description="For example: masterclass on family networking.")
    audience = StringField("Audience", widget=GovTextInput(),
                           description="For example: child in need and child protection "
                                       "team managers.")
    given_on = GovDateField("Date given", subject="The date it was given",
                            description=DATE_HINT)
    link = StringField("Link (optional)", widget=GovTextInput(),
                       description="Where the slides, guidance or recording are, starting "
                                   "with https://")
    notes = TextAreaField("Notes (optional)", widget=GovTextArea())
    submit = SubmitField("Save entry", widget=GovSubmitInput())

    params = {"kind": {"classes": "govuk-radios--small"}, "given_on": _legend("Date given"),
              "link": {"spellcheck": False}, "notes": _area(4)}

    def __init__(self, quarters, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarter.choices = choices(((q.code, q.long_label) for q in quarters),
                                       blank="Select the quarter")
