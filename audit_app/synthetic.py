"""Synthetic audits and moderations, bulk inserted: the demo's three years of history
(audit_app/demo_history.py) and the benchmarks' large county (benchmarks/large_county.py).

Rows go in with bulk INSERTs (SQLAlchemy's executemany, RETURNING ids where later rows need
them), not through the workflow: thousands of rows in well under a second, in the shape the
workflow leaves them: submitted audits with their audit date and team, answers with
evidence where a grade needs it, drawn moderation rounds, submitted moderations with
compared grades, agreed grades and challenges. The caller's random.Random makes every
choice, so a seed gives the same data on any database. Moderation samples are drawn by the
app's own sampler (audit_app/moderation/sampling.py) with a seed taken from that Random and
stored on the round, so each round's seed draws its sample again from its frame.
"""

from dataclasses import dataclass
from datetime import time, timedelta

from sqlalchemy import insert as sql_insert
from sqlalchemy import text

from audit_app.extensions import db
from audit_app.measures.good_or_better import is_good_or_better
from audit_app.models import (
    Challenge,
    Moderation,
    ModerationGrade,
    ModerationRound,
    ModerationSample,
    User,
    UserRole,
)
from audit_app.models.audits import IN_PROGRESS, RETURNED, SUBMITTED
from audit_app.models.moderation import OVERALL, round_moderators
from audit_app.moderation.rules import compared_items
from audit_app.moderation.sampling import MAX_SEED, SIMPLE_RANDOM, FrameRecord, draw_sample
from audit_app.programmes.sampling import NUMPY_VERSION
from audit_app.timeutil import local_date, stored

CHUNK = 5000
EVIDENCE = "The chronology has not been updated since the last review."
# Of moderated items the auditor and moderator graded differently: agreed in a discussion
# (the auditor's grade stands), else for the overall judgement challenged, and upheld.
AGREED, CHALLENGED, UPHELD = 0.2, 0.15, 0.4


def insert(model, rows, returning=True):
    """Bulk insert into a model's table; the new ids in the rows' order when `returning`.

    Core's executemany on the table, not the ORM's bulk insert: the ORM splits the rows into
    a statement for each pattern of None values and splices the RETURNING results together
    again each time, slowest exactly when the rows vary most. On PostgreSQL the ids are
    taken from the table's sequence first and inserted with the rows: psycopg sends an
    executemany of one short statement in a pipeline, several times quicker than the long
    multi-row INSERT ... RETURNING statements it would otherwise parse."""
    table = getattr(model, "__table__", model)
    if not rows:
        return []
    ids = []
    if returning and db.session.get_bind().dialect.name == "postgresql":
        ids = list(db.session.scalars(text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
            "FROM generate_series(1, :count)"), {"table": table.name, "count": len(rows)}))
        rows, returning = [{**row, "id": new_id} for row, new_id in zip(rows, ids,
                                                                        strict=True)], False
    statement = sql_insert(table)
    if returning:
        statement = statement.returning(table.c.id, sort_by_parameter_order=True)
    for start in range(0, len(rows), CHUNK):
        result = db.session.execute(statement, rows[start:start + CHUNK])
        if returning:
            ids.extend(result.scalars())
    return ids


def analyze():
    """On PostgreSQL, gather the planner's statistics now: until autovacuum gets to the rows
    just inserted, it plans as if the tables were as empty as before, and a page over a few
    thousand audits takes seconds instead of a tenth of one. (SQLite plans without them.)"""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))


def add_users(rows, roles):
    """Users from rows of email, name and team_id, each with `roles`; they have no password,
    so nobody signs in as them. Their ids, in the rows' order."""
    ids = insert(User, [{**row, "password_hash": None} for row in rows])
    insert(UserRole, [{"user_id": user_id, "role": role} for user_id in ids for role in roles],
           returning=False)
    return ids


# -- Templates, audits and answers --------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    id: int
    key: str
    kind: str
    domain: str | None
    evidence_required: bool


@dataclass(frozen=True)
class VersionShape:
    """What the generator needs of a published template version."""

    id: int
    scale: tuple
    good_or_better: int
    questions: tuple
    compared: tuple  # (item, label, domain): what a moderation grades, in form order

    @classmethod
    def of(cls, version):
        return cls(id=version.id, scale=tuple(version.scale),
                   good_or_better=version.good_or_better,
                   questions=tuple(Question(q.id, q.key, q.kind, q.domain,
                                            bool(q.evidence_required))
                                   for q in version.questions),
                   compared=tuple((item, label, domain) for item, label, domain, _question
                                  in compared_items(version)))

    @property
    def graded(self):
        return [q for q in self.questions if q.kind == "graded"]


def audit_row(programme_id, case_id, team_id, auditor_id, shape, overall_rank, moment, due_on,
              status=SUBMITTED, allocated_by_id=None):
    """An audit's row: submitted at `moment` (a stored timestamp) unless `status` says it is
    still in progress or was returned to its auditor two days later."""
    submitted = status != IN_PROGRESS
    returned = status == RETURNED
    return {
        "programme_id": programme_id, "case_id": case_id, "auditor_id": auditor_id,
        "template_version_id": shape.id, "status": status, "due_on": due_on,
        "allocated_at": moment - timedelta(days=20), "allocated_by_id": allocated_by_id,
        "started_at": moment - timedelta(days=3),
        "submitted_at": moment if submitted else None,
        "audited_on": local_date(moment) if submitted else None,
        "team_id": team_id if submitted else None,
        "returned_at": moment + timedelta(days=2) if returned else None,
        "return_reason": "Please add the evidence." if returned else None,
        "overall_grade": shape.scale[overall_rank], "overall_rank": overall_rank,
        "strengths": "The child's voice is clear.",
        "areas_for_development": "Plans need timescales.",
    }


def answer_rows(rng, audit_id, shape, graded, yes_no, day, moment):
    """The answers of one audit: `graded` {question key: rank} for its graded questions,
    `yes_no(question)` the code of each yes/no answer; dates, numbers and text made up around
    `day`. A grade below good or better gets evidence where the question asks for it."""
    rows = []
    for question in shape.questions:
        row = {"audit_id": audit_id, "question_id": question.id, "grade_rank": None,
               "evidence": None, "updated_at": moment}
        if question.kind == "graded":
            rank = graded[question.key]
            row.update(value=shape.scale[rank], grade_rank=rank)
            if question.evidence_required and not is_good_or_better(rank,
                                                                    shape.good_or_better):
                row["evidence"] = EVIDENCE
        elif question.kind == "yes_no":
            row["value"] = yes_no(question)
        elif question.kind == "date":
            row["value"] = (day - timedelta(days=rng.randrange(400))).isoformat()
        elif question.kind == "number":
            row["value"] = str(rng.randrange(0, 13))
        elif rng.random() < 0.5:
            row["value"] = "Seen in the case file."
        else:
            continue
        rows.append(row)
    return rows


# -- Moderation --------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFacts:
    """A submitted audit as moderation sees it."""

    id: int
    team_id: int
    auditor_id: int
    shape: VersionShape
    overall_rank: int
    graded: dict  # question key: the auditor's rank
    # The chance that a moderator grades an item a step lower than the auditor did (the
    # auditor was over-optimistic), and a step higher.
    higher: float
    lower: float = 0.06


@dataclass(frozen=True)
class RoundPlan:
    name: str
    kind: str
    start: object  # the period whose audits the frame holds (UK days)
    end: object
    quota: int
    frame: list  # AuditFacts
    moderator_ids: list  # the first draws the sample; they moderate in turn
    include_moderated: bool = False  # else audits sampled by an earlier round are left out


@dataclass(frozen=True)
class Moderated:
    moderations: int
    grades: int
    challenges: int


def moderated_rank(rng, auditor_rank, facts, worst):
    """The moderator's grade: mostly the auditor's; a step lower or higher by the chances
    the audit's facts give."""
    roll = rng.random()
    if roll < facts.higher:
        return min(worst, auditor_rank + 1)
    if roll < facts.higher + facts.lower:
        return max(0, auditor_rank - 1)
    return auditor_rank


def _draw(rng, plans):
    """Each round drawn in turn, three days after its period ends: its row and its sample."""
    sampled, rows, samples = set(), [], []
    for plan in plans:
        frame = [f for f in plan.frame if plan.include_moderated or f.id not in sampled]
        seed = rng.randrange(MAX_SEED)
        records = [FrameRecord(f.id, f.team_id, f.auditor_id, f.overall_rank, len(f.shape.scale))
                   for f in frame]
        by_id = {f.id: f for f in frame}
        chosen = [(by_id[audit_id], reason) for audit_id, reason in
                  (draw_sample(records, SIMPLE_RANDOM, plan.quota, seed) if records else [])]
        sampled.update(facts.id for facts, _reason in chosen)
        drawn_at = stored(plan.end + timedelta(days=3), time(9))
        drawer = plan.moderator_ids[0]
        rows.append({"name": plan.name, "kind": plan.kind, "mode": "blind",
                     "period_start": plan.start, "period_end": plan.end, "quota": plan.quota,
                     "method": SIMPLE_RANDOM, "filters": {},
                     "include_moderated": plan.include_moderated, "seed": seed,
                     "numpy_version": NUMPY_VERSION, "frame_size": len(frame),
                     "drawn_at": drawn_at, "drawn_by_id": drawer, "created_by_id": drawer,
                     "created_at": drawn_at - timedelta(days=1)})
        samples.append(chosen)
    return rows, samples


def moderate(rng, plans):
    """Rounds drawn from their frames, every sampled audit moderated and submitted 10 to 45
    days after the period: each compared item re-graded by `moderated_rank`, some
    disagreements agreed in discussion, some overall ones challenged and ruled on."""
    round_rows, drawn = _draw(rng, plans)
    round_ids = insert(ModerationRound, round_rows)
    insert(round_moderators, [{"round_id": round_id, "user_id": moderator}
                              for round_id, plan in zip(round_ids, plans, strict=True)
                              for moderator in plan.moderator_ids], returning=False)
    samples, moderated = [], []
    for round_id, plan, chosen in zip(round_ids, plans, drawn, strict=True):
        for position, (facts, reason) in enumerate(chosen, start=1):
            moderator = plan.moderator_ids[(position - 1) % len(plan.moderator_ids)]
            samples.append({"round_id": round_id, "audit_id": facts.id, "position": position,
                            "reason": reason, "moderator_id": moderator})
            moment = stored(plan.end + timedelta(days=rng.randrange(10, 45)),
                            time(rng.randrange(9, 18), rng.randrange(60)))
            moderated.append((facts, moderator, moment))
    sample_ids = insert(ModerationSample, samples)
    moderation_ids = insert(Moderation, [
        {"sample_id": sample_id, "audit_id": facts.id, "moderator_id": moderator,
         "mode": "blind", "status": "submitted", "feedback": "Clear analysis; plans need "
         "timescales.", "started_at": moment - timedelta(days=2), "submitted_at": moment,
         "submitted_on": local_date(moment), "acknowledged_at": moment + timedelta(days=5)}
        for sample_id, (facts, moderator, moment) in zip(sample_ids, moderated, strict=True)])
    grades, challenged = [], []
    for moderation_id, (facts, moderator, moment) in zip(moderation_ids, moderated,
                                                         strict=True):
        scale = facts.shape.scale
        for position, (item, label, domain) in enumerate(facts.shape.compared):
            auditor_rank = facts.overall_rank if item == OVERALL else facts.graded[item]
            rank = moderated_rank(rng, auditor_rank, facts, len(scale) - 1)
            row = {"moderation_id": moderation_id, "position": position, "item": item,
                   "label": label, "domain": domain,
                   "auditor_grade": scale[auditor_rank], "auditor_rank": auditor_rank,
                   "moderator_grade": scale[rank], "moderator_rank": rank,
                   "agreed_grade": None, "agreed_rank": None, "ruled_grade": None,
                   "ruled_rank": None}
            if rank != auditor_rank and rng.random() < AGREED:
                row["agreed_grade"], row["agreed_rank"] = scale[auditor_rank], auditor_rank
            elif item == OVERALL and rank != auditor_rank and rng.random() < CHALLENGED:
                upheld = rng.random() < UPHELD
                ruled = auditor_rank if upheld else rank
                row["ruled_grade"], row["ruled_rank"] = scale[ruled], ruled
                challenged.append((len(grades), facts.auditor_id, moderator, moment, upheld,
                                   scale[auditor_rank]))
            grades.append(row)
    grade_ids = insert(ModerationGrade, grades)
    insert(Challenge, [
        {"grade_id": grade_ids[index], "raised_by_id": auditor, "reasons": "The evidence "
         "supports my grade.", "proposed_grade": proposed,
         "raised_at": moment + timedelta(days=3), "ruled_by_id": moderator,
         "ruled_at": moment + timedelta(days=10),
         "outcome": "upheld" if upheld else "rejected", "ruling": "Ruled after review."}
        for index, auditor, moderator, moment, upheld, proposed in challenged],
        returning=False)
    return Moderated(len(moderation_ids), len(grades), len(challenged))
