"""Membership cards: made as a PDF, recorded only once the PDF was saved or printed, checked when
scanned.

Two steps, so nothing is recorded as printed unless it was: ``prepare_cards`` gives each card
the post's next serials and draws the PDF (nothing stored); after the PDF was written or printed,
``record_cards`` stores the card issues with exactly those serials (refusing if other cards were
recorded in between) and marks the participants' older cards replaced. A reprint needs a reason.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from rumah_perisai import formats
from rumah_perisai.config import DataFolder
from rumah_perisai.db.models import CardIssue, Counter, Participant, Post
from rumah_perisai.db.uow import Database, next_number, operation_time
from rumah_perisai.domain.card_payload import CardPayload, CardStatus, encode_card, verify_card
from rumah_perisai.domain.nik import mask_nik
from rumah_perisai.domain.timezones import local_date
from rumah_perisai.errors import UserError
from rumah_perisai.files import rename_new, write_new
from rumah_perisai.i18n import N_, tr
from rumah_perisai.keys import load_post_key
from rumah_perisai.services.posts import local_post
from rumah_perisai.services.volunteers import Actor
from rumah_perisai.tasks import Progress

if TYPE_CHECKING:
    from rumah_perisai.printing.cards import CardFace

CARD_COUNTER = "card"
FIRST = "first"
REPRINT_REASONS = ("lost", "damaged", "corrected")
VALID, REPLACED = "valid", "replaced"
REASON_TEXT = {
    FIRST: N_("First card"),
    "lost": N_("Lost"),
    "damaged": N_("Damaged"),
    "corrected": N_("Data corrected"),
}


@dataclass(frozen=True)
class PreparedCards:
    """A drawn PDF and what to record once it is out."""

    pdf: bytes
    participant_ids: tuple[int, ...]
    serials: tuple[int, ...]
    reasons: tuple[str, ...]
    note: str | None
    issued_on: date


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


def _checked(session: Session, post: Post, participant_id: int) -> Participant:
    participant = session.get(Participant, participant_id)
    if participant is None or participant.post_id != post.id:
        raise UserError("participant_missing", ref=participant_id)
    if participant.standing != "member":
        raise UserError("card_not_member", name=participant.name)
    if not participant.name.strip() or len(participant.nik) != 16:
        raise UserError("card_missing_data", name=participant.name or participant.registration_no)
    return participant


def _reason_for(session: Session, participant: Participant, reason: str) -> str:
    """A first card needs no reason; a reprint needs one of ``REPRINT_REASONS``."""
    if _valid_card(session, participant.id) is None:
        return FIRST
    if reason not in REPRINT_REASONS:
        raise UserError("reprint_needs_reason", name=participant.name)
    return reason


def prepare_cards(
    db: Database,
    folder: DataFolder,
    participant_ids: Sequence[int],
    *,
    reason: str = FIRST,
    note: str | None = None,
    sheet: bool = False,
    offset_mm: tuple[float, float] = (0.0, 0.0),
    progress: Progress | None = None,
) -> PreparedCards:
    """Draw the cards of ``participant_ids`` with the next serials; nothing is stored."""
    from rumah_perisai.printing.cards import card_pdf  # ReportLab: only when drawing

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
        for index, participant_id in enumerate(participant_ids):
            participant = _checked(session, post, participant_id)
            reasons.append(_reason_for(session, participant, reason))
            serial = first + index
            payload = CardPayload(post.code, participant.registration_no, serial, today)
            faces.append(_face(participant, post, serial, encode_card(payload, key)))
            if progress is not None and index % 20 == 0:
                progress.step(index, len(participant_ids), tr("Drawing cards…"))
        pdf = card_pdf(faces, sheet=sheet, offset_mm=offset_mm, demo=post.is_demo)
    return PreparedCards(
        pdf=pdf,
        participant_ids=tuple(participant_ids),
        serials=tuple(range(first, first + len(participant_ids))),
        reasons=tuple(reasons),
        note=(note or "").strip() or None,
        issued_on=today,
    )


def _face(participant: Participant, post: Post, serial: int, qr_text: str) -> CardFace:
    from rumah_perisai.printing.cards import CardFace, programmes_text

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


def save_cards(prepared: PreparedCards, path: Path, *, replace: bool = False) -> Path:
    """Write the cards' PDF to ``path``: whole under that name, or nothing there at all.

    The bytes go to a temporary file in the same folder whose name says nothing about whose
    cards they are (the chosen name often is the participant's), synced, then renamed. A full
    or locked folder, one that went away, or a name the system refuses leaves no file behind
    and raises ``UserError`` (record the cards only after this returns). A path that exists is
    refused unless ``replace`` (the window's save dialog has asked); one that is not a regular
    file (a folder, a device) is refused always.
    """
    if path.exists() or path.is_symlink():
        if not path.is_file():
            raise UserError("out_not_a_file", path=str(path))
        if not replace:
            raise UserError("out_exists", path=str(path))
    if not path.parent.is_dir():
        raise UserError("out_folder_missing", path=str(path.parent))
    temporary = path.with_name(f".rumah-perisai-{secrets.token_hex(6)}.partial")
    try:
        write_new(temporary, prepared.pdf)
        if replace:
            os.replace(temporary, path)
        else:
            rename_new(temporary, path)
    except FileExistsError as error:  # put there meanwhile
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise UserError("out_exists", path=str(path)) from error
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        reason = error.strerror or str(error)
        raise UserError("card_write_failed", path=str(path), reason=reason) from error
    return path


def record_cards(db: Database, prepared: PreparedCards, actor: Actor) -> list[int]:
    """Record the cards of a PDF that was saved or printed; returns the card issue ids."""
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


class ScanResult(StrEnum):
    GENUINE = "genuine"  # genuine and the participant's current card
    REPLACED = "replaced"  # genuine, but a newer card was made (lost, damaged, corrected)
    NOT_RECORDED = "not_recorded"  # signed here, but never recorded as made
    UNKNOWN_POST = "unknown_post"
    ALTERED = "altered"


_SCAN_TEXT = {
    ScanResult.GENUINE: N_("Genuine card no. {serial}: the current card of {name}."),
    ScanResult.REPLACED: N_(
        "Genuine but REPLACED card no. {serial} of {name}: a newer card was made. "
        "Take this one back."
    ),
    ScanResult.NOT_RECORDED: N_(
        "Card no. {serial} carries this post's signature but was never recorded as made."
    ),
}


@dataclass(frozen=True)
class CardScan:
    result: ScanResult
    message: str
    participant_id: int | None = None
    payload: CardPayload | None = None

    @property
    def current(self) -> bool:
        return self.result is ScanResult.GENUINE


def check_card(db: Database, text: str) -> CardScan:
    """What a scanned card QR says. Raises ``CardFormatError`` for text that is no card code.

    Keys: every post this database knows (its own and, later, the others the branch sends)."""
    with db.reading() as session:
        rows = session.execute(select(Post.code, Post.signing_public_key))
        keys = {code: key for code, key in rows}
        check = verify_card(text, keys)
        if check.status is CardStatus.UNKNOWN_POST:
            return CardScan(ScanResult.UNKNOWN_POST, check.message(), None, check.payload)
        if check.status is CardStatus.ALTERED or check.payload is None:
            return CardScan(ScanResult.ALTERED, check.message(), None, check.payload)
        payload = check.payload
        participant = session.scalars(
            select(Participant).where(Participant.registration_no == payload.registration_no)
        ).first()
        card = session.scalars(
            select(CardIssue).where(
                CardIssue.post_code == payload.post_code, CardIssue.serial == payload.serial
            )
        ).first()
        name = participant.name if participant else payload.registration_no
        participant_id = participant.id if participant else None
        if card is None or card.participant_id != participant_id:
            result = ScanResult.NOT_RECORDED
        else:
            result = ScanResult.GENUINE if card.state == VALID else ScanResult.REPLACED
        message = tr(_SCAN_TEXT[result], serial=payload.serial, name=name)
        return CardScan(result, message, participant_id, payload)


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
