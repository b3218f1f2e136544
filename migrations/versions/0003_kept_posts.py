"""kept posts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 00:39:49.022910

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_posts',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kept_posts_user_id_users')),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_kept_posts'))
    )
    with op.batch_alter_table('kept_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_posts_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('kept_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_posts_user_id'))

    op.drop_table('kept_posts')
