"""measures: the team an audit counts in, targets as data, indexes for the figures

Revision ID: 0010
Revises: 0006

- audits.team_id: the team the case was in on the audit's date, set at submission, so a
  case that moves keeps its history with the team that held it. Filled in here from each
  submitted audit's case's current team (the best that is known for audits made before).
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audits") as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audits_team_id"), ["team_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_audits_team_id_teams"), "teams",
                                    ["team_id"], ["id"])
    op.execute("UPDATE audits SET team_id = (SELECT cases.team_id FROM cases "
               "WHERE cases.id = audits.case_id) WHERE audited_on IS NOT NULL")


def downgrade():
    with op.batch_alter_table("audits") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_audits_team_id_teams"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_audits_team_id"))
        batch_op.drop_column("team_id")
