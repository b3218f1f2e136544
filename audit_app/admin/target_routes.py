"""Admin pages for targets: list, add (once per form) and change (with the version the page
showed). The rules are in audit_app/admin/targets.py."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from audit_app import once
from audit_app.admin import bp
from audit_app.admin import targets as services
from audit_app.admin.forms import TargetForm
from audit_app.authz import roles_required
from audit_app.extensions import db
from audit_app.measures import catalogue, explained
from audit_app.measures.figures import percent
from audit_app.models import Target
from audit_app.templating import format_date
from audit_app.versioning import EditConflict, claim


def _form(scopes, **kwargs):
    return TargetForm(services.judged_measures(), scopes, **kwargs)


def _values(form):
    kind, _, ref = (form.applies_to.data or "").partition(":")
    return {"measure": form.measure.data, "scope_kind": kind, "scope_ref": ref,
            "rate": form.rate.data, "applies_from": form.applies_from.data,
            "source": form.source.data}


def _show(form, error):
    form[error.field].errors.append(str(error))


@bp.route("/targets")
@roles_required("admin")
def targets():
    return render_template(
        "admin/targets.html", targets=explained.targets(), scope_names=explained.scope_names(),
        titles={m.key: m.title for m in catalogue.MEASURES}, percent=percent)


@bp.route("/targets/new", methods=["GET", "POST"])
@roles_required("admin")
def new_target():
    form = _form(services.scope_choices())
    if form.validate_on_submit():
        token = form.form_token.data
        if (repeat := once.repeated(token, current_user, url_for("admin.targets"))) is not None:
            return repeat
        try:
            services.create_target(actor=current_user, **_values(form))
        except services.TargetError as error:
            db.session.rollback()
            _show(form, error)
        else:
            once.led_to(token, url_for("admin.targets"))
            db.session.commit()
            flash("Target added.")
            return redirect(url_for("admin.targets"))
    return render_template("admin/target_form.html", form=form, target=None)


def _shown(target, scopes):
    """The saved target as the form's fields show it, for the conflict page."""
    return {
        "Figure": catalogue.BY_KEY[target.measure].title,
        "Applies to": dict(scopes).get(f"{target.scope_kind}:{target.scope_ref}", ""),
        "Target (%)": percent(target.rate),
        "Applies from": format_date(target.applies_from),
        "Source": target.source,
    }


@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_target(target_id):
    target = db.get_or_404(Target, target_id)
    scopes = services.scope_choices()
    form = _form(scopes, obj=target)
    if request.method == "GET":
        form.applies_to.data = f"{target.scope_kind}:{target.scope_ref}"
        form.version.data = target.row_version
    conflict = None
    if form.validate_on_submit():
        values = _values(form)
        try:
            claim(target, form.version.data)
            services.update_target(target, values, actor=current_user)
        except EditConflict:
            db.session.rollback()
            theirs = _shown(target, scopes)
            mine = {"Figure": dict(services.judged_measures()).get(values["measure"], ""),
                    "Applies to": dict(scopes).get(form.applies_to.data, ""),
                    "Target (%)": percent(values["rate"]),
                    "Applies from": format_date(values["applies_from"]),
                    "Source": " ".join((values["source"] or "").split())}
            conflict = [(label, theirs[label], mine[label]) for label in theirs
                        if theirs[label] != mine[label]]
            form.version.raw_data = [str(target.row_version)]  # saving again keeps yours
        except services.TargetError as error:
            db.session.rollback()
            _show(form, error)
        else:
            db.session.commit()
            flash("Target saved.")
            return redirect(url_for("admin.targets"))
    return render_template("admin/target_form.html", form=form, target=target,
                           conflict=conflict)
