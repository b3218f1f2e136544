"""case references compared whatever their capitals; notification emails claimed and retried

Revision ID: 0007
Revises: 0006

- cases.reference_key: the reference casefolded, unique, which every lookup compares, so
  LCS-100200 and lcs-100200 are one case. Filled in here; if existing references already
  differ only in capitals the upgrade stops, changing nothing, and names them, since only a
  person can tell which spelling is right (or whether they are two cases).
- notifications.email_status (queued, sending, sent), email_claimed_at, email_attempts,
  email_error: `send-email` claims each notification before sending it, so two runs at
  once never send one twice, and a failed send is queued again with its error.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _reference_key(reference):
    # audit_app.models.cases.reference_key when this migration was written.
    return reference.casefold()


def _case_keys():
    """{case id: key}, or RuntimeError naming the references that differ only in capitals."""
    rows = op.get_bind().execute(sa.text("SELECT id, reference FROM cases ORDER BY id")).all()
    by_key = {}
    for case_id, reference in rows:
        by_key.setdefault(_reference_key(reference), []).append((case_id, reference))
    clashes = [group for group in by_key.values() if len(group) > 1]
    if clashes:
        listed = "; ".join(", ".join(f"{reference} (/cases/{case_id})"
                                     for case_id, reference in group) for group in clashes)
        raise RuntimeError(
            "Case references must now differ by more than capitals, and these do not: "
            f"{listed}. Change the reference of all but one case in each group (or correct "
            "its spelling) on its case page, then run `flask db upgrade` again. "
            "Nothing was changed.")
    return {case_id: key for key, group in by_key.items() for case_id, _ in group}


def upgrade():
    keys = _case_keys()  # before any change: SQLite cannot undo the DDL below
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference_key", sa.String(length=180), nullable=True))
    if keys:
        op.get_bind().execute(
            sa.text("UPDATE cases SET reference_key = :key WHERE id = :id"),
            [{"id": case_id, "key": key} for case_id, key in keys.items()])
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("reference_key", existing_type=sa.String(length=180),
                              nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_cases_reference_key"),
                                          ["reference_key"])

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_status", sa.String(length=10),
                                      server_default="queued", nullable=False))
        batch_op.add_column(sa.Column("email_claimed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("email_attempts", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.add_column(sa.Column("email_error", sa.String(length=500), nullable=True))
        batch_op.create_index(batch_op.f("ix_notifications_email_status"), ["email_status"],
                              unique=False)
        batch_op.create_check_constraint(
            "known_email_status", "email_status IN ('queued', 'sending', 'sent')")
    op.execute("UPDATE notifications SET email_status = 'sent' WHERE emailed_at IS NOT NULL")


def downgrade():
    # A notification being sent as this runs is queued again: the old code sends it later.
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notifications_known_email_status"),
                                 type_="check")
        batch_op.drop_index(batch_op.f("ix_notifications_email_status"))
        batch_op.drop_column("email_error")
        batch_op.drop_column("email_attempts")
        batch_op.drop_column("email_claimed_at")
        batch_op.drop_column("email_status")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_cases_reference_key"), type_="unique")
        batch_op.drop_column("reference_key")
