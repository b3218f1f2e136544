from dataclasses import replace

from flask import abort, render_template, request
from flask_login import current_user, login_required

from audit_app import downloads
from audit_app.authz import roles_required
from audit_app.blind_moderation import hidden_count
from audit_app.measures import catalogue, explained
from audit_app.measures.agreement import (
    FLAG_ALPHA,
    PAIR_COLUMNS,
    agreement_report,
    pairs,
    strength,
)
from audit_app.measures.figures import SMALL_SAMPLE, p_text, percent
from audit_app.reports import bp, services
from audit_app.reports.forms import AgreementFilterForm
from audit_app.timeutil import today


def _filter_form():
    return AgreementFilterForm(services.filter_options(today()), request.args)


def _valid_form_or_400():
    form = _filter_form()
    if not form.validate():
        abort(400)
    return form


def _scope(form):
    """The form's scope, less the audits the reader is moderating blind."""
    return replace(form.scope(), reader_id=current_user.id)


@bp.route("/agreement")
@roles_required(*services.REPORT_ROLES)
def agreement():
    form = _filter_form()
    report = agreement_report(_scope(form), today()) if form.validate() else None
    return render_template(
        "reports/agreement.html", form=form, report=report,
        scope_lines=_scope_lines(form) if report else [],
        query_args=form.query_args(), percent=percent,
        p_text=p_text, strength=strength, small_sample=SMALL_SAMPLE, flag_alpha=FLAG_ALPHA,
    )


def _scope_lines(form):
    """The filters in words, and what the reader's own blind moderations leave out."""
    lines = services.scope_lines(form)
    hidden = hidden_count(current_user.id)
    if hidden:
        lines.append(("Left out", f"{hidden} {'audit' if hidden == 1 else 'audits'} you are "
                                  "moderating blind, until you submit your moderation"))
    return lines


def _report_table():
    form = _valid_form_or_400()
    report = agreement_report(_scope(form), today())
    return services.report_rows(report, _scope_lines(form))


@bp.route("/agreement.csv")
@roles_required(*services.REPORT_ROLES)
def agreement_csv():
    return downloads.csv_response("agreement-report.csv", services.REPORT_COLUMNS, _report_table())


@bp.route("/agreement.xlsx")
@roles_required(*services.REPORT_ROLES)
def agreement_xlsx():
    return downloads.xlsx_response("agreement-report.xlsx", "Agreement report",
                                 services.REPORT_COLUMNS, _report_table())


@bp.route("/agreement-pairs.csv")
@roles_required(*services.REPORT_ROLES)
def agreement_pairs_csv():
    scope = _scope(_valid_form_or_400())
    return downloads.csv_response("agreement-pairs.csv", PAIR_COLUMNS, pairs(scope))


@bp.route("/agreement-pairs.xlsx")
@roles_required(*services.REPORT_ROLES)
def agreement_pairs_xlsx():
    scope = _scope(_valid_form_or_400())
    return downloads.xlsx_response("agreement-pairs.xlsx", "Compared grades", PAIR_COLUMNS,
                                 pairs(scope))


@bp.route("/how-figures-are-counted")
@login_required
def how_figures_are_counted():
    return render_template(
        "reports/how_figures_are_counted.html", measures=explained.measure_words(),
        words=explained.PAGE, targets=explained.targets(), scope_names=explained.scope_names(),
        titles={m.key: m.title for m in catalogue.MEASURES}, percent=percent)
