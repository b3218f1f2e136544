"""Placeholder values for the feed rows of the authorization matrix: the leader's token."""

from audit_app.extensions import db
from audit_app.feed import tokens
from audit_app.models import ApiToken


def placeholders(users):
    leader = users["leader"]
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == leader.id))
    if token is None:
        token, _secret = tokens.issue(leader, "Matrix", 30)
        db.session.commit()  # the matrix's requests run in their own sessions
    return {"leader_token_id": token.id}
