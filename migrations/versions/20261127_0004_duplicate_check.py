"""Duplicate check while typing: an index on (post_id, birth_date).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 11:30:00

The registration form looks, as the name is typed, for people at the post born on the same
day with a similar name. Without this index that read all 200,000 participants each time.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participants") as batch_op:
        batch_op.create_index("ix_participants_post_birth", ["post_id", "birth_date"])


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch_op:
        batch_op.drop_index("ix_participants_post_birth")
