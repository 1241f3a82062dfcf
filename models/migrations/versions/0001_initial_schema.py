"""initial schema

Revision ID: 0001
Revises: none
Create Date: 2026-11-23

The first released schema. Also writes the one federation row, with neutral values the office
replaces in 设置 (the printed notices read them).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("short_name", sa.String(length=20), nullable=False),
        sa.Column("seal_text", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("notice_reply_days", sa.Integer(), nullable=False),
        sa.Column("notice_days_are_working_days", sa.Boolean(), nullable=False),
        sa.Column("staff_threshold", sa.Integer(), nullable=False),
        sa.Column("non_public_staff_threshold", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_federation_single_row")),
        sa.CheckConstraint("notice_reply_days > 0", name=op.f("ck_federation_reply_days_positive")),
        sa.CheckConstraint(
            "staff_threshold > 0 AND non_public_staff_threshold > 0",
            name=op.f("ck_federation_thresholds_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation")),
        sa.UniqueConstraint("uuid", name=op.f("uq_federation_uuid")),
    )
    op.create_table(
        "first_level_union",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("contact_person", sa.String(length=50), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('street', 'park', 'industry')", name=op.f("ck_first_level_union_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_first_level_union")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_first_level_union_credit_code")),
        sa.UniqueConstraint("name", name=op.f("uq_first_level_union_name")),
        sa.UniqueConstraint("uuid", name=op.f("uq_first_level_union_uuid")),
    )
    op.create_table(
        "employer",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("employer_class", sa.String(length=30), nullable=False),
        sa.Column("industry", sa.String(length=50), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("legal_representative", sa.String(length=50), nullable=True),
        sa.Column("contact_person", sa.String(length=50), nullable=True),
        sa.Column("contact_phone", sa.String(length=30), nullable=True),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column("staff_count", sa.Integer(), nullable=True),
        sa.Column("staff_count_source", sa.String(length=30), nullable=True),
        sa.Column("staff_count_date", sa.Date(), nullable=True),
        sa.Column("above_scale", sa.Boolean(), nullable=False),
        sa.Column("deputy_linked", sa.Boolean(), nullable=False),
        sa.Column("new_employment_forms", sa.Boolean(), nullable=False),
        sa.Column("first_level_union_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "employer_class IN ('state_owned', 'public_institution', 'non_public', 'social_organization')",
            name=op.f("ck_employer_employer_class"),
        ),
        sa.CheckConstraint(
            "staff_count_source IN ('social_security', 'tax', 'market_regulation', 'self_reported', 'survey')",
            name=op.f("ck_employer_staff_count_source"),
        ),
        sa.CheckConstraint(
            "credit_code IS NULL OR length(credit_code) = 18", name=op.f("ck_employer_credit_code_length")
        ),
        sa.CheckConstraint("staff_count >= 0", name=op.f("ck_employer_staff_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["first_level_union_id"],
            ["first_level_union.id"],
            name=op.f("fk_employer_first_level_union_id_first_level_union"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_employer_credit_code")),
        sa.UniqueConstraint("uuid", name=op.f("uq_employer_uuid")),
    )
    with op.batch_alter_table("employer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_employer_first_level_union_id"), ["first_level_union_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_employer_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_employer_staff_count"), ["staff_count"], unique=False)

    op.create_table(
        "union",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("first_level_union_id", sa.Integer(), nullable=False),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column("chair_name", sa.String(length=50), nullable=True),
        sa.Column("chair_phone", sa.String(length=30), nullable=True),
        sa.Column("term_years", sa.Integer(), nullable=False),
        sa.Column("term_started_on", sa.Date(), nullable=True),
        sa.Column("covered_staff", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("transferred_in_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "credit_code IS NULL OR (length(credit_code) = 18 AND substr(credit_code, 1, 2) = '81')",
            name=op.f("ck_union_credit_code_union"),
        ),
        sa.CheckConstraint("kind IN ('single', 'joint', 'regional')", name=op.f("ck_union_kind")),
        sa.CheckConstraint(
            "status IN ('active', 'transferred_out', 'dissolved')", name=op.f("ck_union_status")
        ),
        sa.CheckConstraint("covered_staff >= 0", name=op.f("ck_union_covered_staff_not_negative")),
        sa.CheckConstraint("term_years IN (3, 5)", name=op.f("ck_union_term_years")),
        sa.ForeignKeyConstraint(
            ["first_level_union_id"],
            ["first_level_union.id"],
            name=op.f("fk_union_first_level_union_id_first_level_union"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_union")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_union_credit_code")),
        sa.UniqueConstraint("uuid", name=op.f("uq_union_uuid")),
    )
    with op.batch_alter_table("union", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_union_first_level_union_id"), ["first_level_union_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_union_founded_on"), ["founded_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_union_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_union_status"), ["status"], unique=False)

    op.create_table(
        "member",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("ethnicity", sa.String(length=20), nullable=True),
        sa.Column("political_status", sa.String(length=20), nullable=True),
        sa.Column("education", sa.String(length=20), nullable=True),
        sa.Column("mobile", sa.String(length=11), nullable=True),
        sa.Column("household_type", sa.String(length=10), nullable=True),
        sa.Column("employment_form", sa.String(length=10), nullable=False),
        sa.Column("flexible_occupation", sa.String(length=20), nullable=True),
        sa.Column("union_id", sa.Integer(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("join_channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "employment_form IN ('regular', 'flexible')", name=op.f("ck_member_employment_form")
        ),
        sa.CheckConstraint(
            "flexible_occupation IN ('truck_driver', 'courier', 'food_delivery', 'ride_hailing', 'other')",
            name=op.f("ck_member_flexible_occupation"),
        ),
        sa.CheckConstraint(
            "flexible_occupation IS NULL OR employment_form = 'flexible'",
            name=op.f("ck_member_occupation_only_if_flexible"),
        ),
        sa.CheckConstraint("household_type IN ('urban', 'rural')", name=op.f("ck_member_household_type")),
        sa.CheckConstraint(
            "join_channel IN ('regular', 'source_site', 'public_hire', 'flexible_group')",
            name=op.f("ck_member_join_channel"),
        ),
        sa.CheckConstraint(
            "left_on IS NULL OR status != 'active'", name=op.f("ck_member_left_only_if_not_active")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'transferred_out', 'withdrawn')", name=op.f("ck_member_status")
        ),
        sa.CheckConstraint("length(id_number) = 18", name=op.f("ck_member_id_number_length")),
        sa.CheckConstraint("mobile IS NULL OR length(mobile) = 11", name=op.f("ck_member_mobile_length")),
        sa.ForeignKeyConstraint(["union_id"], ["union.id"], name=op.f("fk_member_union_id_union")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("id_number", name=op.f("uq_member_id_number")),
        sa.UniqueConstraint("uuid", name=op.f("uq_member_uuid")),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_joined_on"), ["joined_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_member_mobile"), ["mobile"], unique=False)
        batch_op.create_index(batch_op.f("ix_member_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_member_status"), ["status"], unique=False)
        batch_op.create_index("ix_member_union_status", ["union_id", "status"], unique=False)

    op.create_table(
        "notice",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("number_year", sa.Integer(), nullable=True),
        sa.Column("number_seq", sa.Integer(), nullable=True),
        sa.Column("document_number", sa.String(length=50), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("reply_due_on", sa.Date(), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("facts", sa.Text(), nullable=True),
        sa.Column("requests", sa.Text(), nullable=True),
        sa.Column("escalated_from_id", sa.Integer(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("reply_summary", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('opinion_letter', 'inspection_opinion', 'recommendation')", name=op.f("ck_notice_kind")
        ),
        sa.CheckConstraint(
            "status = 'draft' OR number_seq IS NOT NULL", name=op.f("ck_notice_numbered_unless_draft")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'issued', 'served', 'replied', 'escalated', 'closed', 'void')",
            name=op.f("ck_notice_status"),
        ),
        sa.CheckConstraint(
            "(number_seq IS NULL) = (number_year IS NULL)", name=op.f("ck_notice_number_complete")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employer.id"], name=op.f("fk_notice_employer_id_employer")
        ),
        sa.ForeignKeyConstraint(
            ["escalated_from_id"], ["notice.id"], name=op.f("fk_notice_escalated_from_id_notice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        sa.UniqueConstraint("document_number", name=op.f("uq_notice_document_number")),
        sa.UniqueConstraint("kind", "number_year", "number_seq", name="uq_notice_number"),
        sa.UniqueConstraint("uuid", name=op.f("uq_notice_uuid")),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_reply_due_on"), ["reply_due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_status"), ["status"], unique=False)

    op.create_table(
        "organizing_task",
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("first_level_union_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('not_started', 'mobilizing', 'preparing', 'founded', 'deferred', 'cancelled')",
            name=op.f("ck_organizing_task_status"),
        ),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_organizing_task_year_plausible")),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employer.id"], name=op.f("fk_organizing_task_employer_id_employer")
        ),
        sa.ForeignKeyConstraint(
            ["first_level_union_id"],
            ["first_level_union.id"],
            name=op.f("fk_organizing_task_first_level_union_id_first_level_union"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizing_task")),
        sa.UniqueConstraint("employer_id", "year", name="uq_organizing_task_employer_year"),
        sa.UniqueConstraint("uuid", name=op.f("uq_organizing_task_uuid")),
    )
    with op.batch_alter_table("organizing_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organizing_task_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_organizing_task_first_level_union_id"), ["first_level_union_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organizing_task_year"), ["year"], unique=False)

    op.create_table(
        "union_employer",
        sa.Column("union_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"],
            ["employer.id"],
            name=op.f("fk_union_employer_employer_id_employer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["union_id"], ["union.id"], name=op.f("fk_union_employer_union_id_union"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("union_id", "employer_id", name=op.f("pk_union_employer")),
    )
    with op.batch_alter_table("union_employer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_union_employer_employer_id"), ["employer_id"], unique=False)

    op.create_table(
        "visit",
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visitors", sa.String(length=200), nullable=True),
        sa.Column("first_level_union_id", sa.Integer(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["employer_id"], ["employer.id"], name=op.f("fk_visit_employer_id_employer")),
        sa.ForeignKeyConstraint(
            ["first_level_union_id"],
            ["first_level_union.id"],
            name=op.f("fk_visit_first_level_union_id_first_level_union"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
        sa.UniqueConstraint("uuid", name=op.f("uq_visit_uuid")),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_visited_on"), ["visited_on"], unique=False)

    op.create_table(
        "service",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("signed_by", sa.String(length=50), nullable=True),
        sa.Column("served_by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("method IN ('direct', 'mail', 'left')", name=op.f("ck_service_method")),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notice.id"], name=op.f("fk_service_notice_id_notice"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("uuid", name=op.f("uq_service_uuid")),
    )
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_notice_id"), ["notice_id"], unique=False)

    federation = sa.table(
        "federation",
        *(
            sa.column(name)
            for name in (
                "id",
                "uuid",
                "created_at",
                "updated_at",
                "name",
                "short_name",
                "seal_text",
                "notice_reply_days",
                "notice_days_are_working_days",
                "staff_threshold",
                "non_public_staff_threshold",
            )
        ),
    )
    created = datetime.now().replace(microsecond=0)
    op.bulk_insert(
        federation,
        [
            {
                "id": 1,
                "uuid": str(uuid.uuid4()),
                "created_at": created,
                "updated_at": created,
                "name": "区总工会",
                "short_name": "区总工",
                "seal_text": "区总工会",
                "notice_reply_days": 15,
                "notice_days_are_working_days": True,
                "staff_threshold": 100,
                "non_public_staff_threshold": 50,
            }
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_notice_id"))

    op.drop_table("service")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_visited_on"))
        batch_op.drop_index(batch_op.f("ix_visit_employer_id"))

    op.drop_table("visit")
    with op.batch_alter_table("union_employer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_union_employer_employer_id"))

    op.drop_table("union_employer")
    with op.batch_alter_table("organizing_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organizing_task_year"))
        batch_op.drop_index(batch_op.f("ix_organizing_task_first_level_union_id"))
        batch_op.drop_index(batch_op.f("ix_organizing_task_employer_id"))

    op.drop_table("organizing_task")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_status"))
        batch_op.drop_index(batch_op.f("ix_notice_reply_due_on"))
        batch_op.drop_index(batch_op.f("ix_notice_employer_id"))

    op.drop_table("notice")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("ix_member_union_status")
        batch_op.drop_index(batch_op.f("ix_member_status"))
        batch_op.drop_index(batch_op.f("ix_member_name"))
        batch_op.drop_index(batch_op.f("ix_member_mobile"))
        batch_op.drop_index(batch_op.f("ix_member_joined_on"))

    op.drop_table("member")
    with op.batch_alter_table("union", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_union_status"))
        batch_op.drop_index(batch_op.f("ix_union_name"))
        batch_op.drop_index(batch_op.f("ix_union_founded_on"))
        batch_op.drop_index(batch_op.f("ix_union_first_level_union_id"))

    op.drop_table("union")
    with op.batch_alter_table("employer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employer_staff_count"))
        batch_op.drop_index(batch_op.f("ix_employer_name"))
        batch_op.drop_index(batch_op.f("ix_employer_first_level_union_id"))

    op.drop_table("employer")
    op.drop_table("first_level_union")
    op.drop_table("federation")
