"""NumPy version beside each seed; the derived comparison column dropped

Revision ID: 0005_rules
Revises: 0004

- moderation_rounds.numpy_version, programme_draws.numpy_version: NumPy promises the same
  stream from a seed only within a version. Draws made before this are "not recorded".
- moderation_grades.comparison is dropped: it is derived from the ranks (the final grade
  against the auditor's), so it is computed where it is read and can never go stale.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_rules"
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


def upgrade():
    for table in ("moderation_rounds", "programme_draws"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("numpy_version", sa.String(length=20), nullable=True))
    with op.batch_alter_table("moderation_grades") as batch_op:
        batch_op.drop_constraint(op.f("ck_moderation_grades_known_comparison"), type_="check")
        batch_op.drop_column("comparison")


def downgrade():
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
