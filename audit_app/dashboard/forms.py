"""The dashboard's choice of quarter and scope, from the query string (so a dashboard's
address can be shared and its links carry the same choice)."""

from dataclasses import dataclass

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from sqlalchemy import func, select
from wtforms import SelectField, SubmitField
from wtforms.validators import ValidationError

from audit_app.extensions import db
from audit_app.forms import BaseForm, choices, one_of_the_choices
from audit_app.measures.periods import Quarter, last_complete_quarter, quarters_between
from audit_app.measures.scope import ALL, Named, Scope
from audit_app.models import Audit, Service, Team


@dataclass(frozen=True)
class Options:
    quarters: list  # oldest first, up to the quarter we are in
    default: Quarter  # the last complete quarter
    current: Quarter
    services: list  # (id, name)
    teams: list  # (id, name, service id)


def options(today):
    """Quarters from the first audit's to today's, the services and the teams (3 queries)."""
    first = db.session.scalar(select(func.min(Audit.audited_on)))
    default, current = last_complete_quarter(today), Quarter.containing(today)
    earliest = min(Quarter.containing(first), default) if first else default
    return Options(
        quarters=quarters_between(earliest, current), default=default, current=current,
        services=list(db.session.execute(select(Service.id, Service.name)
                                         .order_by(Service.name))),
        teams=list(db.session.execute(select(Team.id, Team.name, Team.service_id)
                                      .order_by(Team.name))),
    )


class DashboardForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    # validate_choice is off: these check their own values with the Design System's words.
    quarter = SelectField("Quarter", widget=GovSelect(), validate_choice=False,
                          validators=[one_of_the_choices("Select a quarter from the list")])
    service = SelectField("Service", widget=GovSelect(), validate_choice=False,
                          validators=[one_of_the_choices("Select a service from the list")])
    team = SelectField("Team", widget=GovSelect(), validate_choice=False,
                       validators=[one_of_the_choices("Select a team from the list")])
    submit = SubmitField("Show figures", widget=GovSubmitInput())

    def __init__(self, options, formdata, **kwargs):
        kwargs.setdefault("quarter", options.default.code)
        super().__init__(formdata, **kwargs)
        self.options = options
        self.quarter.choices = choices(
            (q.code, f"{q.label} so far" if q == options.current else q.label)
            for q in reversed(options.quarters))
        self.service.choices = choices(options.services, blank="All services")
        self.team.choices = choices(((i, name) for i, name, _ in options.teams),
                                    blank="All teams")

    def validate_quarter(self, field):
        if not field.data:
            raise ValidationError("Select a quarter")

    def validate_team(self, field):
        service = self.service.data
        team = next((t for t in self.options.teams if str(t[0]) == field.data), None)
        if team and service and str(team[2]) != service:
            name = {str(i): n for i, n in self.options.services}.get(service, "")
            raise ValidationError(f"Select a team in {name}, or All teams")

    @property
    def chosen_quarter(self):
        return Quarter.parse(self.quarter.data)

    def scope(self, reader_id):
        """(Scope, Named) of the choice, less what the reader is moderating blind."""
        team_id = int(self.team.data) if self.team.data else None
        service_id = int(self.service.data) if self.service.data else None
        if team_id is not None:
            named = Named("team", str(team_id), self._label(self.team))
        elif service_id is not None:
            named = Named("service", str(service_id), self._label(self.service))
        else:
            named = ALL
        return Scope(team_id=team_id, service_id=service_id, reader_id=reader_id), named

    @staticmethod
    def _label(field):
        return next(c.label for c in field.choices if c.value == field.data)

    def query_args(self, **changes):
        """The choice as query-string arguments, for links that keep it."""
        args = {name: self[name].data or "" for name in ("quarter", "service", "team")}
        args.update(changes)
        return {name: value for name, value in args.items() if value}
