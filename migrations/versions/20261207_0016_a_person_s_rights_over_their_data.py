"""A person's rights over their data (UU PDP, Law 27/2022).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 04:45:00

Issue 19 (docs/personal-data.md):

* ``participants.standing`` may be ``ended``: the person withdrew consent, processing ends (not
  ``withdrawn``, which means "registered by mistake" and frees the NIK). ``ended_on`` is the
  post's day it happened; ``erased_at`` and ``nik_keyed`` mark an erasure, whose NIK is kept only
  as a keyed one-way value so a later registration of the same person is still a duplicate.
* ``data_requests``: each request a person made (see, copy, correct, withdraw, erase) and its
  outcome; carried to the branch.
* ``erasures``: the erased, by registration number and keyed NIK, applied again after a restore
  or a late batch.
* ``access_records`` and ``access_subjects``: who looked at whom, when.
* ``batches.copy_removed_at``: a kept batch copy removed because it held someone erased since.

SQLite cannot change a CHECK in place, so ``participants`` is copied (``recreate="always"``);
its name index (migrations 0002, 0015) refers to the table, and is taken down first and built
again after, as 0015 built it. The marks and statements are copied here, not imported.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STANDING_BEFORE = "standing IN ('member', 'withdrawn', 'rejected')"
_STANDING_AFTER = "standing IN ('member', 'withdrawn', 'rejected', 'ended')"

# Apostrophes ' ’ ‘ ` ´ ʼ ʻ ′ and hyphens - ‐ ‑ ‒ – — −  (as migration 0015)
_MARKS = "'\u2019\u2018`\u00b4\u02bc\u02bb\u2032-\u2010\u2011\u2012\u2013\u2014\u2212"


def _key(column: str) -> str:
    expression = column
    for mark in _MARKS:
        quoted = mark.replace("'", "''")
        expression = f"replace({expression}, '{quoted}', '')"
    return expression


def _name_index() -> list[str]:
    return [
        f"CREATE VIEW participants_fts_names AS SELECT id, {_key('name')} AS name FROM participants",
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


def _drop_name_index() -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS participants_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS participants_fts")
    op.execute("DROP VIEW IF EXISTS participants_fts_names")


def _standing(check: str, *, add: bool) -> None:
    """Change the standing CHECK, and add (or drop) the participant's new columns."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_name_index()
    name = op.f("ck_participants_standing")
    with op.batch_alter_table(
        "participants", recreate="always" if sqlite else "auto"
    ) as batch_op:
        batch_op.drop_constraint(name, type_="check")
        batch_op.create_check_constraint(name, sa.text(check))
        if add:
            batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
            batch_op.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column("nik_keyed", sa.String(length=64), nullable=True))
        else:
            batch_op.drop_column("nik_keyed")
            batch_op.drop_column("erased_at")
            batch_op.drop_column("ended_on")
    if add:
        op.create_index("ix_participants_nik_keyed", "participants", ["nik_keyed"])
    if sqlite:
        for statement in _name_index():
            op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("registration_no", sa.String(length=24), nullable=False),
        sa.Column("post_code", sa.String(length=12), nullable=False),
        sa.Column("nik_keyed", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("request_key", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("registration_no", name=op.f("pk_erasures")),
    )
    op.create_index(op.f("ix_erasures_nik_keyed"), "erasures", ["nik_keyed"])
    op.create_table(
        "access_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("what", sa.String(length=60), nullable=True),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["volunteer_id"], ["volunteers.id"], name=op.f("fk_access_records_volunteer_id_volunteers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_records")),
    )  # fmt: skip
    op.create_index("ix_access_records_at", "access_records", ["at"])
    op.create_index("ix_access_records_volunteer_at", "access_records", ["volunteer_id", "at"])
    op.create_table(
        "access_subjects",
        sa.Column("access_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["access_id"], ["access_records.id"], name=op.f("fk_access_subjects_access_id_access_records")),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], name=op.f("fk_access_subjects_participant_id_participants")),
        sa.PrimaryKeyConstraint("access_id", "participant_id", name=op.f("pk_access_subjects")),
    )  # fmt: skip
    op.create_index(
        "ix_access_subjects_participant", "access_subjects", ["participant_id", "access_id"]
    )
    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("source_change", sa.BigInteger(), nullable=True),
        sa.Column("post_code", sa.String(length=12), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("made_how", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("rules_version", sa.String(length=40), nullable=False),
        sa.Column("branch_done_at", sa.DateTime(), nullable=True),
        sa.Column("change_no", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("kind IN ('access', 'copy', 'correct', 'withdraw', 'erase')", name=op.f("ck_data_requests_kind")),
        sa.CheckConstraint("made_how IN ('in_person', 'letter', 'phone', 'message', 'other')", name=op.f("ck_data_requests_made_how")),
        sa.CheckConstraint("state IN ('done', 'refused')", name=op.f("ck_data_requests_state")),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], name=op.f("fk_data_requests_participant_id_participants")),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name=op.f("fk_data_requests_post_id_posts")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["volunteers.id"], name=op.f("fk_data_requests_recorded_by_id_volunteers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
        sa.UniqueConstraint("post_id", "number", name=op.f("uq_data_requests_post_id_number")),
    )  # fmt: skip
    op.create_index(op.f("ix_data_requests_change_no"), "data_requests", ["change_no"])
    op.create_index(op.f("ix_data_requests_participant_id"), "data_requests", ["participant_id"])
    op.create_index("ix_data_requests_post_source", "data_requests", ["post_id", "source_id"],
                    unique=True)  # fmt: skip
    op.add_column("batches", sa.Column("copy_removed_at", sa.DateTime(), nullable=True))
    _standing(_STANDING_AFTER, add=True)


def downgrade() -> None:
    op.drop_index("ix_participants_nik_keyed", "participants")
    _standing(_STANDING_BEFORE, add=False)
    with op.batch_alter_table("batches") as batch_op:
        batch_op.drop_column("copy_removed_at")
    op.drop_table("data_requests")
    op.drop_table("access_subjects")
    op.drop_table("access_records")
    op.drop_table("erasures")
