"""Flask CLI commands: `flask --app wsgi create-user`, `flask --app wsgi seed-demo`."""

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from audit_app import demo, demo_activity, demo_history, mail, notify, reminders, retention
from audit_app.admin import services as admin
from audit_app.admin.targets import load_reference_targets
from audit_app.audit_templates.cli import COMMANDS as TEMPLATE_COMMANDS
from audit_app.cases.cli import import_cases
from audit_app.extensions import db
from audit_app.measures.cli import measures
from audit_app.models import ROLES, AuditTemplate, Team
from audit_app.plan import learning
from audit_app.plan.seed import load_plan
from audit_app.results_import.cli import import_results_command


@click.command("create-user")
@click.option("--email", required=True, help="Sign-in email address (case-insensitive).")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice(sorted(ROLES)),
    help="A role; repeat for several.",
)
@click.option("--team", default=None, help="Team name, exactly as in the teams list.")
@click.password_option(help="Initial password (asked for when not given).")
@with_appcontext
def create_user(email, name, roles, team, password):
    """Create a user account."""
    team_id = None
    if team:
        team_obj = db.session.scalar(select(Team).where(Team.name == team))
        if team_obj is None:
            names = ", ".join(db.session.scalars(select(Team.name).order_by(Team.name)))
            raise click.UsageError(f"No team called {team!r}. Teams: {names or 'none yet'}")
        team_id = team_obj.id
    if len(password) < 12:
        raise click.UsageError("The password must be 12 characters or more.")
    try:
        user = admin.create_user(
            email=email, name=name, roles=set(roles), password=password, team_id=team_id
        )
    except admin.DuplicateError as error:
        raise click.UsageError(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(user.roles))}")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when there are users already.")
@with_appcontext
def seed_demo(if_empty):
    """Load the demo organisation, one account per role, demo activity, three years of
    audit history (2020-21 to 2022-23), the reference action plan with its targets, and
    learning and training entries answering its audit themes."""
    saved = Path(current_app.instance_path) / "demo-password.txt"
    password = demo.demo_password(os.environ.get("DEMO_PASSWORD"), saved)
    if not demo.is_empty():
        if not if_empty:
            raise click.UsageError("The database already has users; seed-demo needs an empty one.")
        click.echo("Demo data is already loaded.")
    else:
        demo.seed(password)
        template = db.session.scalar(
            select(AuditTemplate).where(AuditTemplate.slug == "whole-case-file"))
        users = demo_activity.demo_users()
        demo_activity.seed_activity(template, users)
        demo_history.seed_history(users)
        load_reference_targets()
        load_plan()
        learning.load_entries()
        db.session.commit()
    click.echo(f"Demo accounts (password: {password}):")
    for email in demo.demo_emails():
        click.echo(f"  {email}")


@click.command("send-email")
@with_appcontext
def send_email():
    """Email queued notifications (run it from cron every few minutes)."""
    if not mail.configured():
        click.echo("MAIL_SERVER is not set: notifications stay on users' home pages only.")
        return
    try:
        sent = notify.send_queued()
    except mail.MailError as error:
        raise click.ClickException(f"{error}. Unsent notifications stay queued for the next "
                                   "run.") from None
    click.echo(f"Sent {sent.count} email{'' if sent.count == 1 else 's'}.")
    for reason in sent.refused:
        click.echo(f"Not sent, queued to try again: {reason}", err=True)


@click.command("apply-retention")
@click.option("--dry-run", is_flag=True, help="List the cases it would anonymise; change nothing.")
@with_appcontext
def apply_retention(dry_run):
    """Remove the free text of audits of cases closed longer ago than the retention period,
    and replace their case references with random tokens (run it from cron, say nightly)."""
    run = retention.apply(dry_run=dry_run)
    closed = f"closed before {run.closed_before:%-d %B %Y} ({run.years}-year retention period)"
    if run.dry_run:
        click.echo(f"Dry run: {len(run.cases)} cases {closed} would be anonymised. "
                   "Nothing was changed.")
        for case in run.cases:
            click.echo(f"  case {case.id} (/cases/{case.id}), closed {case.closed_on:%-d %B %Y}")
        return
    click.echo(f"{len(run.cases)} cases {closed} anonymised.")
    for done in run.cases:
        click.echo(f"  case {done.case_id}: {done.total_text} texts removed, "
                   f"{done.events_redacted} event log entries emptied, "
                   f"{done.notifications_deleted} notifications deleted")


@click.command("send-reminders")
@with_appcontext
def send_reminders():
    """Email each action owner their actions due soon or overdue, and each team manager
    their teams' overdue actions: one digest each a day (run it from cron daily)."""
    if not mail.configured():
        click.echo("MAIL_SERVER is not set: reminders stay on users' home pages only.")
        return
    try:
        run = reminders.send_reminders()
    except mail.MailError as error:
        raise click.ClickException(f"{error}. Digests not sent are tried again by the next "
                                   "run today.") from None
    click.echo(f"Sent {run.sent} reminder digest{'' if run.sent == 1 else 's'}"
               + (f"; {run.already_sent} already sent today." if run.already_sent else "."))
    for reason in run.refused:
        click.echo(f"Not sent, tried again by the next run today: {reason}", err=True)


def register(app):
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(send_email)
    app.cli.add_command(apply_retention)
    app.cli.add_command(send_reminders)
    for command in TEMPLATE_COMMANDS:  # load-templates, import-template, export-template
        app.cli.add_command(command)
    app.cli.add_command(import_cases)
    app.cli.add_command(import_results_command)
    app.cli.add_command(measures)
