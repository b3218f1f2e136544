"""imported results: audits and moderations from a council's spreadsheets

Revision ID: 0013
Revises: 0012

- audits.imported_from, imported_at: the file an imported audit came from, and when. An
  imported audit belongs to no programme (programme_id may now be empty), is submitted and
  never changes; an audit done in the tool still needs its programme (a check constraint
  holds both rules). A partial unique index keeps one imported audit per case, template
  version, auditor and audit date, so two imports of one file at once cannot both add it.
- moderations.imported_from, imported_at: likewise; an imported moderation belongs to no
  round's sample (sample_id may now be empty), so it counts towards no round's quota.
- cases.opened_on may be empty: a case the import adds is often of unknown opening date.

Downgrading refuses while imported audits, imported moderations or cases of unknown
opening date exist, since the older schema cannot hold them; nothing is deleted for you.
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

IMPORTED = "imported_from IS NOT NULL"
_AUDITS_RULE = ("(imported_from IS NULL AND programme_id IS NOT NULL) OR (imported_from IS NOT "
                "NULL AND programme_id IS NULL AND status = 'submitted')")
_MODERATIONS_RULE = ("(imported_from IS NULL AND sample_id IS NOT NULL) OR (imported_from IS "
                     "NOT NULL AND sample_id IS NULL AND status = 'submitted')")
_UNIQUE = (
    ("uq_audits_imported", "audits", ["case_id", "template_version_id", "auditor_id",
                                      "audited_on"]),
    ("uq_moderations_imported", "moderations", ["audit_id", "moderator_id", "submitted_on"]),
)


def upgrade():
    with op.batch_alter_table("audits") as batch_op:
        batch_op.add_column(sa.Column("imported_from", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("imported_at", sa.DateTime(), nullable=True))
        batch_op.alter_column("programme_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint("in_programme_or_imported", _AUDITS_RULE)
    with op.batch_alter_table("moderations") as batch_op:
        batch_op.add_column(sa.Column("imported_from", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("imported_at", sa.DateTime(), nullable=True))
        batch_op.alter_column("sample_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint("in_sample_or_imported", _MODERATIONS_RULE)
    with op.batch_alter_table("cases") as batch_op:
        batch_op.alter_column("opened_on", existing_type=sa.Date(), nullable=True)
    for name, table, columns in _UNIQUE:
        op.create_index(name, table, columns, unique=True,
                        sqlite_where=sa.text(IMPORTED), postgresql_where=sa.text(IMPORTED))


def _refuse_if_any(sql, what):
    count = op.get_bind().execute(sa.text(sql)).scalar()
    if count:
        raise RuntimeError(
            f"{count} {what} cannot be held by the schema before revision 0013. Nothing "
            "was changed.")


def downgrade():
    _refuse_if_any("SELECT count(*) FROM audits WHERE imported_from IS NOT NULL",
                   "imported audit(s)")
    _refuse_if_any("SELECT count(*) FROM moderations WHERE imported_from IS NOT NULL",
                   "imported moderation(s)")
    _refuse_if_any("SELECT count(*) FROM cases WHERE opened_on IS NULL",
                   "case(s) of unknown opening date")
    for name, table, _columns in _UNIQUE:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("cases") as batch_op:
        batch_op.alter_column("opened_on", existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table("moderations") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_moderations_in_sample_or_imported"),
                                 type_="check")
        batch_op.alter_column("sample_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("imported_at")
        batch_op.drop_column("imported_from")
    with op.batch_alter_table("audits") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_audits_in_programme_or_imported"),
                                 type_="check")
        batch_op.alter_column("programme_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("imported_at")
        batch_op.drop_column("imported_from")
