"""Membership cards: what each card shows, recorded only once its PDF was saved or printed,
checked when scanned.

Two steps, so nothing is recorded as printed unless it was: ``card_run`` gives each card the
post's next serials and its face (nothing stored; ``printing.cards.prepare_cards`` draws the
faces); after the PDF was written or printed, ``record_cards`` stores the card issues with
exactly those serials (refusing if other cards were recorded in between) and marks the
participants' older cards replaced. A reprint needs a reason. This module never draws: the
documents are ``printing``'s (issue 18, item 3).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from rumah_perisai import formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import CardIssue, Counter, Participant, Post
from rumah_perisai.db.uow import Database, next_number, operation_time
from rumah_perisai.domain.card_payload import (
    CardFormatError,
    CardPayload,
    CardStatus,
    encode_card,
    verify_card,
)
from rumah_perisai.domain.nik import mask_nik
from rumah_perisai.domain.personal_data import shown_name
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.i18n import N_, tr
from rumah_perisai.keys import load_post_key
from rumah_perisai.services.access import Doc, Look, add_access
from rumah_perisai.services.posts import local_post
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import Progress

CARD_COUNTER = "card"
FIRST = "first"
REPRINT_REASONS = ("lost", "damaged", "corrected")
VALID, REPLACED, INVALID = "valid", "replaced", "invalid"
REASON_TEXT = {
    FIRST: N_("First card"),
    "lost": N_("Lost"),
    "damaged": N_("Damaged"),
    "corrected": N_("Data corrected"),
}
# A recorded card's state in the participant's list; ``invalid`` only follows a branch rejection.
CARD_STATE_TEXT = {
    VALID: N_("current"),
    REPLACED: N_("replaced"),
    INVALID: N_("no longer valid (rejected)"),
}


_MASKED_NIK = re.compile(r"[0-9]{4}[*xX•]{8}[0-9]{4}")


@dataclass(frozen=True)
class CardFace:
    """What one card shows, every text ready to print (dates formatted by the caller).

    ``masked_nik`` is :func:`rumah_perisai.domain.nik.mask_nik`'s output; a full NIK is refused.
    ``qr_text`` is :func:`rumah_perisai.domain.card_payload.encode_card`'s output. ``title``
    defaults to the programme's card title in the current language.
    """

    name: str
    registration_no: str
    masked_nik: str
    programmes: str
    cover_start: str
    post_name: str
    qr_text: str
    kpj: str | None = None
    serial: int | None = None
    demo: bool = False
    title: str | None = None
    branch_contact: str | None = None

    def __post_init__(self) -> None:
        if not _MASKED_NIK.fullmatch("".join(self.masked_nik.split())):
            raise ValueError("a card shows the NIK masked: first 4 and last 4 digits only")


def programmes_text(jht: bool) -> str:
    """The programmes as a card lists them: ``JKK + JKM`` or ``JKK + JKM + JHT``."""
    return "JKK + JKM + JHT" if jht else "JKK + JKM"


@dataclass(frozen=True)
class CardRun:
    """Cards to be made: their faces, and what to record once their PDF is out."""

    faces: tuple[CardFace, ...]
    participant_ids: tuple[int, ...]
    serials: tuple[int, ...]
    reasons: tuple[str, ...]
    note: str | None
    issued_on: date
    demo: bool  # a demo post's cards are marked CONTOH


def _last_serial(session: Session, post_code: str) -> int:
    value = session.scalar(
        select(Counter.value).where(Counter.scope == post_code, Counter.name == CARD_COUNTER)
    )
    return int(value or 0)


def _valid_card(session: Session, participant_id: int) -> CardIssue | None:
    return session.scalars(
        select(CardIssue).where(
            CardIssue.participant_id == participant_id, CardIssue.state == VALID
        )
    ).first()


_IN_CHUNK = 500  # ids a query at most: well under SQLite's limit on bound parameters


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    unique = sorted(set(ids))
    return [unique[start : start + _IN_CHUNK] for start in range(0, len(unique), _IN_CHUNK)]


def _loaded(session: Session, participant_ids: Sequence[int]) -> dict[int, Participant]:
    """The participants of a run, a query for every 500 rather than one each (issue 21)."""
    return {
        participant.id: participant
        for chunk in _chunks(participant_ids)
        for participant in session.scalars(select(Participant).where(Participant.id.in_(chunk)))
    }


def _with_valid_card(session: Session, participant_ids: Sequence[int]) -> set[int]:
    """Which of the participants hold a valid card now (their next card is a reprint)."""
    return {
        participant_id
        for chunk in _chunks(participant_ids)
        for participant_id in session.scalars(
            select(CardIssue.participant_id).where(
                CardIssue.participant_id.in_(chunk), CardIssue.state == VALID
            )
        )
    }


def _checked(post: Post, participant_id: int, participant: Participant | None) -> Participant:
    if participant is None or participant.post_id != post.id:
        raise UserError("participant_missing", ref=participant_id)
    if participant.standing == "ended":  # consent withdrawn, perhaps erased since
        raise UserError("card_membership_ended", name=shown_name(participant.name))
    if participant.standing != "member":
        raise UserError("card_not_member", name=participant.name)
    if not participant.name.strip() or len(participant.nik) != 16:
        raise UserError("card_missing_data", name=participant.name or participant.registration_no)
    return participant


def _reason_for(participant: Participant, has_valid_card: bool, reason: str) -> str:
    """A first card needs no reason; a reprint needs one of ``REPRINT_REASONS``."""
    if not has_valid_card:
        return FIRST
    if reason not in REPRINT_REASONS:
        raise UserError("reprint_needs_reason", name=participant.name)
    return reason


def card_run(
    db: Database,
    folder: DataFolder,
    participant_ids: Sequence[int],
    *,
    reason: str = FIRST,
    note: str | None = None,
    progress: Progress | None = None,
) -> CardRun:
    """The faces of the cards of ``participant_ids`` with the next serials; nothing is stored."""
    if not participant_ids:
        raise UserError("no_cards")
    key = load_post_key(folder.keys)
    with db.reading() as session:
        post = local_post(session)
        if post is None:
            raise UserError("no_post")
        today = local_date(db.clock(), post.timezone)
        first = _last_serial(session, post.code) + 1
        faces, reasons = [], []
        loaded = _loaded(session, participant_ids)
        with_card = _with_valid_card(session, participant_ids)
        for index, participant_id in enumerate(participant_ids):
            participant = _checked(post, participant_id, loaded.get(participant_id))
            reasons.append(_reason_for(participant, participant_id in with_card, reason))
            serial = first + index
            payload = CardPayload(post.code, participant.registration_no, serial, today)
            faces.append(_face(participant, post, serial, encode_card(payload, key)))
            if progress is not None and index % 20 == 0:
                progress.step(index, len(participant_ids), tr("Drawing cards…"))
        demo = post.is_demo
    return CardRun(
        faces=tuple(faces),
        participant_ids=tuple(participant_ids),
        serials=tuple(range(first, first + len(participant_ids))),
        reasons=tuple(reasons),
        note=(note or "").strip() or None,
        issued_on=today,
        demo=demo,
    )


def _face(participant: Participant, post: Post, serial: int, qr_text: str) -> CardFace:
    cover_start = participant.cover_from or participant.membership_start
    return CardFace(
        name=participant.name,
        registration_no=participant.registration_no,
        masked_nik=mask_nik(participant.nik),
        programmes=programmes_text(participant.with_jht),
        cover_start=formats.day(cover_start),
        post_name=post.name,
        qr_text=qr_text,
        kpj=participant.kpj,
        serial=serial,
        demo=post.is_demo,
    )


def record_cards(db: Database, prepared: CardRun, actor: Actor) -> list[int]:
    """Record the cards of a PDF that was saved or printed (``printing.cards.PreparedCards``
    is a ``CardRun``); returns the card issue ids."""
    with db.unit_of_work(actor.label) as session:
        post = local_post(session)
        assert post is not None
        if _last_serial(session, post.code) != prepared.serials[0] - 1:
            raise UserError("cards_outdated")  # other cards were recorded since: draw again
        now = operation_time(session)
        issued = []
        for participant_id, serial, reason in zip(
            prepared.participant_ids, prepared.serials, prepared.reasons, strict=True
        ):
            assert next_number(session, post.code, CARD_COUNTER) == serial
            older = _valid_card(session, participant_id)
            if older is not None:
                older.state = REPLACED
                older.replaced_at = now
            card = CardIssue(
                post_id=post.id,
                post_code=post.code,
                serial=serial,
                participant_id=participant_id,
                reason=reason,
                reason_note=prepared.note,
                issued_on=prepared.issued_on,
                issued_at=now,
                issued_by_id=actor.volunteer_id,
                state=VALID,
            )
            session.add(card)
            session.flush()
            issued.append(card.id)
        # One look for the whole batch, in the same commit as its cards: a card recorded is
        # a card whose printing was recorded as a look at the people on it.
        add_access(session, now, actor, Look.CARD, prepared.participant_ids, Doc.CARD_PDF)
        return issued


def hand_over(db: Database, serial: int, actor: Actor) -> None:
    """The participant received the card."""
    with db.unit_of_work(actor.label) as session:
        post = local_post(session)
        assert post is not None
        card = session.scalars(
            select(CardIssue).where(CardIssue.post_id == post.id, CardIssue.serial == serial)
        ).first()
        if card is None:
            raise UserError("card_unknown", serial=serial)
        if card.handed_over_at is None:
            card.handed_over_at = operation_time(session)


class CardState(StrEnum):
    """What a scanned card is: each state its own answer (issue 14, item 4)."""

    CURRENT = "current"  # this post's card, the participant's newest, the registration stands
    REPLACED = "replaced"  # genuine, but a newer card was made (lost, damaged, corrected)
    WITHDRAWN = "withdrawn"  # genuine, but the registration was withdrawn (made by mistake)
    REJECTED = "rejected"  # genuine, but the branch rejected the registration in an ACK
    OTHER_POST = "other_post"  # genuine, signed by another post whose key the branch sent
    UNKNOWN_POST = "unknown_post"  # a card of a post whose key this database does not have
    FORGED = "forged"  # the signature fails, the code is damaged, or the card was never made
    NOT_A_CARD = "not_a_card"  # not a card code, or a card format this program does not know


STATE_LABEL = {
    CardState.CURRENT: N_("current"),
    CardState.REPLACED: N_("REPLACED"),
    CardState.WITHDRAWN: N_("WITHDRAWN"),
    CardState.REJECTED: N_("REJECTED by the branch"),
    CardState.OTHER_POST: N_("another post's card"),
    CardState.UNKNOWN_POST: N_("post not known"),
    CardState.FORGED: N_("FORGED"),
    CardState.NOT_A_CARD: N_("not a card"),
}

# Each one line: what the card is and what to do. {name} is the participant's name in the window
# and the registration number on the command line (its JSON holds no name).
_SCAN_TEXT = {
    (CardState.CURRENT, None): N_("Genuine card no. {serial}: the current card of {name}."),
    (CardState.REPLACED, None): N_(
        "Genuine but REPLACED card no. {serial} of {name}: a newer card was made. "
        "Take this one back."
    ),
    (CardState.WITHDRAWN, None): N_(
        "Card no. {serial} of {name}: registration WITHDRAWN — do not accept it as proof of "
        "cover; take the card back."
    ),
    (CardState.REJECTED, None): N_(
        "Card no. {serial} of {name}: registration REJECTED by the branch — the card is no "
        "longer valid; do not accept it as proof of cover, take it back and send the holder to "
        "the coordinator."
    ),
    (CardState.OTHER_POST, "current"): N_(
        "Genuine card no. {serial} of {regno}, made by another post: {post} ({post_name}). "
        "Only that post knows whether it was replaced since; dues and changes are done there."
    ),
    (CardState.OTHER_POST, "suspended"): N_(
        "Card no. {serial} of {regno} from post {post} ({post_name}), which the branch has "
        "SUSPENDED: do not accept it; ask the branch."
    ),
    (CardState.UNKNOWN_POST, None): N_(
        "Card of post {post}, whose key this computer does not have yet: it cannot be checked. "
        "Take in the branch's newest acknowledgement and scan it again, or ask the branch."
    ),
    (CardState.FORGED, "signature"): N_(
        "This card is FORGED or altered: its signature does not match. Do not accept it; keep "
        "it and tell the coordinator."
    ),
    (CardState.FORGED, "damaged"): N_(
        "This card's code is damaged or altered: it cannot be read. Do not accept it as it is; "
        "look the holder up by registration number and tell the coordinator."
    ),
    (CardState.FORGED, "not_recorded"): N_(
        "Card no. {serial} carries this post's signature but was never recorded as made: do not "
        "accept it; keep it and tell the coordinator."
    ),
    (CardState.NOT_A_CARD, "not_a_card"): N_(
        "This is not the QR code of a Rumah Perisai card: scan the square code on the card's front."
    ),
    (CardState.NOT_A_CARD, "bad_version"): N_(
        "This card's code has format {version}, which this program does not know: do not accept "
        "it until a newer Rumah Perisai has checked it."
    ),
}


@dataclass(frozen=True)
class CardScan:
    """The answer to a scanned card. ``payload`` is what the code says (None if unreadable);
    it is trustworthy only when the signature verified (every state but unknown_post, forged
    with ``detail`` signature or damaged, and not_a_card)."""

    state: CardState
    payload: CardPayload | None = None
    participant_id: int | None = None  # this database's registration the card belongs to
    name: str | None = None  # for the window only: never in the JSON
    post_name: str | None = None
    post_suspended: bool = False
    detail: str | None = None  # the kind of OTHER_POST, FORGED or NOT_A_CARD, see _SCAN_TEXT
    version: str | None = None  # the unknown format of a NOT_A_CARD bad_version

    @property
    def current(self) -> bool:
        """Whether the card may be taken as proof of cover (``card verify`` exits 0).

        Another post's card counts when its signature verifies with the key the branch sent for
        that post and the branch's newest list does not say that post is suspended: a post sees
        neither the other post's reprints nor its withdrawals, so that is all it can know."""
        if self.state is CardState.OTHER_POST:
            return not self.post_suspended
        return self.state is CardState.CURRENT

    def message(self, name: str | None = None) -> str:
        """One line: what the card is and what to do. ``name`` (the window) stands in for the
        registration number where the text names the participant."""
        payload = self.payload
        regno = payload.registration_no if payload else ""
        return tr(
            _SCAN_TEXT[self.state, self.detail],
            serial=str(payload.serial) if payload else "",
            name=name or regno,
            regno=regno,
            post=payload.post_code if payload else "",
            post_name=self.post_name or "",
            version=self.version or "",
        )

    def as_json(self) -> dict[str, object]:
        """What ``card verify --json`` prints: the state and what the card itself shows, the
        registration number but never a name or NIK."""
        payload = self.payload
        shown: dict[str, object] = {
            "state": self.state.value,
            "current": self.current,
            "detail": self.detail,
            "message": self.message(),
            "post_code": payload.post_code if payload else None,
            "post_name": self.post_name,
            "registration_no": payload.registration_no if payload else None,
            "serial": payload.serial if payload else None,
            "issued_on": payload.issued_on.isoformat() if payload else None,
        }
        if self.state is CardState.OTHER_POST:
            shown["post_suspended"] = self.post_suspended
        return shown


def check_card(db: Database, text: str) -> CardScan:
    """What a scanned card QR (or any text a scanner typed) is: one of :class:`CardState`.

    Keys: every post this database knows — its own and the others whose keys the branch sent in
    its ACKs. A card of a post whose cards this database records (its own; at the branch, any
    imported card) is judged by those records; another post's card by its signature and the
    stored post's suspension alone (see :attr:`CardScan.current`)."""
    with db.reading() as session:
        rows = session.execute(select(Post.code, Post.signing_public_key))
        keys = {code: key for code, key in rows}
        try:
            check = verify_card(text, keys)
        except CardFormatError as error:
            return CardScan(
                CardState.NOT_A_CARD, detail=error.code, version=error.details.get("version")
            )
        payload = check.payload
        if payload is None:
            return CardScan(CardState.FORGED, detail="damaged")
        if check.status is CardStatus.UNKNOWN_POST:
            return CardScan(CardState.UNKNOWN_POST, payload)
        if check.status is CardStatus.ALTERED:
            return CardScan(CardState.FORGED, payload, detail="signature")
        return _genuine(session, payload)


def _genuine(session: Session, payload: CardPayload) -> CardScan:
    """A card whose signature verified with its post's key: what the records say of it."""
    post = session.scalars(select(Post).where(Post.code == payload.post_code)).one()
    card = session.scalars(
        select(CardIssue).where(
            CardIssue.post_code == payload.post_code, CardIssue.serial == payload.serial
        )
    ).first()
    if card is None and not post.is_local:  # another post's card, made where we cannot see
        suspended = post.suspended_at is not None
        return CardScan(
            CardState.OTHER_POST, payload, post_name=post.name, post_suspended=suspended,
            detail="suspended" if suspended else "current",
        )  # fmt: skip
    participant = session.scalars(
        select(Participant).where(
            Participant.post_id == post.id,
            Participant.registration_no == payload.registration_no,
        )
    ).first()
    if card is None or participant is None or card.participant_id != participant.id:
        return CardScan(CardState.FORGED, payload, post_name=post.name, detail="not_recorded")
    state = _state_of(participant.standing, card.state)
    return CardScan(state, payload, participant.id, participant.name, post.name)


def _state_of(standing: str, card_state: str) -> CardState:
    """The registration first: a withdrawn or rejected one makes every card of it worthless,
    however new. A card is ``invalid`` only when the branch rejected its registration."""
    if standing == "rejected" or card_state == INVALID:
        return CardState.REJECTED
    if standing in ("withdrawn", "ended"):  # ended: consent withdrawn, no longer processed
        return CardState.WITHDRAWN
    return CardState.REPLACED if card_state == REPLACED else CardState.CURRENT


def without_card_registered_on(db: Database, day: date) -> list[int]:
    """Members registered on ``day`` who have no card yet (the day's card sheet)."""
    with db.reading() as session:
        carded = select(CardIssue.participant_id)
        return list(
            session.scalars(
                select(Participant.id)
                .where(
                    Participant.registered_on == day,
                    Participant.standing == "member",
                    Participant.id.not_in(carded),
                )
                .order_by(Participant.id)
            )
        )
