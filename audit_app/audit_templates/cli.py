"""`flask load-templates`, `flask import-template FILE`, `flask export-template SLUG`."""

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from audit_app.audit_templates import jsonio, services
from audit_app.extensions import db
from audit_app.models import AuditTemplate, TemplateVersion


@click.command("load-templates")
@with_appcontext
def load_templates():
    """Load and publish the built-in templates that are not in the database yet."""
    loaded, present = services.load_builtin_templates()
    db.session.commit()
    click.echo(f"Loaded: {', '.join(loaded) or 'none'}")
    if present:
        click.echo(f"Already present (left as they are): {', '.join(present)}")


@click.command("import-template")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", default=None, help="Import under this slug instead of the file's.")
@click.option("--publish", "publish_it", is_flag=True, help="Publish the new version at once.")
@with_appcontext
def import_template(file, slug, publish_it):
    """Import a template from a JSON file: a new template, or a new draft of an existing one."""
    try:
        spec = jsonio.loads(file.read_bytes())
        version, created = services.import_template(
            spec, slug=slug, publish_it=publish_it, source=file.name
        )
    except jsonio.TemplateFileError as error:
        db.session.rollback()
        raise click.ClickException(
            f"{file} cannot be imported:\n" + "\n".join(f"  {e}" for e in error.errors)
        ) from None
    except services.PublishError as error:
        db.session.rollback()
        raise click.ClickException(
            f"{file} cannot be published:\n" + "\n".join(f"  {p.text}" for p in error.problems)
        ) from None
    except (services.FieldError, services.DraftExistsError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    what = "new template" if created else "new version of"
    click.echo(f"Imported {file.name}: {what} {version.template.slug}, version {version.number} "
               f"({version.status})")


@click.command("export-template")
@click.argument("slug")
@click.option("--version", "number", type=int, default=None,
              help="Version number (default: the latest published one).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@with_appcontext
def export_template(slug, number, output):
    """Export a version of a template as JSON."""
    template = db.session.scalar(select(AuditTemplate).where(AuditTemplate.slug == slug))
    if template is None:
        raise click.ClickException(f"No template with the slug {slug!r}")
    if number is None:
        version = template.latest_published
        if version is None:
            raise click.ClickException(f"{slug} has no published version: give --version")
    else:
        version = db.session.scalar(select(TemplateVersion).where(
            TemplateVersion.template_id == template.id, TemplateVersion.number == number))
        if version is None:
            raise click.ClickException(f"{slug} has no version {number}")
    text = services.export_json(version)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}")


COMMANDS = (load_templates, import_template, export_template)
