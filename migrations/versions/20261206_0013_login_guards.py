"""Login guards: wrong PINs per account and wrong recovery codes per post, and their wait.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-06 18:00:00

Issue 16, item 4. After 5 wrong PINs in a row an account waits before its next try (30 s,
doubling to 15 min); wrong recovery codes do the same per post. The count lives in the
database so a restart does not clear it, and every change to it is audited. Local to the
computer: never carried in a batch. Empty until the first wrong try.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_guards",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
        sa.Column("last_lockout_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_guards")),
    )


def downgrade() -> None:
    op.drop_table("login_guards")
