"""actions tracked to completion: source, links, completion, verification, cancelling

Revision ID: 0008
Revises: 0007

- actions.source (audit, moderation, dip_sample) with moderation_id and follow_up_of_id
  linking back; raised_by_id (the audit's auditor for existing rows); raised_on (the audit's
  UK day of submission for existing open rows).
- Completion (completed_on, evidence, completed_by_id), verification (verified_at,
  verified_by_id), reopening (reopened_at) and cancelling (cancelled_at, cancelled_by_id,
  cancel_reason).
- status 'verified' splits into 'verified_followed_up' and 'verified_partly'; existing
  verified rows are taken as followed up, and done rows without the new details get
  "Not recorded" as their evidence, so the new rules hold for every row.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_STATUSES = ("proposed", "open", "completed", "verified_followed_up", "verified_partly",
             "cancelled")
_OLD_STATUSES = ("proposed", "open", "completed", "verified", "cancelled")
_DONE = "('completed', 'verified_followed_up', 'verified_partly')"
_CHECKS = {
    "known_source": "source IN ('audit', 'moderation', 'dip_sample')",
    "moderation_linked": "source != 'moderation' OR moderation_id IS NOT NULL",
    "dip_sample_linked": "source != 'dip_sample' OR follow_up_of_id IS NOT NULL",
    "raised_with_due_date": "status = 'proposed' OR (raised_on IS NOT NULL AND due_on IS NOT NULL)",
    "done_with_evidence": (
        "status NOT IN ('completed', 'verified_followed_up', 'verified_partly') OR "
        "(completed_on IS NOT NULL AND completed_by_id IS NOT NULL AND evidence IS NOT NULL)"),
    "verified_by_someone": ("status NOT IN ('verified_followed_up', 'verified_partly') OR "
                            "verified_by_id IS NOT NULL"),
    "cancelled_with_reason": "status != 'cancelled' OR cancel_reason IS NOT NULL",
}
_USERS = ("raised_by_id", "completed_by_id", "verified_by_id", "cancelled_by_id")
_INDEXED = ("moderation_id", "follow_up_of_id", "raised_by_id", "due_on", "raised_on",
            "completed_on")


def _status_check(statuses):
    return "status IN ('" + "', '".join(statuses) + "')"


def upgrade():
    with op.batch_alter_table("actions") as batch_op:
        batch_op.drop_constraint(op.f("ck_actions_known_status"), type_="check")
        batch_op.alter_column("status", existing_type=sa.String(length=10),
                              type_=sa.String(length=24), existing_nullable=False)
        batch_op.add_column(sa.Column("source", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("moderation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("follow_up_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("raised_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("raised_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("completed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("evidence", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("completed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reopened_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))

    audit = "(SELECT {} FROM audits WHERE audits.id = actions.audit_id)"
    op.execute("UPDATE actions SET source = 'audit', raised_by_id = "
               + audit.format("auditor_id"))
    op.execute("UPDATE actions SET status = 'verified_followed_up' WHERE status = 'verified'")
    # Rows opened before this kept no day raised: the audit's day of submission, else the
    # day the recommendation was written.
    op.execute("UPDATE actions SET raised_on = COALESCE(" + audit.format("audited_on")
               + ", date(created_at)) WHERE status != 'proposed'")
    op.execute("UPDATE actions SET due_on = raised_on WHERE status != 'proposed' "
               "AND due_on IS NULL")
    op.execute("UPDATE actions SET completed_on = COALESCE(date(completed_at), "
               "raised_on), completed_by_id = COALESCE(owner_id, raised_by_id), "
               f"evidence = 'Not recorded' WHERE status IN {_DONE}")
    op.execute("UPDATE actions SET verified_by_id = completed_by_id "
               "WHERE status = 'verified_followed_up'")
    op.execute("UPDATE actions SET cancel_reason = 'Not recorded' WHERE status = 'cancelled'")

    with op.batch_alter_table("actions") as batch_op:
        batch_op.alter_column("source", existing_type=sa.String(length=12), nullable=False)
        batch_op.alter_column("raised_by_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint(op.f("ck_actions_known_status"),
                                         _status_check(_STATUSES))
        for name, condition in _CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_actions_{name}"), condition)
        for column in _INDEXED:
            batch_op.create_index(batch_op.f(f"ix_actions_{column}"), [column], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_actions_moderation_id_moderations"),
                                    "moderations", ["moderation_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_actions_follow_up_of_id_actions"),
                                    "actions", ["follow_up_of_id"], ["id"])
        for column in _USERS:
            batch_op.create_foreign_key(batch_op.f(f"fk_actions_{column}_users"), "users",
                                        [column], ["id"])


def downgrade():
    with op.batch_alter_table("actions") as batch_op:
        for column in _USERS:
            batch_op.drop_constraint(batch_op.f(f"fk_actions_{column}_users"),
                                     type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_actions_follow_up_of_id_actions"),
                                 type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_actions_moderation_id_moderations"),
                                 type_="foreignkey")
        for column in _INDEXED:
            batch_op.drop_index(batch_op.f(f"ix_actions_{column}"))
        for name in _CHECKS:
            batch_op.drop_constraint(op.f(f"ck_actions_{name}"), type_="check")
        batch_op.drop_constraint(op.f("ck_actions_known_status"), type_="check")
    op.execute("UPDATE actions SET status = 'verified' "
               "WHERE status IN ('verified_followed_up', 'verified_partly')")
    with op.batch_alter_table("actions") as batch_op:
        for column in ("cancel_reason", "cancelled_by_id", "cancelled_at", "reopened_at",
                       "verified_by_id", "verified_at", "completed_by_id", "evidence",
                       "completed_on", "raised_on", "raised_by_id", "follow_up_of_id",
                       "moderation_id", "source"):
            batch_op.drop_column(column)
        batch_op.alter_column("status", existing_type=sa.String(length=24),
                              type_=sa.String(length=10), existing_nullable=False)
        batch_op.create_check_constraint(op.f("ck_actions_known_status"),
                                         _status_check(_OLD_STATUSES))
