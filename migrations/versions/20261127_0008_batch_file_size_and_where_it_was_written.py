"""Batches: the file's size, and when and where it was last written to a stick.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 14:29:59

A batch is recorded before its file gets its final name on the stick; ``copied_at`` /
``copied_to`` say that the write finished, so a batch recorded but never written out stands out.
No batch was written before this revision, so ``file_size`` needs no back-fill beyond 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("file_size", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("copied_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("copied_to", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_column("copied_to")
        batch_op.drop_column("copied_at")
        batch_op.drop_column("file_size")
