"""Participants: the NIK's duplicate-warning prefix, kept at the branch.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 15:30:00

An acknowledgement lists the hash prefixes of the NIKs registered at the branch's other posts
(all of them, the first time a post hears from the branch); storing each prefix when the
registration is imported saves hashing every NIK again for every acknowledgement. Empty at a
post; filled by the next import at a branch.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("participants", sa.Column("nik_prefix", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE participants DROP COLUMN nik_prefix")
