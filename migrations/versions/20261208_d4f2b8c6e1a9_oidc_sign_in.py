"""OpenID Connect sign-in: each organisation's provider, and the subjects linked to accounts

Revision ID: d4f2b8c6e1a9
Revises: d4f1b2c8e6a9
Create Date: 2026-12-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import rgpd_app.foundation.types


revision = 'd4f2b8c6e1a9'
down_revision = 'd4f1b2c8e6a9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('oidc_provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=200), nullable=False),
    sa.Column('client_secret', sa.Text(), nullable=True),
    sa.Column('scopes', sa.String(length=500), nullable=False),
    sa.Column('mfa_acr_values', sa.String(length=200), nullable=False),
    sa.Column('mfa_amr_values', sa.String(length=200), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('is_account_creation_allowed', sa.Boolean(), nullable=False),
    sa.Column('is_required', sa.Boolean(), nullable=False),
    sa.Column('break_glass_user_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', rgpd_app.foundation.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['break_glass_user_id'], ['user_account.id'], name=op.f('fk_oidc_provider_break_glass_user_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_oidc_provider_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_provider')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_oidc_provider_organisation_id'))
    )
    op.create_table('oidc_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('linked_at', rgpd_app.foundation.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', rgpd_app.foundation.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_oidc_identity_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_identity')),
    sa.UniqueConstraint('issuer', 'subject', name='uq_oidc_identity_issuer')
    )
    with op.batch_alter_table('oidc_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oidc_identity_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('oidc_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oidc_identity_user_id'))
    op.drop_table('oidc_identity')
    op.drop_table('oidc_provider')
