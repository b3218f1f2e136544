"""Action forms. They read what was typed; the rules about it (dates, evidence, reasons) are
in audit_app/actions/workflow.py, whose refusals the views put on these fields."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)

from audit_app import inputs
from audit_app.actions.lists import SHOWING, Filters
from audit_app.forms import (
    BaseForm,
    FormTokenField,
    GovDateField,
    VersionField,
    choices,
    one_of_the_choices,
)
from audit_app.measures.periods import Quarter
from audit_app.models.actions import ACTION_STATUSES, PRIORITIES, PROPOSED

DATE_HINT = "For example, 12 1 2027"


def _id(value):
    return int(value) if value else None


class CompleteForm(BaseForm):
    subjects = {"evidence": "Evidence"}  # as the workflow's messages name them

    completed_on = GovDateField("Date done", description=DATE_HINT)
    evidence = TextAreaField(
        "How is it evidenced on the child's record?", widget=GovTextArea(),
        description="For example, case note added to the child's record on 12/01/2027.")
    version = VersionField()
    submit = SubmitField("Complete action", widget=GovSubmitInput())


class CancelForm(BaseForm):
    subjects = {"reason": "The reason"}  # as the workflow's messages name them

    reason = TextAreaField("Why is this action being cancelled?", widget=GovTextArea(),
                           description="The owner is told, and it is kept in the history.")
    version = VersionField()
    submit = SubmitField("Cancel action", widget=GovSubmitInput())


class DueDateForm(BaseForm):
    subjects = {"reason": "The reason"}  # as the workflow's messages name them

    due_on = GovDateField("New due date", description=DATE_HINT)
    reason = TextAreaField("Why is the due date changing?", widget=GovTextArea(),
                           description="The owner is told, and it is kept in the history.")
    version = VersionField()
    submit = SubmitField("Change due date", widget=GovSubmitInput())


class NewActionForm(BaseForm):
    subjects = {"description": "The action"}  # as the workflow's messages name them

    description = TextAreaField("Action", widget=GovTextArea(),
                                description="What should be done for the child, by whom.")
    owner_id = SelectField("Owner", widget=GovSelect(), validate_choice=False,
                           description="Defaults to the manager of the case's team.",
                           validators=[one_of_the_choices("Select an owner from the list")])
    due_on = GovDateField("Due date", description="Leave blank for the working days from "
                          "today that an admin has set for its priority (5 for high, 20 for "
                          "medium and 40 for low unless changed). " + DATE_HINT)
    priority = RadioField("Priority", widget=GovRadioInput(), choices=choices(PRIORITIES.items()),
                          default="medium", validate_choice=False)
    form_token = FormTokenField()
    submit = SubmitField("Add action", widget=GovSubmitInput())

    def __init__(self, people, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_id.choices = choices(
            ((u.id, f"{u.name} ({u.email})") for u in people), blank="Manager of the case's team")

    def owner(self):
        return _id(self.owner_id.data)


class ReassignForm(BaseForm):
    action_ids = SelectMultipleField("Actions to reassign", widget=GovCheckboxesInput(),
                                     validate_choice=False, validators=[
                                         one_of_the_choices("Select actions from the list")])
    new_owner_id = SelectField("New owner", widget=GovSelect(), validate_choice=False,
                               validators=[one_of_the_choices("Select an owner from the list")])
    # "id:version id:version ...": the version of each action the page showed.
    versions = HiddenField()
    submit = SubmitField("Reassign actions", widget=GovSubmitInput())

    def __init__(self, actions, people, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer(actions)
        self.new_owner_id.choices = choices(((u.id, f"{u.name} ({u.email})") for u in people),
                                            blank="Select the new owner")

    def offer(self, actions):
        self.action_ids.choices = choices(
            (a.id, f"Case {a.case.reference}: {a.description}") for a in actions)

    def show_versions(self, actions):
        self.versions.data = " ".join(f"{a.id}:{a.row_version}" for a in actions)

    def new_owner(self):
        return _id(self.new_owner_id.data)

    def seen_versions(self):
        """{action id: version the page showed}; malformed parts are left out (a conflict)."""
        seen = {}
        for part in (self.versions.data or "").split():
            action_id, _, version = part.partition(":")
            action_id, version = inputs.whole_number(action_id), inputs.whole_number(version)
            if action_id is not None and version is not None:
                seen[action_id] = version
        return seen


class ShowingForm(BaseForm):
    """Which actions a short list shows (open by default)."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    show = SelectField("Show", widget=GovSelect(), choices=choices(SHOWING.items()),
                       default="open", validate_choice=False)
    submit = SubmitField("Show", widget=GovSubmitInput())

    def showing(self):
        return self.show.data if self.show.data in SHOWING else "open"


class AllActionsForm(BaseForm):
    """The all-actions page's filters and the quarter of its figures, from the query string.
    An unknown value (an edited address) is ignored, not an error."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    team = SelectField("Team", widget=GovSelect(), validate_choice=False)
    service = SelectField("Service", widget=GovSelect(), validate_choice=False)
    status = SelectField("Status", widget=GovSelect(), validate_choice=False, choices=choices(
        ((code, label) for code, label in ACTION_STATUSES.items() if code != PROPOSED),
        blank="Any status"))
    overdue = BooleanField("Only overdue actions", widget=GovCheckboxInput())
    owner = SelectField("Owner", widget=GovSelect(), validate_choice=False)
    template = SelectField("Audit template", widget=GovSelect(), validate_choice=False)
    raised = SelectField("Quarter raised", widget=GovSelect(), validate_choice=False)
    quarter = SelectField("Figures for", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Show actions", widget=GovSubmitInput())

    def __init__(self, teams, services, owners, templates, quarters, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team.choices = choices(((t.id, t.name) for t in teams), blank="Any team")
        self.service.choices = choices(((s.id, s.name) for s in services), blank="Any service")
        self.owner.choices = choices(
            [(0, "No owner")] + [(u.id, u.name + ("" if u.active else " (deactivated)"))
                                 for u in owners], blank="Anyone")
        self.template.choices = choices(((t.id, t.name) for t in templates),
                                        blank="Any template")
        quarter_choices = [(q.code, q.long_label) for q in quarters]
        self.raised.choices = choices(quarter_choices, blank="Any quarter")
        self.quarter.choices = choices(quarter_choices)

    def _chosen(self, field):
        """The chosen option's value as an int, or None for blank or unknown."""
        offered = {c.value for c in field.choices if c.value}
        return int(field.data) if field.data in offered else None

    def filters(self):
        offered_quarters = {c.value for c in self.raised.choices if c.value}
        return Filters(
            team_id=self._chosen(self.team), service_id=self._chosen(self.service),
            status=self.status.data if self.status.data in ACTION_STATUSES else None,
            overdue=bool(self.overdue.data), owner_id=self._chosen(self.owner),
            template_id=self._chosen(self.template),
            raised=Quarter.parse(self.raised.data) if self.raised.data in offered_quarters
            else None)

    def figures_quarter(self, default):
        """The quarter chosen for the figures; `default` (shown as chosen) otherwise."""
        if self.quarter.data not in {c.value for c in self.quarter.choices}:
            self.quarter.data = default.code
            return default
        return Quarter.parse(self.quarter.data)
