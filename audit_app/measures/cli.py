"""`flask --app wsgi measures`: the catalogue's figures for a period, as a table or JSON.

    flask --app wsgi measures --period 2022-Q2 [--team NAME | --service NAME |
        --template SLUG | --auditor EMAIL | --cohort KEY] [--by team|service|template|auditor]
        [--measure KEY ...] [--json]

JSON: a list of objects with exactly the keys measure, period, scope, numerator,
denominator, value, ci_low, ci_high, target and status (fractions from 0 to 1; value, the
interval, target and status are null where they do not apply). Any bad argument exits with
status 1 and a one-line message naming the problem.
"""

import json

import click
from flask.cli import with_appcontext

from audit_app.measures import catalogue
from audit_app.measures.compute import MeasureError, compute
from audit_app.measures.figures import percent
from audit_app.measures.periods import parse_period
from audit_app.measures.scope import ALL, BY, Scope, find_scope

SCOPE_OPTIONS = ("team", "service", "template", "auditor", "cohort")


class OneLineErrors(click.Command):
    """Every mistake in the arguments is one line, "Error: ...", and exit status 1."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise click.ClickException(error.format_message()) from None


def _scope(chosen):
    given = [(kind, value) for kind, value in chosen.items() if value is not None]
    if len(given) > 1:
        raise click.ClickException(
            "give at most one of --team, --service, --template, --auditor and --cohort "
            f"(got {', '.join('--' + kind for kind, _ in given)})")
    if not given:
        return ALL, Scope()
    try:
        named, narrowing = find_scope(*given[0])
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    return named, Scope(**narrowing)


def _status_text(result):
    if result.status is not None:
        return result.status.label
    if result.measure.judged:
        return "No target"
    return ""


def _table(results, period):
    header = ("Measure", "Scope", "Value", "Count", "95% CI", "Target", "Status")
    rows = []
    for result in results:
        figure = result.figure
        interval = (f"{percent(figure.ci_low)}-{percent(figure.ci_high)}"
                    if figure.denominator and figure.has_interval else "")
        small = " (small sample)" if figure.small_sample and figure.denominator else ""
        rows.append((result.measure.key, result.scope, percent(figure.value) + small,
                     f"{figure.numerator} of {figure.denominator}", interval,
                     percent(result.target.rate) if result.target else "",
                     _status_text(result)))
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [period.long_label, ""]
    for row in [header, *rows]:
        lines.append("  ".join(str(cell).ljust(width)
                               for cell, width in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


@click.command("measures", cls=OneLineErrors)
@click.option("--period", help="2022-Q2 (a quarter), 2022-23 (a financial year) or 2022-07 "
                               "(a month).")
@click.option("--team", help="One team, by name.")
@click.option("--service", help="One service, by name.")
@click.option("--template", help="One audit template, by its slug.")
@click.option("--auditor", help="One auditor, by email address.")
@click.option("--cohort", help="One cohort, by its key (e.g. child_in_need).")
@click.option("--by", "by", help="One figure per team, service, template or auditor.")
@click.option("--measure", "keys", multiple=True,
              help="Only this measure (repeat for several); all that apply by default.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def measures(period, team, service, template, auditor, cohort, by, keys, as_json):
    """Print the figures of the measures catalogue for a period."""
    if not period:
        raise click.ClickException("give a period with --period, e.g. 2022-Q2, 2022-23 or "
                                   "2022-07")
    try:
        period = parse_period(period)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if by is not None and by not in BY:
        raise click.ClickException(f"--by must be one of {', '.join(BY)}, not {by!r}")
    named, scope = _scope(dict(zip(SCOPE_OPTIONS, (team, service, template, auditor, cohort),
                                   strict=True)))
    try:
        chosen = [catalogue.find(key) for key in dict.fromkeys(keys)] or None
        results = compute(period, scope, named=named, by=by, measures=chosen)
    except (ValueError, MeasureError) as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps([result.as_dict() for result in results], indent=2))
    else:
        click.echo(_table(results, period))
