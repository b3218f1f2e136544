"""cases, templates, programmes, audits

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 00:36:44.236820

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('purpose', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("purpose IN ('whole_case_file', 'thematic', 'compliance')", name=op.f('ck_audit_templates_known_purpose')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_templates')),
    sa.UniqueConstraint('slug', name=op.f('uq_audit_templates_slug'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('social_worker_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint('closed_on IS NULL OR closed_on >= opened_on', name=op.f('ck_cases_closed_after_opened')),
    sa.ForeignKeyConstraint(['social_worker_id'], ['users.id'], name=op.f('fk_cases_social_worker_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_cases_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('reference', name=op.f('uq_cases_reference'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_team_id'), ['team_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('emailed_at', sa.DateTime(), nullable=True),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_notifications_recipient_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_recipient_id'), ['recipient_id'], unique=False)

    op.create_table('programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_programmes_period_in_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_programmes_created_by_id_users')),
    sa.ForeignKeyConstraint(['template_id'], ['audit_templates.id'], name=op.f('fk_programmes_template_id_audit_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes'))
    )
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programmes_template_id'), ['template_id'], unique=False)

    op.create_table('template_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('has_overall', sa.Boolean(), nullable=False),
    sa.Column('scale', sa.JSON(), nullable=False),
    sa.Column('good_or_better', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_template_versions_known_status')),
    sa.CheckConstraint('good_or_better >= 1', name=op.f('ck_template_versions_good_or_better_positive')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_template_versions_published_by_id_users')),
    sa.ForeignKeyConstraint(['template_id'], ['audit_templates.id'], name=op.f('fk_template_versions_template_id_audit_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_versions')),
    sa.UniqueConstraint('template_id', 'number', name='uq_template_versions_number')
    )
    with op.batch_alter_table('template_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_template_versions_template_id'), ['template_id'], unique=False)

    op.create_table('case_cohorts',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('cohort', sa.String(length=40), nullable=False),
    sa.CheckConstraint("cohort IN ('early_help', 'child_in_need', 'child_protection', 'cared_for', 'care_leaver', 'children_with_disabilities', 'private_fostering', 'pre_proceedings', 'homeless_16_17')", name=op.f('ck_case_cohorts_known_cohort')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_cohorts_case_id_cases')),
    sa.PrimaryKeyConstraint('case_id', 'cohort', name=op.f('pk_case_cohorts'))
    )
    with op.batch_alter_table('case_cohorts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_cohorts_cohort'), ['cohort'], unique=False)

    op.create_table('programme_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('requested', sa.Integer(), nullable=False),
    sa.Column('frame_size', sa.Integer(), nullable=False),
    sa.Column('skipped_recent', sa.Integer(), nullable=False),
    sa.Column('include_recent', sa.Boolean(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_programme_draws_drawn_by_id_users')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_draws_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_draws'))
    )
    with op.batch_alter_table('programme_draws', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_draws_programme_id'), ['programme_id'], unique=False)

    op.create_table('template_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['template_versions.id'], name=op.f('fk_template_sections_version_id_template_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_sections'))
    )
    with op.batch_alter_table('template_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_template_sections_version_id'), ['version_id'], unique=False)

    op.create_table('audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('auditor_id', sa.Integer(), nullable=False),
    sa.Column('template_version_id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('conflict_of_interest', sa.Boolean(), nullable=False),
    sa.Column('allocated_at', sa.DateTime(), nullable=False),
    sa.Column('allocated_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('overall_grade', sa.String(length=60), nullable=True),
    sa.Column('overall_rank', sa.Integer(), nullable=True),
    sa.Column('strengths', sa.Text(), nullable=True),
    sa.Column('areas_for_development', sa.Text(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('allocated', 'in_progress', 'submitted', 'returned')", name=op.f('ck_audits_known_status')),
    sa.ForeignKeyConstraint(['allocated_by_id'], ['users.id'], name=op.f('fk_audits_allocated_by_id_users')),
    sa.ForeignKeyConstraint(['auditor_id'], ['users.id'], name=op.f('fk_audits_auditor_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_audits_case_id_cases')),
    sa.ForeignKeyConstraint(['draw_id'], ['programme_draws.id'], name=op.f('fk_audits_draw_id_programme_draws')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_audits_programme_id_programmes')),
    sa.ForeignKeyConstraint(['template_version_id'], ['template_versions.id'], name=op.f('fk_audits_template_version_id_template_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audits')),
    sa.UniqueConstraint('programme_id', 'case_id', name='uq_audits_programme_case')
    )
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audits_auditor_id'), ['auditor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audits_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audits_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audits_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_audits_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('template_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('guidance', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('domain', sa.String(length=40), nullable=True),
    sa.Column('evidence_required', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('graded', 'yes_no', 'text', 'date', 'number')", name=op.f('ck_template_questions_known_kind')),
    sa.ForeignKeyConstraint(['section_id'], ['template_sections.id'], name=op.f('fk_template_questions_section_id_template_sections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_questions'))
    )
    with op.batch_alter_table('template_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_template_questions_domain'), ['domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_template_questions_section_id'), ['section_id'], unique=False)

    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("priority IN ('high', 'medium', 'low')", name=op.f('ck_actions_known_priority')),
    sa.CheckConstraint("status IN ('proposed', 'open', 'completed', 'verified', 'cancelled')", name=op.f('ck_actions_known_status')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_actions_audit_id_audits')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_actions_case_id_cases')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_actions_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_status'), ['status'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('grade_rank', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_answers_audit_id_audits')),
    sa.ForeignKeyConstraint(['question_id'], ['template_questions.id'], name=op.f('fk_answers_question_id_template_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('audit_id', 'question_id', name='uq_answers_question')
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answers_question_id'), ['question_id'], unique=False)

    op.create_table('audit_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_audit_responses_audit_id_audits')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_audit_responses_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_responses'))
    )
    with op.batch_alter_table('audit_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_responses_audit_id'), ['audit_id'], unique=False)

    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('concern', sa.Text(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('acknowledge_by', sa.DateTime(), nullable=False),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledgement', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_escalations_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_escalations_audit_id_audits')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_escalations_case_id_cases')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_escalations_raised_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_case_id'), ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_case_id'))
        batch_op.drop_index(batch_op.f('ix_escalations_audit_id'))

    op.drop_table('escalations')
    with op.batch_alter_table('audit_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_responses_audit_id'))

    op.drop_table('audit_responses')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_question_id'))
        batch_op.drop_index(batch_op.f('ix_answers_audit_id'))

    op.drop_table('answers')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_status'))
        batch_op.drop_index(batch_op.f('ix_actions_owner_id'))
        batch_op.drop_index(batch_op.f('ix_actions_case_id'))
        batch_op.drop_index(batch_op.f('ix_actions_audit_id'))

    op.drop_table('actions')
    with op.batch_alter_table('template_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_template_questions_section_id'))
        batch_op.drop_index(batch_op.f('ix_template_questions_domain'))

    op.drop_table('template_questions')
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audits_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_audits_status'))
        batch_op.drop_index(batch_op.f('ix_audits_programme_id'))
        batch_op.drop_index(batch_op.f('ix_audits_case_id'))
        batch_op.drop_index(batch_op.f('ix_audits_auditor_id'))

    op.drop_table('audits')
    with op.batch_alter_table('template_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_template_sections_version_id'))

    op.drop_table('template_sections')
    with op.batch_alter_table('programme_draws', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_draws_programme_id'))

    op.drop_table('programme_draws')
    with op.batch_alter_table('case_cohorts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_cohorts_cohort'))

    op.drop_table('case_cohorts')
    with op.batch_alter_table('template_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_template_versions_template_id'))

    op.drop_table('template_versions')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programmes_template_id'))

    op.drop_table('programmes')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_recipient_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_team_id'))

    op.drop_table('cases')
    op.drop_table('settings')
    op.drop_table('audit_templates')
