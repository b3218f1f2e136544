from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from audit_app.auth import bp, policy, sso
from audit_app.auth.forms import ChangePasswordForm, SignInForm
from audit_app.auth.services import authenticate
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.security import is_safe_next, start_session

SIGN_IN_ERROR = (
    "Enter a correct email address and password. After 5 failed attempts an account "
    "is locked for 15 minutes."
)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.commit()  # keep the failure count
            form.email.errors.append(SIGN_IN_ERROR)
        else:
            record("user", user.id, "signed_in", actor=user)
            db.session.commit()
            start_session()
            login_user(user)
            current_app.logger.info("user %s signed in", user.id)
            return redirect(next_url if is_safe_next(next_url) else url_for("main.home"))
    return render_template(
        "auth/sign_in.html", form=form, sso=sso.client() is not None,
        passwords_on=policy.passwords_on(), next_url=next_url if is_safe_next(next_url) else None,
    )


def _sso_problem(problem, status, email=None):
    current_app.logger.warning("single sign-on refused: %s", problem)
    return render_template("auth/sso_problem.html", problem=problem, email=email), status


@bp.route("/sign-in/sso")
def sso_start():
    """Off to the provider's sign-in page (a link, not a form: the page's CSP allows forms
    to post to this site only, and a browser applies that to the redirect after a post)."""
    oidc = sso.client()
    if oidc is None:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    next_url = request.args.get("next")
    try:
        response = sso.start(oidc)
    except sso.ProviderUnavailable:
        return _sso_problem("unavailable", 503)
    session["sso_next"] = next_url if is_safe_next(next_url) else None
    return response


@bp.route("/sign-in/sso/callback")
def sso_callback():
    """Back from the provider: verify, decide who it is, and sign them in afresh."""
    oidc = sso.client()
    if oidc is None:
        abort(404)
    try:
        claims = sso.verify(oidc)
    except sso.SignInFailed as failure:
        record("user", None, "sso_refused", after={"reason": failure.reason})
        db.session.commit()
        return _sso_problem(failure.reason.split(":")[0], 400)
    except sso.ProviderUnavailable:
        return _sso_problem("unavailable", 503)
    next_url = session.get("sso_next")
    outcome = sso.identify(claims)
    db.session.commit()
    if outcome.code != sso.SIGNED_IN:
        return _sso_problem(outcome.code, 403, outcome.email)
    start_session()
    login_user(outcome.user)
    current_app.logger.info("user %s signed in with single sign-on", outcome.user.id)
    return redirect(next_url if is_safe_next(next_url) else url_for("main.home"))


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    if current_user.is_authenticated:
        # A copy of this session's cookie must not sign anyone in again.
        current_user.end_sessions()
        record("user", current_user.id, "signed_out", actor=current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()  # not the proxy: login_user stores it
    form = ChangePasswordForm(user)
    if form.validate_on_submit():
        user.set_password(form.new_password.data)
        record("user", user.id, "password_changed")
        db.session.commit()
        # The session version changed; sign this session in again with the new one.
        start_session()
        login_user(user)
        flash("Your password has been changed.")
        return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
