"""moderation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 00:48:33.856637

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('moderation_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('include_moderated', sa.Boolean(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=True),
    sa.Column('frame_size', sa.Integer(), nullable=True),
    sa.Column('drawn_at', sa.DateTime(), nullable=True),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('qa_quarterly', 'independent', 'senior_manager')", name=op.f('ck_moderation_rounds_known_kind')),
    sa.CheckConstraint("method IN ('simple_random', 'stratified_team', 'stratified_auditor', 'targeted', 'targeted_then_random')", name=op.f('ck_moderation_rounds_known_method')),
    sa.CheckConstraint("mode IN ('blind', 'open')", name=op.f('ck_moderation_rounds_known_mode')),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_moderation_rounds_period_in_order')),
    sa.CheckConstraint('quota >= 1', name=op.f('ck_moderation_rounds_quota_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_moderation_rounds_created_by_id_users')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_moderation_rounds_drawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_rounds'))
    )
    op.create_table('round_moderators',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['moderation_rounds.id'], name=op.f('fk_round_moderators_round_id_moderation_rounds')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_round_moderators_user_id_users')),
    sa.PrimaryKeyConstraint('round_id', 'user_id', name=op.f('pk_round_moderators'))
    )
    op.create_table('moderation_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_moderation_samples_audit_id_audits')),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_moderation_samples_moderator_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['moderation_rounds.id'], name=op.f('fk_moderation_samples_round_id_moderation_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_samples')),
    sa.UniqueConstraint('round_id', 'audit_id', name='uq_samples_round_audit')
    )
    with op.batch_alter_table('moderation_samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_samples_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_samples_moderator_id'), ['moderator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_samples_round_id'), ['round_id'], unique=False)

    op.create_table('moderations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('in_progress', 'submitted')", name=op.f('ck_moderations_known_status')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_moderations_audit_id_audits')),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], name=op.f('fk_moderations_moderator_id_users')),
    sa.ForeignKeyConstraint(['sample_id'], ['moderation_samples.id'], name=op.f('fk_moderations_sample_id_moderation_samples')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderations')),
    sa.UniqueConstraint('sample_id', name=op.f('uq_moderations_sample_id'))
    )
    with op.batch_alter_table('moderations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderations_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderations_moderator_id'), ['moderator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderations_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('moderation_grades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moderation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=80), nullable=False),
    sa.Column('domain', sa.String(length=40), nullable=True),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('auditor_grade', sa.String(length=60), nullable=True),
    sa.Column('auditor_rank', sa.Integer(), nullable=True),
    sa.Column('moderator_grade', sa.String(length=60), nullable=True),
    sa.Column('moderator_rank', sa.Integer(), nullable=True),
    sa.Column('agreed_grade', sa.String(length=60), nullable=True),
    sa.Column('agreed_rank', sa.Integer(), nullable=True),
    sa.Column('ruled_grade', sa.String(length=60), nullable=True),
    sa.Column('ruled_rank', sa.Integer(), nullable=True),
    sa.Column('comparison', sa.String(length=20), nullable=True),
    sa.CheckConstraint("comparison IN ('agree', 'auditor_higher', 'auditor_lower')", name=op.f('ck_moderation_grades_known_comparison')),
    sa.ForeignKeyConstraint(['moderation_id'], ['moderations.id'], name=op.f('fk_moderation_grades_moderation_id_moderations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_grades')),
    sa.UniqueConstraint('moderation_id', 'item', name='uq_moderation_grades_item')
    )
    with op.batch_alter_table('moderation_grades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_grades_domain'), ['domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_grades_moderation_id'), ['moderation_id'], unique=False)

    op.create_table('challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grade_id', sa.Integer(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('proposed_grade', sa.String(length=60), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('ruled_by_id', sa.Integer(), nullable=True),
    sa.Column('ruled_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('ruling', sa.Text(), nullable=True),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('upheld', 'rejected')", name=op.f('ck_challenges_known_outcome')),
    sa.ForeignKeyConstraint(['grade_id'], ['moderation_grades.id'], name=op.f('fk_challenges_grade_id_moderation_grades')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_challenges_raised_by_id_users')),
    sa.ForeignKeyConstraint(['ruled_by_id'], ['users.id'], name=op.f('fk_challenges_ruled_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenges'))
    )
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_challenges_grade_id'), ['grade_id'], unique=False)



def downgrade():
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_challenges_grade_id'))

    op.drop_table('challenges')
    with op.batch_alter_table('moderation_grades', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_grades_moderation_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_grades_domain'))

    op.drop_table('moderation_grades')
    with op.batch_alter_table('moderations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderations_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_moderations_moderator_id'))
        batch_op.drop_index(batch_op.f('ix_moderations_audit_id'))

    op.drop_table('moderations')
    with op.batch_alter_table('moderation_samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_samples_round_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_samples_moderator_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_samples_audit_id'))

    op.drop_table('moderation_samples')
    op.drop_table('round_moderators')
    op.drop_table('moderation_rounds')
