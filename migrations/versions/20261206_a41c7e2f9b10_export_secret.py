"""export jobs: an archive's password kept encrypted for the worker (evidence packs)

Revision ID: a41c7e2f9b10
Revises: 5e1d0c7a9b21
Create Date: 2026-12-06 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a41c7e2f9b10'
down_revision = '5e1d0c7a9b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('export_job', schema=None) as batch_op:
        batch_op.drop_column('secret')
