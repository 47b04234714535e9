"""Taxonomy: groups and subcategories an administrator adds to the shipped taxonomy.

Revision ID: c3ec6fbc4936
Revises: 2d26a96d492b
Create Date: 2026-11-22 17:07:29.775908
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'c3ec6fbc4936'
down_revision = '2d26a96d492b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('taxonomy_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('group_key', sa.String(length=100), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_entry')),
    sa.UniqueConstraint('kind', 'key', name=op.f('uq_taxonomy_entry_kind_key'))
    )


def downgrade() -> None:
    op.drop_table('taxonomy_entry')
