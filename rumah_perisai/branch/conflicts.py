"""The same NIK at two posts (DOMAIN.md): a registration new in a batch whose NIK an accepted
member holds is rejected at import; two members both accepted before (a NIK corrected at a post)
are held as a conflict for a branch officer, who keeps one (``decide_conflict``). A conflict ends
by itself when a post corrects the NIK or withdraws its registration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session, aliased

from rumah_perisai import formats
from rumah_perisai.branch.checks import last_imported
from rumah_perisai.branch.due import EVERYTHING, Due
from rumah_perisai.branch.requests import erased_matches
from rumah_perisai.db.models import BatchImport, BranchConflict, BranchRejection, Participant, Post
from rumah_perisai.db.uow import Database, begin_operation, operation_time
from rumah_perisai.errors import UserError
from rumah_perisai.exchange.ack import Pending, Rejection
from rumah_perisai.i18n import tr
from rumah_perisai.services.volunteers import Actor

DUPLICATE_REASON = "duplicate_nik"
CONFLICT_REASON = "nik_conflict_pending"
DECIDED_REASON = "nik_conflict_decided"


# --- NIK conflicts held for a branch officer ---------------------------------------------------


@dataclass(frozen=True)
class ConflictSide:
    post_code: str
    registration_no: str
    name: str  # shown to the branch officer, who must tell the two apart
    birth_date: str
    registered_on: str
    first_seen: str  # when the branch first imported it (UTC day)


@dataclass(frozen=True)
class Conflict:
    id: int
    found_on: str
    first: ConflictSide  # seen first by the branch
    second: ConflictSide


def pending_conflicts(db: Database) -> list[Conflict]:
    """NIK conflicts between two accepted members, waiting for a branch officer's decision."""
    with db.reading() as session:
        first, second = aliased(Participant), aliased(Participant)
        seen = {
            change_no: at
            for change_no, at in session.execute(
                select(BatchImport.change_no, BatchImport.imported_at).where(
                    BatchImport.state == "imported"
                )
            )
        }

        def side(person: Participant) -> ConflictSide:
            at = seen.get(person.first_change or -1)
            return ConflictSide(
                person.post_code, person.registration_no, person.name,
                person.birth_date.isoformat(), person.registered_on.isoformat(),
                at.astimezone(UTC).date().isoformat() if at else "",
            )  # fmt: skip

        return [
            Conflict(c.id, c.found_at.astimezone(UTC).date().isoformat(), side(a), side(b))
            for c, a, b in session.execute(
                select(BranchConflict, first, second)
                .join(first, first.id == BranchConflict.first_id)
                .join(second, second.id == BranchConflict.second_id)
                .where(BranchConflict.state == "pending")
                .order_by(BranchConflict.id)
            )
        ]


def decide_conflict(db: Database, conflict_id: int, keep: str, note: str, actor: Actor) -> str:
    """A branch officer decides a NIK conflict: registration ``keep`` stands, the other is
    rejected (its post hears it in its next acknowledgement, as any rejection). Returns the
    registration number rejected."""
    note = " ".join(note.split())
    if not note:
        raise UserError("reason_needed")
    with db.unit_of_work(actor.label) as session:
        begin_operation(session)  # read under the write lock: two officers cannot both decide
        conflict = session.get(BranchConflict, conflict_id, populate_existing=True)
        if conflict is None or conflict.state != "pending":
            raise UserError("conflict_unknown", id=conflict_id)
        one = session.get(Participant, conflict.first_id, populate_existing=True)
        other = session.get(Participant, conflict.second_id, populate_existing=True)
        assert one is not None and other is not None
        if one.nik != other.nik or one.standing != "member" or other.standing != "member":
            raise UserError("conflict_unknown", id=conflict_id)  # settled meanwhile
        keep = keep.strip().upper()
        if keep not in (one.registration_no, other.registration_no):
            raise UserError("conflict_keep_bad", id=conflict_id, regno=keep,
                            first=one.registration_no, second=other.registration_no)  # fmt: skip
        kept, lost = (one, other) if keep == one.registration_no else (other, one)
        now = operation_time(session)
        # The officer's note stays at the branch (it may name the other post's member): the
        # post is told whose registration stands.
        reason = tr(
            "The same NIK is registered at post {post} ({regno}); the branch decided that "
            "registration stands.",
            post=kept.post_code, regno=kept.registration_no,
        )  # fmt: skip
        lost.standing = "rejected"
        lost.standing_reason = reason
        session.add(
            BranchRejection(
                post_id=lost.post_id, batch_seq=last_imported(session, lost.post_id),
                entity="participants", entity_key=lost.registration_no,
                reason_code=DECIDED_REASON, reason=reason, decided_at=now,
            )
        )  # fmt: skip
        conflict.state = "decided"
        conflict.kept_id = kept.id
        conflict.decided_by = actor.label
        conflict.decided_at = now
        conflict.decision_note = note
        session.flush()
        _settle_conflicts(session, lost.post_id)  # its other conflicts end with it
        session.info["reason"] = f"NIK conflict {conflict_id}: {note}"
        return lost.registration_no


# --- importing -----------------------------------------------------------------------------------


# --- found while importing -----------------------------------------------------------------------


def reject_duplicates(
    session: Session, post: Post, seq: int, change_no: int, due: Due = EVERYTHING
) -> list[Rejection]:
    """The same NIK at two posts (DOMAIN.md): which registration came first is what the branch
    saw first (``first_change``), never a time a post claims. A registration new in this batch
    whose NIK an accepted member holds is rejected; two members both accepted before (a NIK
    changed at a post) are held for a branch officer (``BranchConflict``), neither rejected.
    ``due``: which of its queries have anything to find (``branch.due``)."""
    # A registration rejected before stays rejected whatever the post sent since (it may come
    # again, e.g. with a payment, before the post has taken in the acknowledgement).
    if due.rejected_before:
        _rejected_again(session, post, change_no)
    if due.pending:
        _settle_conflicts(session, post.id)
    pairs = _pairs(session, post, change_no) if due.pairs else []
    people = _load(session, {person for pair in pairs for person in pair})
    decided: list[Rejection] = []
    now = operation_time(session)
    # Written in one flush at the end (a first batch of a new post can reject hundreds): each
    # pair's records are in the session already, so no query flushes the pair before it.
    with session.no_autoflush:
        for mine_id, theirs_id in pairs:
            mine, theirs = people[mine_id], people[theirs_id]
            if mine.standing != "member" or theirs.standing != "member":
                continue  # decided by an earlier pair of this loop
            if mine.first_change != change_no:
                _hold_conflict(session, theirs, mine, change_no)
                continue
            decided.append(_reject(session, mine, theirs, seq, now))
    session.flush()
    return decided


def _rejected_again(session: Session, post: Post, change_no: int) -> None:
    """This import's registrations rejected before are rejected again, with the reason."""
    session.execute(
        text(
            "UPDATE participants SET standing = 'rejected', standing_reason = ("
            " SELECT r.reason FROM branch_rejections r WHERE r.post_id = participants.post_id"
            " AND r.entity = 'participants' AND r.entity_key = participants.registration_no)"
            " WHERE post_id = :post AND change_no = :change AND standing <> 'rejected'"
            " AND registration_no IN (SELECT entity_key FROM branch_rejections"
            " WHERE post_id = :post AND entity = 'participants')"
        ),
        {"post": post.id, "change": change_no},
    )


def _pairs(session: Session, post: Post, change_no: int) -> list[tuple[int, int]]:
    """This import's members (ids) and the other posts' members holding the same NIK."""
    rows = session.execute(
        text(
            "SELECT p.id, q.id FROM participants p JOIN participants q"
            " ON q.nik = p.nik AND q.post_id <> p.post_id"
            " WHERE p.post_id = :post AND p.change_no = :change"
            # Only members: a withdrawn registration was a mistake and holds no NIK.
            " AND p.standing = 'member' AND q.standing = 'member'"
            # In the order the branch saw them: the registration named is the first one here.
            " ORDER BY p.id, q.id"
        ),
        {"post": post.id, "change": change_no},
    ).all()
    return [(int(mine), int(theirs)) for mine, theirs in rows]


def _load(session: Session, ids: set[int]) -> dict[int, Participant]:
    """The participants ``ids``, a few queries for all of them. Held by the caller: the
    session keeps an unchanged object only while someone refers to it, so loading them into
    it alone left each ``session.get`` of the loop to query again (~1,100 queries for 100
    first batches, ~1 s)."""
    chosen = sorted(ids)
    people: dict[int, Participant] = {}
    for start in range(0, len(chosen), 1000):
        chunk = chosen[start : start + 1000]
        for person in session.scalars(select(Participant).where(Participant.id.in_(chunk))):
            people[person.id] = person
    return people


def _reject(
    session: Session, mine: Participant, theirs: Participant, seq: int, now: datetime
) -> Rejection:
    """``mine``, new in this batch, is rejected: ``theirs`` holds its NIK already."""
    reason = tr(
        "NIK already registered at post {post} ({regno}, {day}); the later registration "
        "is rejected.",
        post=theirs.post_code,
        regno=theirs.registration_no,
        day=formats.day(theirs.registered_on),  # read by people at both posts (issue 17)
    )
    mine.standing = "rejected"
    mine.standing_reason = reason
    session.add(
        BranchRejection(
            post_id=mine.post_id, batch_seq=seq, entity="participants",
            entity_key=mine.registration_no, reason_code=DUPLICATE_REASON, reason=reason,
            decided_at=now,
        )
    )  # fmt: skip
    return Rejection("participants", mine.registration_no, DUPLICATE_REASON, reason, seq)


def rejoin_erased(
    session: Session, post: Post, change_no: int, key: bytes, due: Due = EVERYTHING
) -> int:
    """A registration new in this batch whose NIK is an erased person's (compared keyed, with
    the branch's key: the erased NIK itself is kept nowhere) is that person joining again. Not
    rejected: their earlier membership ended at their request, so they are a member of none, as
    a lapsed member who rejoins is not (docs/personal-data.md). The new registration takes the
    erased one's KPJ, which the rules keep, and the ACK's KPJ numbers tell the post. Returns
    how many were recognised. ``due.keyed``: whether any erased NIK is kept (``branch.due``)."""
    found = 0
    if not due.keyed:
        session.flush()
        return found
    for mine, erased in erased_matches(session, post.id, change_no, key):
        found += 1
        earlier = session.scalars(
            select(Participant).where(Participant.registration_no == erased.registration_no)
        ).first()
        if mine.kpj is None and earlier is not None and earlier.kpj is not None:
            mine.kpj = earlier.kpj
    session.flush()
    return found


def _hold_conflict(
    session: Session, theirs: Participant, mine: Participant, change_no: int
) -> None:
    """Two accepted members now share a NIK: held for an officer, the first seen named first."""
    first, second = (
        (theirs, mine) if (theirs.first_change or 0) <= (mine.first_change or 0) else (mine, theirs)
    )
    known = session.scalars(
        select(BranchConflict).where(
            BranchConflict.first_id == first.id, BranchConflict.second_id == second.id
        )
    ).first()
    if known is not None:
        if known.state == "decided" and known.kept_id is None:  # settled by a correction, back
            known.state = "pending"
            known.found_change = change_no
            known.found_at = operation_time(session)
            known.decision_note = None
        return
    session.add(
        BranchConflict(
            first_id=first.id, second_id=second.id, state="pending",
            found_at=operation_time(session), found_change=change_no,
        )
    )  # fmt: skip


def _pending_pairs(
    session: Session, post_id: int
) -> list[tuple[BranchConflict, Participant, Participant]]:
    """The pending conflicts a post's registration is part of, with both registrations."""
    # Asked first as plain SQL: most imports and ACKs find none, and the ORM query with two
    # aliased participants cost more to build than to run (twice per batch).
    if not _has_pending(session, post_id):
        return []
    first, second = aliased(Participant), aliased(Participant)
    rows = session.execute(
        select(BranchConflict, first, second)
        .join(first, first.id == BranchConflict.first_id)
        .join(second, second.id == BranchConflict.second_id)
        .where(
            BranchConflict.state == "pending",
            (first.post_id == post_id) | (second.post_id == post_id),
        )
        .order_by(BranchConflict.id)
    ).all()
    return [(conflict, one, other) for conflict, one, other in rows]


def _has_pending(session: Session, post_id: int) -> bool:
    session.flush()  # a conflict held or decided in this transaction counts (as the ORM's would)
    found = session.execute(
        text(
            "SELECT 1 FROM branch_conflicts c JOIN participants a ON a.id = c.first_id"
            " JOIN participants b ON b.id = c.second_id WHERE c.state = 'pending'"
            " AND (a.post_id = :post OR b.post_id = :post) LIMIT 1"
        ),
        {"post": post_id},
    ).first()
    return found is not None


def _settle_conflicts(session: Session, post_id: int) -> None:
    """A pending conflict ends by itself when a post corrects the NIK (the two differ again) or
    withdraws its registration: recorded as settled, with no one rejected."""
    for conflict, one, other in _pending_pairs(session, post_id):
        if one.nik != other.nik or one.standing != "member" or other.standing != "member":
            conflict.state = "decided"
            conflict.decided_at = operation_time(session)
            conflict.decided_by = "import"
            conflict.decision_note = "settled: the NIKs differ now, or one is no longer a member"


def pending_for(session: Session, post_id: int) -> list[Pending]:
    """The post's registrations in a NIK conflict a branch officer has still to decide."""
    pending = []
    for conflict, one, other in _pending_pairs(session, post_id):
        for mine, theirs in ((one, other), (other, one)):
            if mine.post_id == post_id:
                pending.append(
                    Pending(
                        "participants", mine.registration_no, CONFLICT_REASON,
                        tr("The same NIK is registered at post {post}; the branch will decide "
                           "which registration stands. Until then both stay as they are.",
                           post=theirs.post_code),
                        conflict.found_at.astimezone(UTC).strftime("%Y-%m-%d"),
                    )
                )  # fmt: skip
    return pending


__all__ = [
    "CONFLICT_REASON",
    "DECIDED_REASON",
    "DUPLICATE_REASON",
    "Conflict",
    "ConflictSide",
    "decide_conflict",
    "pending_conflicts",
    "pending_for",
    "reject_duplicates",
    "rejoin_erased",
]
