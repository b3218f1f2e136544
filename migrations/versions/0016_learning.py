"""learning and training entries for the quarterly headline report

Revision ID: 0016
Revises: 0015

- learning_entries: what the principal social worker records each quarter in response to
  audit themes (audit_app/models/learning.py): the reporting quarter, the theme, what was
  given (a briefing, training or practice guidance), its audience and date, an optional link
  and notes.
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "learning_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("theme", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("audience", sa.String(length=300), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('briefing', 'training', 'practice_guidance')",
                           name=op.f("ck_learning_entries_known_kind")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_learning_entries_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_entries")),
    )
    op.create_index("ix_learning_entries_quarter", "learning_entries", ["quarter", "given_on"],
                    unique=False)


def downgrade():
    op.drop_index("ix_learning_entries_quarter", table_name="learning_entries")
    op.drop_table("learning_entries")
