"""The upload page: admins and QA officers (moderators) import a results file.

A file of up to PAGE_ROWS audits is checked and imported in the request (a few seconds at
most: benchmarks/import_results.py imports 25,000 rows in well under 20); a longer one is
refused with the way to import it from the command line, so the browser never waits long.
"""

from flask import render_template
from flask_login import current_user

from audit_app.authz import roles_required
from audit_app.cases.importer import ImportRejected
from audit_app.extensions import db
from audit_app.results_import import bp
from audit_app.results_import.forms import UploadForm
from audit_app.results_import.service import import_results

ROLES = ("admin", "moderator")
PAGE_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
SHOWN = 50  # problems listed in the error summary; the rest are counted


def _sentence(problem):
    text = str(problem)
    return text[0].upper() + text[1:]


def summary(problems):
    """Error summary entries: the first SHOWN problems, each linking to the file field, then
    how many more there are."""
    shown = SHOWN
    entries = [{"text": _sentence(p), "href": "#file"} for p in problems[:shown]]
    if len(problems) > shown:
        more = len(problems) - shown
        entries.append({"text": f"And {more:,} more problem{'s' if more > 1 else ''}: "
                                "correct these and upload the file again to see them"})
    return entries


@bp.route("/", methods=["GET", "POST"])
@roles_required(*ROLES)
def upload():
    form = UploadForm()
    page_errors = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = import_results(upload.stream.read(MAX_BYTES + 1), upload.filename,
                                    actor=current_user, max_rows=PAGE_ROWS,
                                    max_bytes=MAX_BYTES)
        except ImportRejected as rejected:
            db.session.rollback()
            problems = rejected.problems
            if len(problems) == 1 and problems[0].column is None:
                form.file.errors.append(_sentence(problems[0]))
            else:
                form.file.errors.append(
                    f"The file has {len(problems):,} problem{'s' if len(problems) > 1 else ''}. "
                    "Nothing was imported. Correct the file and upload it again")
                page_errors = summary(problems)
        else:
            db.session.commit()
            # Shown, not redirected to: posting the same file again changes nothing.
            return render_template("results_import/imported.html", report=report)
    extra = {"page_errors": page_errors} if page_errors is not None else {}
    return render_template("results_import/upload.html", form=form, page_rows=PAGE_ROWS,
                           max_mb=MAX_BYTES // (1024 * 1024), **extra)
