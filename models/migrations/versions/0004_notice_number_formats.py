"""notice number formats

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

The document number of each kind of notice is a setting (DOMAIN.md: 两江工组函〔2020〕3号). The format
holds {short_name}, {year} and {number}; an office that numbers differently edits it in 设置.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FORMATS = {
    "opinion_letter_number_format": "{short_name}工组函〔{year}〕{number}号",
    "inspection_opinion_number_format": "{short_name}工检字〔{year}〕{number}号",
    "recommendation_number_format": "{short_name}工建字〔{year}〕{number}号",
}


def upgrade() -> None:
    # Plain ADD COLUMN with a default: the one federation row gets the format at once, no table copy.
    for column, default in FORMATS.items():
        op.add_column("federation", sa.Column(column, sa.String(60), nullable=False, server_default=default))


def downgrade() -> None:
    with op.batch_alter_table("federation") as batch:
        for column in FORMATS:
            batch.drop_column(column)
