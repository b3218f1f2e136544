"""dip samples and reminder digests

Revision ID: 0011
Revises: 0010

- reminder_digests: one row per person, kind and UK day; `send-reminders` inserts it as its
  claim before sending, so a digest goes once a day.
- dip_sample_rounds, dip_sample_cases (swapped-out cases kept with who removed them) and
  dip_sample_checks (one per sampled case and action).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('action_ids', sa.JSON(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.CheckConstraint("kind IN ('owner', 'team')", name=op.f('ck_reminder_digests_known_kind')),
    sa.CheckConstraint("status != 'sent' OR (sent_at IS NOT NULL AND subject IS NOT NULL)", name=op.f('ck_reminder_digests_sent_recorded')),
    sa.CheckConstraint("status IN ('sending', 'sent', 'failed')", name=op.f('ck_reminder_digests_known_status')),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_reminder_digests_recipient_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_digests')),
    sa.UniqueConstraint('recipient_id', 'kind', 'sent_on', name='uq_reminder_digests_daily')
    )
    with op.batch_alter_table('reminder_digests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_digests_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_digests_sent_on'), ['sent_on'], unique=False)

    op.create_table('dip_sample_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_lead_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('compliance_template_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('seed', sa.BigInteger(), nullable=True),
    sa.Column('numpy_version', sa.String(length=20), nullable=True),
    sa.Column('frame_size', sa.Integer(), nullable=True),
    sa.Column('drawn_at', sa.DateTime(), nullable=True),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint('drawn_at IS NULL OR (seed IS NOT NULL AND numpy_version IS NOT NULL AND frame_size IS NOT NULL)', name=op.f('ck_dip_sample_rounds_draw_recorded')),
    sa.CheckConstraint('size BETWEEN 1 AND 50', name=op.f('ck_dip_sample_rounds_size_in_range')),
    sa.CheckConstraint('team_id IS NULL OR service_id IS NULL', name=op.f('ck_dip_sample_rounds_team_or_service')),
    sa.CheckConstraint('window_end >= window_start', name=op.f('ck_dip_sample_rounds_window_in_order')),
    sa.ForeignKeyConstraint(['compliance_template_id'], ['audit_templates.id'], name=op.f('fk_dip_sample_rounds_compliance_template_id_audit_templates')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_dip_sample_rounds_created_by_id_users')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_dip_sample_rounds_drawn_by_id_users')),
    sa.ForeignKeyConstraint(['practice_lead_id'], ['users.id'], name=op.f('fk_dip_sample_rounds_practice_lead_id_users')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_dip_sample_rounds_programme_id_programmes')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_dip_sample_rounds_service_id_services')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_dip_sample_rounds_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dip_sample_rounds'))
    )
    with op.batch_alter_table('dip_sample_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dip_sample_rounds_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_dip_sample_rounds_practice_lead_id'), ['practice_lead_id'], unique=False)

    op.create_table('dip_sample_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=10), nullable=False),
    sa.Column('swap_reason', sa.Text(), nullable=True),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.Column('audit_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("reason != 'by_hand' OR (swap_reason IS NOT NULL AND replaces_id IS NOT NULL)", name=op.f('ck_dip_sample_cases_swap_explained')),
    sa.CheckConstraint("reason IN ('random', 'by_hand')", name=op.f('ck_dip_sample_cases_known_reason')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_dip_sample_cases_audit_id_audits')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_dip_sample_cases_case_id_cases')),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_dip_sample_cases_removed_by_id_users')),
    sa.ForeignKeyConstraint(['replaces_id'], ['dip_sample_cases.id'], name=op.f('fk_dip_sample_cases_replaces_id_dip_sample_cases')),
    sa.ForeignKeyConstraint(['round_id'], ['dip_sample_rounds.id'], name=op.f('fk_dip_sample_cases_round_id_dip_sample_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dip_sample_cases')),
    sa.UniqueConstraint('round_id', 'case_id', name='uq_dip_sample_cases_round_case')
    )
    with op.batch_alter_table('dip_sample_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dip_sample_cases_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dip_sample_cases_round_id'), ['round_id'], unique=False)

    op.create_table('dip_sample_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sampled_case_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('impact', sa.Text(), nullable=True),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome = 'not_yet_due' OR (evidence IS NOT NULL AND impact IS NOT NULL)", name=op.f('ck_dip_sample_checks_judged_with_evidence')),
    sa.CheckConstraint("outcome IN ('followed_up', 'partly', 'not_followed_up', 'not_yet_due')", name=op.f('ck_dip_sample_checks_known_outcome')),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_dip_sample_checks_action_id_actions')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_dip_sample_checks_checked_by_id_users')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['actions.id'], name=op.f('fk_dip_sample_checks_follow_up_id_actions')),
    sa.ForeignKeyConstraint(['sampled_case_id'], ['dip_sample_cases.id'], name=op.f('fk_dip_sample_checks_sampled_case_id_dip_sample_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dip_sample_checks')),
    sa.UniqueConstraint('sampled_case_id', 'action_id', name='uq_dip_sample_checks_action')
    )
    with op.batch_alter_table('dip_sample_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dip_sample_checks_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dip_sample_checks_checked_on'), ['checked_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_dip_sample_checks_sampled_case_id'), ['sampled_case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('dip_sample_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dip_sample_checks_sampled_case_id'))
        batch_op.drop_index(batch_op.f('ix_dip_sample_checks_checked_on'))
        batch_op.drop_index(batch_op.f('ix_dip_sample_checks_action_id'))

    op.drop_table('dip_sample_checks')
    with op.batch_alter_table('dip_sample_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dip_sample_cases_round_id'))
        batch_op.drop_index(batch_op.f('ix_dip_sample_cases_case_id'))

    op.drop_table('dip_sample_cases')
    with op.batch_alter_table('dip_sample_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dip_sample_rounds_practice_lead_id'))
        batch_op.drop_index(batch_op.f('ix_dip_sample_rounds_month'))

    op.drop_table('dip_sample_rounds')
    with op.batch_alter_table('reminder_digests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_digests_sent_on'))
        batch_op.drop_index(batch_op.f('ix_reminder_digests_recipient_id'))

    op.drop_table('reminder_digests')
