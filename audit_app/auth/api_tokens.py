"""A leader's or admin's personal API tokens, on their account: list, create, revoke.

A new token is shown once, in the answer to the form that made it; it is never kept in the
session (a cookie) nor anywhere else, so that page is the only place it appears.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from audit_app import once
from audit_app.auth import bp
from audit_app.auth.forms import ApiTokenForm
from audit_app.authz import roles_required
from audit_app.extensions import db
from audit_app.feed import tokens
from audit_app.measures.periods import Quarter
from audit_app.models import ApiToken
from audit_app.timeutil import today, utcnow

SHOWN_ONCE = ("That form had already been sent, so the token was made once. Its token could "
              "only be shown in answer to the first click: if you did not copy it, revoke it "
              "and create another.")


def _page(form):
    mine = db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
    return render_template("auth/api_tokens.html", form=form, tokens=mine, now=utcnow(),
                           max_active=tokens.MAX_ACTIVE,
                           example_period=Quarter.containing(today()).code)


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@roles_required(*tokens.FEED_ROLES)
def api_tokens():
    user = current_user._get_current_object()
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _page(form)
    here = url_for("auth.api_tokens")
    if not once.first_post(form.form_token.data, user):
        flash(SHOWN_ONCE)
        return redirect(here)
    try:
        token, secret = tokens.issue(user, form.name.data, form.days())
    except tokens.TooManyTokens:
        db.session.rollback()
        form.name.errors.append(f"You have {tokens.MAX_ACTIVE} active tokens, the most anyone "
                                "may hold: revoke one you no longer use first")
        return _page(form)
    once.led_to(form.form_token.data, here)
    db.session.commit()
    return render_template("auth/api_token_created.html", token=token, secret=secret)


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(*tokens.FEED_ROLES)
def revoke_api_token(token_id):
    try:
        revoked = tokens.revoke(token_id, current_user)
    except LookupError:
        abort(404)
    db.session.commit()
    flash("Token revoked: it no longer opens the feed." if revoked
          else "That token had already been revoked.")
    return redirect(url_for("auth.api_tokens"))
