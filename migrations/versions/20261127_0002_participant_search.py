"""Participant search: name trigram index (SQLite FTS5) and the list's sort order.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:20:00

The participant list searches names by any fragment of three letters or more. On SQLite an
external-content FTS5 table with the trigram tokenizer indexes ``participants.name``, kept in
step by triggers (names are corrected, never deleted, but the delete trigger keeps the index
right whatever happens). PostgreSQL (the branch) searches with ILIKE for now.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_UP = [
    """CREATE VIRTUAL TABLE participants_fts USING fts5(
        name, content='participants', content_rowid='id', tokenize='trigram'
    )""",
    """CREATE TRIGGER participants_fts_insert AFTER INSERT ON participants BEGIN
        INSERT INTO participants_fts(rowid, name) VALUES (new.id, new.name);
    END""",
    """CREATE TRIGGER participants_fts_delete AFTER DELETE ON participants BEGIN
        INSERT INTO participants_fts(participants_fts, rowid, name)
        VALUES ('delete', old.id, old.name);
    END""",
    """CREATE TRIGGER participants_fts_update AFTER UPDATE OF name ON participants BEGIN
        INSERT INTO participants_fts(participants_fts, rowid, name)
        VALUES ('delete', old.id, old.name);
        INSERT INTO participants_fts(rowid, name) VALUES (new.id, new.name);
    END""",
    "INSERT INTO participants_fts(participants_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    with op.batch_alter_table("participants") as batch_op:
        batch_op.create_index("ix_participants_post_name", ["post_id", "name"])
        batch_op.create_index("ix_participants_phone", ["phone"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS participants_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS participants_fts")
    with op.batch_alter_table("participants") as batch_op:
        batch_op.drop_index("ix_participants_phone")
        batch_op.drop_index("ix_participants_post_name")
