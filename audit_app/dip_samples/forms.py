"""Dip-sample forms. They read what was typed; the rules are in rounds.py and checks.py, whose
refusals the views put on these fields."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from audit_app.dip_samples.rounds import month_label
from audit_app.forms import (
    BaseForm,
    FormTokenField,
    GovDateField,
    GovIntegerField,
    VersionField,
    choices,
)
from audit_app.models.dip_samples import DEFAULT_SIZE, MAX_SIZE, OUTCOMES
from audit_app.programmes.sampling import MAX_SEED

DATE_HINT = "For example, 1 9 2026"
SEED_MESSAGE = f"The seed must be a whole number from 0 to {MAX_SEED}"


def _chosen_id(field):
    """The chosen option's value as an int; None for blank or anything not offered."""
    offered = {c.value for c in field.choices if c.value}
    return int(field.data) if field.data in offered else None


class RoundForm(BaseForm):
    month = SelectField("Month", widget=GovSelect(), validate_choice=False,
                        description="The month of your plan these cases count towards.")
    size = GovIntegerField(
        "Number of cases", default=DEFAULT_SIZE,
        description=f"The plan is {DEFAULT_SIZE} cases a month.",
        invalid_message=f"Number of cases must be a whole number from 1 to {MAX_SIZE}")
    window_start = GovDateField("From", subject="The first day of the window",
                                description=DATE_HINT)
    window_end = GovDateField("To", subject="The last day of the window",
                              description=DATE_HINT)
    team_id = SelectField("Team", widget=GovSelect(), validate_choice=False)
    service_id = SelectField("Service", widget=GovSelect(), validate_choice=False)
    compliance_template_id = SelectField(
        "Compliance checklist", widget=GovSelect(), validate_choice=False,
        description="Answer a compliance template for each case on the same visit, such as "
                    "the children with disabilities supervision and visiting dip sample.")
    form_token = FormTokenField()
    submit = SubmitField("Create dip sample", widget=GovSubmitInput())

    def __init__(self, months, teams, services, templates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.month.choices = choices((m.isoformat(), month_label(m)) for m in months)
        self.team_id.choices = choices(((t.id, t.name) for t in teams), blank="Any team")
        self.service_id.choices = choices(((s.id, s.name) for s in services),
                                          blank="Any service")
        self.compliance_template_id.choices = choices(((t.id, t.name) for t in templates),
                                                      blank="None")
        self.months = {m.isoformat(): m for m in months}

    def chosen_month(self):
        return self.months.get(self.month.data)

    def chosen(self, name):
        return _chosen_id(self[name])

    def problems_of_choice(self):
        """A value posted that the lists do not offer (an edited form), as the rules word it."""
        problems = {}
        for name, message in (("team_id", "Select a team from the list"),
                              ("service_id", "Select a service from the list"),
                              ("compliance_template_id",
                               "Select a compliance template from the list")):
            if self[name].data and self.chosen(name) is None:
                problems[name] = message
        return problems


class DrawForm(BaseForm):
    seed = GovIntegerField(
        "Seed (optional)", invalid_message=SEED_MESSAGE,
        description="Leave blank for a new random seed. The same seed over the same frame "
                    "draws the same cases.",
        validators=[Optional(), NumberRange(min=0, max=MAX_SEED, message=SEED_MESSAGE)])
    version = VersionField()
    submit = SubmitField("Draw the cases", widget=GovSubmitInput())


class SwapForm(BaseForm):
    subjects = {"reference": "The case reference", "reason": "The reason"}

    reference = StringField("Reference of the case to check instead", widget=GovTextInput(),
                            description="The case's reference in the case-record system, "
                                        "for example LCS-100200.")
    reason = TextAreaField("Why swap this case?", widget=GovTextArea(),
                           description="For example, the case closed last week. It is kept "
                                       "in the round's history.")
    version = VersionField()
    submit = SubmitField("Swap case", widget=GovSubmitInput())


class CheckForm(BaseForm):
    subjects = {"outcome": "What you found", "evidence": "What you saw", "impact": "The impact",
                "reason": "What still needs doing", "follow_up": "The follow-up action"}

    outcome = RadioField("What did you find?", widget=GovRadioInput(), validate_choice=False)
    evidence = TextAreaField("What did you see on the child's record?", widget=GovTextArea(),
                             description="For example, a case note of 12/01/2027 records the "
                                         "updated plan.")
    impact = TextAreaField("What difference has it made for the child?", widget=GovTextArea())
    due_on = GovDateField("New due date", description="If not followed up: the action opens "
                          "again for its owner, due then. " + DATE_HINT)
    reason = TextAreaField("What still needs to be done?", widget=GovTextArea(),
                           description="If not followed up: the owner is told this.")
    follow_up = TextAreaField("Follow-up action (optional)", widget=GovTextArea(),
                              description="If partly followed up: a new action for the case "
                                          "team's manager.")
    follow_up_due_on = GovDateField("Follow-up due date (optional)",
                                    subject="The follow-up due date",
                                    description="Leave blank for the working days from "
                                                "today set for a medium-priority action (20 "
                                                "unless an admin changed it). " + DATE_HINT)
    version = VersionField()
    form_token = FormTokenField()
    submit = SubmitField("Save check", widget=GovSubmitInput())

    def __init__(self, outcomes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = choices((code, OUTCOMES[code]) for code in outcomes)


class PlanForm(BaseForm):
    plan = GovIntegerField(
        "Cases each practice lead dip-samples a month",
        description="The reference action plan says 8.",
        invalid_message="Enter a whole number from 1 to 50",
        validators=[InputRequired(message="Enter how many cases a month"),
                    NumberRange(min=1, max=50, message="Enter a whole number from 1 to 50")])
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())


class QuarterForm(BaseForm):
    """The quarter the coverage page shows, from the query string; unknown is ignored."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    quarter = SelectField("Quarter", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Show", widget=GovSubmitInput())

    def __init__(self, quarters, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarter.choices = choices((q.code, q.long_label) for q in quarters)
        self.quarters = {q.code: q for q in quarters}

    def chosen(self, default):
        """The quarter asked for, else `default`; one asked for that is not offered is said
        (the page then shows the default), never ignored without a word."""
        if self.quarter.data not in self.quarters:
            if self.quarter.data:
                self.quarter.errors = ["Select a quarter from the list"]
            self.quarter.data = default.code
            return default
        return self.quarters[self.quarter.data]
