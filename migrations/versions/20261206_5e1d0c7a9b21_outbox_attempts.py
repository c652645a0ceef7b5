"""outbox attempts, first acceptance, heartbeat, body retention

Revision ID: 5e1d0c7a9b21
Revises: daff2bccce0c
Create Date: 2026-12-06 09:40:00

"""
from alembic import op
import sqlalchemy as sa

import rgpd_app.foundation.types


revision = '5e1d0c7a9b21'
down_revision = 'daff2bccce0c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_pk', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=500), nullable=False),
    sa.Column('started_at', rgpd_app.foundation.types.UTCDateTime(), nullable=False),
    sa.Column('data_sent_at', rgpd_app.foundation.types.UTCDateTime(), nullable=True),
    sa.Column('finished_at', rgpd_app.foundation.types.UTCDateTime(), nullable=True),
    sa.Column('accepted_at', rgpd_app.foundation.types.UTCDateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('queue_id', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['message_pk'], ['outbox_message.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_pk', 'number')
    )
    with op.batch_alter_table('outbox_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_attempt_message_pk'), ['message_pk'], unique=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', rgpd_app.foundation.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('accepted_attempt', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acceptance_reply', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('acceptance_queue_id', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('body_purged_at', rgpd_app.foundation.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('body_purged_at')
        batch_op.drop_column('acceptance_queue_id')
        batch_op.drop_column('acceptance_reply')
        batch_op.drop_column('accepted_attempt')
        batch_op.drop_column('heartbeat_at')

    with op.batch_alter_table('outbox_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_attempt_message_pk'))

    op.drop_table('outbox_attempt')
