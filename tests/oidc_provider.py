"""A real OpenID Connect provider on 127.0.0.1 for single sign-on tests (oidc-provider-mock).

`oidc_provider` (one per test process) serves discovery, keys, the authorisation page and
the token endpoint, signing ID tokens with its own key. Its authorisation page is a form
with one field, `sub`: posting a subject signs that person in. `provider.add_person(...)`
sets the claims the provider gives for a subject.

Between the provider and the app sits `Interceptor`, standing in for an attacker on the
network or a misbehaving provider: when told, it replaces the token endpoint's answer (with
another client's genuine tokens: wrong audience) or alters the ID token after signing
(tampered). It does nothing otherwise.

`sso_app_config(provider)` is the app configuration that points at it.
"""

import base64
import io
import json
import threading
import warnings
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from werkzeug.serving import WSGIRequestHandler, make_server

CLIENT_ID = "case-file-audit"
CLIENT_SECRET = "not-a-real-secret"  # noqa: S105 (the mock provider accepts any)


class Interceptor:
    """WSGI middleware: the token endpoint's answer, replaced or altered when asked to."""

    def __init__(self, app):
        self.app = app
        self.replace_token_response = None  # bytes: the whole JSON answer
        self.alter_id_token = None  # function(id_token) -> id_token
        self.token_requests = []  # the form of each token request, as posted

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/oauth2/token":
            return self.app(environ, start_response)
        posted = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(posted)
        self.token_requests.append(parse_qs(posted.decode()))
        if not (self.replace_token_response or self.alter_id_token):
            return self.app(environ, start_response)
        captured = {}

        def keep(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers

        body = b"".join(self.app(environ, keep))
        if captured["status"].startswith("200"):
            if self.replace_token_response is not None:
                body = self.replace_token_response
            else:
                answer = json.loads(body)
                answer["id_token"] = self.alter_id_token(answer["id_token"])
                body = json.dumps(answer).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]


@dataclass
class Provider:
    issuer: str
    interceptor: Interceptor
    people: dict = field(default_factory=dict)

    def add_person(self, sub, email, name="Jo Bloggs", email_verified=True, **claims):
        claims = {"email": email, "email_verified": email_verified, "name": name, **claims}
        response = requests.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims,
                                timeout=10)
        assert response.status_code == 204, response.text
        return sub

    def sign_in_at_provider(self, authorize_url, sub):
        """What the person does on the provider's page: returns the redirect back to the app
        (its URL, with code and state)."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False,
                                 timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def tokens_for_another_client(self, sub, nonce):
        """A genuine token answer from this provider, issued to another client with the
        same nonce: all it gets wrong for our app is the audience."""
        redirect = "http://127.0.0.1/elsewhere"
        query = {"client_id": "another-service", "redirect_uri": redirect,
                 "response_type": "code", "scope": "openid email profile", "nonce": nonce,
                 "state": "s"}
        back = self.sign_in_at_provider(
            f"{self.issuer}/oauth2/authorize?"
            + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items()), sub)
        code = parse_qs(urlsplit(back).query)["code"][0]
        response = requests.post(f"{self.issuer}/oauth2/token", timeout=10, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
            "client_id": "another-service", "client_secret": "x"})
        assert response.status_code == 200, response.text
        return response.content

    def reset(self):
        self.interceptor.replace_token_response = None
        self.interceptor.alter_id_token = None
        self.interceptor.token_requests.clear()


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def tamper_claims(id_token, **changes):
    """The ID token with its claims changed and its signature left as it was."""
    header, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


def sso_app_config(provider):
    return {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_BUTTON_TEXT": "Sign in with Example Council"}


@pytest.fixture(scope="session")
def _provider_server():
    with warnings.catch_warnings():
        # The mock provider itself uses parts of Authlib that Authlib has deprecated.
        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock

        app = oidc_provider_mock.app()
    interceptor = Interceptor(app)
    server = make_server("127.0.0.1", 0, interceptor, threaded=True,
                         request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}", interceptor)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def oidc_provider(_provider_server):
    _provider_server.reset()
    yield _provider_server
    _provider_server.reset()
