"""Participant list order: an index on participants.post_id alone.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 11:00:00

The list shows a post's participants newest first and pages through them 100 at a time. An
index on ``post_id`` alone holds each post's participants in id order, so a page anywhere in
200,000 is read from this narrow index (milliseconds) instead of fetching every id at start.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participants") as batch_op:
        batch_op.create_index("ix_participants_post_id", ["post_id"])


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch_op:
        batch_op.drop_index("ix_participants_post_id")
