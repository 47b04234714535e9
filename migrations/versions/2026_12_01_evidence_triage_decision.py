"""Triage decisions: ignores and merges, kept so they can be listed and undone.

Revision ID: 5e1d0c7a9b24
Revises: c3ec6fbc4936
Create Date: 2026-12-01 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '5e1d0c7a9b24'
down_revision = 'c3ec6fbc4936'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('triage_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=True),
    sa.Column('tool_slug', sa.String(length=100), nullable=False),
    sa.Column('tool_name', sa.String(length=200), nullable=False),
    sa.Column('into_slug', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('decided_by', sa.String(length=254), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_by', sa.String(length=254), nullable=True),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'],
                            name=op.f('fk_triage_decision_tool_id_tool'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_triage_decision'))
    )
    op.create_index(op.f('ix_triage_decision_tool_id'), 'triage_decision', ['tool_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_triage_decision_tool_id'), table_name='triage_decision')
    op.drop_table('triage_decision')
