"""Names found without their marks: apostrophes and hyphens, straight or typographic.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:30:00

Issue 17, item 9: "maruf" and "Ma’ruf" must find Ma'ruf. The SQLite trigram index of names
(migration 0002) now indexes each name with its apostrophes and hyphens taken out, through a
view that computes that key, so the index's 'rebuild' (the upgrade's, and the demo's after a
bulk load) and its triggers give the same key. The search takes the same marks out of what is
typed (``services.participant_search``). PostgreSQL (the branch) computes the key in its ILIKE:
nothing is stored there, so nothing changes in its schema. The key is SQL (nested ``replace``),
not Python: every writer — the ORM, the demo's bulk load, a restore — keeps it right.

The marks are copied here, not imported: a migration stays as it was written.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Apostrophes ' ’ ‘ ` ´ ʼ ʻ ′ and hyphens - ‐ ‑ ‒ – — −
_MARKS = "'\u2019\u2018`\u00b4\u02bc\u02bb\u2032-\u2010\u2011\u2012\u2013\u2014\u2212"


def _key(column: str) -> str:
    expression = column
    for mark in _MARKS:
        quoted = mark.replace("'", "''")
        expression = f"replace({expression}, '{quoted}', '')"
    return expression


def _index(value: str) -> list[str]:
    """The name index over ``value``'s key, its triggers, and its filling."""
    return [
        f"CREATE VIEW participants_fts_names AS SELECT id, {value} AS name FROM participants",
        """CREATE VIRTUAL TABLE participants_fts USING fts5(
            name, content='participants_fts_names', content_rowid='id', tokenize='trigram'
        )""",
        f"""CREATE TRIGGER participants_fts_insert AFTER INSERT ON participants BEGIN
            INSERT INTO participants_fts(rowid, name) VALUES (new.id, {_key("new.name")});
        END""",
        f"""CREATE TRIGGER participants_fts_delete AFTER DELETE ON participants BEGIN
            INSERT INTO participants_fts(participants_fts, rowid, name)
            VALUES ('delete', old.id, {_key("old.name")});
        END""",
        f"""CREATE TRIGGER participants_fts_update AFTER UPDATE OF name ON participants BEGIN
            INSERT INTO participants_fts(participants_fts, rowid, name)
            VALUES ('delete', old.id, {_key("old.name")});
            INSERT INTO participants_fts(rowid, name) VALUES (new.id, {_key("new.name")});
        END""",
        "INSERT INTO participants_fts(participants_fts) VALUES ('rebuild')",
    ]


_OLD_INDEX = [  # migration 0002's, over the name as written
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


def _drop_index() -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS participants_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS participants_fts")
    op.execute("DROP VIEW IF EXISTS participants_fts_names")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_index()
    for statement in _index(_key("name")):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_index()
    for statement in _OLD_INDEX:
        op.execute(statement)
