"""The branch: imported batches, rejections, each record's id at its post; at the post, the
branch's duplicate-warning list and the ACK taken in.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 14:42:30

``source_id`` (the record's id at the post that sent it; empty at a post) and its unique index
per post let the branch upsert a changed record and map references without a lookup table.
Columns and indexes are added in place (no table copy on SQLite: the participants' name index
triggers stay as they are).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARRIED = (
    "volunteers", "participants", "cover_periods", "receipts", "receipt_months", "card_issues",
    "daily_closes", "daily_close_lines", "deposits", "deposit_closes",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "duplicate_hashes",
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_duplicate_hashes")),
    )
    op.create_table(
        "batch_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("manifest_json", sa.Text(), nullable=False),
        sa.Column("counts_json", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.Column("change_no", sa.BigInteger(), nullable=True),
        sa.Column("kept_path", sa.Text(), nullable=False),
        sa.Column("source_dir", sa.Text(), nullable=True),
        sa.Column("gap_override", sa.Text(), nullable=True),
        sa.CheckConstraint("state IN ('imported', 'held')", name=op.f("ck_batch_imports_state")),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_batch_imports_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_imports")),
        sa.UniqueConstraint("file_hash", name=op.f("uq_batch_imports_file_hash")),
        sa.UniqueConstraint("post_id", "seq", name=op.f("uq_batch_imports_post_id_seq")),
    )
    op.create_table(
        "branch_rejections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("batch_seq", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_key", sa.String(length=64), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_branch_rejections_post_id_posts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branch_rejections")),
        sa.UniqueConstraint(
            "post_id", "entity", "entity_key",
            name=op.f("uq_branch_rejections_post_id_entity_entity_key"),
        ),  # fmt: skip
    )
    op.add_column("batches", sa.Column("ack_file_hash", sa.String(length=64), nullable=True))
    op.add_column("posts", sa.Column("suspended_at", sa.DateTime(), nullable=True))
    op.add_column("posts", sa.Column("suspended_reason", sa.Text(), nullable=True))
    for table in CARRIED:
        op.add_column(table, sa.Column("source_id", sa.Integer(), nullable=True))
        op.create_index(f"ix_{table}_post_source", table, ["post_id", "source_id"], unique=True)


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN in place (SQLite >= 3.35): a batch-mode table copy would drop
    # tables other tables refer to.
    for table in CARRIED:
        op.drop_index(f"ix_{table}_post_source", table_name=table)
        op.execute(f"ALTER TABLE {table} DROP COLUMN source_id")
    op.execute("ALTER TABLE posts DROP COLUMN suspended_reason")
    op.execute("ALTER TABLE posts DROP COLUMN suspended_at")
    op.execute("ALTER TABLE batches DROP COLUMN ack_file_hash")
    op.drop_table("branch_rejections")
    op.drop_table("batch_imports")
    op.drop_table("duplicate_hashes")
