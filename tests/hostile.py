"""Hostile input for every route: the values, a form reader, and the driver.

The driver signs in as one role, reads every page the role can open (starting from the
authorization matrix's paths, which name a real record for every route, then following
links), and from each page's <form>s learns what each route accepts. Then, for each form:

- every field hostile at once, turn by turn, each field a different value of `VALUES`, so
  that every field meets every value (what each field's own parsing and checks make of it);
- each field on its own with the values most likely to get past its checks (`DEEP`), the
  other fields as the page filled them, so the value reaches the view and the database;
- every field missing, every field twice, and a forged CSRF token;

and for each page, its query parameters (those of its GET forms and those the views read
directly); and for each route, its URL ids out of range. The CSRF token and the hidden
version and one-time token stay as the page gave them, and are read again after a post that
changed something, so requests get past the CSRF check into validation and the views. Any
5xx, or an exception from the app, is a failure.

A case is one hostile value in one field, parameter or id of one request; a request that
makes every field hostile is as many cases as it has fields. The first role the matrix lets
use a route sends it everything above; every other role that may use it sends a share of
the turns (a different share for each role), so the run stays within `make test`'s budget.
"""
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask.testing import FlaskClient
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import IntegerConverter, RequestRedirect

from tests.conftest import TEST_PASSWORD

# (what it is, the value), every one sent to every field, parameter and id. Strings may hold
# lone surrogates: they are sent as the bytes a careless client would send for them (ED A0 80).
VALUES = (
    ("empty", ""),
    ("spaces only", "   "),
    ("NUL", "\x00"),
    ("negative", "-1"),
    ("5,000 digits", "9" * 5000),
    ("1e9999999", "1e9999999"),
    ("-Infinity", "-Infinity"),
    ("superscript digit", "\u00b2"),
    ("far date", "31/12/9999"),
    ("10,000 characters", "\u00e9" * 10_000),
    ("lone surrogate", "LCS-\ud800-1"),
    ("right-to-left", "\u202e\u0645\u0631\u062d\u0628\u0627 \u0661\u0662"),
    ("emoji, markup and SQL", "\U0001f469\u200d\U0001f467 <b>%_\\' OR 1=1; --</b>"),
)
# More values, for the fields and parameters they are meant for (below).
VALUE = {**dict(VALUES), "NUL inside": "LCS-1\x0012", "2^31": "2147483648",
         "2^63": "9223372036854775808", "1e26": "1e26", "sNaN": "sNaN",
         "far quarter": "9999-Q4"}
# One field at a time, with the others as the page filled them, so that a value reaches the
# view and the database: the values most likely to get past each kind of field's own checks.
DEEP = {
    "text": ("spaces only", "NUL inside", "1e26", "sNaN", "10,000 characters"),
    "choice": ("spaces only", "2^63"),
    "hidden": ("2^63", "superscript digit"),
}
DEEP_DATES = (("31", "12", "9999"), ("1", "1", "0001"), ("1", "1", "99999"))
# Query parameters: each page once per value, every parameter it reads set to it.
QUERY_VALUES = ("NUL", "2^63", "far quarter")
# Ids in URLs: past the database's integer range, and past SQLite's.
HOSTILE_IDS = ("2147483648", "99999999999999999999")

CSV_HEADER = b"reference,team,cohorts,opened_on,closed_on\r\n"
RESULTS_HEADER = (b"case_reference,team,template,auditor,audited_on,overall,visits_in_time,"
                  b"moderator,moderated_on,moderated_overall\r\n")
FILES = (
    ("empty file", b""),
    ("NUL bytes", b"\x00" * 64),
    ("not UTF-8", b"\xff\xfe\x00\x00"),
    ("CSV with NUL", CSV_HEADER + b"LCS-1\x0012,Crewe CIN/CP,child_in_need,2024-01-01,\r\n"),
    ("CSV with control characters",
     CSV_HEADER + b"LCS-\x1b12,Crewe CIN/CP,child_in_need,2024-01-01,\r\n"),
    ("CSV with far dates", CSV_HEADER + b"LCS-912,Crewe CIN/CP,child_in_need,0001-01-01,"
                                        b"31/12/9999\r\n"),
    ("CSV with a lone surrogate", CSV_HEADER + b"LCS-\xed\xa0\x8012,Crewe CIN/CP,cp,"
                                               b"2024-01-01,\r\n"),
    ("CSV with a 10,000-character cell", CSV_HEADER + b"LCS-1," + b"x" * 10_000 + b",cp,"
                                                       b"2024-01-01,\r\n"),
    ("CSV with a formula", CSV_HEADER + b"=1+2,=HYPERLINK(\"x\"),cp,2024-01-01,\r\n"),
    ("results CSV with hostile cells", RESULTS_HEADER
     + b"LCS-1,Crewe CIN/CP,whole-case-file,a@b.uk,31/12/9999,Good,1e999,m@b.uk,0001-01-01,"
       b"\xed\xa0\x80\r\n" + b"LCS-2," + b"x" * 10_000 + b",plo," + b"y" * 300
     + b"@b.uk,2022-07-01,RI,NaN,,,\r\n"),
    ("damaged workbook", b"PK\x03\x04" + b"\x00" * 200),
    ("deeply nested JSON", b"[" * 100_000 + b"]" * 100_000),
    ("deeply nested JSON objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    ("JSON with a lone surrogate", b'{"format": "case-audit-template/1", "name": "\\ud800",'
                                   b' "\\udc00": 1}'),
    ("JSON with a 5,000-digit number", b'{"scale": {"good_or_better": ' + b"9" * 5000
                                       + b"}}"),
    ("JSON with NUL text", b'{"format": "case-audit-template/1", "name": "a\\u0000b", '
                           b'"slug": "nul\\u0000", "purpose": "whole_case_file"}'),
    ("JSON with huge numbers", b'{"scale": {"grades": ["A", "B"], "good_or_better": 1e999},'
                               b' "has_overall": 99999999999999999999}'),
)

FORGED = "a forged CSRF token"
HOSTILE_FILE_NAMES = ("a\x00b.csv", "\u202eVSC.json", "x" * 5000 + ".csv")


def _param_names_in_source():
    """Query parameters the views read directly (page, next, kept...), from the source."""
    names = set()
    for path in (Path(__file__).resolve().parents[1] / "audit_app").rglob("*.py"):
        names.update(re.findall(r"args\.get\(\s*[\"'](\w+)[\"']", path.read_text()))
    return sorted(names)


QUERY_NAMES = _param_names_in_source()


def encode(value):
    """Percent-encoded UTF-8, lone surrogates included (as a client might send them)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def urlencoded(pairs):
    return "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs).encode()


# Reading forms -------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, hidden, password, textarea, select, radio, checkbox, file, submit
    values: list = field(default_factory=list)  # as the page filled it (one per box)
    options: list = field(default_factory=list)

    def baseline(self):
        """What a person would send: the page's values, or a plausible choice."""
        if self.kind in ("select", "radio"):
            return self.values[:1] or [next((o for o in self.options if o), "")]
        if self.kind == "checkbox":
            return self.values or (self.options[:1] if len(self.options) > 1 else [])
        if self.kind in ("text", "textarea", "password"):
            return [v or PLAUSIBLE.get(self.name, "Test 12") for v in self.values]
        return list(self.values)


# Values that get a blank required box past its own check, so other fields are tested deep.
PLAUSIBLE = {"email": "hostile.tester@example.org.uk", "password": TEST_PASSWORD,
             "current_password": TEST_PASSWORD, "case_reference": "AUTHZ-1001",
             "reference": "AUTHZ-1001"}


@dataclass
class Form:
    method: str
    action: str
    page: str
    fields: dict = field(default_factory=dict)  # name -> Field, in page order

    def targets(self):
        """The fields to make hostile: everything but the buttons and the CSRF token."""
        return [f for f in self.fields.values() if f.kind != "submit" and f.name != "csrf_token"]


class PageReader(HTMLParser):
    """The forms and links of a page (the standard library's parser: fast, and enough)."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms, self.links = [], []
        self.form = self.select = self.textarea = None

    def _field(self, name, kind):
        fields = self.form.fields
        if name not in fields:
            fields[name] = Field(name, kind)
        return fields[name]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            action = a.get("action") or self.page
            self.form = Form((a.get("method") or "get").upper(), action, self.page)
            self.forms.append(self.form)
        if self.form is None or not a.get("name"):
            if tag == "option" and self.select is not None:
                self._option(a)
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                f = self._field(name, kind)
                f.options.append(a.get("value", "on"))
                if "checked" in a:
                    f.values.append(a.get("value", "on"))
            elif kind == "submit":
                self._field(name, "submit").values.append(a.get("value", ""))
            else:
                kind = kind if kind in ("hidden", "password", "file") else "text"
                self._field(name, kind).values.append(a.get("value", ""))
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            self._field(name, "submit").values.append(a.get("value", ""))
        elif tag == "select":
            self.select = self._field(name, "select")
        elif tag == "textarea":
            self.textarea = self._field(name, "textarea")
            self.textarea.values.append("")
        elif tag == "option" and self.select is not None:
            self._option(a)

    def _option(self, a):
        value = a.get("value", "")
        self.select.options.append(value)
        if "selected" in a:
            self.select.values.append(value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.values[-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def read_page(html, page):
    reader = PageReader(page)
    reader.feed(html)
    for form in reader.forms:
        for f in form.fields.values():
            if f.kind == "textarea":
                # A textarea's content starts after a newline the browser drops.
                f.values = [v[1:] if v.startswith("\n") else v for v in f.values]
    return reader.forms, reader.links


# Driving -------------------------------------------------------------------------------


class QuietClient(FlaskClient):
    """Each request in its own app context, as in a real server (see tests/pages.py), without
    the page checks, which cost more than the requests."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@dataclass
class Failure:
    role: str
    method: str
    path: str
    what: str
    outcome: str

    def __str__(self):
        return f"{self.role}: {self.method} {self.path[:100]} [{self.what[:160]}] -> {self.outcome}"


def slots(form):
    """(field, box) for each value a form sends: a date's day, month and year are three."""
    return [(f, box) for f in form.targets() for box in range(max(1, len(f.values))
                                                               if f.kind == "text" else 1)]


def fill(form, hostile):
    """The form's pairs with `hostile` {(field name, box): value} in place of the page's."""
    pairs = []
    for f in form.fields.values():
        if f.kind == "submit" or f.kind == "file":
            continue
        values = f.baseline()
        replaced = {box: v for (name, box), v in hostile.items() if name == f.name}
        if replaced:
            if f.kind == "text" and len(f.values) > 1:
                values = [replaced.get(box, v) for box, v in enumerate(values)]
            else:
                values = list(replaced.values())
        pairs.extend((f.name, v) for v in values)
    submit = next((f for f in form.fields.values() if f.kind == "submit"), None)
    if submit is not None:
        pairs.append((submit.name, submit.values[0]))
    return pairs


def deep_values(f):
    if f.kind in ("select", "radio", "checkbox"):
        return [(label, {0: VALUE[label]}) for label in DEEP["choice"]]
    if f.kind == "hidden":
        return [(label, {0: VALUE[label]}) for label in DEEP["hidden"]]
    if f.kind == "text" and len(f.values) == 3:
        return [("/".join(day), dict(enumerate(day))) for day in DEEP_DATES]
    return [(label, {0: VALUE[label]}) for label in DEEP["text"]]


def first_users(matrix, roles):
    """{(endpoint, method): the first role the matrix lets use it}. That role sends a route
    the whole table; every other role that may use it, a share (`Driver.SHARE` values, a
    different share for each role), since the route reads their input the same way."""
    first = {}
    for row in matrix:
        allowed = [r for r in roles if row[r] == "200" or row[r].split()[0] in ("302", "409")]
        key = (row["endpoint"], row["method"])
        if allowed and (key not in first or roles.index(allowed[0]) < roles.index(first[key])):
            first[key] = allowed[0]
    return first


class Driver:
    PAGES_PER_ENDPOINT = 2  # pages of one route with different records (section 1, 2)
    SHARE = 4  # values in turn a role that is not a route's first user sends each form

    def __init__(self, app, role, user, start_requests, first_users, role_index):
        self.app, self.role, self.user = app, role, user
        app.test_client_class = QuietClient
        self.client = app.test_client()
        self.adapter = app.url_map.bind("localhost")
        self.start_requests = start_requests  # (method, path) for every route
        self.first_users = first_users
        self.role_index = role_index
        self.requests = 0
        self.cases = 0
        self.failures = []
        self.csrf_refusals = []
        self.covered = set()  # (endpoint, method) sent hostile input
        self.pages = {}  # path -> forms read from it (None when it is not a page)
        self.forms = {}  # (endpoint, method, field names) -> Form

    # -- plumbing --

    def endpoint(self, path, method):
        try:
            return self.adapter.match(urlsplit(path).path, method)[0]
        except (NotFound, MethodNotAllowed, RequestRedirect):
            return None

    def sign_in(self):
        if self.role == "anonymous":
            return
        page = self.client.get("/sign-in").get_data(as_text=True)
        forms, _ = read_page(page, "/sign-in")
        token = next(f.fields["csrf_token"].values[0] for f in forms if "email" in f.fields)
        response = self.client.post("/sign-in", data={
            "csrf_token": token, "email": self.user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, f"{self.role} cannot sign in"

    def send(self, method, path, what, cases=1, **kwargs):
        """One hostile request; a 5xx or an exception from the app is a failure."""
        endpoint = self.endpoint(path, method)
        if endpoint is not None:
            self.covered.add((endpoint, method))
        try:
            response = self.client.open(path, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 - any exception from the app is the finding
            self.failures.append(Failure(self.role, method, path, what,
                                         f"{type(error).__name__}: {str(error)[:200]}"))
            response = None
        self.requests += 1
        self.cases += cases
        if response is not None and response.status_code == 400 and what != FORGED and \
                b"your form could not be sent" in response.data:
            # The driver's own fault: the request never reached the view it was meant for.
            self.csrf_refusals.append(Failure(self.role, method, path, what, "CSRF refusal"))
        if response is not None and response.status_code >= 500:
            self.failures.append(Failure(self.role, method, path, what,
                                         str(response.status_code)))
        if (response is not None and self.role != "anonymous"
                and response.status_code == 302
                and urlsplit(response.headers["Location"]).path == "/sign-in"):
            self.sign_in()  # a hostile sign-out or password change ended the session
        return response

    def paths(self, method):
        return [p for m, p in self.start_requests if m == method]

    def first_user(self, path, method):
        """Whether this role sends the route the whole table (see `first_users`)."""
        return self.first_users.get((self.endpoint(path, method), method), self.role) \
            == self.role

    # -- discovery --

    def read(self, path):
        """GET a page (not a case) and note its forms; returns its links."""
        response = self.client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            self.pages[path] = None
            return []
        forms, links = read_page(response.get_data(as_text=True), path)
        self.pages[path] = forms
        for form in forms:
            key = (self.endpoint(form.action, form.method), form.method, tuple(form.fields))
            self.forms.setdefault(key, form)
        return links

    def discover(self):
        seen = defaultdict(set)
        queue = self.paths("GET")
        while queue:
            path = queue.pop(0)
            endpoint = self.endpoint(path, "GET")
            if path in self.pages or endpoint is None or \
                    len(seen[endpoint]) >= self.PAGES_PER_ENDPOINT:
                continue
            seen[endpoint].add(path)
            for link in self.read(path):
                parts = urlsplit(link)
                if not parts.netloc and parts.path.startswith("/") and not parts.query:
                    queue.append(parts.path)

    def refresh(self, form):
        """Read the form's page again after a post that changed something: a new version
        and one-time token (the form itself may have gone: a removed record)."""
        self.pages.pop(form.page, None)
        self.read(form.page)
        for new in self.pages.get(form.page) or ():
            if new.action == form.action and set(new.fields) == set(form.fields):
                form.fields = new.fields
                return

    # -- driving --

    def drive_query_parameters(self):
        """Each route's page once per value, every parameter it reads set to that value:
        those of its GET forms (filters) and those views read directly (page, next...)."""
        by_endpoint = {}
        for path, forms in self.pages.items():
            by_endpoint.setdefault(self.endpoint(path, "GET"), (path, forms))
        for path, forms in by_endpoint.values():
            names = set(QUERY_NAMES)
            for form in forms or ():
                if form.method == "GET":
                    names.update(f.name for f in form.targets())
            values = QUERY_VALUES if self.first_user(path, "GET") else QUERY_VALUES[:1]
            for label in values:
                query = urlencoded([(name, VALUE[label]) for name in sorted(names)]).decode()
                # In place of any query string the matrix's path has (the feed's ?period=).
                self.send("GET", urlsplit(path).path, f"every parameter {label}",
                          cases=len(names), query_string=query)

    def drive_ids(self):
        """Every route's URL ids, out of range: a 404 (or a refusal), never a 500."""
        token = self.csrf_token()
        for rule in self.app.url_map.iter_rules():
            ints = [name for name, converter in rule._converters.items()
                    if isinstance(converter, IntegerConverter)]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}) if ints else ():
                whole = self.first_users.get((rule.endpoint, method), self.role) == self.role
                ids = HOSTILE_IDS if whole else \
                    HOSTILE_IDS[self.role_index % len(HOSTILE_IDS):][:1]
                for hostile in ids:
                    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, h=hostile, i=ints: h
                                  if m.group(1) in i else "1", rule.rule)
                    self.send(method, path, f"ids {hostile[:20]}", data=token)

    def csrf_token(self, fresh=False):
        """A CSRF token from a page read; `fresh`: from that page read again (the session
        has changed since)."""
        for path, forms in list(self.pages.items()):
            for form in forms or ():
                if "csrf_token" in form.fields:
                    if fresh:
                        self.pages.pop(path)
                        self.read(path)
                        return self.csrf_token()
                    return {"csrf_token": form.fields["csrf_token"].values[0]}
        return {}

    def post(self, form, pairs, what, cases=1):
        response = self.send(form.method, form.action, what, cases=cases,
                             data=urlencoded(pairs),
                             content_type="application/x-www-form-urlencoded")
        if response is not None and response.status_code in (302, 303):
            self.refresh(form)

    def drive_form(self, form):
        if any(f.kind == "file" for f in form.targets()):
            return self.drive_upload(form)
        boxes = slots(form)
        whole = self.first_user(form.action, form.method)
        # Every field hostile at once, each with a different value, turn by turn: every
        # field meets every value (or this role's share of them).
        turns = range(len(VALUES)) if whole else \
            [(self.role_index * self.SHARE + t) % len(VALUES) for t in range(self.SHARE)]
        for turn in turns:
            hostile = {(f.name, box): VALUES[(turn + i) % len(VALUES)][1]
                       for i, (f, box) in enumerate(boxes)}
            self.post(form, fill(form, hostile), f"all fields, turn {turn}", cases=len(boxes))
        # A forged CSRF token: refused (400) before anything is read.
        self.post(form, [("csrf_token", VALUE["NUL"])] + [
            (n, v) for n, v in fill(form, {}) if n != "csrf_token"], FORGED)
        if not whole:
            return
        # Wrong shapes: every field missing; every field sent twice.
        names = {f.name for f, _ in boxes}
        self.post(form, [(n, v) for n, v in fill(form, {}) if n not in names or
                         n == "csrf_token"], "every field missing", cases=len(names))
        self.post(form, fill(form, {}) + [(n, VALUE["2^31"]) for n in sorted(names)],
                  "every field twice", cases=len(names))
        # One field at a time, the others as the page filled them.
        for f in form.targets():
            for label, values in deep_values(f):
                self.post(form, fill(form, {(f.name, box): v for box, v in values.items()}),
                          f"{f.name} {label}")

    def drive_upload(self, form):
        files = [f for f in form.targets() if f.kind == "file"]
        text = fill(form, {})
        for label, content in FILES:
            for f in files:
                data = {**dict(text), f.name: (io.BytesIO(content), "hostile.csv")}
                self.send(form.method, form.action, f"{f.name} {label}", data=data,
                          content_type="multipart/form-data")
        for name in HOSTILE_FILE_NAMES:
            for f in files:
                data = {**dict(text), f.name: (io.BytesIO(FILES[3][1]), name)}
                self.send(form.method, form.action, f"{f.name} named {name!r}", data=data,
                          content_type="multipart/form-data")
        for f in files:  # text where a file belongs
            self.send(form.method, form.action, f"{f.name} as text",
                      data={**dict(text), f.name: "not a file"},
                      content_type="multipart/form-data")

    def drive_unformed_posts(self, driven, ending):
        """POST routes no page offered this role a form for: hostile bodies all the same
        (signing out, which makes every CSRF token stale, after the others)."""
        token = list(self.csrf_token().items())
        for path in self.paths("POST"):
            endpoint = self.endpoint(path, "POST")
            if (endpoint, "POST") in driven or ("sign_out" in endpoint) != ending:
                continue
            # Refused before the body is read (the role, or the record's state): a few do.
            for label, value in VALUES[:3]:
                if ending:
                    token = list(self.csrf_token(fresh=True).items())
                self.send("POST", path, f"body {label}", cases=3,
                          data=urlencoded([*token, ("version", value), ("form_token", value),
                                           ("name", value)]),
                          content_type="application/x-www-form-urlencoded")

    def run(self):
        self.sign_in()
        self.discover()
        self.drive_query_parameters()
        forms = {key: form for key, form in self.forms.items() if key[1] != "GET"}

        def order(key):
            """Forms that remove records next to last, so the others find their pages; and
            signing out last of all, since a new session makes every CSRF token stale."""
            endpoint = key[0] or ""
            return ("sign_out" in endpoint, any(word in endpoint for word in
                                                ("remove", "discard", "publish")))

        ending = [key for key in forms if "sign_out" in (key[0] or "")]
        for key in sorted(set(forms) - set(ending), key=order):
            self.drive_form(forms[key])
        driven = {(key[0], key[1]) for key in forms}
        self.drive_unformed_posts(driven, ending=False)
        self.drive_ids()
        for key in ending:
            self.drive_form(forms[key])
        self.drive_unformed_posts(driven, ending=True)
        return self
