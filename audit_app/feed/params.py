"""The feed's query parameters: each read once, checked, and refused with a message naming
the parameter (BadParameter, answered 400), never a server error."""

from dataclasses import replace

from audit_app.measures import catalogue
from audit_app.measures.compute import MeasureError, compute
from audit_app.measures.periods import parse_period
from audit_app.measures.scope import ALL, BY, Scope, find_scope

SCOPE_KINDS = ("team", "service", "template", "auditor", "cohort")
MEASURE_PARAMETERS = ("period", *SCOPE_KINDS, "by", "measure")
# Facts name no one, so they are not filtered by auditor either.
FACT_SCOPE_KINDS = ("team", "service", "template", "cohort")
FACT_PARAMETERS = ("period", *FACT_SCOPE_KINDS)
PERIOD_EXAMPLES = "2022-Q2 (a quarter), 2022-23 (a financial year) or 2022-07 (a month)"


class BadParameter(ValueError):
    def __init__(self, parameter, message):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def _only(args, allowed):
    """Refuse a parameter the feed does not read (a mistyped one would be ignored)."""
    for name in args:
        if name not in allowed:
            raise BadParameter(name[:100], f"unknown parameter {name[:100]!r}: this feed reads "
                                           f"{', '.join(allowed)}")


def _one(args, name):
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, f"give {name} once, not {len(values)} times")
    return values[0] if values else None


def _period(args, required):
    code = _one(args, "period")
    if code is None:
        if required:
            raise BadParameter("period", f"give a period, e.g. period=2022-Q2: {PERIOD_EXAMPLES}")
        return None
    try:
        return parse_period(code)
    except ValueError as error:
        raise BadParameter("period", str(error)) from None


def _scope(args, kinds):
    """(Named, Scope) for at most one of the scope parameters `kinds`."""
    given = [(kind, value) for kind in kinds if (value := _one(args, kind)) is not None]
    if len(given) > 1:
        raise BadParameter(given[1][0], f"give at most one of {', '.join(kinds)} (got "
                                        f"{', '.join(kind for kind, _ in given)})")
    if not given:
        return ALL, Scope()
    kind, name = given[0]
    try:
        named, narrowing = find_scope(kind, name)
    except ValueError as error:
        raise BadParameter(kind, str(error)) from None
    return named, Scope(**narrowing)


def measures(args, reader_id):
    """(period, figures) the query string asks for: the measures command's (audit_app/
    measures/cli.py), less what `reader_id` is moderating blind, as the agreement report
    leaves it out."""
    _only(args, MEASURE_PARAMETERS)
    period = _period(args, required=True)
    named, scope = _scope(args, SCOPE_KINDS)
    by = _one(args, "by")
    if by is not None and by not in BY:
        raise BadParameter("by", f"by must be one of {', '.join(BY)}, not {by[:100]!r}")
    try:
        chosen = [catalogue.find(key) for key in dict.fromkeys(args.getlist("measure"))]
        return period, compute(period, replace(scope, reader_id=reader_id), named=named,
                               by=by, measures=chosen or None)
    except (ValueError, MeasureError) as error:
        raise BadParameter("measure", str(error)) from None


def fact_scope(args, reader_id):
    """(period or None, Scope) of the audits whose facts the query string asks for."""
    _only(args, FACT_PARAMETERS)
    period = _period(args, required=False)
    _named, scope = _scope(args, FACT_SCOPE_KINDS)
    if period is not None:
        scope = replace(scope, start=period.start, end=period.end)
    return period, replace(scope, reader_id=reader_id)
