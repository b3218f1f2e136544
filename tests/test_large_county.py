"""The large-county generator (benchmarks/large_county.py) at a tiny scale: it loads, the
same seed gives the same county, and the measures count it like any other data."""

from flask_migrate import upgrade
from sqlalchemy import func, select

from audit_app import create_app, demo
from audit_app.extensions import db
from audit_app.measures.compute import compute
from audit_app.measures.periods import FinancialYear
from audit_app.models import Answer, Audit, Moderation, ModerationGrade
from benchmarks.large_county import generate
from tests.conftest import TEST_PASSWORD

SCALE = 0.004  # 100 audits


def fingerprint():
    """What the county holds, independent of the ids the database gave it."""
    audits = db.session.execute(
        select(Audit.audited_on, Audit.overall_rank, Audit.status).order_by(
            Audit.audited_on, Audit.overall_rank, Audit.status)).all()
    grades = db.session.execute(
        select(func.count(), func.sum(ModerationGrade.moderator_rank))).one()
    answers = db.session.execute(select(func.count(), func.sum(Answer.grade_rank))).one()
    return audits, tuple(grades), tuple(answers)


def test_a_tiny_county_loads_and_counts(app, users):
    summary = generate(seed=7, scale=SCALE)
    assert summary.audits == db.session.scalar(select(func.count(Audit.id))) == 100
    assert summary.moderations == db.session.scalar(select(func.count(Moderation.id)))
    assert summary.moderations >= 40  # a QA round every quarter, an independent one a year
    assert summary.answers == db.session.scalar(select(func.count(Answer.id)))
    assert 20 <= summary.answers / summary.audits <= 32
    year = {r.measure.key: r.figure for r in compute(FinancialYear(2020))}
    assert 0 < year["good_or_better"].denominator <= 12
    assert year["agreement"].denominator >= 1
    assert year["moderation_coverage"].denominator >= 1
    assert str(summary).startswith("100 audits")


def test_the_same_seed_gives_the_same_county(tmp_path):
    found = []
    for run in range(2):
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI":
                                     f"sqlite:///{tmp_path / f'county{run}.db'}"})
        with app.app_context():
            upgrade()
            demo.seed(TEST_PASSWORD)
            db.session.commit()
            generate(seed=11, scale=SCALE)
            found.append(fingerprint())
            db.session.remove()
            db.engine.dispose()
    assert found[0] == found[1]
    assert len(found[0][0]) == 100
