"""auditor portal: access after the report (per contract) and packs shared with an audit

Revision ID: b7d2e8f4c1a3
Revises: a41c7e2f9b10
Create Date: 2026-12-07 04:00:00

"""
from alembic import op
import sqlalchemy as sa

from rgpd_app.foundation.types import UTCDateTime


revision = 'b7d2e8f4c1a3'
down_revision = 'a41c7e2f9b10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('auditor_access_days', sa.Integer(), nullable=False, server_default='30')
        )
    op.create_table(
        'audit_share',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('audit_id', sa.Integer(), nullable=False),
        sa.Column('export_job_id', sa.Integer(), nullable=False),
        sa.Column('shared_by_id', sa.Integer(), nullable=True),
        sa.Column('shared_at', UTCDateTime(), nullable=False),
        sa.Column('withdrawn_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['audit_id'], ['audit_request.id']),
        sa.ForeignKeyConstraint(['export_job_id'], ['export_job.id']),
        sa.ForeignKeyConstraint(['shared_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('audit_id', 'export_job_id'),
    )
    with op.batch_alter_table('audit_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_share_audit_id'), ['audit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_share_audit_id'))
    op.drop_table('audit_share')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('auditor_access_days')
