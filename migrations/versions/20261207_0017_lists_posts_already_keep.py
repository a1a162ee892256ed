"""Lists posts already keep, and BPJS's own list of members (issue 20).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 08:00:00

* ``participants.import_ref``: set on a registration brought in from a spreadsheet (the short
  reference of the checked file, never its name); such a registration never counts as a
  volunteer's new participant. Carried to the branch.
* ``bpjs_members``: at the branch, BPJS's list of people already registered (NIK and KPJ at least,
  ``branch members-import``), so the cross-post duplicate checks and the posts' duplicate
  warnings cover people registered before any post existed. Never carried.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("participants", sa.Column("import_ref", sa.String(length=16), nullable=True))
    op.create_table(
        "bpjs_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("kpj", sa.String(length=11), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("nik_prefix", sa.String(length=8), nullable=True),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.Column("listed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bpjs_members")),
        sa.UniqueConstraint("nik", name=op.f("uq_bpjs_members_nik")),
    )
    op.create_index("ix_bpjs_members_kpj", "bpjs_members", ["kpj"])
    op.create_index("ix_bpjs_members_change_no", "bpjs_members", ["change_no"])


def downgrade() -> None:
    op.drop_index("ix_bpjs_members_change_no", "bpjs_members")
    op.drop_index("ix_bpjs_members_kpj", "bpjs_members")
    op.drop_table("bpjs_members")
    if op.get_bind().dialect.name == "sqlite":
        # In place (SQLite 3.35+): a table copy would trip over the name index's view.
        op.execute("ALTER TABLE participants DROP COLUMN import_ref")
    else:
        op.drop_column("participants", "import_ref")
