"""The promotion dashboard's tally (issue 21).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 11:00:00

* ``promotion_counts``: the local post's members by (volunteer or 0 for the whole post,
  registration day, promotion end, conversion day), with the days from the end to the
  conversion;
* ``promotion_ended_counts``: the members with a promotion by the dates that decide, once it has
  ended, whether they are converted and active, in arrears or lapsed on a day.

Filled here from the existing participants, set-based, with the SQL ``rumah_perisai.db.tally``
keeps them by from now on (``rumah_perisai.db.models_tally`` says what each column means).
Only the post's own participants are counted: a branch's posts have no tally.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EARLIEST, NEVER = "'0001-01-01'", "'9999-12-31'"
MEMBERS = "standing = 'member' AND post_id = (SELECT id FROM posts WHERE is_local)"


def upgrade() -> None:
    op.create_table(
        "promotion_counts",
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("promotion_end", sa.Date(), nullable=False),
        sa.Column("converted_on", sa.Date(), nullable=False),
        sa.Column("converted_after", sa.Integer(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "volunteer_id",
            "registered_on",
            "promotion_end",
            "converted_on",
            name=op.f("pk_promotion_counts"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "promotion_ended_counts",
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("ended_from", sa.Date(), nullable=False),
        sa.Column("converted_from", sa.Date(), nullable=False),
        sa.Column("status_from", sa.Date(), nullable=False),
        sa.Column("cover_until", sa.Date(), nullable=False),
        sa.Column("arrears_until", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "volunteer_id",
            "ended_from",
            "converted_from",
            "status_from",
            "cover_until",
            "arrears_until",
            name=op.f("pk_promotion_ended_counts"),
        ),
        sqlite_with_rowid=False,
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute(_fill("promotion_counts", _promotion_keys(sqlite), ""))
    op.execute(_fill("promotion_ended_counts", _ended_keys(sqlite), "promotion_end IS NOT NULL"))


def _fill(table: str, keyed: tuple[list[str], str], where: str) -> str:
    """Each member's keys counted twice (the whole post as volunteer 0, and its volunteer)."""
    names, rows = keyed
    keys = ", ".join(names)
    also = f" AND {where}" if where else ""
    return (
        f"INSERT INTO {table} (volunteer_id, {keys}, n)"
        f" SELECT volunteer_id, {keys}, count(*) FROM ("
        f" SELECT 0 AS volunteer_id, {keys} FROM ({rows}) AS k WHERE true{also}"
        f" UNION ALL SELECT registered_by_id, {keys} FROM ({rows}) AS k"
        f" WHERE registered_by_id IS NOT NULL{also}"
        f") AS scoped GROUP BY volunteer_id, {keys}"
    )


def _promotion_keys(sqlite: bool) -> tuple[list[str], str]:
    after = (
        "CAST(julianday(converted_on) - julianday(promotion_end) AS INTEGER)"
        if sqlite
        else "(converted_on - promotion_end)"
    )
    return ["registered_on", "promotion_end", "converted_on", "converted_after"], (
        "SELECT registered_by_id, registered_on,"
        f" coalesce(promotion_end, {EARLIEST}) AS promotion_end,"
        f" coalesce(converted_on, {NEVER}) AS converted_on,"
        f" {after} AS converted_after"
        f" FROM participants WHERE {MEMBERS}"
    )


def _ended_keys(sqlite: bool) -> tuple[list[str], str]:
    def after(column: str) -> str:
        return f"date({column}, '+1 day')" if sqlite else f"({column} + 1)"

    latest = "max" if sqlite else "greatest"
    start = "membership_start"
    dated = (
        "SELECT registered_by_id, promotion_end, converted_on, cover_until, arrears_until,"
        f" {latest}(registered_on, {after('promotion_end')}) AS ended_from,"
        f" CASE WHEN cover_until IS NULL OR arrears_until IS NULL THEN {NEVER}"
        f" ELSE {latest}({start}, coalesce({after('promo_until')}, {start}),"
        f" coalesce(cover_from, {start})) END AS status_from"
        f" FROM participants WHERE {MEMBERS}"
    )
    folded = (
        "SELECT registered_by_id, promotion_end, ended_from,"
        f" CASE WHEN converted_on IS NULL THEN {NEVER}"
        f" WHEN converted_on > ended_from THEN converted_on ELSE {EARLIEST} END"
        " AS converted_from,"
        f" CASE WHEN status_from > ended_from THEN status_from ELSE {EARLIEST} END"
        " AS status_from,"
        f" CASE WHEN cover_until >= ended_from THEN cover_until ELSE {EARLIEST} END"
        " AS cover_until,"
        f" CASE WHEN arrears_until >= ended_from THEN arrears_until ELSE {EARLIEST} END"
        " AS arrears_until"
        f" FROM ({dated}) AS d"
    )
    return ["ended_from", "converted_from", "status_from", "cover_until", "arrears_until"], folded


def downgrade() -> None:
    op.drop_table("promotion_ended_counts")
    op.drop_table("promotion_counts")
