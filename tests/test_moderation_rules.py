"""The final-grade and comparison rules: one definition each, read the same in Python and SQL."""

from itertools import product

from sqlalchemy import inspect, select

from audit_app.extensions import db
from audit_app.measures.agreement import Scope, agreement_report
from audit_app.models import ModerationGrade
from audit_app.models.moderation import compare_ranks, final, sample_reason_label
from tests.moderation_factories import GOOD, INAD, OUT, RI, make_template, moderate


def test_compare_ranks_direction():
    assert compare_ranks(1, 1) == "agree"
    assert compare_ranks(0, 2) == "auditor_higher"  # Outstanding vs Requires improvement
    assert compare_ranks(3, 1) == "auditor_lower"
    assert compare_ranks(None, 1) is None and compare_ranks(1, None) is None


def test_final_is_ruled_then_agreed_then_moderated():
    assert final("ruled", "agreed", "moderated") == "ruled"
    assert final(None, "agreed", "moderated") == "agreed"
    assert final(None, None, "moderated") == "moderated"
    assert final(None, None, None) is None
    assert final(0, 3, 2) == 0  # rank 0, the best grade, is a grade like any other
    assert final(None, 0, 2) == 0


def test_python_and_sql_agree_on_every_combination(users):
    """Each of ruled, agreed and moderated present or not: the row's properties (Python)
    and the same hybrid attributes in a query (SQL) give the same final grade, rank,
    comparison and basis."""
    template = make_template()
    made = {}
    for ruled, agreed, moderated in product((OUT, None), (INAD, None), (RI, None)):
        moderation = moderate(users["auditor"], users["moderator"], template,
                              overall=(GOOD, moderated),
                              agreed={"overall": agreed} if agreed else None,
                              ruled={"overall": ruled} if ruled else None)
        made[(ruled, agreed, moderated)] = moderation.grades[0].id
    db.session.commit()
    db.session.expire_all()
    rows = {row.id: row for row in db.session.execute(
        select(ModerationGrade.id, ModerationGrade.final_grade, ModerationGrade.final_rank,
               ModerationGrade.comparison))}
    for (ruled, agreed, moderated), grade_id in made.items():
        grade = db.session.get(ModerationGrade, grade_id)
        expected = ruled or agreed or moderated
        assert grade.final_grade == rows[grade_id].final_grade == expected
        assert grade.final_rank == rows[grade_id].final_rank == (
            None if expected is None else [OUT, GOOD, RI, INAD].index(expected))
        assert grade.comparison == rows[grade_id].comparison == {
            OUT: "auditor_lower", INAD: "auditor_higher", RI: "auditor_higher",
            None: None}[expected]
        assert grade.final_basis == (
            "ruled" if ruled else "agreed" if agreed else "moderator" if moderated else None)


def test_the_comparison_is_derived_never_stored(users):
    """Change a grade straight on the row, with no workflow code to update anything else:
    the comparison and the report follow, because nothing derived is stored to go stale."""
    assert "comparison" not in {c["name"] for c in inspect(db.engine).get_columns(
        "moderation_grades")}
    moderation = moderate(users["auditor"], users["moderator"], make_template(),
                          overall=(GOOD, RI))
    db.session.commit()
    q2 = Scope(start=moderation.audit.audited_on, end=moderation.audit.audited_on)
    assert agreement_report(q2).overall.direction.higher == 1
    grade = moderation.grades[0]
    grade.agreed_grade, grade.agreed_rank = GOOD, 1
    db.session.commit()
    assert grade.comparison == "agree"
    overall = agreement_report(q2).overall
    assert (overall.direction.higher, overall.figure.numerator) == (0, 1)


def test_reason_labels_come_from_the_audits_own_scale():
    scale = ["Excellent", "Adequate", "Poor"]
    assert sample_reason_label("targeted_top", scale) == "Targeted: judged Excellent"
    assert sample_reason_label("targeted_bottom", scale) == "Targeted: judged Poor"
    for code in ("targeted_top", "targeted_bottom"):
        assert sample_reason_label(code, scale, hide_grade=True) == (
            "Targeted: judged Excellent or Poor")
    assert sample_reason_label("random", scale, hide_grade=True) == "Random"
    assert sample_reason_label("hand_picked", scale) == "Picked by hand"
    assert sample_reason_label("stratified_team", scale) == "Stratified by team"
