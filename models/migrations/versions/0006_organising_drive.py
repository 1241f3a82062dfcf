"""organising drive

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

What issue 6 needs stored: the "四清" facts of an organising task, why it was proposed, when and by which
union it closed, its monthly progress notes (task_progress); each first-level union's yearly target
(organizing_target); and every member's leaving and rejoining with its date (membership_change), so the
figures of a past period do not change when a member who left comes back. Members who have already left
get their change row from the status and date the member row holds.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Columns first: the batch copy of organizing_task must happen before task_progress refers to it.
    with op.batch_alter_table("organizing_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("staff_found", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("workplace", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("why_no_union", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("plan", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("planned_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("founded_union_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_organizing_task_founded_union_id_union"),
            "union",
            ["founded_union_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "organizing_target",
        sa.Column("first_level_union_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("new_unions", sa.Integer(), nullable=False),
        sa.Column("new_members", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "new_unions >= 0 AND new_members >= 0", name=op.f("ck_organizing_target_not_negative")
        ),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_organizing_target_year_plausible")),
        sa.ForeignKeyConstraint(
            ["first_level_union_id"],
            ["first_level_union.id"],
            name=op.f("fk_organizing_target_first_level_union_id_first_level_union"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizing_target")),
        sa.UniqueConstraint("first_level_union_id", "year", name="uq_organizing_target_union_year"),
        sa.UniqueConstraint("uuid", name=op.f("uq_organizing_target_uuid")),
    )
    with op.batch_alter_table("organizing_target", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organizing_target_first_level_union_id"), ["first_level_union_id"], unique=False
        )

    op.create_table(
        "membership_change",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('withdrawn', 'transferred_out', 'rejoined')", name=op.f("ck_membership_change_kind")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_membership_change_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_change")),
        sa.UniqueConstraint("uuid", name=op.f("uq_membership_change_uuid")),
    )
    with op.batch_alter_table("membership_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_change_happened_on"), ["happened_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_change_member_id"), ["member_id"], unique=False)

    op.create_table(
        "task_progress",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["organizing_task.id"],
            name=op.f("fk_task_progress_task_id_organizing_task"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_progress")),
        sa.UniqueConstraint("uuid", name=op.f("uq_task_progress_uuid")),
    )
    with op.batch_alter_table("task_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_progress_task_id"), ["task_id"], unique=False)

    _record_past_departures()


def downgrade() -> None:
    with op.batch_alter_table("organizing_task", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_organizing_task_founded_union_id_union"), type_="foreignkey")
        batch_op.drop_column("founded_union_id")
        batch_op.drop_column("closed_on")
        batch_op.drop_column("planned_on")
        batch_op.drop_column("plan")
        batch_op.drop_column("why_no_union")
        batch_op.drop_column("workplace")
        batch_op.drop_column("staff_found")
        batch_op.drop_column("rules")

    with op.batch_alter_table("task_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_progress_task_id"))

    op.drop_table("task_progress")
    with op.batch_alter_table("membership_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_change_member_id"))
        batch_op.drop_index(batch_op.f("ix_membership_change_happened_on"))

    op.drop_table("membership_change")
    with op.batch_alter_table("organizing_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organizing_target_first_level_union_id"))

    op.drop_table("organizing_target")


def _record_past_departures() -> None:
    connection = op.get_bind()
    departed = connection.execute(
        sa.text(
            "SELECT id, status, left_on FROM member "
            "WHERE status IN ('withdrawn', 'transferred_out') AND left_on IS NOT NULL"
        )
    ).all()
    if departed:
        connection.execute(
            sa.text(
                "INSERT INTO membership_change (member_id, kind, happened_on, uuid, created_at, updated_at) "
                "VALUES (:member_id, :kind, :happened_on, :uuid, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            [
                {"member_id": id_, "kind": status, "happened_on": left_on, "uuid": str(uuid.uuid4())}
                for id_, status, left_on in departed
            ],
        )
