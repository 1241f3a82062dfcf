"""union events, recycle bin, distinct people

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Three new tables and no change to an old one: a union's moves, transfers and dissolution with dates and
reasons (union_event); deleted members kept whole until restored (recycled_record); pairs of members a
clerk has found to be different people, so the duplicate list stops offering them (distinct_people).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "union_event",
        sa.Column("union_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("from_first_level_union_id", sa.Integer(), nullable=True),
        sa.Column("to_first_level_union_id", sa.Integer(), nullable=True),
        *_record_columns(),
        sa.CheckConstraint(
            "kind IN ('moved', 'transferred_out', 'dissolved', 'transferred_in')",
            name=op.f("ck_union_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["from_first_level_union_id"],
            ["first_level_union.id"],
            name=op.f("fk_union_event_from_first_level_union_id_first_level_union"),
        ),
        sa.ForeignKeyConstraint(
            ["to_first_level_union_id"],
            ["first_level_union.id"],
            name=op.f("fk_union_event_to_first_level_union_id_first_level_union"),
        ),
        sa.ForeignKeyConstraint(
            ["union_id"], ["union.id"], name=op.f("fk_union_event_union_id_union"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_union_event")),
        sa.UniqueConstraint("uuid", name=op.f("uq_union_event_uuid")),
    )
    op.create_index(op.f("ix_union_event_union_id"), "union_event", ["union_id"], unique=False)

    op.create_table(
        "recycled_record",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_uuid", sa.String(length=36), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        *_record_columns(),
        sa.CheckConstraint("kind IN ('member')", name=op.f("ck_recycled_record_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recycled_record")),
        sa.UniqueConstraint("uuid", name=op.f("uq_recycled_record_uuid")),
    )
    op.create_index(op.f("ix_recycled_record_record_uuid"), "recycled_record", ["record_uuid"], unique=False)

    op.create_table(
        "distinct_people",
        sa.Column("first_member_id", sa.Integer(), nullable=False),
        sa.Column("second_member_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "first_member_id < second_member_id", name=op.f("ck_distinct_people_ordered_pair")
        ),
        sa.ForeignKeyConstraint(
            ["first_member_id"],
            ["member.id"],
            name=op.f("fk_distinct_people_first_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["second_member_id"],
            ["member.id"],
            name=op.f("fk_distinct_people_second_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("first_member_id", "second_member_id", name=op.f("pk_distinct_people")),
    )
    op.create_index(
        op.f("ix_distinct_people_second_member_id"), "distinct_people", ["second_member_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("distinct_people")
    op.drop_table("recycled_record")
    op.drop_table("union_event")
