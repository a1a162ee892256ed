"""Indexes only a post's own screens read: made on the post's database (SQLite) only.

The branch's database (PostgreSQL) has no post screens — no dashboards, no name or phone
search, no lists by cover, arrears or promotion date, no duplicate warning by birth date — yet
it wrote every one of these indexes for each row it imported (migration 0020 drops them there).
The models mark them here, so the schema the models describe is the one each database has."""

from __future__ import annotations

from rumah_perisai.db.models import Base

POST_DIALECT = "sqlite"

POST_ONLY_INDEXES = frozenset(
    {
        "ix_participants_post_id", "ix_participants_post_cover", "ix_participants_post_arrears",
        "ix_participants_post_promo", "ix_participants_post_registered",
        "ix_participants_post_name", "ix_participants_post_birth", "ix_participants_phone",
        "ix_participants_desa_code", "ix_participants_registered_by_id",
        "ix_participants_post_dashboard", "ix_participants_post_cohorts",
        "ix_receipts_post_issued_on", "ix_receipts_issued_by_id",
        "ix_receipt_months_participant_month", "ix_receipt_months_voided_by_receipt_id",
    }
)  # fmt: skip


def made_on(item: object, dialect: str) -> bool:
    """Whether a database of ``dialect`` has ``item`` (a model's index, or any other object)."""
    return dialect == POST_DIALECT or getattr(item, "name", None) not in POST_ONLY_INDEXES


def _mark() -> None:
    found = set()
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            if index.name in POST_ONLY_INDEXES:
                index.ddl_if(dialect=POST_DIALECT)
                found.add(index.name)
    assert found == POST_ONLY_INDEXES, "a post-only index was renamed"


_mark()
