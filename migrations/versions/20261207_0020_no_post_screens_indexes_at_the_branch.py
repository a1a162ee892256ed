"""The branch keeps no index that only the post's screens read (issue 21).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 11:00:00

PostgreSQL only: it is the branch's database, and the branch has no post screens — no
dashboards, no name or phone search, no lists by cover, arrears or promotion date, no duplicate
warning by birth date (``services.dashboard``, ``services.participants``, ``db.status``). Every
one of these indexes was still written by each imported row: participants carried 21 indexes, 12
of them the post's. Each query the branch runs (the import's upserts, link checks and chain
check, the duplicate check, the ACK's lists, the subject-access and XLSX reports) reads the
unique keys, ``change_no``, ``nik``, ``kpj`` or ``nik_keyed``, which stay: EXPLAIN of each
before and after in ``docs/benchmarks.md`` ("The branch import (issue 9)").

A post (SQLite) keeps them all: nothing happens there. The models mark the same indexes as
SQLite's only (``db.models.POST_ONLY_INDEXES``). Dropping an index is instant whatever the
table's size; the downgrade builds them again.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out as they stand at 0017 (a migration never follows the models).
INDEXES: dict[str, tuple[str, list[str]]] = {
    "ix_participants_post_id": ("participants", ["post_id"]),
    "ix_participants_post_cover": ("participants", ["post_id", "cover_until"]),
    "ix_participants_post_arrears": ("participants", ["post_id", "arrears_until"]),
    "ix_participants_post_promo": ("participants", ["post_id", "promo_until"]),
    "ix_participants_post_registered": ("participants", ["post_id", "registered_on"]),
    "ix_participants_post_name": ("participants", ["post_id", "name"]),
    "ix_participants_post_birth": ("participants", ["post_id", "birth_date"]),
    "ix_participants_phone": ("participants", ["phone"]),
    "ix_participants_desa_code": ("participants", ["desa_code"]),
    "ix_participants_registered_by_id": ("participants", ["registered_by_id"]),
    "ix_participants_post_dashboard": (
        "participants",
        ["post_id", "standing", "promotion_end", "converted_on", "registered_on",
         "membership_start", "promo_until", "cover_from", "cover_until", "arrears_until",
         "desa_code", "registered_by_id"],
    ),  # fmt: skip
    "ix_participants_post_cohorts": (
        "participants",
        ["post_id", "standing", "registered_on", "promotion_end", "converted_on", "desa_code",
         "registered_by_id"],
    ),  # fmt: skip
    "ix_receipts_post_issued_on": ("receipts", ["post_id", "issued_on"]),
    "ix_receipts_issued_by_id": ("receipts", ["issued_by_id"]),
    "ix_receipt_months_participant_month": ("receipt_months", ["participant_id", "month"]),
    "ix_receipt_months_voided_by_receipt_id": ("receipt_months", ["voided_by_receipt_id"]),
}


def _at_branch() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _at_branch():
        return
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    if not _at_branch():
        return
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
