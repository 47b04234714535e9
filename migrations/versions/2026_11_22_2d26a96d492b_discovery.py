"""Discovery: tool aliases (names and source app ids) and ignored apps.

Revision ID: 2d26a96d492b
Revises: 2e9eb448400e
Create Date: 2026-11-22 16:43:03.762947
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '2d26a96d492b'
down_revision = '2e9eb448400e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ignored_app',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=500), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ignored_app')),
    sa.UniqueConstraint('source', 'value', name=op.f('uq_ignored_app_source_value'))
    )
    op.create_table('tool_alias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_tool_alias_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_alias')),
    sa.UniqueConstraint('source', 'value', name=op.f('uq_tool_alias_source_value'))
    )
    with op.batch_alter_table('tool_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tool_alias_tool_id'), ['tool_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tool_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tool_alias_tool_id'))

    op.drop_table('tool_alias')
    op.drop_table('ignored_app')
