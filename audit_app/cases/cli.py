"""`flask --app wsgi import-cases FILE`: the CSV import, from the command line."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from audit_app.cases import importer
from audit_app.extensions import db


@click.command("import-cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report, saving nothing.")
@with_appcontext
def import_cases(file, dry_run):
    """Add or update cases from a CSV file: reference,team,cohorts,opened_on[,closed_on].

    Cohorts are separated by ';'. Dates are YYYY-MM-DD or DD/MM/YYYY. If any line has a
    problem nothing is imported, each problem is printed, and the exit status is 1.
    """
    # No size limit here: the command line is how a whole register is first loaded.
    run_file_import(file, dry_run, lambda data: importer.import_cases(data, file.name,
                                                                      max_bytes=None))


def run_file_import(file, dry_run, do_import):
    """Run `do_import(the file's bytes)`, print its report or every problem (then exit 1),
    and commit it, or roll it back for a dry run. Returns the report, or None (dry run)."""
    try:
        report = do_import(file.read_bytes())
    except importer.ImportRejected as rejected:
        db.session.rollback()
        for problem in rejected.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{file.name}: {len(rejected.problems)} problem(s); nothing was imported.",
                   err=True)
        raise SystemExit(1) from None
    if dry_run:
        db.session.rollback()
        click.echo(f"{file.name} is valid; importing it would report: {report}. "
                   "Nothing was saved (--dry-run).")
        return None
    db.session.commit()
    click.echo(f"{file.name}: {report}.")
    return report
