"""UK days of submission; NumPy version beside each seed; comparison dropped; reason codes

Revision ID: 0005
Revises: 0004

- audits.audited_on and moderations.submitted_on: the UK (Europe/London) day each was
  submitted, indexed, which figures and sampling frames are counted by. Filled in here from
  submitted_at (stored in UTC) for existing rows.
- moderation_rounds.numpy_version, programme_draws.numpy_version: NumPy promises the same
  stream from a seed only within a version. Draws made before this are "not recorded".
- moderation_grades.comparison is dropped: it is derived from the ranks (the final grade
  against the auditor's), so it is computed where it is read and can never go stale.
- moderation_samples.reason holds a code (random, stratified_team, stratified_auditor,
  targeted_top, targeted_bottom, hand_picked) instead of the words shown; the words come
  from the audit's own scale when shown.
"""
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


# The comparison as the code before this migration stored it: set once a moderation was
# submitted, from the final grade (ruled, else agreed, else moderated).
_FINAL = "COALESCE(ruled_rank, agreed_rank, moderator_rank)"
_COMPARISON = (
    f"CASE WHEN auditor_rank = {_FINAL} THEN 'agree' "
    f"WHEN auditor_rank < {_FINAL} THEN 'auditor_higher' "
    f"WHEN auditor_rank > {_FINAL} THEN 'auditor_lower' END"
)

# Words the code before this migration stored, and the code for each.
_REASON_CODES = {
    "Random": "random",
    "Picked by hand": "hand_picked",
    "Targeted: judged Outstanding": "targeted_top",
    "Targeted: judged Inadequate": "targeted_bottom",
}
_REASONS_CHECK = ("reason IN ('random', 'stratified_team', 'stratified_auditor', "
                  "'targeted_top', 'targeted_bottom', 'hand_picked')")
# The stratum's name, which the old words carried, for the downgrade.
_STRATUM_NAME = {
    "stratified_team": (
        "SELECT teams.name FROM audits JOIN cases ON cases.id = audits.case_id "
        "JOIN teams ON teams.id = cases.team_id WHERE audits.id = moderation_samples.audit_id"),
    "stratified_auditor": (
        "SELECT users.name FROM audits JOIN users ON users.id = audits.auditor_id "
        "WHERE audits.id = moderation_samples.audit_id"),
}


def _recode(mapping):
    whens = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in mapping.items())
    op.execute(f"UPDATE moderation_samples SET reason = CASE reason {whens} ELSE reason END")


# (table, new date column) kept in step with the table's submitted_at.
_LOCAL_DAYS = (("audits", "audited_on"), ("moderations", "submitted_on"))


def _fill_local_days(table, column):
    """Set the UK day of each submitted row (a one-off pass, in Python: the same on SQLite
    and PostgreSQL, whose time-zone functions differ)."""
    london = ZoneInfo("Europe/London")
    conn = op.get_bind()
    select = sa.text(f"SELECT id, submitted_at FROM {table} WHERE submitted_at IS NOT NULL")
    rows = conn.execute(select.columns(sa.column("id", sa.Integer),
                                       sa.column("submitted_at", sa.DateTime))).all()
    days = [{"id": row.id, "day": row.submitted_at.replace(tzinfo=UTC).astimezone(london)
             .date()} for row in rows]
    if days:
        conn.execute(sa.text(f"UPDATE {table} SET {column} = :day WHERE id = :id")
                     .bindparams(sa.bindparam("day", type_=sa.Date)), days)


def upgrade():
    for table, column in _LOCAL_DAYS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Date(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
        _fill_local_days(table, column)
    for table in ("moderation_rounds", "programme_draws"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("numpy_version", sa.String(length=20), nullable=True))
    with op.batch_alter_table("moderation_grades") as batch_op:
        batch_op.drop_constraint(op.f("ck_moderation_grades_known_comparison"), type_="check")
        batch_op.drop_column("comparison")

    _recode(_REASON_CODES)
    # "Stratified: <team or auditor>": the round's method is the code.
    op.execute(
        "UPDATE moderation_samples SET reason = (SELECT method FROM moderation_rounds "
        "WHERE moderation_rounds.id = moderation_samples.round_id) "
        "WHERE reason LIKE 'Stratified: %'"
    )
    with op.batch_alter_table("moderation_samples") as batch_op:
        batch_op.alter_column("reason", existing_type=sa.String(length=200),
                              type_=sa.String(length=20), existing_nullable=False)
        batch_op.create_check_constraint(op.f("ck_moderation_samples_known_reason"),
                                         _REASONS_CHECK)


def downgrade():
    with op.batch_alter_table("moderation_samples") as batch_op:
        batch_op.drop_constraint(op.f("ck_moderation_samples_known_reason"), type_="check")
        batch_op.alter_column("reason", existing_type=sa.String(length=20),
                              type_=sa.String(length=200), existing_nullable=False)
    _recode({new: old for old, new in _REASON_CODES.items()})
    for code, name in _STRATUM_NAME.items():
        op.execute(f"UPDATE moderation_samples SET reason = 'Stratified: ' || ({name}) "
                   f"WHERE reason = '{code}'")

    with op.batch_alter_table("moderation_grades") as batch_op:
        batch_op.add_column(sa.Column("comparison", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_moderation_grades_known_comparison"),
            "comparison IN ('agree', 'auditor_higher', 'auditor_lower')")
    op.execute(
        f"UPDATE moderation_grades SET comparison = {_COMPARISON} WHERE moderation_id IN "
        "(SELECT id FROM moderations WHERE status = 'submitted')"
    )
    for table in ("programme_draws", "moderation_rounds"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("numpy_version")
    for table, column in _LOCAL_DAYS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
            batch_op.drop_column(column)
