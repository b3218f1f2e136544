from flask import render_template
from flask_login import current_user, login_required

from audit_app.main import bp
from audit_app.main.worklist import worklist_for


@bp.route("/")
@login_required
def home():
    return render_template("main/home.html", panels=worklist_for(current_user))
