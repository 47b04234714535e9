"""Saved views of the tool list: a user's named filter sets.

Revision ID: 5e1a7c3b9d42
Revises: 9c3d5e7f1a20
Create Date: 2026-12-01 15:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '5e1a7c3b9d42'
down_revision = '9c3d5e7f1a20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('query', sa.String(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_saved_view_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_view')),
    sa.UniqueConstraint('user_id', 'name', name=op.f('uq_saved_view_user_id_name'))
    )
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_view_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_view_user_id'))
    op.drop_table('saved_view')
