"""journal seals signed with the instance key (outside the database)

Revision ID: c3e9a1f5d7b2
Revises: b7d2e8f4c1a3
Create Date: 2026-12-07 10:30:00

The seals made before this revision are signed here, once, with the instance's active key:
run the upgrade where that key lives (SIGNING_KEYS_FILE: the instance folder by default).
"""
import base64
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = 'c3e9a1f5d7b2'
down_revision = 'b7d2e8f4c1a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('journal_seal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('signature', sa.String(length=128), nullable=True))
    connection = op.get_bind()
    seals = connection.execute(sa.text("SELECT id, hash FROM journal_seal ORDER BY id")).all()
    if not seals:
        return
    from rgpd_app.foundation import signing
    from rgpd_app.journal.integrity import signed_bytes

    now = datetime.now(UTC)
    for seal_id, seal_hash in seals:
        kid, signature = signing.sign(signed_bytes(seal_id, seal_hash), now=now)
        connection.execute(
            sa.text("UPDATE journal_seal SET key_id = :kid, signature = :sig WHERE id = :id"),
            {"kid": kid, "sig": base64.b64encode(signature).decode(), "id": seal_id},
        )


def downgrade():
    with op.batch_alter_table('journal_seal', schema=None) as batch_op:
        batch_op.drop_column('signature')
        batch_op.drop_column('key_id')
