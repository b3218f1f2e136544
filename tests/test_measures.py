"""The measures catalogue against a hand-counted fixture.

Q2 2022-23 (July to September 2022). Auditor's overall grade / final grade after moderation;
management oversight (a graded question) / its final grade; "Was the child seen alone?" (a
yes/no question in the voice-of-the-child domain). Crewe CIN/CP unless said.

A1  Good / Good (not moderated)          oversight Good      seen alone yes  (plan RI)
    private fostering cohort
A2  RI / Good (moderated Good)           Inadequate -> RI    no
A3  Good / RI: moderated RI, agreed Good, ruled RI            Good (not re-graded)  partly
A4  Outstanding / Outstanding: moderated twice, the earlier Outstanding -> RI and oversight
    Good -> RI, the later agrees Outstanding and leaves oversight: its final is RI
                                                              n/a
A5  Good / Inadequate (moderated)        RI                  yes    Macclesfield, case
    moved to Crewe since; audited by Olu Other
A7  Good, submitted 23:30 UTC on 30 June 2022 = 00:30 on 1 July in the UK: Q2
                                         oversight Good      yes
A10 no overall judgement (a template without one)   oversight Outstanding   yes
Not counted in Q2: A6 a draft, A8 submitted 22:30 UTC on 30 June (Q1), A9 returned.

By hand, Q2:
- good_or_better: A1, A2, A4, A7 of A1-A5, A7 (A10 has no overall): 4 of 6
- good_or_better_as_audited: A1, A3, A4, A5, A7: 5 of 6
- agreement: A4 only (latest moderation), of A2, A3, A4, A5: 1 of 4
- domain_good_or_better:management_oversight: A1, A3, A7, A10 of 7: 4 of 7
- domain_good_or_better:plan: 0 of 1
- compliance:voice_of_child: yes A1, A5, A7, A10 of yes/no/partly (A4 n/a left out): 4 of 6
- moderation_coverage: 4 audits moderated (A4 once) against the round's quota of 9
"""

import json
from datetime import date, datetime

import pytest

from audit_app.extensions import db
from audit_app.measures import catalogue
from audit_app.measures.compute import MeasureError, compute
from audit_app.measures.periods import FinancialYear, Month, Quarter
from audit_app.measures.scope import ALL, BY, Named, Scope, find_scope
from audit_app.models import Answer, Audit
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
    submitted_audit,
)
from tests.queries import statements

Q2 = Quarter(2022, 2)
VALUE = {"yes": "yes", "no": "no", "partly": "partly", "n/a": "not_applicable"}


def audit(people, template, overall=None, oversight=None, seen=None, plan=None,
          team="Crewe CIN/CP", auditor="auditor", at=datetime(2022, 7, 1, 9), status=None,
          cohorts=None, reference=None):
    made = submitted_audit(people[auditor], template, team_name=team, audited_at=at,
                           reference=reference)
    version = made.template_version
    made.overall_grade, made.overall_rank = overall, version.grade_rank(overall)
    questions = {q.key: q for q in version.questions}
    for key, value in (("oversight", oversight), ("plan", plan)):
        if value:
            db.session.add(Answer(audit_id=made.id, question_id=questions[key].id, value=value,
                                  grade_rank=version.grade_rank(value)))
    if seen:
        db.session.add(Answer(audit_id=made.id, question_id=questions["voice_seen"].id,
                              value=VALUE[seen]))
    if cohorts:
        made.case.cohorts = set(cohorts)
    if status:
        made.status = status
        if status == "in_progress":
            made.submitted_at = None
    db.session.flush()
    return made


@pytest.fixture
def people(users):
    return {"auditor": users["auditor"], "moderator": users["moderator"],
            "second": make_user("Mo Second", roles=("moderator",)),
            "other": make_user("Olu Other")}


def hand_counted(people, suffix=""):
    template = make_template()
    no_overall = make_template(name="No overall", has_overall=False)
    round_ = make_round(quota=9)
    moderator = people["moderator"]

    def ref(name):
        return f"LCS-{name}{suffix}"

    made = {}
    made["A1"] = audit(people, template, GOOD, GOOD, "yes", plan=RI,
                       cohorts=["private_fostering"], reference=ref("A1"))
    made["A2"] = audit(people, template, RI, INAD, "no", reference=ref("A2"))
    make_moderated(made["A2"], moderator, overall=(RI, GOOD), domains={"oversight": (INAD, RI)},
                   round_=round_)
    made["A3"] = audit(people, template, GOOD, GOOD, "partly", reference=ref("A3"))
    make_moderated(made["A3"], moderator, overall=(GOOD, RI), agreed={"overall": GOOD},
                   ruled={"overall": RI}, round_=round_)
    made["A4"] = audit(people, template, OUT, GOOD, "n/a", reference=ref("A4"))
    make_moderated(made["A4"], moderator, overall=(OUT, RI), domains={"oversight": (GOOD, RI)},
                   submitted_at=datetime(2022, 8, 1, 10), round_=round_)
    make_moderated(made["A4"], people["second"], overall=(OUT, OUT),
                   submitted_at=datetime(2022, 11, 1, 10),
                   round_=make_round(name="Later", period_start=date(2022, 10, 1),
                                     period_end=date(2022, 12, 31)))
    made["A5"] = audit(people, template, GOOD, RI, "yes", team="Macclesfield CIN/CP",
                       auditor="other", reference=ref("A5"))
    make_moderated(made["A5"], moderator, overall=(GOOD, INAD), round_=round_)
    made["A5"].case.team_id = factories.team("Crewe CIN/CP").id  # moved since
    made["A6"] = audit(people, template, GOOD, GOOD, "yes", status="in_progress",
                       reference=ref("A6"))
    made["A7"] = audit(people, template, GOOD, GOOD, "yes", at=datetime(2022, 6, 30, 23, 30),
                       reference=ref("A7"))
    made["A8"] = audit(people, template, GOOD, GOOD, "yes", at=datetime(2022, 6, 30, 22, 30),
                       reference=ref("A8"))
    made["A9"] = audit(people, template, GOOD, GOOD, "yes", status="returned",
                       reference=ref("A9"))
    made["A10"] = audit(people, no_overall, None, OUT, "yes", reference=ref("A10"))
    db.session.commit()
    return made, template, no_overall


def figures(results):
    return {(r.measure.key, r.scope): (r.figure.numerator, r.figure.denominator)
            for r in results}


def test_every_measure_of_the_quarter_by_hand(people):
    hand_counted(people)
    found = figures(compute(Q2))
    assert found[("good_or_better", "all")] == (4, 6)
    assert found[("good_or_better_as_audited", "all")] == (5, 6)
    assert found[("agreement", "all")] == (1, 4)
    assert found[("domain_good_or_better:management_oversight", "all")] == (4, 7)
    assert found[("domain_good_or_better:plan", "all")] == (0, 1)
    assert found[("domain_good_or_better:assessment", "all")] == (0, 0)
    assert found[("compliance:voice_of_child", "all")] == (4, 6)
    assert found[("compliance:recording", "all")] == (0, 0)
    assert found[("moderation_coverage", "all")] == (4, 9)
    assert len(found) == len(catalogue.MEASURES)


def test_figures_carry_value_interval_and_small_sample(people):
    hand_counted(people)
    results = {r.measure.key: r for r in compute(Q2)}
    figure = results["good_or_better"].figure
    assert figure.value == pytest.approx(4 / 6)
    assert figure.ci_low == pytest.approx(0.3000, abs=5e-5)  # Wilson, 4 of 6
    assert figure.ci_high == pytest.approx(0.9032, abs=5e-5)
    assert figure.small_sample
    empty = results["compliance:recording"].as_dict()
    assert (empty["value"], empty["ci_low"], empty["ci_high"]) == (None, None, None)
    coverage = results["moderation_coverage"].as_dict()
    assert coverage["value"] == pytest.approx(4 / 9)
    assert (coverage["ci_low"], coverage["target"], coverage["status"]) == (None, None, None)


def test_periods_follow_the_uk_day(people):
    hand_counted(people)

    def gob(period):
        return figures(compute(period, measures=[catalogue.find("good_or_better")]))[
            ("good_or_better", "all")]

    assert gob(Quarter(2022, 1)) == (1, 1)  # A8 only: 23:30 on 30 June in the UK
    assert gob(FinancialYear(2022)) == (5, 7)
    assert gob(Month(2022, 7)) == (4, 6)
    assert gob(Month(2022, 6)) == (1, 1)
    assert gob(Quarter(2030, 1)) == (0, 0)


def test_scopes(people):
    made, _template, no_overall = hand_counted(people)

    def in_scope(kind, name, key):
        named, narrowing = find_scope(kind, name)
        return figures(compute(Q2, Scope(**narrowing), named=named,
                               measures=[catalogue.find(key)]))[(key, named.code)]

    assert in_scope("team", "Crewe CIN/CP", "good_or_better") == (4, 5)
    # A5 counts with Macclesfield, where the case was when audited.
    assert in_scope("team", "Macclesfield CIN/CP", "good_or_better") == (0, 1)
    assert in_scope("service", "Children in Need and Child Protection",
                    "good_or_better") == (4, 6)
    assert in_scope("team", "Care Leavers", "good_or_better") == (0, 0)  # empty
    assert in_scope("template", no_overall.slug, "good_or_better") == (0, 0)
    assert in_scope("template", no_overall.slug,
                    "domain_good_or_better:management_oversight") == (1, 1)
    assert in_scope("auditor", people["other"].email.upper(), "agreement") == (0, 1)
    assert in_scope("cohort", "private_fostering", "good_or_better") == (1, 1)


def test_by_team_gives_one_figure_per_team_with_audits(people):
    hand_counted(people)
    results = compute(Q2, by="team")
    found = figures(results)
    assert {scope for _, scope in found} == {"team:Crewe CIN/CP", "team:Macclesfield CIN/CP"}
    assert found[("good_or_better", "team:Crewe CIN/CP")] == (4, 5)
    assert found[("good_or_better", "team:Macclesfield CIN/CP")] == (0, 1)
    assert found[("compliance:voice_of_child", "team:Macclesfield CIN/CP")] == (1, 1)
    assert found[("domain_good_or_better:plan", "team:Macclesfield CIN/CP")] == (0, 0)
    assert not any(key == "moderation_coverage" for key, _ in found)
    by_auditor = figures(compute(Q2, by="auditor"))
    assert by_auditor[("agreement", f"auditor:{people['other'].email}")] == (0, 1)
    assert by_auditor[("agreement", f"auditor:{people['auditor'].email}")] == (1, 3)
    by_template = figures(compute(Q2, by="template",
                                  measures=[catalogue.find("good_or_better")]))
    assert sorted(by_template.values()) == [(0, 0), (4, 6)]


def test_targets_in_force_at_the_period_end(people):
    hand_counted(people)
    make_target("good_or_better", 0.6, date(2021, 9, 1), source="Target for September 2021")
    make_target("good_or_better", 0.7, date(2022, 9, 1), source="Target for September 2022")
    make_target("good_or_better", 0.9, date(2022, 9, 1), scope_kind="cohort",
                scope_ref="private_fostering")
    db.session.commit()

    def judged(period, scope=None, named=ALL, by=None):
        return {(r.scope): r for r in compute(period, scope, named=named, by=by,
                                              measures=[catalogue.find("good_or_better")])}

    q2 = judged(Q2)["all"]
    assert (q2.target.rate, q2.status.code) == (0.7, "too_small")
    assert q2.as_dict()["target"] == 0.7 and q2.as_dict()["status"] == "too_small"
    assert judged(Quarter(2022, 1))["all"].target.rate == 0.6
    assert judged(Quarter(2021, 1))["all"].target is None  # before any target
    cohort = judged(Q2, Scope(cohort="private_fostering"),
                    named=Named("cohort", "private_fostering", "private_fostering"))
    assert cohort["cohort:private_fostering"].target.rate == 0.9
    assert judged(Q2, by="team")["team:Crewe CIN/CP"].target.rate == 0.7  # the council's


def test_as_dict_has_exactly_the_documented_keys(people):
    hand_counted(people)
    result = next(r for r in compute(Q2) if r.measure.key == "agreement")
    assert result.as_dict() == {
        "measure": "agreement", "period": "2022-Q2", "scope": "all", "numerator": 1,
        "denominator": 4, "value": 0.25, "ci_low": pytest.approx(0.0456, abs=5e-5),
        "ci_high": pytest.approx(0.6994, abs=5e-5), "target": None, "status": None,
    }


def test_whole_council_measures_refuse_a_narrower_scope(people):
    with pytest.raises(MeasureError, match="whole council only"):
        compute(Q2, by="team", measures=[catalogue.find("moderation_coverage")])
    keys = {r.measure.key for r in compute(Q2, Scope(team_id=1),
                                           named=Named("team", "1", "Crewe CIN/CP"))}
    assert "moderation_coverage" not in keys and "good_or_better" in keys


def test_unknown_measures_and_domains_are_named(app):
    with pytest.raises(ValueError, match="unknown measure 'nonsense'"):
        catalogue.find("nonsense")
    with pytest.raises(ValueError, match="unknown domain 'cooking'"):
        catalogue.find("compliance:cooking")
    with pytest.raises(ValueError, match="no team called 'Nowhere'"):
        find_scope("team", "Nowhere")
    with pytest.raises(ValueError, match="unknown cohort"):
        find_scope("cohort", "pirates")




def test_query_count_is_the_same_at_ten_times_the_data(people, app):
    def everything():
        compute(Q2)
        for by in BY:
            compute(FinancialYear(2022), by=by)

    hand_counted(people, "-x1")
    db.session.expire_all()
    once = statements(everything)
    for copy in range(2, 11):
        hand_counted(people, f"-x{copy}")
    db.session.expire_all()
    ten_times = statements(everything)
    assert figures(compute(Q2))[("good_or_better", "all")] == (40, 60)
    # Q2: three unit families, coverage, two action measures, targets; by each dimension:
    # three families, two action measures, targets.
    assert once == ten_times == 7 + 4 * 6


def test_the_measures_command_json(people, app):
    hand_counted(people)
    result = app.test_cli_runner().invoke(args=["measures", "--period", "2022-Q2", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert all(list(row) == ["measure", "period", "scope", "numerator", "denominator",
                             "value", "ci_low", "ci_high", "target", "status"] for row in rows)
    by_key = {row["measure"]: row for row in rows}
    assert by_key["good_or_better"]["numerator"] == 4
    assert by_key["good_or_better"]["value"] == pytest.approx(4 / 6)
    assert by_key["compliance:voice_of_child"]["denominator"] == 6
    assert {row["scope"] for row in rows} == {"all"}


def test_the_measures_command_by_and_filters(people, app):
    hand_counted(people)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["measures", "--period", "2022-Q2", "--by", "team",
                                 "--measure", "good_or_better", "--json"])
    assert result.exit_code == 0, result.output
    assert [(r["scope"], r["numerator"], r["denominator"]) for r in json.loads(result.output)] \
        == [("team:Crewe CIN/CP", 4, 5), ("team:Macclesfield CIN/CP", 0, 1)]
    result = runner.invoke(args=["measures", "--period", "2022-23", "--service",
                                 "Children in Need and Child Protection", "--by", "team",
                                 "--measure", "agreement", "--json"])
    assert [r["scope"] for r in json.loads(result.output)] == [
        "service:Children in Need and Child Protection;team:Crewe CIN/CP",
        "service:Children in Need and Child Protection;team:Macclesfield CIN/CP"]
    table = runner.invoke(args=["measures", "--period", "2022-Q2", "--team", "Crewe CIN/CP"])
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert lines[0] == "Q2 2022-23 (July to September 2022)"
    assert lines[2].split() == ["Measure", "Scope", "Value", "Count", "95%", "CI", "Target",
                                "Status"]
    row = next(line for line in lines if line.startswith("good_or_better "))
    assert "team:Crewe CIN/CP" in row and "80% (small sample)" in row and "4 of 5" in row


@pytest.mark.parametrize(("args", "message"), [
    ([], "give a period with --period"),
    (["--period", "2022-Q5"], "'2022-Q5' is not a period"),
    (["--period", "2022-13"], "neither a financial year"),
    (["--period", "2022-Q2", "--team", "Nowhere"], "no team called 'Nowhere'"),
    (["--period", "2022-Q2", "--service", "Nothing"], "no service called 'Nothing'"),
    (["--period", "2022-Q2", "--template", "nope"], "no template with the slug 'nope'"),
    (["--period", "2022-Q2", "--auditor", "x@y.z"], "no user with the email 'x@y.z'"),
    (["--period", "2022-Q2", "--cohort", "pirates"], "unknown cohort 'pirates'"),
    (["--period", "2022-Q2", "--by", "colour"], "--by must be one of team, service"),
    (["--period", "2022-Q2", "--measure", "nonsense"], "unknown measure 'nonsense'"),
    (["--period", "2022-Q2", "--team", "Crewe CIN/CP", "--service", "Fostering"],
     "give at most one of"),
    (["--period", "2022-Q2", "--by", "team", "--measure", "moderation_coverage"],
     "whole council only"),
    (["--period", "2022-Q2", "--bogus"], "No such option '--bogus'"),
    (["--period", "2022\x00-Q2"], "is not a period"),
])
def test_bad_arguments_fail_with_one_line(users, app, args, message):
    result = app.test_cli_runner().invoke(args=["measures", *args])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines


def test_a_submitted_audit_counts_where_its_audit_went(people):
    """Through the workflow's own numbers: the draft and the returned audit never count."""
    made, *_ = hand_counted(people)
    ids = set(db.session.scalars(db.select(Audit.id).where(*Scope(start=Q2.start,
                                                                  end=Q2.end).audit_conditions())))
    assert ids == {made[name].id for name in ("A1", "A2", "A3", "A4", "A5", "A7", "A10")}


def test_the_measure_and_the_report_find_the_same_latest_moderation(people):
    """The figures find the latest moderation one audit at a time; the agreement report for
    every audit at once: they must pick the same one, ties going to the later record."""
    from audit_app.measures.agreement import agreement_report

    made, template, _ = hand_counted(people)
    tied = audit(people, template, GOOD, GOOD, "yes", reference="LCS-TIE")
    same_time = datetime(2022, 8, 2, 10)
    make_moderated(tied, people["moderator"], overall=(GOOD, RI), submitted_at=same_time)
    make_moderated(tied, people["second"], overall=(GOOD, GOOD), submitted_at=same_time)
    db.session.commit()
    measure = figures(compute(Q2, measures=[catalogue.find("agreement")]))[("agreement", "all")]
    report = agreement_report(Scope(start=Q2.start, end=Q2.end)).overall.figure
    assert measure == (report.numerator, report.denominator) == (2, 5)  # A4 and the tie
