"""Proposals: changes a marketer asked for that wait for IT's decision.

Revision ID: 6a0f3c9e1b27
Revises: 5e1a7c3b9d42
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '6a0f3c9e1b27'
down_revision = '5e1a7c3b9d42'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('change_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('object_key', sa.String(length=600), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('base', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('proposed_by', sa.String(length=254), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=254), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_proposal'))
    )
    with op.batch_alter_table('change_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_proposal_object_id'), ['object_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_change_proposal_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('change_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_proposal_status'))
        batch_op.drop_index(batch_op.f('ix_change_proposal_object_id'))
    op.drop_table('change_proposal')
