"""action plan: recommendations, outcome measures, targets, figures, actions, updates

Revision ID: 0014
Revises: 0013

The action plan answering an inspection (audit_app/models/plan.py):
- plan_recommendations: number, the recommendation, its source and what inspectors found.
- plan_measures: a recommendation's outcome measures, with a baseline (a value or words,
  and its date) and either a computed measure's key and scope (judged against the targets
  table) or nothing, for figures entered by hand each quarter.
- plan_targets: dated targets of the measures entered by hand (a rate, or words only).
- plan_figures: a quarter's hand-entered figure (value, optional numerator and
  denominator, source), or the editors' judgement of an outcome in words.
- plan_actions and plan_updates: the actions (reference, what we will do, lead, timescale)
  and their dated progress updates, each with the action's status as of that update.
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_recommendations_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_recommendations')),
    sa.UniqueConstraint('number', name=op.f('uq_plan_recommendations_number'))
    )
    op.create_table('plan_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lead', sa.String(length=300), nullable=False),
    sa.Column('timescale', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_actions_created_by_id_users')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['plan_recommendations.id'], name=op.f('fk_plan_actions_recommendation_id_plan_recommendations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_actions')),
    sa.UniqueConstraint('reference', name=op.f('uq_plan_actions_reference'))
    )
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_actions_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table('plan_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('measure_key', sa.String(length=80), nullable=True),
    sa.Column('scope_kind', sa.String(length=10), nullable=True),
    sa.Column('scope_ref', sa.String(length=40), nullable=True),
    sa.Column('baseline_value', sa.Double(), nullable=True),
    sa.Column('baseline_text', sa.Text(), nullable=True),
    sa.Column('baseline_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint('(measure_key IS NULL AND scope_kind IS NULL AND scope_ref IS NULL) OR (measure_key IS NOT NULL AND scope_kind IS NOT NULL AND scope_ref IS NOT NULL)', name=op.f('ck_plan_measures_computed_with_scope')),
    sa.CheckConstraint('baseline_value >= 0 AND baseline_value <= 1', name=op.f('ck_plan_measures_baseline_a_fraction')),
    sa.CheckConstraint('baseline_value IS NOT NULL OR baseline_text IS NOT NULL', name=op.f('ck_plan_measures_has_baseline')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_measures_created_by_id_users')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['plan_recommendations.id'], name=op.f('fk_plan_measures_recommendation_id_plan_recommendations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_measures'))
    )
    with op.batch_alter_table('plan_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_measures_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table('plan_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=7), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('numerator', sa.Integer(), nullable=True),
    sa.Column('denominator', sa.Integer(), nullable=True),
    sa.Column('judgement', sa.String(length=10), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("judgement IN ('achieved', 'on_track', 'below')", name=op.f('ck_plan_figures_known_judgement')),
    sa.CheckConstraint('(numerator IS NULL AND denominator IS NULL) OR (value IS NOT NULL AND numerator >= 0 AND denominator >= 1 AND numerator <= denominator)', name=op.f('ck_plan_figures_counts_whole')),
    sa.CheckConstraint('(value IS NULL AND judgement IS NOT NULL) OR (value IS NOT NULL AND judgement IS NULL)', name=op.f('ck_plan_figures_value_or_judgement')),
    sa.CheckConstraint('value >= 0 AND value <= 1', name=op.f('ck_plan_figures_value_a_fraction')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_figures_created_by_id_users')),
    sa.ForeignKeyConstraint(['measure_id'], ['plan_measures.id'], name=op.f('fk_plan_figures_measure_id_plan_measures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_figures')),
    sa.UniqueConstraint('measure_id', 'quarter', name='uq_plan_figures_measure_quarter')
    )
    with op.batch_alter_table('plan_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_figures_measure_id'), ['measure_id'], unique=False)

    op.create_table('plan_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('rate', sa.Double(), nullable=True),
    sa.Column('applies_from', sa.Date(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint('rate > 0 AND rate < 1', name=op.f('ck_plan_targets_rate_between_0_and_1')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_targets_created_by_id_users')),
    sa.ForeignKeyConstraint(['measure_id'], ['plan_measures.id'], name=op.f('fk_plan_targets_measure_id_plan_measures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_targets')),
    sa.UniqueConstraint('measure_id', 'applies_from', name='uq_plan_targets_measure_from')
    )
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_targets_measure_id'), ['measure_id'], unique=False)

    op.create_table('plan_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('written_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'ongoing', 'delayed', 'completed')", name=op.f('ck_plan_updates_known_status')),
    sa.ForeignKeyConstraint(['action_id'], ['plan_actions.id'], name=op.f('fk_plan_updates_action_id_plan_actions')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_updates_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_updates'))
    )
    with op.batch_alter_table('plan_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_updates_action_id'), ['action_id'], unique=False)



def downgrade():
    with op.batch_alter_table('plan_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_updates_action_id'))

    op.drop_table('plan_updates')
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_targets_measure_id'))

    op.drop_table('plan_targets')
    with op.batch_alter_table('plan_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_figures_measure_id'))

    op.drop_table('plan_figures')
    with op.batch_alter_table('plan_measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_measures_recommendation_id'))

    op.drop_table('plan_measures')
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_actions_recommendation_id'))

    op.drop_table('plan_actions')
    op.drop_table('plan_recommendations')
