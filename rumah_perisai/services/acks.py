"""At the post: taking in the branch's acknowledgement of a batch (issue 9).

``take_ack`` checks the branch's signature and that the acknowledgement is for a batch this
post wrote, then, in one operation: marks the batch acknowledged; records what the branch
rejected and applies it as DOMAIN.md says (a rejected registration is marked rejected and its
cards invalid; the dues it paid go on the refund list, ``refunds_due``); stores KPJ numbers,
the other posts' keys (their cards then verify here) and the duplicate-warning prefixes, which
the registration form checks. Taking in the same acknowledgement again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import (
    Batch,
    BranchRejection,
    CardIssue,
    DataRequest,
    DuplicateHash,
    Participant,
    Post,
    Receipt,
    Setting,
)
from rumah_perisai.db.uow import Database, operation_time
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import Ack, duplicate_prefix, read_ack
from rumah_perisai.exchange.canonical import unb64
from rumah_perisai.keys import fingerprint
from rumah_perisai.keys.installed import branch_key
from rumah_perisai.services.erasure_cleanup import erase_what_the_branch_erased, forget_copies
from rumah_perisai.services.posts import the_post
from rumah_perisai.services.restore_state import AHEAD_SETTING, put_setting, restore_note
from rumah_perisai.services.volunteers import Actor

DUPLICATE_SALT_SETTING = "branch.duplicate_salt"
# What the newest acknowledgement (by the branch's ``as_of``) said of the branch's state.
AS_OF_SETTING = "branch.ack_as_of"
MISSING_SETTING = "branch.missing_batches"
PENDING_SETTING = "branch.pending_conflicts"


@dataclass(frozen=True)
class AckTaken:
    seq: int
    already: bool  # this very acknowledgement was taken in before: nothing changed
    rejected: int  # records of this post the branch rejected, to date
    newly_rejected: list[str]  # registration numbers rejected by this acknowledgement
    kpj_numbers: int  # KPJ numbers newly stored
    posts: int  # other posts' keys known after it
    prefixes: int  # duplicate-warning prefixes added
    requests_done: int = 0  # data requests the branch said, by this ACK, it has applied
    # Registrations of this batch whose NIK was on BPJS's own member list: the branch did not
    # reject them, it gave them the listed KPJ (issue 20).
    bpjs_known: int = 0


def take_ack(
    db: Database, data: bytes, name: str, actor: Actor, folder: DataFolder | None = None
) -> AckTaken:
    """Take in an acknowledgement (see the module). With ``folder``, the post's data folder:
    once the branch says it applied an erasure, the post's kept copies made before it are
    rewritten or removed (``services.erasure_cleanup.forget_copies``)."""
    taken = _take_ack(db, data, name, actor, folder)
    if folder is not None and taken.requests_listed:
        # It finds, by ``DataRequest.branch_done_at``, what may go, and is idempotent, so an
        # ACK taken in again (or after a failure half-way) finishes what was left.
        forget_copies(db, folder)
    return taken.taken


@dataclass(frozen=True)
class _Taken:
    taken: AckTaken
    requests_listed: bool
    erased: dict[str, str] = field(default_factory=dict)  # the branch's list (Ack.erased)


def _take_ack(
    db: Database, data: bytes, name: str, actor: Actor, folder: DataFolder | None
) -> _Taken:
    with db.reading() as session:
        post = the_post(session)
        branch = branch_key(session)
    if branch is None:
        raise UserError("no_branch_key")
    ack = read_ack(data, branch, name)
    if ack.post_code != post.code:
        raise UserError("ack_other_post", name=name, post=ack.post_code)
    digest = hashlib.sha256(data).hexdigest()
    if folder is not None and ack.erased:
        # Before anything may refuse the ACK: a post put back from before an erasure is the
        # very one whose ACK is "past the restore", and the branch's signed list is what
        # erases those people again (docs/personal-data.md).
        erase_what_the_branch_erased(db, folder, ack.erased)
    _refuse_ack_past_restore(db, ack, name, actor)
    with db.unit_of_work(actor.label) as session:
        post = the_post(session)
        batch = session.scalars(
            select(Batch).where(Batch.post_id == post.id, Batch.seq == ack.seq)
        ).first()
        if batch is None:
            raise UserError("ack_unknown_batch", name=name, seq=ack.seq)
        if batch.file_hash != ack.batch_file_hash:
            raise UserError("ack_wrong_batch", name=name, seq=ack.seq)
        rejected_total = len(ack.rejections)
        listed = bool(ack.requests_done)
        if batch.ack_file_hash == digest:
            return _Taken(
                AckTaken(ack.seq, True, rejected_total, [], 0, _other_posts(session), 0),
                listed,
                ack.erased,
            )
        now = operation_time(session)
        # An older acknowledgement taken in late must not roll back what a newer one said of
        # the branch's posts (a suspension), KPJ numbers, missing batches or pending conflicts.
        # The branch numbers its acknowledgements (as_of); older ones did not: by batch then.
        newest = session.scalar(
            select(func.max(Batch.seq)).where(
                Batch.post_id == post.id, Batch.ack_file_hash.is_not(None)
            )
        )
        as_of = _setting(session, AS_OF_SETTING, 0)
        if ack.as_of:
            current = ack.as_of >= as_of
        else:
            current = as_of == 0 and (newest is None or ack.seq >= newest)
        if batch.state != "acknowledged":
            batch.state = "acknowledged"
            batch.acknowledged_at = now
        batch.ack_file_hash = digest
        newly = _apply_rejections(session, post, ack)
        kpj = _store_kpj(session, post, ack) if current else 0
        if current:
            _store_posts(session, post, ack)
            _put(session, AS_OF_SETTING, ack.as_of)
            _put(session, MISSING_SETTING, ack.missing)
            _put(session, PENDING_SETTING, [asdict(p) for p in ack.pending])
        _store_salt(session, ack)
        added = _store_prefixes(session, ack)
        done = _mark_requests_done(session, post, ack)
        session.info["reason"] = f"acknowledgement of batch {ack.seq} from {ack.branch_code}"
        taken = AckTaken(ack.seq, False, rejected_total, newly, kpj, _other_posts(session), added,
                         done, _known_to_bpjs(session, post, ack))  # fmt: skip
        return _Taken(taken, listed, ack.erased)


def _mark_requests_done(session: Session, post: Post, ack: Ack) -> int:
    """The post's requests the branch says it applied: ``branch_done_at`` set, once."""
    if not ack.requests_done:
        return 0
    now = operation_time(session)
    marked = 0
    for request, registration_no in session.execute(
        select(DataRequest, Participant.registration_no)
        .join(Participant, Participant.id == DataRequest.participant_id)
        .where(DataRequest.post_id == post.id, DataRequest.branch_done_at.is_(None))
    ):
        if request.natural_key() not in ack.requests_done:
            continue
        # A post put back from a backup hands out request numbers again: a key alone may be
        # another person's request at the branch. An erasure counts as done there only when
        # the branch also lists this person as erased (it removes copies here).
        if request.kind == "erase" and registration_no not in ack.erased:
            continue
        request.branch_done_at = now
        marked += 1
    return marked


def _refuse_ack_past_restore(db: Database, ack: Ack, name: str, actor: Actor) -> None:
    """An acknowledgement, signed by the branch, of a batch newer than any this restored post
    has: the backup is older than what the branch holds (issue 16). The fact is kept
    (``restore.branch_ahead``: paper receipts cannot be entered here, payments stay held) and
    the acknowledgement refused: its batch is not here to mark."""
    with db.reading() as session:
        post = the_post(session)
        note = restore_note(session)
        newest = session.scalar(select(func.max(Batch.seq)).where(Batch.post_id == post.id))
    if note is None or ack.seq <= int(newest or 0):
        return
    with db.unit_of_work(actor.label) as session:
        session.info["reason"] = f"acknowledgement of batch {ack.seq}, newer than the backup"
        put_setting(session, AHEAD_SETTING, {"restored_at": note.restored_key, "seq": ack.seq,
                                             "batch_file_hash": ack.batch_file_hash})  # fmt: skip
    raise UserError("ack_after_restore", name=name, seq=ack.seq, last=int(newest or 0))


def _apply_rejections(session: Session, post: Post, ack: Ack) -> list[str]:
    newly: list[str] = []
    now = operation_time(session)
    for rejection in ack.rejections:
        known = session.scalars(
            select(BranchRejection).where(
                BranchRejection.post_id == post.id,
                BranchRejection.entity == rejection.entity,
                BranchRejection.entity_key == rejection.key,
            )
        ).first()
        if known is None:
            session.add(
                BranchRejection(
                    post_id=post.id, batch_seq=rejection.batch_seq, entity=rejection.entity,
                    entity_key=rejection.key, reason_code=rejection.code,
                    reason=rejection.reason, decided_at=now,
                )
            )  # fmt: skip
        if rejection.entity != "participants":
            continue
        person = session.scalars(
            select(Participant).where(
                Participant.post_id == post.id, Participant.registration_no == rejection.key
            )
        ).first()
        if person is None or person.standing == "rejected":
            continue
        person.standing = "rejected"
        person.standing_reason = rejection.reason
        for card in session.scalars(
            select(CardIssue).where(
                CardIssue.participant_id == person.id, CardIssue.state == "valid"
            )
        ):
            card.state = "invalid"
        newly.append(person.registration_no)
    return newly


def _store_kpj(session: Session, post: Post, ack: Ack) -> int:
    stored = 0
    for registration_no, kpj in ack.kpj.items():
        person = session.scalars(
            select(Participant).where(
                Participant.post_id == post.id, Participant.registration_no == registration_no
            )
        ).first()
        if person is not None and person.kpj != kpj:
            person.kpj = kpj
            stored += 1
    return stored


def _known_to_bpjs(session: Session, post: Post, ack: Ack) -> int:
    """How many of the ACK's ``bpjs_known`` are this post's registrations (their KPJ numbers
    came with ``kpj``)."""
    if not ack.bpjs_known:
        return 0
    return len(
        session.scalars(
            select(Participant.id).where(
                Participant.post_id == post.id, Participant.registration_no.in_(ack.bpjs_known)
            )
        ).all()
    )


def _store_posts(session: Session, post: Post, ack: Ack) -> None:
    """The branch's other posts: their keys, so their cards verify here."""
    now = operation_time(session)
    for entry in ack.posts:
        details = entry.get("post") or {}
        code = str(details.get("code", ""))
        if not code or code == post.code:
            continue
        key = unb64(entry.get("signing_key"), 32)
        known = session.scalars(select(Post).where(Post.code == code)).first()
        if known is None:
            known = Post(code=code, is_local=False, created_at=now)
            session.add(known)
        known.name = str(details.get("name", code))
        known.kabupaten_code = str(details.get("kabupaten", post.kabupaten_code))
        known.timezone = str(details.get("timezone", post.timezone))
        known.is_demo = bool(entry.get("demo", False))
        known.signing_public_key = key
        known.key_fingerprint = fingerprint(key)
        known.suspended_at = now if entry.get("suspended") else None


def _setting(session: Session, key: str, default: Any) -> Any:
    stored = session.get(Setting, key)
    return default if stored is None else json.loads(stored.value_json)


def _put(session: Session, key: str, value: Any) -> None:
    stored = session.get(Setting, key)
    text = json.dumps(value, sort_keys=True)
    if stored is None:
        session.add(Setting(key=key, value_json=text))
    elif stored.value_json != text:
        stored.value_json = text


@dataclass(frozen=True)
class BranchView:
    """What the newest acknowledgement said of this post's standing at the branch."""

    missing: list[int]  # batches the branch still lacks: write them again (Tulis lagi)
    pending: dict[str, str]  # registration number -> why the branch has still to decide


def pending_at_branch(session: Session, registration_no: str) -> str | None:
    """Why the branch has still to decide on this registration, or None."""
    for entry in _setting(session, PENDING_SETTING, []):
        if entry.get("key") == registration_no:
            return str(entry.get("reason", ""))
    return None


def branch_view(db: Database) -> BranchView:
    with db.reading() as session:
        missing = [int(seq) for seq in _setting(session, MISSING_SETTING, [])]
        pending = {str(p["key"]): str(p["reason"]) for p in _setting(session, PENDING_SETTING, [])}
    return BranchView(missing, pending)


def _store_salt(session: Session, ack: Ack) -> None:
    stored = session.get(Setting, DUPLICATE_SALT_SETTING)
    value = json.dumps(ack.duplicate_salt)
    if stored is None:
        session.add(Setting(key=DUPLICATE_SALT_SETTING, value_json=value))
    elif stored.value_json != value:
        stored.value_json = value


def _store_prefixes(session: Session, ack: Ack) -> int:
    if not ack.duplicate_prefixes:
        return 0
    connection = session.connection()
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    now = operation_time(session)
    before = session.query(DuplicateHash).count()
    statement = dialect_insert(DuplicateHash).on_conflict_do_nothing(index_elements=["prefix"])
    connection.execute(statement, [{"prefix": p, "added_at": now} for p in ack.duplicate_prefixes])
    return session.query(DuplicateHash).count() - before


def _other_posts(session: Session) -> int:
    return len(session.scalars(select(Post.id).where(Post.is_local.is_(False))).all())


def possibly_elsewhere(session: Session, nik: str) -> bool:
    """Whether the branch's list says this NIK may be registered at another post."""
    stored = session.get(Setting, DUPLICATE_SALT_SETTING)
    if stored is None:
        return False
    prefix = duplicate_prefix(json.loads(stored.value_json), nik)
    return session.get(DuplicateHash, prefix) is not None


def elsewhere_of(session: Session, niks: Iterable[str]) -> set[str]:
    """Of ``niks``, those the branch's list says may be registered at another post: for a
    whole list at once (``possibly_elsewhere`` asks for one), a few lookups of 500 prefixes."""
    stored = session.get(Setting, DUPLICATE_SALT_SETTING)
    if stored is None:
        return set()
    salt = json.loads(stored.value_json)
    by_prefix: dict[str, list[str]] = {}
    for nik in set(niks):
        by_prefix.setdefault(duplicate_prefix(salt, nik), []).append(nik)
    prefixes = sorted(by_prefix)
    found: set[str] = set()
    for start in range(0, len(prefixes), 500):
        chunk = prefixes[start : start + 500]
        for prefix in session.scalars(
            select(DuplicateHash.prefix).where(DuplicateHash.prefix.in_(chunk))
        ):
            found.update(by_prefix[prefix])
    return found


@dataclass(frozen=True)
class RefundDue:
    """Dues paid for a registration the branch rejected: to be paid back to the person."""

    receipt: str
    registration_no: str
    name: str
    issued_on: date
    total: int
    reason: str


def refunds_due(db: Database) -> list[RefundDue]:
    with db.reading() as session:
        post = the_post(session)
        voided = select(Receipt.voids_receipt_id).where(
            Receipt.post_id == post.id, Receipt.voids_receipt_id.is_not(None)
        )
        rows = session.execute(
            select(Receipt, Participant)
            .join(Participant, Participant.id == Receipt.participant_id)
            .where(
                Receipt.post_id == post.id,
                Receipt.kind == "payment",
                Participant.standing == "rejected",
                Receipt.id.not_in(voided),
            )
            .order_by(Receipt.issued_on, Receipt.number)
        ).all()
        return [
            RefundDue(
                r.number, p.registration_no, p.name, r.issued_on, r.total, p.standing_reason or ""
            )  # fmt: skip
            for r, p in rows
        ]
