"""form posts (one creation per form, however often it is posted); settings row versions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_posts',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('result_path', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_posts_user_id_users')),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_posts'))
    )
    with op.batch_alter_table('form_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_posts_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('row_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('settings', schema=None) as batch_op:
        batch_op.drop_column('row_version')

    with op.batch_alter_table('form_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_posts_user_id'))

    op.drop_table('form_posts')
