"""The quarterly headline report's floor, for benchmarks/dashboard.py: its figures from one
hand-written SQL query per measure, with no page, and the same numbers read from the report
(audit_app/reports/quarterly.py) to check them against.

The headline figures (their trend over the report's four quarters) and the domains are the
dashboard's floor queries; beside them: audits against the programmes (by template and by
team), the grade distribution, agreement on the overall judgement by auditor (the matrix,
kappa and each auditor's calibration come from it), overdue actions by team and the dip
samples done by each practice lead each month. The learning entries and the action plan are
records read as they are, not figures: they are left out of the floor.
"""

# The SQL is put together from fixed text; every value is bound.
# ruff: noqa: S608

from sqlalchemy import text

from audit_app.dip_samples.figures import quarter_months
from audit_app.extensions import db
from audit_app.measures.periods import quarters_ending
from audit_app.reports.quarterly import TREND_QUARTERS
from benchmarks.dashboard import COUNTED, FINAL, LATEST_OVERALL, floor_queries

ACTIVITY = """
    WITH x AS (
        SELECT t.name AS template, tm.name AS team,
               CASE WHEN a.due_on BETWEEN :start AND :end THEN 1 ELSE 0 END AS due,
               CASE WHEN a.due_on BETWEEN :start AND :end AND a.status = 'submitted'
                    THEN 1 ELSE 0 END AS done,
               CASE WHEN a.due_on BETWEEN :start AND :end AND a.status = 'submitted'
                         AND a.audited_on <= a.due_on THEN 1 ELSE 0 END AS by_due,
               CASE WHEN a.status = 'submitted' AND a.audited_on BETWEEN :start AND :end
                    THEN 1 ELSE 0 END AS submitted
        FROM audits a JOIN cases c ON c.id = a.case_id
        JOIN template_versions tv ON tv.id = a.template_version_id
        JOIN audit_templates t ON t.id = tv.template_id
        LEFT JOIN teams tm ON tm.id = COALESCE(a.team_id, c.team_id)
        WHERE a.due_on BETWEEN :start AND :end
           OR (a.status = 'submitted' AND a.audited_on BETWEEN :start AND :end))
    SELECT 'all', 'All audits', SUM(due), SUM(done), SUM(by_due), SUM(submitted) FROM x
    UNION ALL
    SELECT 'template', template, SUM(due), SUM(done), SUM(by_due), SUM(submitted)
    FROM x GROUP BY template
    UNION ALL
    SELECT 'team', COALESCE(team, 'No team'), SUM(due), SUM(done), SUM(by_due), SUM(submitted)
    FROM x GROUP BY team"""

GRADES = f"""
    SELECT 'audited', a.overall_rank, COUNT(*) FROM audits a
    WHERE {COUNTED} AND a.overall_rank IS NOT NULL GROUP BY a.overall_rank
    UNION ALL
    SELECT 'final', f.final, COUNT(*)
    FROM (SELECT COALESCE({LATEST_OVERALL.format(column=FINAL, compared='')}, a.overall_rank)
                 AS final
          FROM audits a WHERE {COUNTED}) f
    WHERE f.final IS NOT NULL GROUP BY f.final"""

_COMPARED = "AND g.auditor_rank IS NOT NULL"
AGREEMENT_BY_AUDITOR = f"""
    SELECT c.auditor, c.auditor_rank, c.final, COUNT(*)
    FROM (SELECT u.name AS auditor,
                 {LATEST_OVERALL.format(column='g.auditor_rank', compared=_COMPARED)}
                     AS auditor_rank,
                 {LATEST_OVERALL.format(column=FINAL, compared=_COMPARED)} AS final
          FROM audits a JOIN users u ON u.id = a.auditor_id
          WHERE {COUNTED}
            AND a.id IN (SELECT audit_id FROM moderations WHERE status = 'submitted')) c
    WHERE c.final IS NOT NULL
    GROUP BY c.auditor, c.auditor_rank, c.final"""

OVERDUE_BY_TEAM = """
    SELECT tm.name, SUM(CASE WHEN ac.status = 'open' AND ac.due_on < :today THEN 1 ELSE 0 END),
           COUNT(*)
    FROM actions ac JOIN cases c ON c.id = ac.case_id JOIN teams tm ON tm.id = c.team_id
    WHERE ac.status NOT IN ('proposed', 'cancelled') AND ac.raised_on BETWEEN :start AND :end
    GROUP BY tm.name"""

DIP_SAMPLES_DONE = """
    SELECT u.name, r.month, COUNT(*),
           SUM(CASE WHEN NOT EXISTS (
                        SELECT 1 FROM actions ac
                        WHERE ac.case_id = dc.case_id AND ac.created_at <= dc.added_at
                          AND ac.status IN ('open', 'completed')
                          AND NOT EXISTS (SELECT 1 FROM dip_sample_checks ck
                                          WHERE ck.sampled_case_id = dc.id
                                            AND ck.action_id = ac.id))
                     AND NOT EXISTS (SELECT 1 FROM audits a
                                     WHERE a.id = dc.audit_id AND a.status <> 'submitted')
                    THEN 1 ELSE 0 END)
    FROM dip_sample_rounds r
    JOIN dip_sample_cases dc ON dc.round_id = r.id AND dc.removed_at IS NULL
    JOIN users u ON u.id = r.practice_lead_id
    WHERE r.month IN (:m0, :m1, :m2)
    GROUP BY u.name, r.month"""


def report_floor_queries(quarter, today):
    """{name: (SQL, parameters)}: the dashboard's for the headline figures, then the report's."""
    queries = floor_queries(quarters_ending(quarter, TREND_QUARTERS), quarter)
    one = {"start": quarter.start, "end": quarter.end}
    months = {f"m{index}": month for index, month in enumerate(quarter_months(quarter))}
    queries.update({
        "activity": (ACTIVITY, one),
        "grades": (GRADES, one),
        "agreement by auditor": (AGREEMENT_BY_AUDITOR, one),
        "overdue by team": (OVERDUE_BY_TEAM, {**one, "today": today}),
        "dip samples done": (DIP_SAMPLES_DONE, months),
    })
    return queries


def _numbers(key, row):
    """A row of query `key` as (its key in the found figures, its numbers)."""
    if key == "activity":  # kind, name, due, done, done by the due date, submitted
        return (key, row[0], row[1]), tuple(int(v or 0) for v in row[2:])
    if key == "grades":  # kind, rank, audits
        return (key, row[0], str(row[1])), int(row[2])
    if key == "agreement by auditor":  # auditor, auditor's rank, final rank, audits
        return (key, row[0], int(row[1]), int(row[2])), int(row[3])
    if key == "dip samples done":  # practice lead, month, cases sampled, cases done
        return (key, row[0], str(row[1])[:10]), int(row[3] or 0)
    # a figure: group, numerator, denominator (none without a denominator)
    return (key, str(row[0])), ((int(row[1] or 0), int(row[2])) if row[2] else None)


def report_floor(queries):
    """{(query name, *group): numbers} from the hand-written queries."""
    found = {}
    with db.engine.connect() as connection:
        for key, (sql, params) in queries.items():
            for row in connection.execute(text(sql), params):
                where, numbers = _numbers(key, row)
                if numbers is not None:
                    found[where] = numbers
    return found


def report_counts(report, labels_rank):
    """The floor's numbers (but the agreement pairs) from a QuarterlyReport; `labels_rank`
    maps a grade label to its rank."""
    found = {}
    findings = report.findings
    for key, results in findings.trends.items():
        for result in results:
            if result.figure.denominator:
                found[(key, result.period.code)] = (result.figure.numerator,
                                                    result.figure.denominator)
    for key, results in (("domain_good_or_better", findings.domains),
                         ("compliance", findings.compliance)):
        for result in results:
            if result.figure.denominator:
                found[(key, result.measure.domain)] = (result.figure.numerator,
                                                       result.figure.denominator)
    activity = report.activity
    for kind, rows in (("all", [activity.total]), ("template", activity.by_template),
                       ("team", activity.by_team)):
        for row in rows:
            found[("activity", kind, row.name)] = (row.due, row.done, row.done_by_due,
                                                   row.submitted)
    for share in findings.grades.grades:
        for kind in ("audited", "final"):
            if getattr(share, kind).numerator:
                found[("grades", kind, str(labels_rank[share.label]))] = getattr(
                    share, kind).numerator
    for team in report.actions.overdue_by_team:
        found[("overdue by team", team.team)] = (team.figure.numerator, team.figure.denominator)
    for row in report.actions.dip_coverage:
        for month, cell in zip(report.actions.dip_months, row.cells, strict=True):
            if cell.sampled:
                found[("dip samples done", row.lead.name, str(month))] = cell.done
    return found


def figures_match(report, found):
    """The floor's numbers equal the report's: every figure, and the agreement matrix and
    each auditor's agreement, which the floor has as pairs by auditor."""
    labels_rank = {share.label: rank for rank, share in enumerate(report.findings.grades.grades)}
    pairs = {k: v for k, v in found.items() if k[0] == "agreement by auditor"}
    rest = {k: v for k, v in found.items() if k[0] != "agreement by auditor"}
    return rest == report_counts(report, labels_rank) and agreement_matches(report, pairs)


def agreement_matches(report, found):
    """The report's matrix and each auditor's agreement equal the floor's pairs by auditor
    (`found`: the floor's "agreement by auditor" numbers)."""
    overall = report.moderation.overall
    size = len(overall.matrix)
    matrix = [[0] * size for _ in range(size)]
    by_auditor = {}
    for (_key, auditor, auditor_rank, final), n in found.items():
        matrix[auditor_rank][final] += n
        agree, total = by_auditor.get(auditor, (0, 0))
        by_auditor[auditor] = (agree + (n if auditor_rank == final else 0), total + n)
    report_auditors = {a.name: (a.figure.numerator, a.figure.denominator)
                       for a in report.moderation.auditors if a.figure.denominator}
    return matrix == overall.matrix and by_auditor == report_auditors
