"""Learning and training entries' pages: a quarter's entries (leaders, quality assurance
officers and admins read them), and the forms that add and change them (quality assurance
officers and admins), following the action plan's pattern (audit_app/plan/routes.py)."""

from flask import render_template, request, url_for
from flask_login import current_user

from audit_app.authz import roles_required
from audit_app.extensions import db
from audit_app.measures.periods import Quarter
from audit_app.models import LearningEntry
from audit_app.plan import forms, learning
from audit_app.plan.routes import EDIT_ROLES, READ_ROLES, _add, _change, _filled, _may_edit, bp
from audit_app.reports.forms import ReportQuarterForm
from audit_app.reports.services import quarter_options
from audit_app.timeutil import today


def _list_url(quarter_code=None):
    return url_for("plan.learning_entries", quarter=quarter_code or None)


@bp.route("/learning")
@roles_required(*READ_ROLES)
def learning_entries():
    form = ReportQuarterForm(quarter_options(today()), request.args)
    quarter = form.chosen if form.validate() else None
    return render_template(
        "plan/learning.html", form=form, quarter=quarter,
        entries=learning.entries(quarter) if quarter else [], may_edit=_may_edit())


def _entry_form(*args, **kwargs):
    """The form, offering the quarters a report can be asked for."""
    return forms.LearningForm(list(reversed(quarter_options(today()).quarters)), *args,
                              **kwargs)


@bp.route("/learning/new", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def new_learning_entry():
    form = _entry_form()
    if request.method == "GET":
        chosen = request.args.get("quarter", "")
        if chosen in {c.value for c in form.quarter.choices if c.value}:
            form.quarter.data = chosen
    back = _list_url(form.quarter.data)
    return _add(form, lambda values: learning.create_entry(values, actor=current_user),
                lambda entry: _list_url(entry.quarter), "Learning entry added.",
                heading="Add learning or training", back=back,
                back_text="Back to learning and training")


@bp.route("/learning/<int:entry_id>/edit", methods=["GET", "POST"])
@roles_required(*EDIT_ROLES)
def edit_learning_entry(entry_id):
    entry = db.get_or_404(LearningEntry, entry_id)
    form = _entry_form(obj=entry)
    done = _list_url(entry.quarter)
    return _change(
        entry, form, lambda: _filled(_entry_form, entry),
        lambda values: learning.update_entry(entry, values, actor=current_user),
        done, "Learning entry saved.", heading="Change learning or training",
        caption=Quarter.parse(entry.quarter).label, noun="learning entry", back=done,
        back_text="Back to learning and training")
