"""measures: the team an audit counts in, targets as data, indexes for the figures

Revision ID: 0010
Revises: 0008

- audits.team_id: the team the case was in on the audit's date, set at submission, so a
  case that moves keeps its history with the team that held it. Filled in here from each
  submitted audit's case's current team (the best that is known for audits made before).
- targets: target rates for measures, by scope and the date they apply from, edited by
  admins (seed-demo loads the reference action plan's).
- Indexes for the measures at a large county's scale (benchmarks/measures.py: 25,000
  audits, 735,000 answers): audits (status, audited_on), the counted audits of a period,
  which SQLite otherwise reads through the status index alone; and two partial covering
  indexes on answers, graded answers (audit_id, question_id, grade_rank) and yes/no answers
  answered yes, no or partly (audit_id, question_id, value), so that a period's figures
  read only its audits' entries (PostgreSQL otherwise scans all the answers).
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


_ANSWER_INDEXES = (
    ("ix_answers_graded", ["audit_id", "question_id", "grade_rank"], "grade_rank IS NOT NULL"),
    ("ix_answers_yes_no", ["audit_id", "question_id", "value"],
     "value IN ('yes', 'no', 'partly')"),
)


def upgrade():
    with op.batch_alter_table("audits") as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audits_team_id"), ["team_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_audits_team_id_teams"), "teams",
                                    ["team_id"], ["id"])
    op.execute("UPDATE audits SET team_id = (SELECT cases.team_id FROM cases "
               "WHERE cases.id = audits.case_id) WHERE audited_on IS NOT NULL")

    with op.batch_alter_table("audits") as batch_op:
        batch_op.create_index("ix_audits_status_audited_on", ["status", "audited_on"],
                              unique=False)
    for name, columns, where in _ANSWER_INDEXES:
        op.create_index(name, "answers", columns, unique=False,
                        sqlite_where=sa.text(where), postgresql_where=sa.text(where))

    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=80), nullable=False),
        sa.Column("scope_kind", sa.String(length=10), nullable=False),
        sa.Column("scope_ref", sa.String(length=40), nullable=False),
        sa.Column("rate", sa.Double(), nullable=False),
        sa.Column("applies_from", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("scope_kind IN ('all', 'service', 'team', 'template', 'cohort')",
                           name=op.f("ck_targets_known_scope_kind")),
        sa.CheckConstraint("rate > 0 AND rate < 1", name=op.f("ck_targets_rate_between_0_and_1")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_targets_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
        sa.UniqueConstraint("measure", "scope_kind", "scope_ref", "applies_from",
                            name="uq_targets_measure_scope_from"),
    )
    with op.batch_alter_table("targets") as batch_op:
        batch_op.create_index(batch_op.f("ix_targets_measure"), ["measure"], unique=False)


def downgrade():
    for name, _columns, _where in _ANSWER_INDEXES:
        op.drop_index(name, table_name="answers")
    with op.batch_alter_table("audits") as batch_op:
        batch_op.drop_index("ix_audits_status_audited_on")
    with op.batch_alter_table("targets") as batch_op:
        batch_op.drop_index(batch_op.f("ix_targets_measure"))
    op.drop_table("targets")
    with op.batch_alter_table("audits") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audits_team_id_teams"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_audits_team_id"))
        batch_op.drop_column("team_id")
