"""The database: one schema for a post's own laptop and for the branch that holds many posts.

Shape rules that every table follows (they make the weekly batch and the branch import simple):

* every record carries its post (``post_id``) and a natural key made of the post code and a
  number the post gave it (registration number, receipt number, card serial, ...), so records
  from many posts can live in one branch database without clashing (the columns come from the
  mixins ``PostRecord``, ``FromPost`` and ``PostCoded``);
* every record that a batch carries has a ``change_no``: the number of the last operation that
  created or changed it. Change numbers only grow (``counters`` row ``("", "change")``), so a batch
  takes "everything with ``change_no`` greater than the last batch's";
* a participant's cover dates (``promo_until``, ``cover_until``, ``arrears_until``) are stored and
  kept in step by the services, so lists filter by status in SQL with plain date comparisons
  (see ``rumah_perisai.domain.coverage``);
* money is integer rupiah; dates are ``Date``; moments are UTC (``UTCDateTime``);
* nothing is hard-deleted: registrations are withdrawn, receipts voided, cards replaced.

Fields follow ``shared/docs/PRODUCT.md`` ("Data to keep").
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from rumah_perisai.db.types import UTCDateTime

# The newest migration in migrations/versions; start-up skips Alembic entirely when the database
# is already there. tests/db/test_migrations.py fails if this falls behind.
SCHEMA_REVISION = "0020"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Tracked:
    """A record that travels in batches: stamped with the change number of its last change."""

    change_no: Mapped[int] = mapped_column(BigInteger, index=True)

    def natural_key(self) -> str:
        raise NotImplementedError


# The columns every record of a post shares, defined once: spelt out in each model they had
# drifted apart. ``sort_order`` keeps them first, in the order the migrations made them, since a
# batch writes a table's columns in the table's order (``services.batches``).
class PostRecord:
    """A record that belongs to a post: its own id (unique within the post only) and its post."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-10)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), sort_order=-9)


class FromPost(PostRecord):
    """A post's record that travels in batches; the branch notes where each one came from.

    Filled only at the branch: ``source_id`` is the record's id at its post and ``source_change``
    its change number there (the upsert's key and its "newer than" test, ``branch.upsert``).
    Records that stay at the post (call outcomes, settings) have neither (docs/batch-format.md).
    """

    source_id: Mapped[int | None] = mapped_column(Integer, sort_order=-8)
    source_change: Mapped[int | None] = mapped_column(BigInteger, sort_order=-7)


class PostCoded:
    """A record whose natural key starts with its post's code (it reads without a join)."""

    post_code: Mapped[str] = mapped_column(String(12), sort_order=-6)


def source_index(table: str) -> Index:
    """The branch finds a post's record by its id there, unique per post (``FromPost``)."""
    return Index(f"ix_{table}_post_source", "post_id", "source_id", unique=True)


# Tables that live beside the models but are not models: SQLite's full-text index of names
# (migration 0002) and its shadow tables. Migrations and the model/migration check skip them.
UNMODELLED_TABLE_PREFIXES = ("participants_fts",)


def is_modelled_table(name: str) -> bool:
    return not name.startswith(UNMODELLED_TABLE_PREFIXES)


class Counter(Base):
    """Gapless numbers: change numbers, registration, receipt (per year), card and batch serials.

    ``scope`` is a post code, or ``""`` for numbers that belong to the whole database.
    Incremented with ``UPDATE ... RETURNING`` inside the operation's transaction, so two writers
    never get the same number and a rolled-back operation leaves no gap.
    """

    __tablename__ = "counters"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Post(Tracked, Base):
    """A Rumah Perisai post. A post's laptop holds its own (``is_local``); the branch holds many."""

    __tablename__ = "posts"
    __table_args__ = (CheckConstraint("timezone IN ('WIB', 'WITA', 'WIT')", name="timezone"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kabupaten_code: Mapped[str] = mapped_column(String(5))
    desa_code: Mapped[str | None] = mapped_column(String(13))
    wadah: Mapped[str | None] = mapped_column(String(150))
    timezone: Mapped[str] = mapped_column(String(4))
    is_local: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    signing_public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    key_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # At the branch: a suspended post's batches are refused until it is resumed.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_reason: Mapped[str | None] = mapped_column(Text)

    def natural_key(self) -> str:
        return self.code


class Volunteer(FromPost, Tracked, Base):
    """A volunteer (kader) or coordinator account of a post."""

    __tablename__ = "volunteers"
    __table_args__ = (
        source_index("volunteers"),
        Index("ix_volunteers_post_id", "post_id"),
        UniqueConstraint("post_id", "number"),
        UniqueConstraint("post_id", "login"),
        CheckConstraint("role IN ('volunteer', 'coordinator')", name="role"),
    )

    number: Mapped[int] = mapped_column(Integer)
    login: Mapped[str] = mapped_column(String(40))  # lower-cased name used to log in
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(12))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Not ``PostCoded``: a later migration added it as the table's last column, and batches
    # write a table's columns in its order.
    post_code: Mapped[str] = mapped_column(String(12))

    def natural_key(self) -> str:
        return f"{self.post_code}-V{self.number:03d}"


class Participant(FromPost, PostCoded, Tracked, Base):
    """A registered BPU worker. Never deleted: withdrawn or rejected instead (``standing``)."""

    __tablename__ = "participants"
    __table_args__ = (
        source_index("participants"),
        # Indexed alone too: it keeps each post's participants in id order for the paged list.
        Index("ix_participants_post_id", "post_id"),
        UniqueConstraint("post_id", "number"),
        # One registration per NIK per post; the same NIK at two posts is the branch's to flag.
        UniqueConstraint("post_id", "nik"),
        CheckConstraint("sex IN ('L', 'P')", name="sex"),
        CheckConstraint(
            "standing IN ('member', 'withdrawn', 'rejected', 'ended')", name="standing"
        ),
        CheckConstraint("income > 0", name="income_positive"),
        Index("ix_participants_post_cover", "post_id", "cover_until"),
        Index("ix_participants_post_arrears", "post_id", "arrears_until"),
        Index("ix_participants_post_promo", "post_id", "promo_until"),
        Index("ix_participants_post_registered", "post_id", "registered_on"),
        Index("ix_participants_post_name", "post_id", "name"),
        Index("ix_participants_post_birth", "post_id", "birth_date"),  # duplicate check
        Index("ix_participants_phone", "phone"),
        # An erased person's NIK, as a keyed one-way value: a later registration of the same
        # person is still recognised as a duplicate (docs/personal-data.md).
        Index("ix_participants_nik_keyed", "nik_keyed"),
        # The dashboards' aggregates (services.dashboard) read only these indexes, never the rows;
        # their column order is the GROUP BY's, so the groups come in order without a sort.
        Index(
            "ix_participants_post_dashboard",
            "post_id",
            "standing",
            "promotion_end",
            "converted_on",
            "registered_on",
            "membership_start",
            "promo_until",
            "cover_from",
            "cover_until",
            "arrears_until",
            "desa_code",
            "registered_by_id",
        ),
        Index(
            "ix_participants_post_cohorts",
            "post_id",
            "standing",
            "registered_on",
            "promotion_end",
            "converted_on",
            "desa_code",
            "registered_by_id",
        ),
    )

    number: Mapped[int] = mapped_column(Integer)  # sequence within the post, never reused
    registration_no: Mapped[str] = mapped_column(String(24), unique=True)
    kpj: Mapped[str | None] = mapped_column(String(11), index=True)  # assigned by the branch

    nik: Mapped[str] = mapped_column(String(16), index=True)
    # At the branch: the NIK's duplicate-warning prefix (exchange.ack.duplicate_prefix), kept so
    # an acknowledgement lists the other posts' prefixes without hashing every NIK again.
    nik_prefix: Mapped[str | None] = mapped_column(String(8))
    # At the branch: the import that first brought this registration. Which of two posts
    # registered a NIK first is decided by what the branch saw, never by a time a post claims.
    first_change: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    birth_place: Mapped[str] = mapped_column(String(60))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    street: Mapped[str] = mapped_column(String(150))
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    desa_code: Mapped[str] = mapped_column(String(13), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    occupation: Mapped[str] = mapped_column(String(60))
    income: Mapped[int] = mapped_column(BigInteger)  # declared income bracket, rupiah a month
    with_jht: Mapped[bool] = mapped_column(Boolean, default=False)  # JKK + JKM always
    heir_name: Mapped[str | None] = mapped_column(String(100))
    heir_relation: Mapped[str | None] = mapped_column(String(30))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)

    registered_on: Mapped[date] = mapped_column(Date)  # the post's local date
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"), index=True)
    # Why a NIK that disagrees with the KTP, or a likely duplicate, was registered anyway;
    # flagged for the branch in the batch.
    nik_override_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_override_reason: Mapped[str | None] = mapped_column(Text)

    # member | withdrawn (registered by mistake; frees the NIK) | rejected (by the branch) |
    # ended (the person withdrew consent, UU PDP Art. 8-9: processing ends, the NIK stays taken)
    standing: Mapped[str] = mapped_column(String(10), default="member")
    standing_reason: Mapped[str | None] = mapped_column(Text)
    membership_start: Mapped[date] = mapped_column(Date)  # registration, or rejoin month
    rejoin_count: Mapped[int] = mapped_column(Integer, default=0)
    promotion_code: Mapped[str | None] = mapped_column(String(32))
    # rumah_perisai.domain.coverage.CoverSummary, kept in step by the services:
    promo_until: Mapped[date | None] = mapped_column(Date)
    cover_from: Mapped[date | None] = mapped_column(Date)
    cover_until: Mapped[date | None] = mapped_column(Date)
    arrears_until: Mapped[date | None] = mapped_column(Date)
    # The promotion dashboard's dates, kept in step by the services (``db.status``):
    # the first membership's last free day (None without a promotion; kept after a rejoin, when
    # ``promo_until`` is cleared), and the issue day of the first non-voided receipt that pays a
    # month after it (None while not converted; recomputed when a receipt is voided).
    promotion_end: Mapped[date | None] = mapped_column(Date)
    converted_on: Mapped[date | None] = mapped_column(Date)
    # A person's rights over their data (migration 0016, docs/personal-data.md):
    ended_on: Mapped[date | None] = mapped_column(Date)  # consent withdrawn: the post's day
    # Erased at the person's request (UU PDP Art. 16): what no rule keeps is gone, the NIK is
    # replaced by ``domain.personal_data.erased_nik`` and kept only as ``nik_keyed``.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nik_keyed: Mapped[str | None] = mapped_column(String(64))
    # Brought in from a spreadsheet (issue 20, migration 0017): the checked file's short
    # reference, never its name. Never counts as a volunteer's new participant.
    import_ref: Mapped[str | None] = mapped_column(String(16))

    def natural_key(self) -> str:
        return self.registration_no


class CoverPeriod(FromPost, PostCoded, Tracked, Base):
    """A stretch of cover and where it came from: a promotion campaign or a receipt."""

    __tablename__ = "cover_periods"
    __table_args__ = (
        source_index("cover_periods"),
        UniqueConstraint("post_id", "number"),
        CheckConstraint("kind IN ('promotion', 'paid')", name="kind"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
    )

    number: Mapped[int] = mapped_column(Integer)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    programmes: Mapped[str] = mapped_column(String(20))  # "JKK JKM" or "JKK JKM JHT"
    campaign_code: Mapped[str | None] = mapped_column(String(32))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    voided_by_receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))

    def natural_key(self) -> str:
        return f"{self.post_code}-C{self.number}"


class Receipt(FromPost, PostCoded, Tracked, Base):
    """A numbered receipt (payment) or the record of its void. Never edited, never deleted.

    Each receipt stores the hash of the one before it at the same post (``prev_hash``) and its own
    hash over every stored field (``hash``), so a deleted or altered receipt breaks the chain.
    """

    __tablename__ = "receipts"
    __table_args__ = (
        source_index("receipts"),
        UniqueConstraint("post_id", "year", "seq"),
        CheckConstraint("kind IN ('payment', 'void')", name="kind"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        Index("ix_receipts_post_issued_on", "post_id", "issued_on"),
    )

    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)  # gapless per post and year
    number: Mapped[str] = mapped_column(String(32), unique=True)  # <post>-<year>-<seq:06>
    kind: Mapped[str] = mapped_column(String(8))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    voids_receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), unique=True)
    month_count: Mapped[int] = mapped_column(Integer)
    first_month: Mapped[date | None] = mapped_column(Date)
    last_month: Mapped[date | None] = mapped_column(Date)
    jkk: Mapped[int] = mapped_column(BigInteger)
    jkm: Mapped[int] = mapped_column(BigInteger)
    jht: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    cash_received: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)  # a void's reason
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_on: Mapped[date] = mapped_column(Date)  # business day in the post's time zone
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"), index=True)
    # Whose cash the receipt moves: the collector of a payment; for a void of a receipt still in
    # an open till, that receipt's collector (the money goes back out of the same cash); for a
    # refund (the voided receipt's day was closed, or is another day), whoever paid it out now.
    cash_volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    refund: Mapped[bool] = mapped_column(Boolean, default=False)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A receipt printed after the backup a post was restored from, entered again from its paper
    # half (issue 16): who typed it in, and when. Not in the chain hash, which covers what the
    # receipt says; the audit log holds the same. The paper's QR digest, when it was scanned:
    # the printed QR names the chain hash the receipt had before the laptop was lost.
    paper_entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paper_entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    paper_qr_digest: Mapped[str | None] = mapped_column(String(32))

    def natural_key(self) -> str:
        return self.number


class ReceiptGap(FromPost, PostCoded, Tracked, Base):
    """A receipt number printed after the backup a post was restored from whose paper half is
    lost (issue 16): the number is used, by this record, with a coordinator's reason.

    It sits in the post's receipt chain in its number's place, hashed like a receipt
    (``domain.receipts.gap_chain_text``), so the chain stays gapless and the explanation cannot
    be removed unnoticed; it moves no cash and pays no month."""

    __tablename__ = "receipt_gaps"
    __table_args__ = (
        source_index("receipt_gaps"),
        UniqueConstraint("post_id", "year", "seq"),
    )

    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # <post>-<year>-<seq:06>
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def natural_key(self) -> str:
        return self.number


class ReceiptMonth(FromPost, Tracked, Base):
    """One dues month paid by a receipt, priced under the rate table in force on its first day."""

    __tablename__ = "receipt_months"
    __table_args__ = (
        source_index("receipt_months"),
        UniqueConstraint("receipt_id", "month"),
        Index("ix_receipt_months_participant_month", "participant_id", "month"),
    )

    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"))
    receipt_number: Mapped[str] = mapped_column(String(32))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    jkk: Mapped[int] = mapped_column(BigInteger)
    jkm: Mapped[int] = mapped_column(BigInteger)
    jht: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    rates_version: Mapped[str] = mapped_column(String(40))
    # Indexed: a month's voids are found from the void receipts (services.incentives).
    voided_by_receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), index=True)

    def natural_key(self) -> str:
        return f"{self.receipt_number}/{self.month:%Y-%m}"


class DailyClose(FromPost, PostCoded, Tracked, Base):
    """A till count: the post's receipts of one business day not counted before, per volunteer.

    A day may be closed more than once (a late walk-in after the first count); each close covers
    the day's receipts up to ``through_seq`` that no earlier close of that day covered. A close
    is never changed; it records the newest receipt hash, so receipts removed after it show.
    """

    __tablename__ = "daily_closes"
    __table_args__ = (
        source_index("daily_closes"),
        UniqueConstraint("post_id", "number"),
        Index("ix_daily_closes_post_day", "post_id", "day"),
    )

    number: Mapped[int] = mapped_column(Integer)  # gapless per post
    day: Mapped[date] = mapped_column(Date)  # the business day counted
    through_seq: Mapped[int] = mapped_column(Integer)  # last receipt seq (of day.year) counted
    receipt_count: Mapped[int] = mapped_column(Integer)
    payments_total: Mapped[int] = mapped_column(BigInteger)
    voids_total: Mapped[int] = mapped_column(BigInteger)
    refunds_total: Mapped[int] = mapped_column(BigInteger)
    expected: Mapped[int] = mapped_column(BigInteger)
    counted: Mapped[int] = mapped_column(BigInteger)
    difference: Mapped[int] = mapped_column(BigInteger)  # counted - expected
    chain_length: Mapped[int] = mapped_column(Integer)  # receipts in the post's chain then
    newest_receipt_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))

    def natural_key(self) -> str:
        return f"{self.post_code}-T{self.number:05d}"


class DailyCloseLine(FromPost, Tracked, Base):
    """One volunteer's cash in a close: expected from receipts, counted, and the difference."""

    __tablename__ = "daily_close_lines"
    __table_args__ = (
        source_index("daily_close_lines"),
        UniqueConstraint("close_id", "volunteer_key"),
    )

    close_id: Mapped[int] = mapped_column(ForeignKey("daily_closes.id"), index=True)
    close_key: Mapped[str] = mapped_column(String(24))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    volunteer_key: Mapped[str] = mapped_column(String(40))  # natural key, or the command-line user
    payments_count: Mapped[int] = mapped_column(Integer)
    payments_total: Mapped[int] = mapped_column(BigInteger)
    voids_count: Mapped[int] = mapped_column(Integer)
    voids_total: Mapped[int] = mapped_column(BigInteger)
    refunds_count: Mapped[int] = mapped_column(Integer)
    refunds_total: Mapped[int] = mapped_column(BigInteger)
    expected: Mapped[int] = mapped_column(BigInteger)
    counted: Mapped[int] = mapped_column(BigInteger)
    difference: Mapped[int] = mapped_column(BigInteger)

    def natural_key(self) -> str:
        return f"{self.close_key}/{self.volunteer_key}"


class Deposit(FromPost, PostCoded, Tracked, Base):
    """Cash taken to the bank against one or more closes (``DepositClose``)."""

    __tablename__ = "deposits"
    __table_args__ = (
        source_index("deposits"),
        UniqueConstraint("post_id", "number"),
        CheckConstraint("bank IN ('cimb_niaga', 'bni', 'other')", name="bank"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    number: Mapped[int] = mapped_column(Integer)
    bank: Mapped[str] = mapped_column(String(12))
    bank_name: Mapped[str | None] = mapped_column(String(60))  # for "other"
    reference: Mapped[str] = mapped_column(String(60))
    deposited_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))

    def natural_key(self) -> str:
        return f"{self.post_code}-D{self.number:05d}"


class DepositClose(FromPost, Tracked, Base):
    """Which close a deposit took the cash of; a close is deposited at most once."""

    __tablename__ = "deposit_closes"
    __table_args__ = (source_index("deposit_closes"),)

    deposit_id: Mapped[int] = mapped_column(ForeignKey("deposits.id"), index=True)
    close_id: Mapped[int] = mapped_column(ForeignKey("daily_closes.id"), unique=True)
    key: Mapped[str] = mapped_column(String(40))  # "<deposit key>/<close key>"

    def natural_key(self) -> str:
        return self.key


class CardIssue(FromPost, PostCoded, Tracked, Base):
    """A membership card that was made (PDF or print), with its serial and fate."""

    __tablename__ = "card_issues"
    __table_args__ = (
        source_index("card_issues"),
        UniqueConstraint("post_id", "serial"),
        CheckConstraint("state IN ('valid', 'replaced', 'invalid')", name="state"),
    )

    serial: Mapped[int] = mapped_column(Integer)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # first, lost, damaged, corrected
    reason_note: Mapped[str | None] = mapped_column(Text)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    state: Mapped[str] = mapped_column(String(10), default="valid")
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def natural_key(self) -> str:
        return f"{self.post_code}-K{self.serial}"


class CallOutcome(PostRecord, PostCoded, Tracked, Base):
    """How a call to a participant on the call list went (issue 7). Never changed or deleted:
    each call is a new record; the newest one is shown on the list next time."""

    __tablename__ = "call_outcomes"
    __table_args__ = (
        UniqueConstraint("post_id", "number"),
        CheckConstraint(
            "outcome IN ('reached', 'promised', 'wrong_number', 'no_answer')", name="outcome"
        ),
    )

    number: Mapped[int] = mapped_column(Integer)  # gapless per post
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    called_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))

    def natural_key(self) -> str:
        return f"{self.post_code}-CALL{self.number}"


class Batch(PostRecord, Base):
    """A weekly batch for the branch; its bytes stay in the data folder until acknowledged."""

    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("post_id", "seq"),
        CheckConstraint("state IN ('written', 'acknowledged')", name="state"),
    )

    seq: Mapped[int] = mapped_column(Integer)  # from 1, per post
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    change_from: Mapped[int] = mapped_column(BigInteger)  # exclusive
    change_to: Mapped[int] = mapped_column(BigInteger)  # inclusive
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    file_hash: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(120))
    counts_json: Mapped[str] = mapped_column(Text)
    newest_receipt_hash: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default="written")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    # The last time the file was written to a stick (or folder), and where: a batch recorded
    # but never written out (the stick failed after the save) stands out on the batches page.
    copied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    copied_to: Mapped[str | None] = mapped_column(Text)
    ack_file_hash: Mapped[str | None] = mapped_column(String(64))  # the branch's ACK taken in
    # The kept copy was removed because it held a person erased since (docs/personal-data.md):
    # it can no longer be written out again.
    copy_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BatchImport(PostRecord, Base):
    """At the branch: a post's batch that was imported (once) or is held behind a gap."""

    __tablename__ = "batch_imports"
    __table_args__ = (
        UniqueConstraint("post_id", "seq"),
        CheckConstraint("state IN ('imported', 'held')", name="state"),
    )

    seq: Mapped[int] = mapped_column(Integer)
    file_hash: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(120))
    file_size: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(10))
    manifest_json: Mapped[str] = mapped_column(Text)
    counts_json: Mapped[str | None] = mapped_column(Text)  # accepted / rejected per part
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    change_no: Mapped[int | None] = mapped_column(BigInteger)  # the import's own change number
    kept_path: Mapped[str] = mapped_column(Text)  # the bytes, in the branch's data folder
    source_dir: Mapped[str | None] = mapped_column(Text)  # where it came from (the stick)
    gap_override: Mapped[str | None] = mapped_column(Text)  # imported past a gap: who and why


class BranchRejection(PostRecord, Base):
    """A record the branch did not accept, and why: kept at the branch (carried in the ACK)
    and, once the ACK is taken in, at the post."""

    __tablename__ = "branch_rejections"
    __table_args__ = (UniqueConstraint("post_id", "entity", "entity_key"),)

    batch_seq: Mapped[int] = mapped_column(Integer)  # the batch whose ACK carries it
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(64))
    reason_code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BranchConflict(Base):
    """At the branch: two accepted members of two posts that came to hold the same NIK (one
    post changed a NIK, or sent a registration the branch cannot order). Neither is rejected
    automatically: a branch officer decides, and both posts hear that it is pending."""

    __tablename__ = "branch_conflicts"
    __table_args__ = (
        UniqueConstraint("first_id", "second_id"),
        CheckConstraint("state IN ('pending', 'decided')", name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The member the branch accepted first (by first_change), and the one that met it later.
    first_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    second_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    found_change: Mapped[int] = mapped_column(BigInteger)  # the import that found it
    kept_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)


class DuplicateHash(Base):
    """At a post: one truncated NIK hash of the branch's list of NIKs registered at other posts.
    Each prefix is shared by many possible NIKs; a hit means "possibly registered elsewhere"."""

    __tablename__ = "duplicate_hashes"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BpjsMember(Base):
    """At the branch: one person of BPJS's own list of people already registered (issue 20,
    ``branch members-import``), by NIK with their KPJ. A post's registration of one of them is
    not rejected (a lapsed member may rejoin at a post): the branch attaches the KPJ and says so
    in the acknowledgement; their NIK's duplicate-warning prefix goes to every post. Never
    carried; an import is audited as one entry."""

    __tablename__ = "bpjs_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    kpj: Mapped[str] = mapped_column(String(11), index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    nik_prefix: Mapped[str | None] = mapped_column(String(8))
    change_no: Mapped[int] = mapped_column(BigInteger, index=True)  # the import that listed it
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NikPrefix(Base):
    """At the branch: a duplicate-warning prefix a post's registrations brought, with the import
    (change number) that brought it first (issue 21). An acknowledgement lists the prefixes other
    posts brought since the post's previous batch (``acks._new_prefixes``): a few rows per
    registration of the week, where a scan of the participants by change number read every
    participant any post changed that week (a payment changes one) and listed its prefix again.
    Never carried; a rejected registration brings none."""

    __tablename__ = "nik_prefixes"
    __table_args__ = (Index("ix_nik_prefixes_change_no", "change_no"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    change_no: Mapped[int] = mapped_column(BigInteger)


class Setting(Tracked, Base):
    """A post setting kept in the database (receipt layout, card offsets, idle time-out, ...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)

    def natural_key(self) -> str:
        return self.key


class LoginGuard(Base):
    """Wrong PINs of one account (``pin:RP3209A-V002``) or wrong recovery codes of the post
    (``recovery:RP3209A``) in a row, and the wait they impose (``services/pin_guard.py``).

    This computer's own protection, not a record of the post's work: never carried in a batch
    (not ``Tracked``), but audited like every table, so each wrong try and each lock-out is in
    the audit log. Kept in the database so a restart does not clear it."""

    __tablename__ = "login_guards"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # wrong in a row since a right one
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)  # times locked out, ever
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_lockout_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def natural_key(self) -> str:
        return self.key


class AuditEntry(Base):
    """Who changed what, when: one row per changed record, written automatically on flush.

    ``origin`` is ``local`` for changes made on this computer and ``import`` for records that
    arrived from elsewhere; the clock check looks only at local ones.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("action IN ('create', 'update')", name="action"),
        Index("ix_audit_log_origin_at", "origin", "at"),
        Index("ix_audit_log_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_no: Mapped[int] = mapped_column(BigInteger, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    origin: Mapped[str] = mapped_column(String(8), default="local")
    actor: Mapped[str] = mapped_column(String(120))  # "cli:<login>", "volunteer:<key>", ...
    action: Mapped[str] = mapped_column(String(8))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(64))
    changes_json: Mapped[str] = mapped_column(Text)


# A person's rights over their data (migration 0016), kept in a module of their own; imported
# here so every table is in ``Base.metadata`` once this module is. With them, the indexes only a
# post's screens read, marked as the post's (SQLite's) only (migration 0020).
from rumah_perisai.db import post_indexes as post_indexes  # noqa: E402
from rumah_perisai.db.models_personal import (  # noqa: E402
    AccessRecord as AccessRecord,
)
from rumah_perisai.db.models_personal import (  # noqa: E402
    AccessSubject as AccessSubject,
)
from rumah_perisai.db.models_personal import (  # noqa: E402
    DataRequest as DataRequest,
)
from rumah_perisai.db.models_personal import (  # noqa: E402
    Erasure as Erasure,
)

# The promotion dashboard's tally (migration 0018), likewise.
from rumah_perisai.db.models_tally import EndedCount as EndedCount  # noqa: E402
from rumah_perisai.db.models_tally import PromotionCount as PromotionCount  # noqa: E402
