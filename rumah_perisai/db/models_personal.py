"""The records of a person's rights over their data (UU PDP; issue 19, migration 0016;
docs/personal-data.md): their requests, the erased, and who looked at whom."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from rumah_perisai.db.models import Base, FromPost, PostCoded, Tracked, source_index
from rumah_perisai.db.types import UTCDateTime


class DataRequest(FromPost, PostCoded, Tracked, Base):
    """A person's request about their own data (UU PDP 27/2022; docs/personal-data.md): to see
    it, take a copy, correct it, withdraw consent or be erased; who recorded it and what came of
    it. Travels to the branch, which does the same to its copy and says so in the ACK."""

    __tablename__ = "data_requests"
    __table_args__ = (
        source_index("data_requests"),
        UniqueConstraint("post_id", "number"),
        CheckConstraint("kind IN ('access', 'copy', 'correct', 'withdraw', 'erase')", name="kind"),
        CheckConstraint(
            "made_how IN ('in_person', 'letter', 'phone', 'message', 'other')", name="made_how"
        ),
        CheckConstraint("state IN ('done', 'refused')", name="state"),
    )

    number: Mapped[int] = mapped_column(Integer)  # gapless per post
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # the right exercised
    made_on: Mapped[date] = mapped_column(Date)  # the day the person asked
    made_how: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)  # never the person's data
    state: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str | None] = mapped_column(Text)  # what was done, or why it was refused
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    rules_version: Mapped[str] = mapped_column(String(40))  # resources/rules/personal_data.json
    # At the post: when the branch's ACK said it did the same (withdraw, erase).
    branch_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def natural_key(self) -> str:
        return f"{self.post_code}-REQ{self.number}"


class Erasure(Base):
    """One erased participant, by registration number and keyed NIK only: applied again after
    every restore and every late batch import, so erased data never comes back. The post also
    keeps it outside the database (``erasures.json`` in its data folder)."""

    __tablename__ = "erasures"

    registration_no: Mapped[str] = mapped_column(String(24), primary_key=True)
    post_code: Mapped[str] = mapped_column(String(12))
    nik_keyed: Mapped[str] = mapped_column(String(64), index=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime)
    request_key: Mapped[str | None] = mapped_column(String(40))  # DataRequest.natural_key()

    def natural_key(self) -> str:
        return self.registration_no


class AccessRecord(Base):
    """Who looked at whom (UU PDP Art. 32, "the record of processing"): opening a participant,
    printing a card or a receipt, exporting a list or report. One row per look; the people it
    showed are in ``access_subjects``. No personal data beyond participant ids. Not audited and
    not held to the clock rule: recording a look is never refused."""

    __tablename__ = "access_records"
    __table_args__ = (
        Index("ix_access_records_volunteer_at", "volunteer_id", "at"),
        Index("ix_access_records_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))  # as the audit log's: "volunteer:<key>", ...
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    action: Mapped[str] = mapped_column(String(20))  # view | card | receipt | list | report ...
    what: Mapped[str | None] = mapped_column(String(60))  # the list's or document's kind
    subjects: Mapped[int] = mapped_column(Integer)  # how many participants it showed


class AccessSubject(Base):
    """One participant shown by one look (``AccessRecord``)."""

    __tablename__ = "access_subjects"
    __table_args__ = (Index("ix_access_subjects_participant", "participant_id", "access_id"),)

    access_id: Mapped[int] = mapped_column(ForeignKey("access_records.id"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
