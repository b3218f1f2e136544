"""Who reads the feed: the bearer of a personal API token, or a signed-in leader or admin.

A request with an Authorization header is judged by its token alone, whatever session
cookie it also carries; without one, a signed-in leader or admin may open the feed in their
browser (to see what a BI tool will get). Tokens are read here only, in the feed's
`before_request`: no other page looks at the header, so a token opens nothing else.
Answers are JSON, as a BI tool expects: 401 with a WWW-Authenticate challenge (RFC 6750)
when there is no usable token, 403 for a signed-in user without the role.
"""

import json

from flask import Response, request
from flask_login import current_user

from audit_app.extensions import db
from audit_app.feed import tokens

REALM = 'Bearer realm="feed"'
HOW_TO_SIGN_IN = ("Send a personal API token in the header \"Authorization: Bearer "
                  "<token>\". Leaders and admins create tokens on their account page.")


def json_response(body, status=200):
    return Response(json.dumps(body), status=status, mimetype="application/json")


def problem(status, message, parameter=None):
    body = {"error": message}
    if parameter is not None:
        body["parameter"] = parameter
    return json_response(body, status)


def _quoted(text):
    """Text for a quoted header parameter: printable ASCII, no quotes or backslashes."""
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "'" for c in text)


def unauthorised(message, invalid_token):
    response = problem(401, message)
    challenge = REALM
    if invalid_token:
        challenge += f', error="invalid_token", error_description="{_quoted(message)}"'
    response.headers["WWW-Authenticate"] = challenge
    return response


def reader():
    """(the user reading the feed, None) or (None, the refusal to send)."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return None, unauthorised(HOW_TO_SIGN_IN, invalid_token=False)
        try:
            user = tokens.authenticate(token.strip(), used_for=request.full_path.rstrip("?"))
        except tokens.Refused as refusal:
            db.session.commit()  # the refusal's event
            return None, unauthorised(refusal.message, invalid_token=True)
        db.session.commit()  # the use's event and last-used time, before any answer
        return user, None
    if current_user.is_authenticated:
        if not current_user.has_role(*tokens.FEED_ROLES):
            return None, problem(403, "The feed is for leaders and administrators.")
        return current_user._get_current_object(), None
    return None, unauthorised(HOW_TO_SIGN_IN, invalid_token=False)
