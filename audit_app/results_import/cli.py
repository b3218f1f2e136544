"""`flask --app wsgi import-results FILE`: the results import, from the command line, for a
file of any length."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from audit_app.cases.cli import run_file_import
from audit_app.results_import.service import import_results


@click.command("import-results")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report, saving nothing.")
@with_appcontext
def import_results_command(file, dry_run):
    """Import historical audit results from a CSV or Excel (.xlsx) file: one row per audit.

    Columns: case_reference, team, template (slug), auditor (email), audited_on, overall,
    the question keys, and optionally opened_on, moderator, moderated_on, moderated_overall
    and moderated_<question key>. If any line has a problem nothing is imported, each
    problem is printed with its line and column, and the exit status is 1.
    """
    report = run_file_import(file, dry_run, lambda data: import_results(data, file.name))
    if report is not None and report.accounts:
        click.echo("Inactive accounts added (they cannot sign in until an administrator "
                   f"activates them): {', '.join(report.accounts)}")
