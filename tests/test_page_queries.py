"""The action and dip-sample pages make the same number of SQL statements when there is ten
times the data: the pages of benchmarks/page_queries.py's `action_pages` and
`dip_sample_pages`, measured by its own `measure`."""

import importlib.util
from pathlib import Path

from audit_app.demo_activity import demo_users, seed_activity
from audit_app.extensions import db
from audit_app.models import DipSampleRound
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.pages import CheckingClient

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "page_queries.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("page_queries", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_action_pages_make_as_many_queries_for_ten_times_the_data(app, users):
    benchmark = load_benchmark()
    app.config["WTF_CSRF_ENABLED"] = False
    # Each request in an app context of its own (as in a server), not the test's.
    app.test_client_class = CheckingClient
    template = factories.make_template(slug="page-queries")
    seed_activity(template, demo_users())
    db.session.commit()
    before = benchmark.measure(app, benchmark.action_pages, TEST_PASSWORD)
    benchmark.grow(template)
    db.session.commit()
    after = benchmark.measure(app, benchmark.action_pages, TEST_PASSWORD)
    assert len(before) == 12
    grew = {page: (before[page][0], after[page][0]) for page in before
            if after[page][0] != before[page][0]}
    assert grew == {}


def test_dip_sample_pages_make_as_many_queries_for_ten_times_the_data(app, users):
    benchmark = load_benchmark()
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = CheckingClient
    template = factories.make_template(slug="dip-page-queries")
    seed_activity(template, demo_users())
    db.session.commit()
    before = benchmark.measure(app, benchmark.dip_sample_pages, TEST_PASSWORD)
    benchmark.grow(template)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(DipSampleRound.id))) == 11
    after = benchmark.measure(app, benchmark.dip_sample_pages, TEST_PASSWORD)
    assert len(before) == 6
    grew = {page: (before[page][0], after[page][0]) for page in before
            if after[page][0] != before[page][0]}
    assert grew == {}
