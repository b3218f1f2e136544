"""NumPy version beside each seed

Revision ID: 0005_rules
Revises: 0004

- moderation_rounds.numpy_version, programme_draws.numpy_version: NumPy promises the same
  stream from a seed only within a version. Draws made before this are "not recorded".
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_rules"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("moderation_rounds", "programme_draws"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("numpy_version", sa.String(length=20), nullable=True))


def downgrade():
    for table in ("programme_draws", "moderation_rounds"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("numpy_version")
