"""Paper receipts after a restore: receipts entered again from paper, and numbers explained.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 20:00:00

Issue 16, item 2. A post restored from a backup has lost the receipts printed after it; their
paper halves are entered again with their printed numbers (``receipts.paper_entered_*``), and a
number whose paper half is lost is recorded with a coordinator's reason (``receipt_gaps``), in
the receipt chain in its number's place. Columns are added in place (no rebuild of a post's
receipts: a 200,000-participant post holds a million of them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "receipt_gaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("source_change", sa.BigInteger(), nullable=True),
        sa.Column("post_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_receipt_gaps_post_id_posts")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["volunteers.id"], name=op.f("fk_receipt_gaps_recorded_by_id_volunteers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_gaps")),
        sa.UniqueConstraint("hash", name=op.f("uq_receipt_gaps_hash")),
        sa.UniqueConstraint("number", name=op.f("uq_receipt_gaps_number")),
        sa.UniqueConstraint("post_id", "year", "seq", name=op.f("uq_receipt_gaps_post_id_year_seq")),
    )  # fmt: skip
    op.create_index(op.f("ix_receipt_gaps_change_no"), "receipt_gaps", ["change_no"])
    op.create_index("ix_receipt_gaps_post_source", "receipt_gaps", ["post_id", "source_id"],
                    unique=True)  # fmt: skip
    op.add_column("receipts", sa.Column("paper_entered_at", sa.DateTime(), nullable=True))
    # SQLite: the reference is part of the column, added in place (a separate constraint
    # would make Alembic copy the whole table).
    fk = op.f("fk_receipts_paper_entered_by_id_volunteers")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE receipts ADD COLUMN paper_entered_by_id INTEGER"
            f" CONSTRAINT {fk} REFERENCES volunteers (id)"
        )
    else:
        op.add_column("receipts", sa.Column("paper_entered_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk, "receipts", "volunteers", ["paper_entered_by_id"], ["id"])
    op.add_column("receipts", sa.Column("paper_qr_digest", sa.String(length=32), nullable=True))


def downgrade() -> None:
    # SQLite drops a column in place (3.35+), its inline reference with it: no table copy.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(
            op.f("fk_receipts_paper_entered_by_id_volunteers"), "receipts", type_="foreignkey"
        )
    for column in ("paper_qr_digest", "paper_entered_by_id", "paper_entered_at"):
        op.execute(f"ALTER TABLE receipts DROP COLUMN {column}")
    op.drop_index("ix_receipt_gaps_post_source", table_name="receipt_gaps")
    op.drop_index(op.f("ix_receipt_gaps_change_no"), table_name="receipt_gaps")
    op.drop_table("receipt_gaps")
