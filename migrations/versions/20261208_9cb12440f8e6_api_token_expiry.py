"""API tokens expire: 90 days by default, a year at most

Revision ID: 9cb12440f8e6
Revises: d4f2b8c6e1a9
Create Date: 2026-12-08 09:00:00

The tokens made before this revision had no end: each is given the default life, 90 days from
its creation, so that none stays valid forever (one older than 90 days stops working at once;
its owner makes a new one in « Mon compte › Jetons d'API » or with `flask rgpd token`).
"""

from datetime import timedelta

from alembic import op
import sqlalchemy as sa

from rgpd_app.foundation.types import UTCDateTime


revision = "9cb12440f8e6"
down_revision = "d4f2b8c6e1a9"
branch_labels = None
depends_on = None

DEFAULT_DAYS = 90  # rgpd_app.accounts.tokens.DEFAULT_DAYS when this revision was written


def upgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", UTCDateTime(timezone=True), nullable=True))
    token = sa.table(
        "api_token",
        sa.column("id", sa.Integer()),
        sa.column("created_at", UTCDateTime()),
        sa.column("expires_at", UTCDateTime()),
    )
    connection = op.get_bind()
    for token_id, created_at in connection.execute(sa.select(token.c.id, token.c.created_at)):
        connection.execute(
            token.update()
            .where(token.c.id == token_id)
            .values(expires_at=created_at + timedelta(days=DEFAULT_DAYS))
        )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=UTCDateTime(timezone=True), nullable=False
        )


def downgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
