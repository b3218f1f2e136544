"""single sign-on subjects; retention: anonymised cases and redacted events

Revision ID: 0012
Revises: 0011

- users.sso_subject: the OpenID Connect provider's subject for the person, recorded at their
  first single sign-on (unique).
- cases.anonymised_at: when the retention rule removed the free text of the case's audits
  and replaced its reference with a random token.
- events.redacted_at: the event log stays append-only, with one exception: the retention
  rule may change an event's before, after and note (to blank them, or to put a random
  token where they name a case), stamping redacted_at later than any earlier redaction,
  and must leave who, when, what kind and which record as they were. The triggers refuse
  any other UPDATE, and every DELETE, as before.
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Columns a redaction must leave as they were.
_KEPT = ("id", "occurred_at", "actor_id", "entity_type", "entity_id", "action")


def _redaction_only_pg():
    unchanged = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in _KEPT)
    op.execute(f"""
        CREATE OR REPLACE FUNCTION events_redact_only() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.redacted_at IS NOT NULL
               AND (OLD.redacted_at IS NULL OR NEW.redacted_at > OLD.redacted_at)
               AND {unchanged} THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END;
        $$ LANGUAGE plpgsql
    """)
    op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
    op.execute("CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
               "FOR EACH ROW EXECUTE FUNCTION events_redact_only()")


def _redaction_only_sqlite():
    unchanged = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _KEPT)
    op.execute("DROP TRIGGER IF EXISTS events_no_update")
    op.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        "WHEN NOT (NEW.redacted_at IS NOT NULL AND "
        f"(OLD.redacted_at IS NULL OR NEW.redacted_at > OLD.redacted_at) AND {unchanged}) "
        "BEGIN SELECT RAISE(ABORT, 'events is append-only'); END"
    )


def upgrade():
    op.add_column("users", sa.Column("sso_subject", sa.String(length=255), nullable=True))
    op.create_index(op.f("ix_users_sso_subject"), "users", ["sso_subject"], unique=True)
    op.add_column("cases", sa.Column("anonymised_at", sa.DateTime(), nullable=True))
    # Added without rebuilding the table, so its triggers stay in place.
    op.add_column("events", sa.Column("redacted_at", sa.DateTime(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _redaction_only_pg()
    else:
        _redaction_only_sqlite()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS events_redact_only()")
        op.execute("CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
                   "FOR EACH ROW EXECUTE FUNCTION refuse_change()")
        op.drop_column("events", "redacted_at")
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        # SQLite before 3.35 cannot drop a column; batch mode rebuilds the table, which
        # drops its triggers, so both are made again after.
        with op.batch_alter_table("events") as batch_op:
            batch_op.drop_column("redacted_at")
        op.execute("DROP TRIGGER IF EXISTS events_no_delete")
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
                       "BEGIN SELECT RAISE(ABORT, 'events is append-only'); END")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("anonymised_at")
    op.drop_index(op.f("ix_users_sso_subject"), table_name="users")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("sso_subject")
