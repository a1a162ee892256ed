"""Initial schema: posts, volunteers, participants, cover periods, receipts, cards, batches, audit

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 09:46:57.695459
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("entity_key", sa.String(length=64), nullable=False),
        sa.Column("changes_json", sa.Text(), nullable=False),
        sa.CheckConstraint("action IN ('create', 'update')", name=op.f("ck_audit_log_action")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_change_no"), ["change_no"], unique=False)
        batch_op.create_index("ix_audit_log_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index("ix_audit_log_origin_at", ["origin", "at"], unique=False)

    op.create_table(
        "counters",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "name", name=op.f("pk_counters")),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kabupaten_code", sa.String(length=5), nullable=False),
        sa.Column("desa_code", sa.String(length=13), nullable=True),
        sa.Column("wadah", sa.String(length=150), nullable=True),
        sa.Column("timezone", sa.String(length=4), nullable=False),
        sa.Column("is_local", sa.Boolean(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("signing_public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("timezone IN ('WIB', 'WITA', 'WIT')", name=op.f("ck_posts_timezone")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("code", name=op.f("uq_posts_code")),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posts_change_no"), ["change_no"], unique=False)

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_settings_change_no"), ["change_no"], unique=False)

    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("change_from", sa.BigInteger(), nullable=False),
        sa.Column("change_to", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("counts_json", sa.Text(), nullable=False),
        sa.Column("newest_receipt_hash", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN ('written', 'acknowledged')", name=op.f("ck_batches_state")),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_batches_post_id_posts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("file_hash", name=op.f("uq_batches_file_hash")),
        sa.UniqueConstraint("post_id", "seq", name=op.f("uq_batches_post_id_seq")),
    )
    op.create_table(
        "volunteers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(), nullable=True),
        sa.Column("post_code", sa.String(length=12), nullable=False),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("role IN ('volunteer', 'coordinator')", name=op.f("ck_volunteers_role")),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_volunteers_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteers")),
        sa.UniqueConstraint("post_id", "login", name=op.f("uq_volunteers_post_id_login")),
        sa.UniqueConstraint("post_id", "number", name=op.f("uq_volunteers_post_id_number")),
    )
    with op.batch_alter_table("volunteers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteers_change_no"), ["change_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_volunteers_post_id"), ["post_id"], unique=False)

    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("post_code", sa.String(length=12), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("registration_no", sa.String(length=24), nullable=False),
        sa.Column("kpj", sa.String(length=11), nullable=True),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("birth_place", sa.String(length=60), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("street", sa.String(length=150), nullable=False),
        sa.Column("rt", sa.String(length=3), nullable=True),
        sa.Column("rw", sa.String(length=3), nullable=True),
        sa.Column("desa_code", sa.String(length=13), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("occupation", sa.String(length=60), nullable=False),
        sa.Column("income", sa.BigInteger(), nullable=False),
        sa.Column("with_jht", sa.Boolean(), nullable=False),
        sa.Column("heir_name", sa.String(length=100), nullable=True),
        sa.Column("heir_relation", sa.String(length=30), nullable=True),
        sa.Column("consent_at", sa.DateTime(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("nik_override_reason", sa.Text(), nullable=True),
        sa.Column("duplicate_override_reason", sa.Text(), nullable=True),
        sa.Column("standing", sa.String(length=10), nullable=False),
        sa.Column("standing_reason", sa.Text(), nullable=True),
        sa.Column("membership_start", sa.Date(), nullable=False),
        sa.Column("rejoin_count", sa.Integer(), nullable=False),
        sa.Column("promotion_code", sa.String(length=32), nullable=True),
        sa.Column("promo_until", sa.Date(), nullable=True),
        sa.Column("cover_from", sa.Date(), nullable=True),
        sa.Column("cover_until", sa.Date(), nullable=True),
        sa.Column("arrears_until", sa.Date(), nullable=True),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("sex IN ('L', 'P')", name=op.f("ck_participants_sex")),
        sa.CheckConstraint(
            "standing IN ('member', 'withdrawn', 'rejected')", name=op.f("ck_participants_standing")
        ),
        sa.CheckConstraint("income > 0", name=op.f("ck_participants_income_positive")),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_participants_post_id_posts")
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_id"],
            ["volunteers.id"],
            name=op.f("fk_participants_registered_by_id_volunteers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("post_id", "nik", name=op.f("uq_participants_post_id_nik")),
        sa.UniqueConstraint("post_id", "number", name=op.f("uq_participants_post_id_number")),
        sa.UniqueConstraint("registration_no", name=op.f("uq_participants_registration_no")),
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participants_change_no"), ["change_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_participants_desa_code"), ["desa_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_participants_kpj"), ["kpj"], unique=False)
        batch_op.create_index(batch_op.f("ix_participants_nik"), ["nik"], unique=False)
        batch_op.create_index(
            "ix_participants_post_arrears", ["post_id", "arrears_until"], unique=False
        )
        batch_op.create_index(
            "ix_participants_post_cover", ["post_id", "cover_until"], unique=False
        )
        batch_op.create_index(
            "ix_participants_post_promo", ["post_id", "promo_until"], unique=False
        )
        batch_op.create_index(
            "ix_participants_post_registered", ["post_id", "registered_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participants_registered_by_id"), ["registered_by_id"], unique=False
        )

    op.create_table(
        "card_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("post_code", sa.String(length=12), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("reason_note", sa.Text(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=True),
        sa.Column("handed_over_at", sa.DateTime(), nullable=True),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "state IN ('valid', 'replaced', 'invalid')", name=op.f("ck_card_issues_state")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["volunteers.id"], name=op.f("fk_card_issues_issued_by_id_volunteers")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_card_issues_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_card_issues_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_issues")),
        sa.UniqueConstraint("post_id", "serial", name=op.f("uq_card_issues_post_id_serial")),
    )
    with op.batch_alter_table("card_issues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_issues_change_no"), ["change_no"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_card_issues_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("post_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("voids_receipt_id", sa.Integer(), nullable=True),
        sa.Column("month_count", sa.Integer(), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=True),
        sa.Column("last_month", sa.Date(), nullable=True),
        sa.Column("jkk", sa.BigInteger(), nullable=False),
        sa.Column("jkm", sa.BigInteger(), nullable=False),
        sa.Column("jht", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("cash_received", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("kind IN ('payment', 'void')", name=op.f("ck_receipts_kind")),
        sa.CheckConstraint("total >= 0", name=op.f("ck_receipts_total_not_negative")),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["volunteers.id"], name=op.f("fk_receipts_issued_by_id_volunteers")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_receipts_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_receipts_post_id_posts")),
        sa.ForeignKeyConstraint(
            ["voids_receipt_id"],
            ["receipts.id"],
            name=op.f("fk_receipts_voids_receipt_id_receipts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("hash", name=op.f("uq_receipts_hash")),
        sa.UniqueConstraint("number", name=op.f("uq_receipts_number")),
        sa.UniqueConstraint("post_id", "year", "seq", name=op.f("uq_receipts_post_id_year_seq")),
        sa.UniqueConstraint("voids_receipt_id", name=op.f("uq_receipts_voids_receipt_id")),
    )
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipts_change_no"), ["change_no"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_receipts_issued_by_id"), ["issued_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_receipts_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index("ix_receipts_post_issued_on", ["post_id", "issued_on"], unique=False)

    op.create_table(
        "cover_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("post_code", sa.String(length=12), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("programmes", sa.String(length=20), nullable=False),
        sa.Column("campaign_code", sa.String(length=32), nullable=True),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("voided_by_receipt_id", sa.Integer(), nullable=True),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("kind IN ('promotion', 'paid')", name=op.f("ck_cover_periods_kind")),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_cover_periods_dates_ordered")),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_cover_periods_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_cover_periods_post_id_posts")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_cover_periods_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_receipt_id"],
            ["receipts.id"],
            name=op.f("fk_cover_periods_voided_by_receipt_id_receipts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cover_periods")),
        sa.UniqueConstraint("post_id", "number", name=op.f("uq_cover_periods_post_id_number")),
    )
    with op.batch_alter_table("cover_periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cover_periods_change_no"), ["change_no"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cover_periods_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "receipt_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("receipt_number", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("jkk", sa.BigInteger(), nullable=False),
        sa.Column("jkm", sa.BigInteger(), nullable=False),
        sa.Column("jht", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("rates_version", sa.String(length=40), nullable=False),
        sa.Column("voided_by_receipt_id", sa.Integer(), nullable=True),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_receipt_months_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_receipt_months_post_id_posts")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_receipt_months_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_receipt_id"],
            ["receipts.id"],
            name=op.f("fk_receipt_months_voided_by_receipt_id_receipts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_months")),
        sa.UniqueConstraint("receipt_id", "month", name=op.f("uq_receipt_months_receipt_id_month")),
    )
    with op.batch_alter_table("receipt_months", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_receipt_months_change_no"), ["change_no"], unique=False
        )
        batch_op.create_index(
            "ix_receipt_months_participant_month", ["participant_id", "month"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("receipt_months", schema=None) as batch_op:
        batch_op.drop_index("ix_receipt_months_participant_month")
        batch_op.drop_index(batch_op.f("ix_receipt_months_change_no"))

    op.drop_table("receipt_months")
    with op.batch_alter_table("cover_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cover_periods_participant_id"))
        batch_op.drop_index(batch_op.f("ix_cover_periods_change_no"))

    op.drop_table("cover_periods")
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_receipts_post_issued_on")
        batch_op.drop_index(batch_op.f("ix_receipts_participant_id"))
        batch_op.drop_index(batch_op.f("ix_receipts_issued_by_id"))
        batch_op.drop_index(batch_op.f("ix_receipts_change_no"))

    op.drop_table("receipts")
    with op.batch_alter_table("card_issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_issues_participant_id"))
        batch_op.drop_index(batch_op.f("ix_card_issues_change_no"))

    op.drop_table("card_issues")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_registered_by_id"))
        batch_op.drop_index("ix_participants_post_registered")
        batch_op.drop_index("ix_participants_post_promo")
        batch_op.drop_index("ix_participants_post_cover")
        batch_op.drop_index("ix_participants_post_arrears")
        batch_op.drop_index(batch_op.f("ix_participants_nik"))
        batch_op.drop_index(batch_op.f("ix_participants_kpj"))
        batch_op.drop_index(batch_op.f("ix_participants_desa_code"))
        batch_op.drop_index(batch_op.f("ix_participants_change_no"))

    op.drop_table("participants")
    with op.batch_alter_table("volunteers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteers_post_id"))
        batch_op.drop_index(batch_op.f("ix_volunteers_change_no"))

    op.drop_table("volunteers")
    op.drop_table("batches")
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settings_change_no"))

    op.drop_table("settings")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_change_no"))

    op.drop_table("posts")
    op.drop_table("counters")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_origin_at")
        batch_op.drop_index("ix_audit_log_entity")
        batch_op.drop_index(batch_op.f("ix_audit_log_change_no"))

    op.drop_table("audit_log")
