from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from audit_app.auth.policy import sso_configured
from audit_app.extensions import db
from audit_app.main import bp
from audit_app.main.worklist import worklist_for
from audit_app.notify import mark_all_read
from audit_app.settings import get_setting


@bp.route("/")
@login_required
def home():
    return render_template("main/home.html", panels=worklist_for(current_user))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_notifications_read():
    mark_all_read(current_user)
    db.session.commit()
    flash("Notifications marked as read.")
    return redirect(url_for("main.home"))


@bp.route("/privacy")
def privacy():
    """What the tool stores and what it never stores; open to everyone, signed in or not."""
    return render_template("main/privacy.html", retention_years=get_setting("retention_years"),
                           sso=sso_configured())
