"""accounts, review sign-offs, settings and scorecard snapshots

Revision ID: 2e9eb448400e
Revises: 83e13d1e0e24
Create Date: 2026-11-22 16:40:22.241153
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '2e9eb448400e'
down_revision = '83e13d1e0e24'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scorecard_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_snapshot')),
    sa.UniqueConstraint('day', name=op.f('uq_scorecard_snapshot_day'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('api_token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('api_token_hash', name=op.f('uq_user_account_api_token_hash')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_user_account_session_token'))
    )
    op.create_table('review_signoff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=20), nullable=False),
    sa.Column('round', sa.Date(), nullable=False),
    sa.Column('signed_by', sa.String(length=254), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_review_signoff_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_signoff')),
    sa.UniqueConstraint('tool_id', 'side', 'round', name=op.f('uq_review_signoff_tool_id_side_round'))
    )
    with op.batch_alter_table('review_signoff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_signoff_tool_id'), ['tool_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_signoff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_signoff_tool_id'))

    op.drop_table('review_signoff')
    op.drop_table('user_account')
    op.drop_table('setting')
    op.drop_table('scorecard_snapshot')
