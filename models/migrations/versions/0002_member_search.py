"""member search as you type

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

A VIRTUAL generated column holding what search matches (name, ID number, mobile), and one index over
the name order and that text. The plain name index stays: listing all 100,000 ids in name order reads
it in half the time of the wider one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SEARCH_TEXT = "name || ' ' || id_number || ' ' || coalesce(mobile, '')"


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: SQLite accepts a VIRTUAL generated column there (not a STORED one),
    # and it costs nothing on disk; batch mode would copy the whole member table instead.
    op.add_column("member", sa.Column("search_text", sa.Text(), sa.Computed(SEARCH_TEXT, persisted=False)))
    op.create_index("ix_member_name_search", "member", ["name", "search_text"])


def downgrade() -> None:
    op.drop_index("ix_member_name_search", table_name="member")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("search_text")
