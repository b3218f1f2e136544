"""Agreement measures from hand-computed data sets, checked against audit_app.stats."""

from datetime import date, datetime

import pytest

from audit_app.extensions import db
from audit_app.measures import agreement
from audit_app.measures.agreement import Scope, agreement_report
from audit_app.measures.figures import TOO_SMALL
from audit_app.models.templates import OFSTED_SCALE
from audit_app.stats import cohen_kappa, grade_bias, gwet_ac1
from tests import factories
from tests.moderation_factories import (
    GOOD,
    INAD,
    OUT,
    RI,
    make_moderated,
    make_round,
    make_target,
    make_template,
    make_user,
    moderate,
    submitted_audit,
)
from tests.queries import statements

Q2 = Scope(start=date(2022, 7, 1), end=date(2022, 9, 30))

# (auditor's overall grade, final grade, how the final grade was reached)
TEN = [
    (GOOD, GOOD, {}),
    (GOOD, GOOD, {}),
    (GOOD, GOOD, {}),
    # Moderated lower, then agreed in discussion: the agreed grade is final.
    (GOOD, GOOD, {"moderator": RI, "agreed": GOOD}),
    (RI, RI, {}),
    (RI, RI, {}),
    # Moderated Good, agreed Requires improvement, then a challenge ruled Outstanding.
    (OUT, OUT, {"moderator": GOOD, "agreed": RI, "ruled": OUT}),
    (INAD, INAD, {}),
    (GOOD, RI, {}),
    (OUT, GOOD, {}),
]


@pytest.fixture
def people(users):
    return {
        "auditor": users["auditor"],
        "manager": users["manager"],
        "moderator": users["moderator"],
        "second_moderator": make_user("Mo Second", roles=("moderator",)),
    }


@pytest.fixture
def template(app):
    return make_template()


def ten_moderations(people, template, round_=None):
    round_ = round_ or make_round()
    made = []
    for auditor_grade, final, how in TEN:
        agreed = {"overall": how["agreed"]} if "agreed" in how else None
        ruled = {"overall": how["ruled"]} if "ruled" in how else None
        made.append(moderate(
            people["auditor"], people["moderator"], template,
            overall=(auditor_grade, how.get("moderator", final)), agreed=agreed, ruled=ruled,
            round_=round_,
        ))
    db.session.commit()
    return made


def test_ten_moderations_eight_agree(people, template):
    ten_moderations(people, template)
    make_target("agreement", 0.8, date(2021, 9, 1))
    make_target("agreement", 0.9, date(2022, 9, 1), source="Target for September 2022")
    make_target("agreement", 0.95, date(2022, 10, 1))  # not yet in force at Q2's end
    report = agreement_report(Q2)
    figure = report.overall.figure
    assert (figure.numerator, figure.denominator) == (8, 10)
    assert figure.ci_low == pytest.approx(0.4902, abs=5e-5)
    assert figure.ci_high == pytest.approx(0.9433, abs=5e-5)
    assert figure.small_sample
    # Judged against the target in force on 30 September 2022.
    assert (report.target.rate, report.target.source) == (0.9, "Target for September 2022")
    assert report.target_status.code == TOO_SMALL
    assert agreement_report(Scope(start=date(2022, 4, 1), end=date(2022, 6, 30))).target.rate \
        == 0.8
    assert report.categories == OFSTED_SCALE and report.scale_note is None
    assert report.coverage.moderated == 10 and report.coverage.quota == 9


def test_confusion_matrix_and_coefficients_match_the_stats_module(people, template):
    ten_moderations(people, template)
    overall = agreement_report(Q2).overall
    assert overall.matrix == [
        [1, 1, 0, 0],  # Outstanding: one agreed (after the ruling), one moderated to Good
        [0, 4, 1, 0],  # Good
        [0, 0, 2, 0],
        [0, 0, 0, 1],
    ]
    auditor = [a for a, _, _ in TEN]
    final = [f for _, f, _ in TEN]
    expected = cohen_kappa(auditor, final, categories=OFSTED_SCALE)
    assert overall.kappa.kappa == pytest.approx(expected.kappa)
    assert overall.kappa.ci_low == pytest.approx(expected.ci_low)
    linear = cohen_kappa(auditor, final, categories=OFSTED_SCALE, weights="linear")
    assert overall.weighted_kappa.kappa == pytest.approx(linear.kappa)
    assert overall.weighted_kappa.se == pytest.approx(linear.se)
    ac1 = gwet_ac1(auditor, final, categories=OFSTED_SCALE)
    assert overall.ac1.ac1 == pytest.approx(ac1.ac1)
    bias = grade_bias(auditor, final, OFSTED_SCALE)
    direction = overall.direction
    assert (direction.higher, direction.lower, direction.equal) == (2, 0, 8)
    assert direction.mean_difference == pytest.approx(bias.mean_difference) == 0.2
    assert direction.p_value == pytest.approx(bias.p_value) == 0.5
    assert any("Small sample" in note for note in overall.notes)


def test_final_grade_is_ruled_then_agreed_then_moderated(people, template):
    # Auditor Good each time; the final grade differs by which later grade is set.
    cases = [
        ({}, RI, "auditor_higher"),  # moderated RI
        ({"agreed": {"overall": GOOD}}, GOOD, "agree"),  # agreed beats moderated
        ({"agreed": {"overall": GOOD}, "ruled": {"overall": INAD}}, INAD, "auditor_higher"),
        ({"ruled": {"overall": OUT}}, OUT, "auditor_lower"),  # ruled beats moderated
    ]
    for kwargs, _final, _comparison in cases:
        moderate(people["auditor"], people["moderator"], template, overall=(GOOD, RI),
                 **kwargs)
    db.session.commit()
    overall = agreement_report(Q2).overall
    good = OFSTED_SCALE.index(GOOD)
    assert overall.matrix[good] == [1, 1, 1, 1]  # final: Outstanding, Good, RI, Inadequate
    assert (overall.direction.higher, overall.direction.lower) == (2, 1)
    rows = list(agreement.pairs(Q2))
    assert [r[12] for r in rows if r[6] == "Overall judgement"] == [RI, GOOD, INAD, OUT]


def test_filters(people, template, users):
    other_template = make_template(name="Thematic")
    round_a, round_b = make_round(name="A"), make_round(name="B", quota=5)
    other_auditor = make_user("Olu Other")
    base = dict(auditor=people["auditor"], moderator=people["moderator"], template=template,
                round_=round_a)
    made = {
        "base": moderate(**base),
        "team": moderate(**base, team_name="Macclesfield CIN/CP"),
        "template": moderate(**{**base, "template": other_template}),
        "auditor": moderate(**{**base, "auditor": other_auditor}),
        "moderator": moderate(**{**base, "moderator": people["second_moderator"]}),
        "round": moderate(**{**base, "round_": round_b}),
        # Audits count by their audit date: stored in UTC, counted by the UK day (summer
        # time: UTC+1), whenever they were moderated.
        "before": moderate(**base, audited_at=datetime(2022, 6, 30, 22, 59)),
        "after": moderate(**base, audited_at=datetime(2022, 9, 30, 23, 0)),
        "last_day": moderate(**base, audited_at=datetime(2022, 9, 30, 22, 59),
                             submitted_at=datetime(2022, 11, 2, 10)),
        "in_progress": moderate(**base, status="in_progress"),
    }
    db.session.commit()

    def count(**filters):
        scope = Scope(start=Q2.start, end=Q2.end, **filters)
        return agreement_report(scope).overall.figure.denominator

    assert count() == 7  # not before, after or in progress
    team = factories.team("Macclesfield CIN/CP")
    assert count(team_id=team.id) == 1
    assert count(service_id=team.service_id) == 7  # Crewe's and Macclesfield's service
    assert count(service_id=factories.team("Care Leavers").service_id) == 0
    assert count(template_id=other_template.id) == 1
    assert count(auditor_id=other_auditor.id) == 1
    assert count(moderator_id=people["second_moderator"].id) == 1
    assert count(round_id=round_b.id) == 1
    assert count(round_id=round_a.id, auditor_id=people["auditor"].id) == 5
    everything = agreement_report(Scope())
    assert everything.overall.figure.denominator == 9
    assert made["in_progress"].submitted_at is None


def test_an_audit_moderated_twice_counts_once_with_its_latest_moderation(people, template):
    audit = submitted_audit(people["auditor"], template)
    make_moderated(audit, people["moderator"], overall=(GOOD, RI), domains={
        "oversight": (GOOD, RI), "plan": (GOOD, RI)}, submitted_at=datetime(2022, 8, 1))
    # The later moderation agrees on the overall judgement and oversight, and leaves the plan
    # ungraded: the earlier moderation's plan grade stands.
    make_moderated(audit, people["second_moderator"], overall=(GOOD, GOOD),
                   domains={"oversight": (GOOD, GOOD)}, submitted_at=datetime(2022, 11, 1))
    db.session.commit()
    report = agreement_report(Q2)
    assert (report.overall.figure.numerator, report.overall.figure.denominator) == (1, 1)
    domains = {d.domain: d.figure for d in report.domains}
    assert (domains["management_oversight"].numerator,
            domains["management_oversight"].denominator) == (1, 1)
    assert (domains["plan"].numerator, domains["plan"].denominator) == (0, 1)
    calibration = report.auditors[0]
    assert (calibration.moderated, calibration.higher) == (1, 0)
    # Only the first moderator's: their moderation is the latest of the ones they did.
    first_only = agreement_report(Scope(start=Q2.start, end=Q2.end,
                                        moderator_id=people["moderator"].id))
    assert first_only.overall.figure.numerator == 0
    counted = [(row[5], row[6], row[17]) for row in agreement.pairs(Q2) if row[8]]
    assert counted == [
        (people["moderator"].name, "Overall judgement", "No"),
        (people["moderator"].name, "Is the plan SMART and child-focused?", "Yes"),
        (people["moderator"].name, "How effective is management oversight?", "No"),
        (people["second_moderator"].name, "Overall judgement", "Yes"),
        (people["second_moderator"].name, "How effective is management oversight?", "Yes"),
    ]


def test_quota_of_rounds_ending_in_the_period(people, template):
    q2 = make_round(name="Q2", quota=9, moderators=[people["moderator"]])
    q3 = make_round(name="Q3", period_start=date(2022, 10, 1), period_end=date(2022, 12, 31),
                    quota=9)
    both = make_round(name="Independent Q1-Q2", period_start=date(2022, 4, 1),
                      period_end=date(2022, 9, 30), quota=20, kind="independent")
    moderate(people["auditor"], people["moderator"], template, round_=q2)
    # A Q1 audit moderated in the Q1-Q2 round counts towards that round, which ends in Q2.
    moderate(people["auditor"], people["second_moderator"], template, round_=both,
             audited_at=datetime(2022, 5, 3, 9))
    moderate(people["auditor"], people["moderator"], template, round_=q3,
             audited_at=datetime(2022, 10, 3, 9))
    db.session.commit()
    found = agreement.coverage(Q2)
    assert (found.moderated, found.quota, found.rounds) == (2, 29, 2)
    assert found.figure.value == pytest.approx(2 / 29) and found.figure.ci_low is None
    assert found.figure.summary() == "7% (2 of 29)"
    assert agreement.coverage(Scope(round_id=q2.id)).quota == 9
    by_moderator = agreement.coverage(Scope(start=Q2.start, end=Q2.end,
                                            moderator_id=people["moderator"].id))
    assert (by_moderator.moderated, by_moderator.quota) == (1, 9)
    assert agreement.coverage(Q2).note is None
    assert agreement.coverage(Scope(start=Q2.start, team_id=1)).note
    year = agreement.coverage(Scope(start=date(2022, 4, 1), end=date(2023, 3, 31)))
    assert (year.moderated, year.quota, year.rounds) == (3, 38, 3)


def test_per_domain_agreement(people, template):
    for oversight in [(GOOD, GOOD), (GOOD, RI), (GOOD, RI), (RI, GOOD)]:
        moderate(people["auditor"], people["moderator"], template,
                 domains={"assessment": (GOOD, GOOD), "oversight": oversight})
    db.session.commit()
    domains = {d.domain: d for d in agreement_report(Q2).domains}
    assert list(domains) == ["assessment", "management_oversight"]  # plan had no grades
    oversight = domains["management_oversight"]
    assert oversight.label == "Management oversight"
    assert (oversight.figure.numerator, oversight.figure.denominator) == (1, 4)
    assert (oversight.higher, oversight.lower) == (2, 1)
    assert domains["assessment"].figure.value == 1.0


def test_per_auditor_flag(people, template):
    optimist = make_user("Opal Optimist")
    for _ in range(9):
        moderate(optimist, people["moderator"], template, overall=(GOOD, RI))
    for grades in [(GOOD, RI), (GOOD, RI), (OUT, GOOD), (GOOD, GOOD)]:
        moderate(people["auditor"], people["moderator"], template, overall=grades)
    moderate(people["manager"], people["moderator"], template, overall=(GOOD, GOOD))
    db.session.commit()
    rows = {r.name: r for r in agreement_report(Q2).auditors}
    flagged = rows["Opal Optimist"]
    assert (flagged.moderated, flagged.higher, flagged.lower) == (9, 9, 0)
    assert flagged.p_value == pytest.approx(2 / 512)  # two-sided: 2 x 0.5^9
    # Holm over the two auditors with a disagreement: 2 x 2/512, then max(4/512, 0.25).
    assert flagged.adjusted_p_value == pytest.approx(4 / 512)
    assert flagged.mean_difference == pytest.approx(1.0)
    assert flagged.figure.denominator == 9 and flagged.figure.numerator == 0
    assert flagged.over_grading
    aisha = rows[people["auditor"].name]
    assert (aisha.higher, aisha.lower) == (3, 0)
    assert aisha.p_value == aisha.adjusted_p_value == pytest.approx(0.25)
    assert not aisha.over_grading  # 3 of 3 could be chance
    assert aisha.mean_difference == pytest.approx(3 / 4)
    assert rows[people["manager"].name].adjusted_p_value is None  # nothing to test


def test_several_auditors_flagged_alone_are_adjusted_together(people, template):
    # Six auditors each 5 of 5 higher: alone, p = 2/32 = 0.0625 each, none flagged; four
    # each 6 of 6 higher: p = 2/64 = 0.03125 alone, flagged alone, but Holm over the ten
    # gives 10 x 0.03125 = 0.3125 for the smallest: nobody is flagged.
    for number in range(10):
        auditor = make_user(f"Auditor {number}")
        for _ in range(6 if number < 4 else 5):
            moderate(auditor, people["moderator"], template, overall=(GOOD, RI))
    db.session.commit()
    report = agreement_report(Q2)
    assert len(report.flagged_unadjusted) == 4
    assert report.flagged == []
    assert min(a.adjusted_p_value for a in report.auditors) == pytest.approx(0.3125)


def test_sign_test_matches_grade_bias():
    bias = grade_bias([GOOD] * 7 + [RI] * 2, [RI] * 7 + [GOOD] * 2, OFSTED_SCALE)
    assert agreement.sign_test(7, 2) == pytest.approx(bias.p_value)
    assert agreement.sign_test(0, 0) == 1.0


def test_challenges(people, template):
    moderate(people["auditor"], people["moderator"], template, overall=(GOOD, RI),
             ruled={"overall": GOOD}, challenges={"overall": "upheld"})
    moderate(people["auditor"], people["moderator"], template, overall=(GOOD, RI),
             domains={"oversight": (GOOD, RI)},
             challenges={"overall": "rejected", "oversight": None})
    moderate(people["auditor"], people["moderator"], template, overall=(GOOD, GOOD))
    db.session.commit()
    found = agreement_report(Q2).challenges
    assert (found.grades_challenged, found.challenges) == (3, 3)
    assert (found.upheld, found.rejected, found.pending) == (1, 1, 1)
    # The upheld ruling made the final grade Good: that moderation now agrees.
    assert agreement_report(Q2).overall.figure.numerator == 2


def test_no_moderations(app):
    report = agreement_report(Q2)
    assert report.overall.figure.denominator == 0
    assert report.overall.kappa.kappa is None
    assert report.overall.matrix == [] and report.categories == []
    assert report.overall.notes and "No overall judgements" in report.overall.notes[0]
    assert report.coverage.moderated == 0 and report.auditors == [] and report.domains == []


def test_everyone_agrees_on_good(people, template):
    for _ in range(3):
        moderate(people["auditor"], people["moderator"], template, overall=(GOOD, GOOD))
    db.session.commit()
    overall = agreement_report(Q2).overall
    assert overall.kappa.kappa is None and overall.ac1.ac1 is not None
    assert any("Kappa cannot be calculated" in note for note in overall.notes)


def test_mixed_scales_are_compared_by_rank(people, template):
    three = make_template(name="Three point")
    three.versions[0].scale = ["Good", "Adequate", "Inadequate"]
    db.session.flush()
    moderate(people["auditor"], people["moderator"], template, overall=(OUT, GOOD))
    moderate(people["auditor"], people["moderator"], three, overall=("Good", "Adequate"))
    db.session.commit()
    report = agreement_report(Q2)
    assert report.categories == ["Grade 1 (best)", "Grade 2", "Grade 3", "Grade 4"]
    assert "different lengths" in report.scale_note
    assert report.overall.matrix[0][1] == 2
    only_three = agreement_report(Scope(start=Q2.start, end=Q2.end, template_id=three.id))
    assert only_three.categories == ["Good", "Adequate", "Inadequate"]


def test_pairs(people, template):
    moderate(people["auditor"], people["moderator"], template, overall=(GOOD, RI),
             reference="LCS-7", domains={"oversight": (GOOD, GOOD)},
             challenges={"overall": None})
    db.session.commit()
    rows = list(agreement.pairs(Q2))
    assert len(rows) == 4  # overall and the three graded domain questions
    overall = dict(zip(agreement.PAIR_COLUMNS, rows[0], strict=True))
    assert overall["Case reference"] == "LCS-7"
    assert overall["Team"] == "Crewe CIN/CP"
    assert overall["Auditor"] == people["auditor"].name
    assert overall["Final grade"] == RI
    assert overall["Comparison"] == "Auditor higher (over-optimistic)"
    assert overall["Challenged"] == "Yes"
    assert overall["Submitted"] == date(2022, 8, 15)
    plan = dict(zip(agreement.PAIR_COLUMNS, rows[2], strict=True))
    assert plan["Domain"] == "SMART, child-focused plan"
    assert plan["Comparison"] == "Not compared" and plan["Challenged"] == "No"




def _build(people, template, n):
    round_ = make_round()
    auditors = [people["auditor"], people["manager"], make_user(f"Extra {n}")]
    grades = [(GOOD, GOOD), (GOOD, RI), (RI, GOOD), (OUT, OUT)]
    for i in range(n):
        moderate(auditors[i % 3], people["moderator"], template, overall=grades[i % 4],
                 domains={"oversight": grades[(i + 1) % 4]}, round_=round_,
                 challenges={"overall": None} if i % 5 == 0 else None)
    db.session.commit()


def test_query_count_does_not_grow_with_the_data(people, template):
    def report_and_pairs():
        agreement_report(Q2)
        list(agreement.pairs(Q2))

    _build(people, template, 5)
    db.session.expire_all()
    few = statements(report_and_pairs)
    _build(people, template, 55)
    db.session.expire_all()
    many = statements(report_and_pairs)
    assert agreement_report(Q2).coverage.moderated == 60
    assert few == many == 8  # seven for the report, one for the pairs


def test_high_agreement_on_one_grade_explains_low_kappa(people, template):
    # 18 of 20 agree, nearly all on Good: p_o = 0.90, p_e = 0.905, kappa = -0.05; AC1 = 0.89.
    for grades in [(GOOD, GOOD)] * 18 + [(GOOD, RI), (RI, GOOD)]:
        moderate(people["auditor"], people["moderator"], template, overall=grades)
    db.session.commit()
    overall = agreement_report(Q2).overall
    assert overall.kappa.kappa == pytest.approx(-0.005 / 0.095)
    assert overall.ac1.ac1 > 0.85
    assert any("Gwet's AC1 is designed for this" in note for note in overall.notes)
    assert agreement.strength(overall.kappa.kappa) == "poor"


@pytest.mark.parametrize(("value", "word"), [
    (-0.1, "poor"), (0.0, "slight"), (0.2, "slight"), (0.21, "fair"), (0.5, "moderate"),
    (0.8, "substantial"), (0.81, "almost perfect"), (1.0, "almost perfect"), (None, None),
])
def test_landis_and_koch_words(value, word):
    assert agreement.strength(value) == word
