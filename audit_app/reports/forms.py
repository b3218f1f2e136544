from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import ValidationError

from audit_app.forms import BaseForm, choices, one_of_the_choices
from audit_app.measures.agreement import Scope
from audit_app.measures.periods import Quarter


def _quarter(code):
    return Quarter.parse(code) if code else None


def _a_quarter(form, field):
    try:
        _quarter(field.data)
    except ValueError:
        raise ValidationError("Select a quarter from the list") from None


class AgreementFilterForm(BaseForm):
    """The report's scope, from the query string (so a report's address can be shared)."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    # validate_choice is off: these check their own values with the Design System's words.
    period_from = SelectField("From", widget=GovSelect(), validate_choice=False,
                              validators=[_a_quarter])
    period_to = SelectField("To", widget=GovSelect(), validate_choice=False,
                            validators=[_a_quarter])
    team = SelectField("Team", widget=GovSelect(), validate_choice=False,
                       validators=[one_of_the_choices("Select a team from the list")])
    template = SelectField("Audit template", widget=GovSelect(), validate_choice=False,
                           validators=[one_of_the_choices("Select a template from the list")])
    auditor = SelectField("Auditor", widget=GovSelect(), validate_choice=False,
                          validators=[one_of_the_choices("Select an auditor from the list")])
    moderator = SelectField("Moderator", widget=GovSelect(), validate_choice=False,
                            validators=[one_of_the_choices("Select a moderator from the list")])
    round = SelectField("Moderation round", widget=GovSelect(), validate_choice=False,
                        validators=[one_of_the_choices("Select a round from the list")])
    submit = SubmitField("Show figures", widget=GovSubmitInput())

    def __init__(self, options, formdata, **kwargs):
        # Until the user chooses: this financial year to date.
        kwargs.setdefault("period_from", options.default_from.code)
        kwargs.setdefault("period_to", options.default_to.code)
        super().__init__(formdata, **kwargs)
        quarters = [(q.code, q.long_label) for q in reversed(options.quarters)]
        self.period_from.choices = choices(quarters, blank="Earliest")
        self.period_to.choices = choices(quarters, blank="Latest")
        self.team.choices = choices(options.teams, blank="All teams")
        self.template.choices = choices(options.templates, blank="All templates")
        self.auditor.choices = choices(options.auditors, blank="All auditors")
        self.moderator.choices = choices(options.moderators, blank="All moderators")
        self.round.choices = choices(options.rounds, blank="All rounds")

    def validate_period_to(self, field):
        try:
            start, end = _quarter(self.period_from.data), _quarter(field.data)
        except ValueError:
            return  # each field reports its own bad value
        if start and end and end < start:
            raise ValidationError("The end of the period must be the same as or after the start")

    def scope(self):
        start, end = _quarter(self.period_from.data), _quarter(self.period_to.data)

        def number(field):
            return int(field.data) if field.data else None

        return Scope(
            start=start.start if start else None,
            end=end.end if end else None,
            team_id=number(self.team),
            template_id=number(self.template),
            auditor_id=number(self.auditor),
            moderator_id=number(self.moderator),
            round_id=number(self.round),
        )

    def query_args(self):
        """The chosen filters as query-string arguments, blanks included: a blank period is
        a choice ("Earliest"), not a request for the default."""
        return {name: self[name].data or "" for name in
                ("period_from", "period_to", "team", "template", "auditor", "moderator", "round")}


class ReportQuarterForm(BaseForm):
    """The reporting quarter of the quarterly reports and the learning entries, from the
    query string; the last complete quarter until the reader chooses another."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    quarter = SelectField("Quarter", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Show quarter", widget=GovSubmitInput())

    def __init__(self, options, formdata, **kwargs):
        kwargs.setdefault("quarter", options.default.code)
        super().__init__(formdata, **kwargs)
        self.quarter.choices = choices(
            (q.code, f"{q.long_label} so far" if q == options.current else q.long_label)
            for q in reversed(options.quarters))

    def validate_quarter(self, field):
        if field.data not in {c.value for c in field.choices}:
            raise ValidationError("Select a quarter from the list")

    @property
    def chosen(self):
        return Quarter.parse(self.quarter.data)
