"""The quarterly report's own measures, against hand-counted fixtures: audit activity against
the programmes (audit_app/measures/activity.py) and the grade distribution
(audit_app/measures/grades.py).

Activity, Q2 2022-23 (July to September 2022), programme audits of the small template:

    P1  due 15 Aug, submitted 10 Aug        Crewe         done by the due date
    P2  due 15 Aug, submitted 20 Aug        Crewe         done, late
    P3  due 30 Sep, returned                Macclesfield  not done
    P4  due 30 Sep, allocated (not started) Crewe now (no team of its own yet)   not done
    P5  due 1 Oct (Q3), submitted 5 Sep     Macclesfield  submitted in Q2, not due in Q2
    P6  due 15 Aug on the other template, submitted 1 Aug, Macclesfield: done by the due date

Due in Q2: P1 P2 P3 P4 P6 = 5; done P1 P2 P6 = 3; by the due date P1 P6 = 2; submitted in
Q2: P1 P2 P5 P6 = 4. Crewe: due 3 (P1 P2 P4), done 2, by due 1, submitted 2. Macclesfield:
due 2 (P3 P6), done 1, by due 1, submitted 2 (P5 P6).
"""

from datetime import date, datetime

from audit_app.extensions import db
from audit_app.measures import catalogue
from audit_app.measures.activity import activity
from audit_app.measures.compute import compute
from audit_app.measures.grades import grade_distribution
from audit_app.measures.periods import Quarter
from audit_app.measures.scope import Scope
from audit_app.models import TemplateVersion
from tests import factories
from tests.moderation_factories import programme_for
from tests.test_measures import audit, hand_counted, people  # noqa: F401 (a fixture)

Q2 = Quarter(2022, 2)


def programme_audit(users, template, due_on, status="submitted", submitted=None,
                    team="Crewe CIN/CP", reference=None):
    case = factories.make_case(reference=reference, team_name=team)
    made = factories.make_audit(programme_for(template), case, users["auditor"],
                                status=status, due_on=due_on)
    if submitted is not None:
        made.submitted_at = datetime.combine(submitted, datetime.min.time().replace(hour=10))
        made.team_id = case.team_id
    return made


def test_audits_done_against_the_programmes_by_template_and_team(users):
    small = factories.make_template()
    other = factories.make_template(slug="other", name="Other template")
    programme_audit(users, small, date(2022, 8, 15), submitted=date(2022, 8, 10),
                    reference="LCS-P1")
    programme_audit(users, small, date(2022, 8, 15), submitted=date(2022, 8, 20),
                    reference="LCS-P2")
    programme_audit(users, small, date(2022, 9, 30), status="returned",
                    team="Macclesfield CIN/CP", reference="LCS-P3")
    programme_audit(users, small, date(2022, 9, 30), status="allocated", reference="LCS-P4")
    programme_audit(users, small, date(2022, 10, 1), submitted=date(2022, 9, 5),
                    team="Macclesfield CIN/CP", reference="LCS-P5")
    programme_audit(users, other, date(2022, 8, 15), submitted=date(2022, 8, 1),
                    team="Macclesfield CIN/CP", reference="LCS-P6")
    programme_audit(users, small, date(2022, 12, 15), submitted=date(2022, 12, 1),
                    reference="LCS-Q3")  # Q3 only: in no row
    db.session.commit()

    found = activity(Q2, Scope())

    def counts(row):
        return row.name, row.due, row.done, row.done_by_due, row.submitted

    assert counts(found.total) == ("All audits", 5, 3, 2, 4)
    assert [counts(r) for r in found.by_template] == [
        ("Other template", 1, 1, 1, 1), ("Small case file audit", 4, 2, 1, 3)]
    assert [counts(r) for r in found.by_team] == [
        ("Crewe CIN/CP", 3, 2, 1, 2), ("Macclesfield CIN/CP", 2, 1, 1, 2)]
    assert found.total.done_figure.value == 3 / 5
    assert not found.total.done_figure.has_interval  # work against a plan, not a sample
    # A quarter with nothing due or submitted has one row of zeros.
    assert counts(activity(Quarter(2021, 1), Scope()).total) == ("All audits", 0, 0, 0, 0)


def test_the_grade_distribution_adds_up_to_the_good_or_better_rates(people):  # noqa: F811
    hand_counted(people)
    found = grade_distribution(Q2, Scope())
    results = {r.measure.key: r.figure for r in compute(Q2, measures=[
        catalogue.find("good_or_better"), catalogue.find("good_or_better_as_audited")])}
    assert [g.label for g in found.grades] == [
        "Outstanding", "Good", "Requires improvement to be good", "Inadequate"]
    # By hand: as audited A1 G, A2 RI, A3 G, A4 O, A5 G, A7 G; final A1 G, A2 G, A3 RI,
    # A4 O (the later moderation), A5 Inadequate, A7 G.
    assert [g.audited.numerator for g in found.grades] == [1, 4, 1, 0]
    assert [g.final.numerator for g in found.grades] == [1, 3, 1, 1]
    assert found.audited_total == found.final_total == 6
    for kind, key in (("audited", "good_or_better_as_audited"), ("final", "good_or_better")):
        good = [getattr(g, kind) for g in found.grades[:2]]
        assert sum(f.numerator for f in good) == results[key].numerator
        assert good[0].denominator == results[key].denominator
    assert found.grades[3].final.summary() == "17% (1 of 6; 95% CI 3%–56%)"
    assert found.note is None


def test_grades_on_different_scales_are_compared_by_position(people):  # noqa: F811
    made, template, _ = hand_counted(people)
    three = factories.make_template(slug="three", name="Three grades")
    version = db.session.scalar(db.select(TemplateVersion).where(
        TemplateVersion.template_id == three.id))
    version.scale = ["Strong", "Adequate", "Weak"]
    audit(people, three, "Weak", reference="LCS-3G")
    db.session.commit()
    found = grade_distribution(Q2, Scope())
    assert [g.label for g in found.grades] == ["Grade 1 (best)", "Grade 2", "Grade 3",
                                               "Grade 4"]
    assert [g.audited.numerator for g in found.grades] == [1, 4, 2, 0]
    assert "different lengths" in found.note
