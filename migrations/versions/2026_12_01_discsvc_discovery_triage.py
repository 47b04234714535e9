"""Discovery triage: import runs, unclassified spend, merchant decisions, platform apps.

Revision ID: 5d1c7a9e3b42
Revises: 6a0f3c9e1b27
Create Date: 2026-12-01 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '5d1c7a9e3b42'
down_revision = '6a0f3c9e1b27'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('via', sa.String(length=10), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_run'))
    )
    op.create_index(op.f('ix_import_run_at'), 'import_run', ['at'], unique=False)
    op.create_table('merchant_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_key', sa.String(length=500), nullable=False),
    sa.Column('merchant', sa.String(length=500), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('decided_by', sa.String(length=254), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merchant_decision')),
    sa.UniqueConstraint('merchant_key', name=op.f('uq_merchant_decision_merchant_key'))
    )
    op.create_table('platform_app',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('app_id', sa.String(length=500), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_app')),
    sa.UniqueConstraint('platform', 'name', 'app_id', name=op.f('uq_platform_app_platform_name_app_id'))
    )
    op.create_table('unclassified_spend',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('merchant', sa.String(length=500), nullable=False),
    sa.Column('merchant_key', sa.String(length=500), nullable=False),
    sa.Column('raw', sa.String(length=500), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('user', sa.String(length=254), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_run.id'], name=op.f('fk_unclassified_spend_import_run_id_import_run'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unclassified_spend')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_unclassified_spend_fingerprint'))
    )
    op.create_index(op.f('ix_unclassified_spend_import_run_id'), 'unclassified_spend', ['import_run_id'], unique=False)
    op.create_index(op.f('ix_unclassified_spend_merchant_key'), 'unclassified_spend', ['merchant_key'], unique=False)
    op.create_index(op.f('ix_change_record_request_id'), 'change_record', ['request_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_change_record_request_id'), table_name='change_record')
    op.drop_index(op.f('ix_unclassified_spend_merchant_key'), table_name='unclassified_spend')
    op.drop_index(op.f('ix_unclassified_spend_import_run_id'), table_name='unclassified_spend')
    op.drop_table('unclassified_spend')
    op.drop_table('platform_app')
    op.drop_table('merchant_decision')
    op.drop_index(op.f('ix_import_run_at'), table_name='import_run')
    op.drop_table('import_run')
