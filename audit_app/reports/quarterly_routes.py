"""The quarterly headline report and the action-plan progress report: printable pages, and
their downloads (Excel and CSV; Word).

Who: leaders, quality assurance officers (moderators) and admins, the readers of the action
plan. The reports display what audit_app/reports/quarterly.py and audit_app/plan/position.py
gather; they count nothing. A quarter that is not one of the choices is said plainly: on
the page as a form error, for a download as a bad request naming the problem.
"""

from flask import render_template, request
from flask_login import current_user

from audit_app import downloads, inputs
from audit_app.authz import roles_required
from audit_app.blind_moderation import hidden_count
from audit_app.measures.agreement import FLAG_ALPHA, strength
from audit_app.measures.figures import SMALL_SAMPLE, p_text
from audit_app.plan.position import plan_position
from audit_app.plan.progress import RULE
from audit_app.plan.routes import READ_ROLES
from audit_app.plan.routes import _words as plan_words
from audit_app.reports import bp, plan_document, quarterly_export
from audit_app.reports.forms import ReportQuarterForm
from audit_app.reports.quarterly import quarterly_report
from audit_app.reports.services import quarter_options
from audit_app.timeutil import today

QUARTERLY_ROLES = READ_ROLES


def _form():
    return ReportQuarterForm(quarter_options(today()), request.args)


def _chosen_or_400():
    """The quarter a download is for; a bad request saying what is wrong otherwise."""
    form = _form()
    if not form.validate():
        raise inputs.BadInput(description=(
            "The web address does not name a quarter the report can show. Go back to the "
            "report and choose a quarter from the list."))
    return form.chosen


def _words():
    """What the report templates name codes and figures with (the plan's words too)."""
    return {**plan_words(), "p_text": p_text, "strength": strength,
            "small_sample": SMALL_SAMPLE, "flag_alpha": FLAG_ALPHA}


@bp.route("/quarterly")
@roles_required(*QUARTERLY_ROLES)
def quarterly():
    form = _form()
    report = quarterly_report(form.chosen, current_user, today()) if form.validate() else None
    return render_template("reports/quarterly.html", form=form, report=report, today=today(),
                           **_words())


def _filename(quarter, extension):
    return f"quarterly-report-{quarter.code}.{extension}"


@bp.route("/quarterly.xlsx")
@roles_required(*QUARTERLY_ROLES)
def quarterly_xlsx():
    quarter, day = _chosen_or_400(), today()
    report = quarterly_report(quarter, current_user, day)
    return downloads.xlsx_workbook_response(_filename(quarter, "xlsx"),
                                            quarterly_export.workbook_sheets(report, day))


@bp.route("/quarterly.csv")
@roles_required(*QUARTERLY_ROLES)
def quarterly_csv():
    quarter, day = _chosen_or_400(), today()
    report = quarterly_report(quarter, current_user, day)
    return downloads.csv_response(_filename(quarter, "csv"), quarterly_export.CSV_COLUMNS,
                                  quarterly_export.csv_rows(report, day))


@bp.route("/action-plan")
@roles_required(*QUARTERLY_ROLES)
def action_plan():
    form = _form()
    plan = plan_position(form.chosen, reader_id=current_user.id) if form.validate() else None
    return render_template("reports/action_plan.html", form=form, plan=plan, rule=RULE,
                           today=today(), left_out=hidden_count(current_user.id), **_words())


@bp.route("/action-plan.docx")
@roles_required(*QUARTERLY_ROLES)
def action_plan_docx():
    quarter, day = _chosen_or_400(), today()
    plan = plan_position(quarter, reader_id=current_user.id)
    return downloads.docx_response(f"action-plan-{quarter.code}.docx",
                                   plan_document.document(plan, quarter, day))
