"""The duplicate-warning prefixes each post brought, for the acknowledgements (issue 21).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 11:00:00

* ``nik_prefixes``: at the branch, each distinct duplicate-warning prefix a post's registrations
  brought, with the change number of the import that brought it first. An acknowledgement lists
  the prefixes other posts brought since the post's previous batch from it (a few rows per
  registration of the week) instead of scanning every participant changed since.

Filled set-based from the participants already here: each (post, prefix) of a registration not
rejected, with the newest change number among the rows that hold it. A post whose previous
batch came before that change hears of the prefix in its next acknowledgement — as it would
have before (the scan listed every row changed since); one whose previous batch came after it
was told already. At a post (no prefixes are stored there) the table stays empty and the
participants are not read.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nik_prefixes",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_nik_prefixes_post_id_posts")),
        sa.PrimaryKeyConstraint("post_id", "prefix", name=op.f("pk_nik_prefixes")),
    )  # fmt: skip
    # Only a branch stores prefixes: a post (the one database with a local post) is not read —
    # on a 200,000-participant encrypted post the scan alone took most of a minute.
    local = op.get_bind().execute(
        sa.text("SELECT 1 FROM posts WHERE is_local = :yes LIMIT 1"), {"yes": True}
    )
    if local.first() is None:
        op.execute(
            "INSERT INTO nik_prefixes (post_id, prefix, change_no)"
            " SELECT post_id, nik_prefix, MAX(change_no) FROM participants"
            " WHERE nik_prefix IS NOT NULL AND standing <> 'rejected'"
            " GROUP BY post_id, nik_prefix"
        )
    # Made after the fill: one sort instead of an index kept up to date row by row.
    op.create_index("ix_nik_prefixes_change_no", "nik_prefixes", ["change_no"])


def downgrade() -> None:
    op.drop_index("ix_nik_prefixes_change_no", "nik_prefixes")
    op.drop_table("nik_prefixes")
