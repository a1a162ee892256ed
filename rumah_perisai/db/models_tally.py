"""The promotion dashboard's tally (issue 21, migration 0018): the local post's members counted
by what the dashboard's figures group on, so a refresh adds up a few thousand counts instead of
reading 200,000 participants.

Kept in the same transaction as every change of a participant (``rumah_perisai.db.tally``), only
for this computer's own post (``posts.is_local``): the branch's posts have no tally. Every column
of a key is a date that is never NULL, so a key is one row and an upsert finds it: ``EARLIEST``
and ``NEVER`` stand where the participant's column is empty (each column says what it means).
A count that fell to 0 stays as a row of 0 (readers skip it).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer
from sqlalchemy.orm import Mapped, mapped_column

from rumah_perisai.db.models import Base

EARLIEST = date(1, 1, 1)
NEVER = date(9999, 12, 31)

# SQLite: the primary key is the table (no rowid), so a reader's range over it reads nothing else.
_CLUSTERED = {"sqlite_with_rowid": False}


class PromotionCount(Base):
    """Members by registration day, promotion end and conversion day (cohorts, and who is
    inside the free months on a day). ``volunteer_id`` 0 counts the whole post; a volunteer's
    id counts those that volunteer registered. ``converted_after``: the conversion day's days
    after the promotion's end (None: not converted), so the cohorts' "converted within 30
    days" compares numbers rather than doing date arithmetic on every row."""

    __tablename__ = "promotion_counts"
    __table_args__ = (_CLUSTERED,)

    volunteer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registered_on: Mapped[date] = mapped_column(Date, primary_key=True)
    promotion_end: Mapped[date] = mapped_column(Date, primary_key=True)  # EARLIEST: none
    converted_on: Mapped[date] = mapped_column(Date, primary_key=True)  # NEVER: not converted
    converted_after: Mapped[int | None] = mapped_column(Integer)  # follows from the two above
    n: Mapped[int] = mapped_column(Integer)


class EndedCount(Base):
    """Members registered with a promotion, by the dates that decide, once the promotion has
    ended, whether they are converted and whether they are active, in arrears or lapsed on a day
    ``d`` (``d >= ended_from``, the day after both the promotion's end and the registration):

    * converted on ``d``: ``converted_from <= d`` (EARLIEST: converted as soon as ended; NEVER);
    * status on ``d``: another status (not yet covered, a rejoin's promotion) while
      ``d < status_from`` (EARLIEST: never; NEVER: no paid cover at all); then active while
      ``d <= cover_until``, in arrears while ``d <= arrears_until``, then lapsed (either is
      EARLIEST when it ended before ``ended_from``).

    Dates that cannot matter after ``ended_from`` are folded to EARLIEST, which is what keeps
    this table to a few thousand rows (``db.tally`` writes them; ``db.status.status_on`` is the
    rule they are folded from)."""

    __tablename__ = "promotion_ended_counts"
    __table_args__ = (_CLUSTERED,)

    volunteer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ended_from: Mapped[date] = mapped_column(Date, primary_key=True)
    converted_from: Mapped[date] = mapped_column(Date, primary_key=True)
    status_from: Mapped[date] = mapped_column(Date, primary_key=True)
    cover_until: Mapped[date] = mapped_column(Date, primary_key=True)
    arrears_until: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
