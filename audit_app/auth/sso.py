"""Single sign-on with OpenID Connect (Microsoft Entra ID, Google Workspace, Keycloak, ...).

The authorisation code flow with PKCE (S256), through Authlib's Flask client: the provider's
discovery document (OIDC_ISSUER + /.well-known/openid-configuration) gives its endpoints and
keys. Authlib keeps the state, nonce and code verifier in the signed session and checks the
state on return; `verify()` below has it check the ID token's signature against the
provider's keys (JWKS), its issuer, audience (our client id), expiry and nonce.

Who the person is (`identify`): matched by the provider's subject (`sub`), recorded on the
account at their first single sign-on, found then by their email address when the provider
says it has verified it. Someone unknown is refused (or, if an admin chose so, given an
account with no role to wait for an admin); a deactivated account is refused.
"""

from dataclasses import dataclass

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app
from joserfc.errors import JoseError
from requests import RequestException
from sqlalchemy import select

from audit_app.admin import services as admin
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.models import User
from audit_app.notify import notify
from audit_app.settings import get_setting

SCOPE = "openid email profile"
SIGNED_IN, UNKNOWN, WAITING, DEACTIVATED, CLASH = (
    "signed_in", "unknown", "waiting", "deactivated", "clash")


class SignInFailed(Exception):
    """The provider's answer could not be trusted or used; `reason` is a short code."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class ProviderUnavailable(Exception):
    """The provider did not answer (its discovery document, keys or token endpoint)."""


def init_app(app):
    """Register the provider when OIDC_ISSUER and OIDC_CLIENT_ID are set; else nothing."""
    issuer, client_id = app.config.get("OIDC_ISSUER"), app.config.get("OIDC_CLIENT_ID")
    if not (issuer and client_id):
        return
    secret = app.config.get("OIDC_CLIENT_SECRET")
    client_kwargs = {"scope": SCOPE, "code_challenge_method": "S256", "timeout": 10}
    if not secret:  # a public client: PKCE alone, no client authentication
        client_kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105 (a method name)
    oauth = OAuth(app)
    oauth.register(
        "oidc",
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
    )
    app.extensions["sso"] = oauth


def client():
    oauth = current_app.extensions.get("sso")
    return oauth.oidc if oauth is not None else None


def redirect_uri():
    """Where the provider sends the person back: BASE_URL, never the request's Host header,
    so a forged Host cannot redirect the code elsewhere. Register it with the provider."""
    return current_app.config["BASE_URL"].rstrip("/") + "/sign-in/sso/callback"


def start(oidc):
    """The redirect to the provider's sign-in page (state, nonce and PKCE kept in session)."""
    try:
        return oidc.authorize_redirect(redirect_uri())
    except RequestException as error:
        raise ProviderUnavailable() from error


def _claims_options():
    """What the ID token must say, beyond its signature: checked by Authlib (joserfc)."""
    return {
        "iss": {"essential": True, "value": current_app.config["OIDC_ISSUER"]},
        "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }


def verify(oidc):
    """The verified ID token's claims from the provider's redirect back to us.

    Checks the state against the session, exchanges the code (with the PKCE verifier), and
    verifies the ID token: signature against the provider's published keys, issuer, audience,
    expiry and the nonce we sent. Raises SignInFailed or ProviderUnavailable.
    """
    try:
        token = oidc.authorize_access_token(claims_options=_claims_options())
    except MismatchingStateError:
        raise SignInFailed("state_mismatch") from None
    except OAuthError as error:
        raise SignInFailed(f"provider_error:{str(error.error)[:30]}") from None
    except JoseError as error:
        raise SignInFailed(f"id_token:{str(error.error)[:40]}") from None
    except (RequestException, RuntimeError) as error:
        raise ProviderUnavailable() from error
    except ValueError:  # an ID token that is not a JWT at all
        raise SignInFailed("id_token:malformed") from None
    claims = token.get("userinfo")
    if not claims:
        raise SignInFailed("no_id_token")
    return dict(claims)


def verified_email(claims):
    """The email address if the provider says it has verified it, else None.

    Most providers say so with `email_verified`; Microsoft Entra ID with its optional claim
    `xms_edov` (the email's domain is verified by the tenant).
    """
    email = claims.get("email")
    verified = claims.get("email_verified") is True or claims.get("xms_edov") is True
    if (isinstance(email, str) and verified and "@" in email and len(email) <= 254
            and email.isprintable()):
        return User.normalise_email(email)
    return None


def _display_name(claims, email):
    name = claims.get("name")
    if isinstance(name, str) and name.strip() and "\x00" not in name:
        return name.strip()[:120]
    return email.split("@")[0][:120]


@dataclass
class Outcome:
    code: str  # SIGNED_IN, UNKNOWN, WAITING, DEACTIVATED or CLASH
    user: User | None = None
    email: str | None = None


def identify(claims):
    """Decide who signed in, from a verified ID token's claims, and write the event.

    - the account whose recorded subject is `sub`;
    - else the account with the verified email, if it has no subject yet (the subject is
      recorded now); one with another subject is a CLASH, refused, since the provider says
      this is someone else;
    - else UNKNOWN, refused; or, when the admin setting says so, a new account with no role
      (WAITING for an admin to give it one);
    - a deactivated account is refused; an account with no role is still WAITING.
    The caller commits.
    """
    subject = str(claims["sub"])[:255]
    email = verified_email(claims)
    user = db.session.scalar(select(User).where(User.sso_subject == subject))
    if user is None and email is not None:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and user.sso_subject is not None:
            record("user", user.id, "sso_refused", after={"reason": "another subject"},
                   actor=user)
            return Outcome(CLASH, user, email)
        if user is not None:
            user.sso_subject = subject
            record("user", user.id, "sso_linked", after={"sso_subject": subject}, actor=user)
    if user is None:
        if email is not None and get_setting("sso_unknown_people") == "create":
            user = _create_waiting(email, _display_name(claims, email), subject)
            return Outcome(WAITING, user, email)
        record("user", None, "sso_refused",
               after={"reason": "unknown", "email": email, "email_verified": email is not None})
        return Outcome(UNKNOWN, None, email)
    if not user.active:
        record("user", user.id, "sso_refused", after={"reason": "deactivated"}, actor=user)
        return Outcome(DEACTIVATED, user, email)
    if not user.roles:
        record("user", user.id, "sso_refused", after={"reason": "no role yet"}, actor=user)
        return Outcome(WAITING, user, email)
    record("user", user.id, "signed_in", note="Single sign-on", actor=user)
    return Outcome(SIGNED_IN, user, email)


def _create_waiting(email, name, subject):
    """An account with no role, and word to every admin that it is waiting for one."""
    try:
        user = admin.create_user(email=email, name=name, roles=set(), actor=None)
    except admin.DuplicateError:  # the same person's other sign-in made it a moment ago
        db.session.rollback()
        return db.session.scalar(select(User).where(User.email == email))
    user.sso_subject = subject
    record("user", user.id, "sso_linked", after={"sso_subject": subject}, actor=user)
    admins = db.session.scalars(select(User).where(User.active)).all()
    for person in admins:
        if person.has_role("admin"):
            notify(person, "Someone is waiting for a role",
                   f"{name} ({email}) signed in with single sign-on and has no role yet.",
                   f"/admin/users/{user.id}")
    return user
