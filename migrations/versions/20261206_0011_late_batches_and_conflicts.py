"""Branch: a late batch never overwrites newer records; NIK conflicts held for an officer.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 17:30:00

Issue 14. A batch passed over with ``--allow-gap`` can still be imported when it arrives, so
every carried record at the branch keeps the post's change number of the version it holds
(``source_change``): an older version never overwrites a newer one. Which of two posts
registered a NIK first is decided by the import that first brought each registration
(``participants.first_change``), never by a time a post claims; two accepted members that come
to share a NIK are held in ``branch_conflicts`` for a branch officer. All empty at a post.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARRIED = (
    "volunteers", "participants", "cover_periods", "receipts", "receipt_months", "card_issues",
    "daily_closes", "daily_close_lines", "deposits", "deposit_closes",
)  # fmt: skip


def upgrade() -> None:
    for table in CARRIED:
        op.add_column(table, sa.Column("source_change", sa.BigInteger(), nullable=True))
    _backfill_versions()
    op.add_column("participants", sa.Column("first_change", sa.BigInteger(), nullable=True))
    # Rows the branch already holds were all seen before any import still to come.
    op.execute("UPDATE participants SET first_change = change_no WHERE source_id IS NOT NULL")
    op.create_table(
        "branch_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("found_change", sa.BigInteger(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'decided')", name=op.f("ck_branch_conflicts_state")),
        sa.ForeignKeyConstraint(["first_id"], ["participants.id"], name=op.f("fk_branch_conflicts_first_id_participants")),
        sa.ForeignKeyConstraint(["second_id"], ["participants.id"], name=op.f("fk_branch_conflicts_second_id_participants")),
        sa.ForeignKeyConstraint(["kept_id"], ["participants.id"], name=op.f("fk_branch_conflicts_kept_id_participants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_branch_conflicts")),
        sa.UniqueConstraint("first_id", "second_id", name=op.f("uq_branch_conflicts_first_id_second_id")),
    )


def _backfill_versions() -> None:
    """At a branch that already holds records: each record's version is the post's newest change
    in the batch that last wrote it (``changes.to`` of that import's manifest); a record the
    branch changed itself since (a KPJ number) keeps the version of the import before. So a
    batch passed over before this upgrade, arriving after it, never overwrites newer records."""
    bind = op.get_bind()
    imports = bind.execute(
        sa.text(
            "SELECT post_id, change_no, manifest_json FROM batch_imports"
            " WHERE state = 'imported' AND change_no IS NOT NULL ORDER BY post_id, change_no"
        )
    ).all()
    by_post: dict[int, list[tuple[int, int]]] = {}
    for post_id, change_no, manifest in imports:
        changes = json.loads(manifest).get("changes") or {}
        by_post.setdefault(post_id, []).append((int(change_no), int(changes.get("to", 0))))
    for post_id, steps in by_post.items():
        for index, (change_no, version) in enumerate(steps):
            upto = steps[index + 1][0] if index + 1 < len(steps) else None
            for table in CARRIED:
                bind.execute(
                    sa.text(
                        f"UPDATE {table} SET source_change = :version WHERE post_id = :post"
                        " AND source_id IS NOT NULL AND change_no >= :start"
                        + (" AND change_no < :upto" if upto is not None else "")
                    ),
                    {"version": version, "post": post_id, "start": change_no, "upto": upto},
                )


def downgrade() -> None:
    op.drop_table("branch_conflicts")
    # SQLite drops a plain column in place (3.35+): no table rebuild under foreign keys.
    op.execute("ALTER TABLE participants DROP COLUMN first_change")
    for table in CARRIED:
        op.execute(f"ALTER TABLE {table} DROP COLUMN source_change")
